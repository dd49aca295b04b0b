"""Commitments: promises by people with power, moved until kept or not, with progress notes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from attrs import evolve

from ..errors import CoprodError
from ..model import (
    Authority,
    Commitment,
    CommitmentStatus,
    ProgressUpdate,
    Transition,
    parse_choice,
)
from ..when import On
from .base import change, corrections, create, moved

if TYPE_CHECKING:
    from ..workspace import Workspace

__all__ = ["UPDATABLE", "make", "move", "progress", "update"]


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
    on: On = None,
) -> Commitment:
    """Record a promise ``made_by`` a participant, with the ``authority`` they declared:
    now, or ``on`` the day (or time) it was made (:mod:`coprod_core.when`)."""
    chosen = parse_choice(Authority, authority, "authority")
    at, recorded_at = ws.stamped(on)

    def build(op: Any) -> Commitment:
        maker = ws.existing_id("participants", made_by) or ""
        return Commitment(
            id=op.new_id("commitments"), description=description, made_by=maker,
            authority=chosen, scope=scope, due=due,
            session_id=ws.existing_id("sessions", session_id),
            answers=tuple(ws.existing_id("tensions", t) or "" for t in answers),
            status=CommitmentStatus.PROPOSED,
            history=(Transition(status="proposed", at=at, actor=ws.actor, note=note,
                                recorded_at=recorded_at),),
        )

    return create(ws, "commitment.make", "commitments", build, event="commitment.made")


def move(ws: Workspace, record_id: str, status: str, *, note: str | None = None,
         on: On = None) -> Commitment:
    """Move a commitment to ``status``: now, or ``on`` the day (or time) it moved.

    The lifecycle names the allowed moves if it isn't one; a date before the
    step it follows is refused.
    """
    target = parse_choice(CommitmentStatus, status, "commitment status")
    return change(ws, "commitment.move", "commitments", record_id,
                  lambda before: moved(ws, before, target, note, on),
                  event="commitment.moved")


def progress(ws: Workspace, record_id: str, note: str, *, on: On = None) -> Commitment:
    """Add a progress note to a commitment that is not final: now, or ``on`` the day
    (or time) it happened. Kept in the order things happened."""

    def with_note(before: Commitment) -> Commitment:
        if before.LIFECYCLE.is_final(before.status):
            raise CoprodError(
                f"{before.id} is {before.status}; progress can no longer be added"
            )
        # Now comes after the latest update (a clock set back cannot reorder them);
        # a day given is placed among them, in the order things happened.
        latest = before.updates[-1].at if before.updates and on is None else None
        at, recorded_at = ws.stamped(on, after=max(before.created_at, latest or before.created_at),
                                     follows="the day the promise was made")
        update = ProgressUpdate(at=at, actor=ws.actor, note=note, recorded_at=recorded_at)
        updates = sorted((*before.updates, update), key=lambda u: u.at)
        return evolve(before, updates=tuple(updates))

    # Operation "commitment.update", as before progress had its own verb: plugins
    # that check it by name keep working.
    return change(ws, "commitment.update", "commitments", record_id, with_note,
                  event="commitment.updated")


#: What :func:`update` may correct.
UPDATABLE = ("description", "scope", "due")


def update(ws: Workspace, record_id: str, note: str | None = None, *,
           description: str | None = None, scope: str | None = None,
           due: dt.date | None = None, reason: str | None = None,
           clear_due: bool = False, on: On = None) -> Commitment:
    """Correct a commitment: its wording, its scope, or its due date (with ``reason``).

    Each change is kept in the commitment's corrections with the earlier
    value; a moved due date is part of the promise's history, dated ``on``
    the day it was moved (default now; not before the promise was made or
    its due date last moved). ``note`` alone, the older form, adds a
    progress update (use :func:`progress`).
    """
    changes: dict[str, Any] = {}
    if description is not None:
        changes["description"] = description
    if scope is not None:
        changes["scope"] = scope
    if due is not None or clear_due:
        changes["due"] = None if clear_due else due
    if note is not None:
        if changes:
            raise CoprodError("give a progress note or corrections, not both")
        return progress(ws, record_id, note)
    if not changes:
        raise CoprodError("nothing to change: give --description, --scope or --due")
    if "due" in changes and not (reason and reason.strip()):
        raise CoprodError("moving a due date needs a reason, for the promise's history: "
                          "give one with --reason")
    def corrected(before: Commitment) -> Commitment:
        moves = before.corrections_of("due")
        after = max(before.created_at, moves[-1].at) if moves else before.created_at
        at, recorded_at = ws.stamped(on, after=after, follows=(
            "the due date's last move" if moves else "the day the promise was made"))
        return corrections(ws, before, changes, reason, at=at, recorded_at=recorded_at)

    return change(ws, "commitment.correct", "commitments", record_id, corrected,
                  event="commitment.corrected")
