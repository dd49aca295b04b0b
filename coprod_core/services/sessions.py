"""Sessions: holding one, who attended, and the ladder rung each person rated it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from attrs import evolve

from ..errors import CoprodError, InvalidValue
from ..model import AttendanceStatus, Rung, Session, parse_choice
from .base import change, commit, create

if TYPE_CHECKING:
    from ..workspace import Workspace

__all__ = ["UPDATABLE", "attend", "new", "rate", "update"]

#: The fields :func:`update` may change.
UPDATABLE = ("agreed_next", "date", "facilitators", "purpose", "title")


def new(
    ws: Workspace,
    title: str,
    *,
    date: dt.date,
    purpose: str | None = None,
    facilitators: Iterable[str] = (),
    agreed_next: str | None = None,
) -> Session:
    """Record a session held on ``date``, facilitated by existing participants."""

    def build(op: Any) -> Session:
        people = _people(ws, facilitators)
        return Session(
            id=op.new_id("sessions"), title=title, date=date, purpose=purpose,
            facilitators=people, agreed_next=agreed_next, created_at=ws.now(),
        )

    return create(ws, "session.new", "sessions", build, event="session.created")


def update(ws: Workspace, record_id: str, **changes: Any) -> Session:
    """Change some of a session's fields (:data:`UPDATABLE`)."""
    unknown = set(changes) - set(UPDATABLE)
    if unknown:
        raise InvalidValue("session field", sorted(unknown)[0], sorted(UPDATABLE))

    def changed(before: Session) -> Session:
        if "facilitators" in changes:
            people = _people(ws, changes["facilitators"])
            return evolve(before, **{**changes, "facilitators": people})
        return evolve(before, **changes)

    return change(ws, "session.update", "sessions", record_id, changed,
                  event="session.updated")


def attend(ws: Workspace, session_id: str, participant_ids: Iterable[str],
           status: str = "attended") -> Session:
    """Record that these people attended (or sent apologies, or were absent)."""
    chosen = parse_choice(AttendanceStatus, status, "attendance status")
    with ws.operation("session.attend") as op:
        before = session = ws.session(session_id)
        people = list(dict.fromkeys(_people(ws, participant_ids)))
        if not people:
            raise CoprodError("name at least one participant id")
        for pid in people:
            if ws.participant(pid).is_erased:
                raise CoprodError(f"{pid} was erased; attendance cannot be recorded")
            session = session.with_attendance(pid, chosen)
        commit(op, "sessions", session, before, event="session.attendance", mentions=people)
    return session


def rate(ws: Workspace, session_id: str, participant_id: str, rung: str) -> Session:
    """Record the rung of the ladder of participation a person gave the session."""
    chosen = parse_choice(Rung, rung, "rung of the ladder")
    with ws.operation("session.rate") as op:
        before = ws.session(session_id)
        pid = ws.existing_id("participants", participant_id) or ""
        session = before.with_rating(pid, chosen)
        commit(op, "sessions", session, before, event="session.rated", mentions=(pid,))
    return session


def _people(ws: Workspace, participant_ids: Iterable[str]) -> tuple[str, ...]:
    return tuple(ws.existing_id("participants", p) or "" for p in participant_ids)
