"""Commitments: promises by people with power, moved until kept or not, with progress notes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..errors import CoprodError
from ..model import (
    Authority,
    Commitment,
    CommitmentStatus,
    ProgressUpdate,
    Transition,
    parse_choice,
)
from .base import change, create

if TYPE_CHECKING:
    from ..workspace import Workspace

__all__ = ["make", "move", "update"]


def make(
    ws: Workspace,
    description: str,
    *,
    made_by: str,
    authority: str,
    scope: str | None = None,
    due: dt.date | None = None,
    session_id: str | None = None,
    answers: Iterable[str] = (),
    note: str | None = None,
) -> Commitment:
    """Record a promise ``made_by`` a participant, with the ``authority`` they declared."""
    chosen = parse_choice(Authority, authority, "authority")

    def build(op: Any) -> Commitment:
        maker = ws.existing_id("participants", made_by) or ""
        return Commitment(
            id=op.new_id("commitments"), description=description, made_by=maker,
            authority=chosen, scope=scope, due=due,
            session_id=ws.existing_id("sessions", session_id),
            answers=tuple(ws.existing_id("tensions", t) or "" for t in answers),
            status=CommitmentStatus.PROPOSED,
            history=(Transition(status="proposed", at=ws.now(), actor=ws.actor, note=note),),
        )

    return create(ws, "commitment.make", "commitments", build, event="commitment.made")


def move(ws: Workspace, record_id: str, status: str, *, note: str | None = None) -> Commitment:
    """Move a commitment to ``status``; the lifecycle names the allowed moves if it isn't one."""
    target = parse_choice(CommitmentStatus, status, "commitment status")
    return change(ws, "commitment.move", "commitments", record_id,
                  lambda before: before.moved(target, at=ws.now(), actor=ws.actor, note=note),
                  event="commitment.moved")


def update(ws: Workspace, record_id: str, note: str) -> Commitment:
    """Add a progress note to a commitment that is not final."""

    def with_note(before: Commitment) -> Commitment:
        if before.LIFECYCLE.is_final(before.status):
            raise CoprodError(
                f"{before.id} is {before.status}; progress can no longer be added"
            )
        return before.with_update(ProgressUpdate(at=ws.now(), actor=ws.actor, note=note))

    return change(ws, "commitment.update", "commitments", record_id, with_note,
                  event="commitment.updated")
