"""The one way a service writes: read, change, validate, write, audit, emit.

:func:`create` and :func:`change` open an operation (one transaction) and
hand the record to :func:`commit`, which validates it (consent rules and
every plugin's ``coprod_validate``), stores it, names it in the audit entry
and queues the event that plugins receive after the commit. A service that
writes several records, or reads several before it can change one, opens
its operation itself and calls :func:`commit` for each.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from ..errors import PluginError

if TYPE_CHECKING:
    from ..workspace import Operation, Workspace

__all__ = ["call_plugins", "change", "commit", "create"]

R = TypeVar("R")


def commit(op: Operation, collection: str, record: R, before: Any = None, *,
           event: str | None, mentions: Iterable[str] = ()) -> R:
    """Validate and write ``record`` in ``op``, and queue ``event`` about it.

    ``before`` is the record as it was (None for a new one), passed to the
    validation hooks; ``mentions`` are other ids the event and the audit
    entry name (the people whose attendance was recorded, say). With
    ``event`` None no event is queued.
    """
    record = op.write(collection, record, before)
    if event is not None:
        op.emit(event, record, *mentions)
    return record


def create(ws: Workspace, operation: str, collection: str, build: Callable[[Operation], R],
           *, event: str | None) -> R:
    """Add the record ``build(op)`` makes (taking its id with ``op.new_id``)."""
    with ws.operation(operation) as op:
        record = commit(op, collection, build(op), event=event)
    return record


def change(ws: Workspace, operation: str, collection: str, record_id: str,
           how: Callable[[Any], R], *, event: str | None) -> R:
    """Replace record ``record_id`` with ``how(record)``; ``how`` raises to refuse."""
    with ws.operation(operation) as op:
        before = ws.record(collection, record_id)
        after = commit(op, collection, how(before), before, event=event)
    return after


def call_plugins(ws: Workspace, hook: str, doing: str, **kwargs: Any) -> dict[str, Any]:
    """Call ``hook`` through pluggy; each plugin's non-None result by plugin name.

    A failure names the plugin and undoes all.
    """
    from ..plugins import PluginFailed, call_attributed

    try:
        return dict(call_attributed(ws.plugins, hook, workspace=ws, **kwargs))
    except PluginFailed as failure:
        raise PluginError(f"plugin {failure.plugin!r} failed while {doing} "
                          f"({failure.reason}); nothing was changed") from failure.__cause__
