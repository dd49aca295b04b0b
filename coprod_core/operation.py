"""The unit of work: one user action's writes, in one transaction.

An :class:`Operation` validates each record before it is written (the
consent rules, then every plugin's ``coprod_validate``), names what it
wrote in the audit entry, and queues the :class:`Event` plugins receive
once the transaction has committed. :meth:`Workspace.operation
<coprod_core.workspace.Workspace.operation>` opens one; the services write
through it (:mod:`coprod_core.services.base`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import field, frozen

from . import serialise
from .errors import PluginError, ValidationFailed

if TYPE_CHECKING:
    from .storage import Storage
    from .workspace import Workspace

__all__ = ["Event", "Operation"]

R = TypeVar("R")


def _strings(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(values)


@frozen(kw_only=True)
class Event:
    """Something that happened, passed to ``coprod_on_event`` after the commit."""

    #: ``<thing>.<what happened>``, such as ``"commitment.moved"``.
    name: str
    ids: tuple[str, ...] = field(converter=_strings)
    #: The record as stored after the change (None when it was removed).
    record: Any = None
    at: dt.datetime
    actor: str


class Operation:
    """One unit of work: the writes of one user action, in one transaction."""

    def __init__(self, workspace: Workspace, name: str) -> None:
        self.workspace = workspace
        self.name = name
        self.ids: list[str] = []
        # The same ids as a set: an import names thousands of records.
        self._named: set[str] = set()
        self.events: list[Event] = []
        #: Set when personal data was removed: the backend purges after the commit.
        self.needs_purge = False
        #: Called in order once the transaction committed (removing files, say).
        self.after_commit: list[Callable[[], None]] = []
        hook = workspace.plugins.hook.coprod_validate
        #: None when no plugin validates (bulk writes then skip the call).
        self._validators = hook if hook.get_hookimpls() else None
        self._check_participant: Callable[..., None] | None = None

    @property
    def storage(self) -> Storage:
        return self.workspace.storage

    def new_id(self, collection: str) -> str:
        return self.workspace.collections.format_id(
            collection, self.storage.next_number(collection))

    def _touch(self, record_id: str) -> None:
        if record_id not in self._named:
            self._named.add(record_id)
            self.ids.append(record_id)

    def touch(self, record_id: str) -> None:
        """Name ``record_id`` in the operation's audit entry (for writes made directly)."""
        self._touch(record_id)

    def validate(self, collection: str, record: Any, previous: Any = None) -> None:
        """Check consent rules, then ask the plugins' ``coprod_validate`` (through pluggy)."""
        if collection == "participants":
            if self._check_participant is None:
                from .protection.consent import check_participant

                self._check_participant = check_participant
            from .forms.definitions import definitions

            self._check_participant(self.workspace, record, definitions(self.workspace))
        if not self._validators:
            return
        from .plugins import PluginFailed

        try:
            message = self._validators(
                workspace=self.workspace, operation=self.name, collection=collection,
                record=record, previous=previous)
        except PluginFailed as failure:
            raise PluginError(
                f"plugin {failure.plugin!r} failed while checking {self.name} "
                f"({failure.reason}); nothing was saved"
            ) from failure.__cause__
        if message:
            raise ValidationFailed(f"{getattr(message, 'plugin', 'a plugin')}: {message}")

    def _prepared(self, collection: str, record: R) -> R:
        """``record`` as it must be stored: a participant's answers in the categories
        their keys' definitions give, whatever the caller said
        (:mod:`coprod_core.protection.definitions`)."""
        if collection != "participants":
            return record
        from .forms.definitions import definitions
        from .protection.definitions import categorised

        return categorised(definitions(self.workspace), record)

    def write(self, collection: str, record: R, previous: Any = None) -> R:
        """Validate and store ``record`` (an attrs model object with an ``id``).

        Returns the record as stored (a participant's answer categories come
        from their definitions).
        """
        record = self._prepared(collection, record)
        self.validate(collection, record, previous)
        self.storage.put(collection, serialise.unstructure(record))
        self._touch(record.id)  # type: ignore[attr-defined]
        return record

    def write_many(self, collection: str, records: Iterable[Any], *,
                   to_doc: Callable[[Any], dict[str, Any]] | None = None) -> int:
        """Validate and store many records in one call to the backend.

        ``to_doc`` may replace :func:`serialise.unstructure` with a faster
        function giving the same documents (bulk imports).
        """
        written: list[str] = []
        validate = self.validate
        if collection == "participants":
            records = (self._prepared(collection, r) for r in records)

        def docs() -> Iterator[dict[str, Any]]:
            unstructure = to_doc
            kind = None
            record = None
            for record in records:
                validate(collection, record)
                if to_doc is None and record.__class__ is not kind:
                    # The record class's hook, looked up once (bench/bulk_insert.py).
                    kind = record.__class__
                    unstructure = serialise.unstructurer(kind)
                if not written:
                    written.append(record.id)
                yield unstructure(record)  # type: ignore[misc]
            if record is not None:
                written.append(record.id)

        count = self.storage.put_many(collection, docs())
        if written:
            # A range keeps the audit entry small for bulk writes: "P-1..P-100000".
            self._touch(written[0] if len(written) == 2 and written[0] == written[1]
                        else f"{written[0]}..{written[-1]}")
        return count

    def delete(self, collection: str, record_id: str) -> bool:
        self._touch(record_id)
        return self.storage.delete(collection, record_id)

    def emit(self, name: str, record: Any = None, *extra_ids: str) -> None:
        """Queue an event for the plugins, fired after the commit."""
        record_ids = ((record.id,) if record is not None and hasattr(record, "id") else ())
        for extra_id in extra_ids:
            self._touch(extra_id)
        self.events.append(Event(
            name=name, ids=(*record_ids, *extra_ids), record=record,
            at=self.workspace.now(), actor=self.workspace.actor,
        ))
