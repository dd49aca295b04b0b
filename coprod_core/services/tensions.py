"""Tensions: conflicts surfaced openly, raised and then moved through their lifecycle."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..errors import CoprodError
from ..model import Tension, TensionKind, TensionStatus, Transition, parse_choice
from .base import change, create

if TYPE_CHECKING:
    from ..workspace import Workspace

__all__ = ["move", "raise_"]


def raise_(
    ws: Workspace,
    description: str,
    *,
    kind: str,
    session_id: str | None = None,
    raised_by: str | None = None,
    between: Iterable[str] = (),
    note: str | None = None,
) -> Tension:
    """Raise a tension of ``kind``, between participants or roles."""
    chosen = parse_choice(TensionKind, kind, "tension kind")

    def build(op: Any) -> Tension:
        parties = tuple(party(ws, p) for p in between)
        return Tension(
            id=op.new_id("tensions"), kind=chosen, description=description,
            raised_by=ws.existing_id("participants", raised_by),
            session_id=ws.existing_id("sessions", session_id), between=parties,
            status=TensionStatus.RAISED,
            history=(Transition(status="raised", at=ws.now(), actor=ws.actor, note=note),),
        )

    return create(ws, "tension.raise", "tensions", build, event="tension.raised")


def move(ws: Workspace, record_id: str, status: str, *, note: str | None = None) -> Tension:
    """Move a tension to ``status``; the lifecycle names the allowed moves if it isn't one."""
    target = parse_choice(TensionStatus, status, "tension status")
    return change(ws, "tension.move", "tensions", record_id,
                  lambda before: before.moved(target, at=ws.now(), actor=ws.actor, note=note),
                  event="tension.moved")


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
