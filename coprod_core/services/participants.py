"""Adding and changing participants (consent is :mod:`.consent`, erasure :mod:`.erasure`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from attrs import evolve

from .. import ids
from ..errors import CoprodError, InvalidValue
from ..model import Participant
from .base import change, create

if TYPE_CHECKING:
    from ..workspace import Operation, Workspace

__all__ = ["UPDATABLE", "add", "add_many", "update"]

#: The fields :func:`update` may change.
UPDATABLE = ("demographics", "email", "extra", "name", "phone", "pseudonym", "role")


def add(
    ws: Workspace,
    name: str,
    *,
    role: str,
    pseudonym: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Participant:
    """Add a person in ``role`` (one of the workspace's roles)."""
    ws.check_role(role)
    return create(ws, "participant.add", "participants", lambda op: Participant(
        id=op.new_id("participants"), name=name, role=role, pseudonym=pseudonym,
        email=email, phone=phone, extra=dict(extra or {}), created_at=ws.now(),
    ), event="participant.added")


def add_many(ws: Workspace, people: Iterable[Mapping[str, Any]], *, chunk: int = 2000) -> int:
    """Add many participants in one operation (bulk entry and imports).

    Each item has the keyword arguments of :func:`add`. Returns how many
    were added; the audit entry names the range of ids (``P-1..P-5000``).
    """
    total = 0
    with ws.operation("participant.add_many") as op:
        batch: list[Mapping[str, Any]] = []
        for item in people:
            batch.append(item)
            if len(batch) >= chunk:
                total += _add_batch(ws, op, batch)
                batch = []
        if batch:
            total += _add_batch(ws, op, batch)
    return total


def _add_batch(ws: Workspace, op: Operation, batch: list[Mapping[str, Any]]) -> int:
    first = op.storage.next_number("participants", len(batch))
    now = ws.now()
    roles = set(ws.config.roles)
    prefix = ids.format_id("participants", 0)[:-1]
    records: list[Participant] = []
    append = records.append
    for number, item in enumerate(batch, start=first):
        if item.get("role") not in roles:
            raise InvalidValue("role", item.get("role"), ws.config.roles)
        append(Participant(id=f"{prefix}{number}", created_at=now, **item))
    return op.write_many("participants", records)


def update(ws: Workspace, record_id: str, **changes: Any) -> Participant:
    """Change some of a person's fields (:data:`UPDATABLE`); an erased person can't be."""
    unknown = set(changes) - set(UPDATABLE)
    if unknown:
        raise InvalidValue("participant field", sorted(unknown)[0], sorted(UPDATABLE))
    if "role" in changes:
        ws.check_role(changes["role"])

    def changed(before: Participant) -> Participant:
        if before.is_erased:
            raise CoprodError(f"{before.id} was erased and cannot be changed")
        return evolve(before, **changes)

    return change(ws, "participant.update", "participants", record_id, changed,
                  event="participant.updated")
