"""Sessions: holding one, who attended, and the ladder rung each person rated it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..errors import CoprodError, InvalidValue
from ..model import AttendanceStatus, Rung, Session, parse_choice
from ..when import On, parse_on
from .base import change, commit, corrections, create

if TYPE_CHECKING:
    from ..workspace import Workspace

__all__ = ["UPDATABLE", "attend", "check_series", "check_session_day", "new", "rate",
           "update"]

#: The fields :func:`update` may change. Each change is kept as a correction.
UPDATABLE = ("agreed_next", "date", "facilitators", "purpose", "series", "title")


def new(
    ws: Workspace,
    title: str,
    *,
    date: dt.date,
    purpose: str | None = None,
    facilitators: Iterable[str] = (),
    agreed_next: str | None = None,
    series: str | None = None,
) -> Session:
    """Record a session held on ``date``, facilitated by existing participants,
    in ``series`` (a name in ``[series]``) if it belongs to one."""
    check_series(ws, series)

    def build(op: Any) -> Session:
        people = _people(ws, facilitators)
        return Session(
            id=op.new_id("sessions"), title=title, date=date, purpose=purpose,
            facilitators=people, agreed_next=agreed_next, created_at=ws.now(),
            series=series,
        )

    return create(ws, "session.new", "sessions", build, event="session.created")


def update(ws: Workspace, record_id: str, *, reason: str | None = None,
           **changes: Any) -> Session:
    """Correct some of a session's fields (:data:`UPDATABLE`).

    The earlier value of each field that changes stays in the session's
    corrections, with when, by whom and ``reason``.
    """
    unknown = set(changes) - set(UPDATABLE)
    if unknown:
        raise InvalidValue("session field", sorted(unknown)[0], sorted(UPDATABLE))
    if "series" in changes:
        check_series(ws, changes["series"])

    def changed(before: Session) -> Session:
        if "facilitators" in changes:
            changes["facilitators"] = _people(ws, changes["facilitators"])
        return corrections(ws, before, changes, reason)

    return change(ws, "session.update", "sessions", record_id, changed,
                  event="session.updated")


def attend(ws: Workspace, session_id: str, participant_ids: Iterable[str],
           status: str = "attended", *, on: On = None) -> Session:
    """Record that these people attended (or sent apologies, or were absent).

    Attendance is dated by the session; ``on``, when given, must be its date.
    """
    chosen = parse_choice(AttendanceStatus, status, "attendance status")
    with ws.operation("session.attend") as op:
        before = session = ws.session(session_id)
        check_session_day(ws, before, on, "attendance")
        people = list(dict.fromkeys(_people(ws, participant_ids)))
        if not people:
            raise CoprodError("name at least one participant id")
        for pid in people:
            if ws.participant(pid).is_erased:
                raise CoprodError(f"{pid} was erased; attendance cannot be recorded")
            session = session.with_attendance(pid, chosen)
        commit(op, "sessions", session, before, event="session.attendance", mentions=people)
    return session


def rate(ws: Workspace, session_id: str, participant_id: str, rung: str, *,
         on: On = None) -> Session:
    """Record the rung of the ladder of participation a person gave the session.

    A rating is dated by the session; ``on``, when given, must be its date.
    """
    chosen = parse_choice(Rung, rung, "rung of the ladder")
    with ws.operation("session.rate") as op:
        before = ws.session(session_id)
        check_session_day(ws, before, on, "a rating")
        pid = ws.existing_id("participants", participant_id) or ""
        session = before.with_rating(pid, chosen)
        commit(op, "sessions", session, before, event="session.rated", mentions=(pid,))
    return session


def check_series(ws: Workspace, series: str | None) -> None:
    """``series`` is None or one named in ``[series]``."""
    if series is not None and series not in ws.config.series:
        hint = "" if ws.config.series else " (add one under [series] in coprod.toml)"
        raise InvalidValue(f"series{hint}", series, ws.config.series)


def check_session_day(ws: Workspace, session: Session, on: On, what: str) -> None:
    """Refuse ``on`` unless it is the session's own date."""
    if on is None:
        return
    value = parse_on(on) if isinstance(on, str) else on
    day = value.date() if isinstance(value, dt.datetime) else value
    if day != session.date:
        raise CoprodError(
            f"--on {day.isoformat()} is not the date of {session.id} "
            f"({session.date.isoformat()}); {what} is dated by its session (correct the "
            f"session's date with `coprod session update {session.id} --date`)"
        )


def _people(ws: Workspace, participant_ids: Iterable[str]) -> tuple[str, ...]:
    return tuple(ws.existing_id("participants", p) or "" for p in participant_ids)
