"""Tensions: conflicts surfaced openly, raised and then moved through their lifecycle."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..errors import CoprodError
from ..model import Tension, TensionKind, TensionStatus, Transition, parse_choice
from ..when import On
from .base import change, corrections, create, moved

if TYPE_CHECKING:
    from ..workspace import Workspace

__all__ = ["move", "raise_", "update"]


def raise_(
    ws: Workspace,
    description: str,
    *,
    kind: str,
    session_id: str | None = None,
    raised_by: str | None = None,
    between: Iterable[str] = (),
    note: str | None = None,
    on: On = None,
) -> Tension:
    """Raise a tension of ``kind``, between participants or roles: now, or ``on``
    the day (or time) it was raised (:mod:`coprod_core.when`)."""
    chosen = parse_choice(TensionKind, kind, "tension kind")
    at, recorded_at = ws.stamped(on)

    def build(op: Any) -> Tension:
        parties = tuple(party(ws, p) for p in between)
        return Tension(
            id=op.new_id("tensions"), kind=chosen, description=description,
            raised_by=ws.existing_id("participants", raised_by),
            session_id=ws.existing_id("sessions", session_id), between=parties,
            status=TensionStatus.RAISED,
            history=(Transition(status="raised", at=at, actor=ws.actor, note=note,
                                recorded_at=recorded_at),),
        )

    return create(ws, "tension.raise", "tensions", build, event="tension.raised")


def move(ws: Workspace, record_id: str, status: str, *, note: str | None = None,
         on: On = None) -> Tension:
    """Move a tension to ``status``: now, or ``on`` the day (or time) it moved.

    The lifecycle names the allowed moves if it isn't one; a date before the
    step it follows is refused.
    """
    target = parse_choice(TensionStatus, status, "tension status")
    return change(ws, "tension.move", "tensions", record_id,
                  lambda before: moved(ws, before, target, note, on), event="tension.moved")


def update(ws: Workspace, record_id: str, *, description: str,
           reason: str | None = None) -> Tension:
    """Correct a tension's description; the earlier wording stays in its corrections."""
    return change(ws, "tension.update", "tensions", record_id,
                  lambda before: corrections(ws, before, {"description": description}, reason),
                  event="tension.updated")


def party(ws: Workspace, value: str) -> str:
    """A tension's party: a participant id (canonical, existing) or a role."""
    if value in ws.config.roles:
        return value
    if ws.collections.collection_of(value) == "participants":
        return ws.existing_id("participants", value)  # type: ignore[return-value]
    raise CoprodError(
        f"{value!r} is neither a participant id (like P-12) nor a role; "
        f"roles: {', '.join(ws.config.roles)}"
    )
