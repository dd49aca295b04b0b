"""Retention: who has been inactive longer than ``[privacy] retention``.

:func:`review` lists the people due for review, longest inactive first;
:func:`erase_due` erases them all in one operation (``coprod privacy
review --erase``): everyone listed is erased, or, if anything fails, nobody.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from attrs import frozen

from .. import ids
from ..errors import CoprodError
from ..protection.settings import retention
from .erasure import Erasure, erase

if TYPE_CHECKING:
    from ..workspace import Workspace

__all__ = ["Due", "erase_due", "last_activity", "retention_check", "review"]


@frozen(kw_only=True)
class Due:
    """A person whose record is due for review under the retention period."""

    participant_id: str
    role: str
    last_active: dt.date
    #: What they last did, in words: "attended S-4", "raised T-2"...
    last_activity: str
    due_since: dt.date

    @property
    def reason(self) -> str:
        return (f"inactive since {self.last_active} (last: {self.last_activity}); "
                f"due for review since {self.due_since}")

    def to_json(self) -> dict[str, Any]:
        return {"participant_id": self.participant_id, "role": self.role,
                "last_active": self.last_active.isoformat(), "last_activity": self.last_activity,
                "due_since": self.due_since.isoformat(), "reason": self.reason}


def last_activity(ws: Workspace) -> dict[str, tuple[dt.date, str]]:
    """Each person's (not erased) latest activity: the day and what it was.

    Activity is being added, a consent given or withdrawn, attending a
    session or sending apologies (not being absent), facilitating one, any
    move of a tension they raised or are party to, and any move or progress
    note of a commitment they made.
    """
    latest: dict[str, tuple[dt.date, str]] = {}

    def seen(pid: str, day: dt.date, what: str) -> None:
        if pid in latest and latest[pid][0] > day:
            return
        latest[pid] = (day, what)

    for p in ws.participants():
        if p.is_erased:
            continue
        latest[p.id] = (p.created_at.date(), "added")
        for record in p.consents:
            state = "given" if record.given else "withdrawn"
            seen(p.id, record.at.date(), f"consent for {record.purpose} {state}")
    for s in ws.sessions():
        for a in s.attendance:
            if a.participant_id in latest and a.status != "absent":
                seen(a.participant_id, s.date, f"{a.status} {s.id}")
        for f in s.facilitators:
            if f in latest:
                seen(f, s.date, f"facilitated {s.id}")
    for t in ws.tensions():
        moved = t.history[-1].at.date()
        for pid in {t.raised_by, *t.between}:
            if pid in latest:
                seen(pid, moved, f"{'raised' if pid == t.raised_by else 'party to'} {t.id}")
    for promise in ws.commitments():
        if promise.made_by in latest:
            moved = max([promise.history[-1].at, *(u.at for u in promise.updates)]).date()
            seen(promise.made_by, moved, f"made {promise.id}")
    return latest


def review(ws: Workspace, today: dt.date | None = None) -> list[Due]:
    """The people inactive for longer than ``[privacy] retention``, longest first."""
    period = retention(ws)
    if period is None:
        raise CoprodError(
            "no retention period is set; add it to coprod.toml, for example: "
            "[privacy] retention = \"24 months\""
        )
    today = today or ws.today()
    roles = {p.id: p.role for p in ws.participants() if not p.is_erased}
    due = []
    for pid, (day, what) in last_activity(ws).items():
        since = period.after(day)
        if since <= today:
            due.append(Due(participant_id=pid, role=roles[pid], last_active=day,
                           last_activity=what, due_since=since))
    return sorted(due, key=lambda d: (d.last_active, ids.number_of(d.participant_id)))


def erase_due(ws: Workspace, due: Iterable[Due]) -> list[Erasure]:
    """Erase everyone in ``due`` (from :func:`review`) in one operation.

    All of them are erased, or none: an error for one of them (a plugin
    failing, someone erased meanwhile) rolls back every erasure, and says so.
    """
    with ws.operation("privacy.review.erase"):
        done = [erase(ws, d.participant_id) for d in due]
    return done


def retention_check(workspace: Workspace) -> list[dict[str, str]]:
    """Problems for ``coprod doctor``: people due for review under the retention period.

    Same shape as
    :func:`~coprod_core.services.rights_requests.overdue_requests_check`; an
    empty list when no ``[privacy] retention`` is set or nobody is due.
    """
    period = retention(workspace)
    if period is None:
        return []
    due = review(workspace)
    if not due:
        return []
    return [{
        "message": f"{len(due)} participant{'s are' if len(due) != 1 else ' is'} past the "
                   f"retention period ({period} inactive)",
        "fix": "review them with `coprod privacy review`; erase with "
               "`coprod privacy review --erase`",
    }]
