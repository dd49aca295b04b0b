"""Every hook a coprod plugin can implement.

Each hook is a typed function whose body is only its docstring: when it is
called, its arguments, what it returns, and how results combine. pluggy
passes arguments by name, so an implementation may accept any subset of
them. Hooks only grow: arguments are added, never renamed or removed without
a release of deprecation warnings first.

Registration hooks receive a ``register(name, thing)`` callback rather than
returning values, so the core can refuse a name registered twice and
remember which plugin registered what. ``docs/plugins.md`` has a section per
hook with its exact signature and an example.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from .model import Participant
    from .workspace import Event, Workspace

__all__ = ["Register", "hookimpl", "hookspec"]

#: Marks a hook specification (the functions below).
hookspec = pluggy.HookspecMarker("coprod")
#: Marks a plugin's hook implementation: ``from coprod_core import hookimpl``.
hookimpl = pluggy.HookimplMarker("coprod")

Register = Callable[[str, Any], None]


@hookspec
def coprod_register_storage(register: Register) -> None:
    """Register storage backends.

    Called once per plugin manager, the first time a workspace is opened or
    a backend is looked up.

    :param register: call ``register(name, backend)`` with a
        :class:`coprod_core.storage.StorageBackend` for each backend. ``name``
        is what ``[storage] backend = "..."`` selects.
    :return: nothing; a name registered twice is an error naming both plugins.

    .. versionadded:: 0.1
    """


@hookspec
def coprod_register_forms(register: Register) -> None:
    """Register intake forms that a plugin defines in code.

    Called when forms are first needed (``coprod intake ...``); forms declared
    in ``coprod.toml`` are added beside them and may not reuse their names.

    :param register: call ``register(name, form)`` with a
        :class:`coprod_core.forms.FormDefinition` for each form.
    :return: nothing.

    .. versionadded:: 0.1
    """


@hookspec
def coprod_register_field_types(register: Register) -> None:
    """Register intake-form field types.

    Called when forms are first needed, before any form is validated, so a
    form in ``coprod.toml`` can use a type a plugin adds.

    :param register: call ``register(name, field_type)`` with a
        :class:`coprod_core.forms.FieldType` for each type (``type = "name"``
        in a form field selects it).
    :return: nothing.

    .. versionadded:: 0.1
    """


@hookspec
def coprod_register_report_kinds(register: Register) -> None:
    """Register report kinds: what a report says.

    Called when reports are first needed (``coprod report ...``).

    :param register: call ``register(name, kind)`` with a
        :class:`coprod_core.reports.ReportKind`, whose ``build`` returns a
        :class:`coprod_core.reports.Report` document. Any format renders it.
    :return: nothing.

    .. versionadded:: 0.1
    """


@hookspec
def coprod_register_report_formats(register: Register) -> None:
    """Register report formats: how any report document is written out.

    Called when reports are first needed. A format never sees a count that
    small-number suppression hides: it is given the suppressed document.

    :param register: call ``register(name, report_format)`` with a
        :class:`coprod_core.reports.ReportFormat`.
    :return: nothing.

    .. versionadded:: 0.1
    """


@hookspec
def coprod_register_commands(register: Register) -> None:
    """Add commands or command groups to the ``coprod`` command line.

    Called once per process when the command line needs its list of
    commands: for ``coprod --help`` and for a command name that is not built
    in. Keep the implementation cheap: build the click command here and
    import heavy libraries inside its callback.

    :param register: call ``register(name, command)`` with a
        :class:`click.Command` (or group); ``coprod <name>`` runs it. A name
        that clashes with a built-in or another plugin's command is refused.
    :return: nothing.

    .. versionadded:: 0.1
    """


@hookspec
def coprod_register_collections(register: Register) -> None:
    """Declare the collections of records a plugin keeps beside the core's four.

    Called once per plugin manager, when a workspace is first opened and
    before any record is read, so export, import, migrate, doctor and
    erasure know the plugin's records too. Keep it cheap: import the record
    class inside the implementation, not at the top of the plugin's module.

    :param register: call ``register(name, collection)`` with a
        :class:`coprod_core.records.Collection` (the id prefix, the word for
        one record, and the attrs class records are structured as). ``name``
        is a lower-case identifier; ids look like ``<prefix>-12``.
    :return: nothing; a name or prefix already taken is an error naming the plugin.

    .. versionadded:: 0.1
    """


@hookspec
def coprod_register_importers(register: Register) -> None:
    """Register sources that ``coprod import-from`` can read: other platforms' exports.

    Called when ``coprod import-from`` first needs its list of sources.

    :param register: call ``register(name, importer)`` with a
        :class:`coprod_core.importing.Importer` for each source; ``name`` is what
        ``coprod import-from NAME FILE`` selects and must equal ``importer.name``.
    :return: nothing; a name registered twice is an error naming both plugins.

    .. versionadded:: 0.2
    """


@hookspec
def coprod_register_settings(register: Register) -> None:
    """Declare the keys a plugin reads from its ``[plugins.<name>]`` table.

    Called by ``coprod config check`` and when the configuration is loaded,
    so unknown or mistyped keys are reported with their dotted path.

    :param register: call ``register(table_name, settings)`` with a tuple of
        :class:`coprod_core.storage.Setting`.
    :return: nothing.

    .. versionadded:: 0.1
    """


@hookspec(firstresult=True)
def coprod_validate(
    workspace: Workspace, operation: str, collection: str, record: Any, previous: Any
) -> str | None:
    """Check a record before it is written; refuse the write by returning why.

    Called inside the operation's transaction, before each write of a
    record. Implementations are called in pluggy's order until one refuses
    (``firstresult``): the first refusal ends the operation, nothing of it is
    stored, and the implementations after it are not asked. A
    ``wrapper=True`` implementation sees the refusal (or None) as its result.

    :param workspace: the workspace being changed.
    :param operation: the operation's name, such as ``"participant.add"``.
    :param collection: the collection written (``"participants"``...).
    :param record: the model object about to be stored.
    :param previous: the stored object it replaces, or None for a new one.
    :return: None to allow the write, or a message for the person who asked
        for it (shown on one line, prefixed with the plugin's name). Anything
        else is an error naming the plugin.

    .. versionadded:: 0.1
    """


@hookspec
def coprod_on_event(workspace: Workspace, event: Event) -> None:
    """React to a change after it has been committed.

    Called once per event, after the operation's transaction committed. An
    exception here is reported with the plugin's name and does not undo the
    change. Every implementation is called.

    :param workspace: the workspace that changed (open, usable for reads).
    :param event: a :class:`coprod_core.workspace.Event` naming what
        happened (``"commitment.moved"``...), the ids involved and the record.
    :return: nothing.

    .. versionadded:: 0.1
    """


@hookspec
def coprod_subject_access(workspace: Workspace, participant: Participant) -> dict[str, Any] | None:
    """Add what a plugin holds about one person to their subject access export.

    Called by ``coprod participant export`` (and
    :func:`coprod_core.subject_access.collect`) once per export. Every
    implementation is called; each result appears in the export under the
    plugin's name, in the JSON as given and in the readable version as a list
    of labelled values. An exception stops the export (an incomplete one
    must not be handed over) and names the plugin.

    :param workspace: the open workspace, for reads.
    :param participant: the :class:`coprod_core.model.Participant` the export
        is about (possibly a tombstone, with ``erased_at`` set).
    :return: a JSON-ready dict of everything the plugin holds about them, in
        words a person can read as keys; None (or an empty dict) when it
        holds nothing.

    .. versionadded:: 0.1
    """


@hookspec
def coprod_erase_participant(
    workspace: Workspace, participant_id: str, participant: Participant
) -> None:
    """Erase what a plugin holds about one person.

    Called inside the erasure's operation (``coprod participant erase``, a
    withdrawal of consent for ``record``, ``coprod privacy review --erase``),
    after the core has written the tombstone and before the commit. Write
    through ``workspace.operation(...)`` (it joins the erasure's transaction)
    or the storage inside it, so that an error anywhere undoes the whole
    erasure. Every implementation is called; an exception stops the erasure
    and names the plugin. After the commit the backend is purged.

    Keep totals true the way the core does: replace a record of the person by
    a tombstone rather than deleting it when something counts it. As a safety
    net the core afterwards replaces the person's name, pseudonym, email and
    phone in every string of every other collection.

    :param workspace: the open workspace.
    :param participant_id: the id of the person being erased (``"P-12"``).
    :param participant: their record as it was before the erasure, to find
        their name or contact details in the plugin's data.
    :return: nothing.

    .. versionadded:: 0.1
    """


@hookspec
def coprod_consent_withdrawn(
    workspace: Workspace, participant: Participant, purpose: str
) -> None:
    """Drop what a plugin holds that a withdrawn consent covered.

    Called inside the consent operation, when a person withdraws consent for
    ``purpose`` (``"contact"``, ``"naming"``, ``"special:health"``...), after
    the core has removed what it holds under that consent and before the
    commit. A withdrawal of ``record`` erases the person, which calls
    :func:`coprod_erase_participant` instead. Every implementation is called;
    an exception undoes the withdrawal and names the plugin.

    :param workspace: the open workspace.
    :param participant: the person's record with the withdrawal recorded,
        as already written in this operation. A plugin that keeps data on it
        (its ``extra`` keys) drops them by writing the record again through
        ``workspace.operation(...)``; that write is the one kept.
    :param purpose: the purpose withdrawn, one of
        :data:`coprod_core.model.CONSENT_PURPOSES`.
    :return: nothing.

    .. versionadded:: 0.1
    """


@hookspec
def coprod_register_web_routes(register: Register) -> None:
    """Add pages to the web front (``coprod serve``).

    Called once when the web app is built. The built-in pages are registered
    through this hook too. Modelled on datasette's ``register_routes``.

    :param register: call ``register(name, route)`` with a
        :class:`coprod_web.WebRoute` for each page: its path (``"/payments"``,
        with ``{name}`` parts), the view (a function taking a
        :class:`coprod_web.Page` and returning a response, usually
        ``page.render("payments/list.html", ...)``), the permission it needs
        (a permission from :data:`coprod_core.access.PERMISSIONS`, ``"public"``
        or ``"signed_in"``; a route without one is refused), its methods, a
        title to list it in the menu, and a folder of templates, which may
        extend ``"coprod/base.html"``.
    :return: nothing; a name or a path and method registered twice is an
        error naming both plugins.

    .. versionadded:: 0.1
    """
