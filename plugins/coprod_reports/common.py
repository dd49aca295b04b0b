"""What the built-in report kinds share: plain-English labels, roles, naming, medians."""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from coprod_core import serialise
from coprod_core.lifecycle import COMMITMENT
from coprod_core.model import Participant, Rung
from coprod_core.people import role_label
from coprod_core.reports import Params, Report, Section
from coprod_core.when import short_date
from coprod_core.workspace import Workspace

AUTHORITY_LABELS = {
    "can_decide": "Can decide",
    "can_influence": "Can influence",
    "can_only_raise": "Can only raise it",
}
AUTHORITY_MEANING = {
    "can_decide": "has the budget or the say",
    "can_influence": "can argue for it where it is decided",
    "can_only_raise": "can pass it on to those who decide",
}
COMMITMENT_STATUS = {
    "proposed": "Suggested, not yet agreed",
    "agreed": "Agreed",
    "in_progress": "Under way",
    "delivered": "Done",
    "partly_delivered": "Partly done",
    "not_delivered": "Not done",
    "withdrawn": "Withdrawn",
}
TENSION_KIND = {
    "power": "Who decides",
    "identity": "Identity: gender, ethnicity, class and more",
    "lived_vs_professional": "Living it and working on it",
    "organisational_agenda": "Partners with different aims",
    "philosophy_of_support": "How best to help people",
    "resources": "Money and time",
    "communication": "Communication",
    "other": "Other",
}
TENSION_STATUS = {
    "raised": "Raised",
    "acknowledged": "Acknowledged",
    "explored": "Talked through",
    "escalated": "Taken higher",
    "reopened": "Reopened",
    "held": "Held",
    "resolved": "Resolved",
}
RUNG_LABELS = {
    "coercion": "Coercion",
    "educating": "Educating",
    "informing": "Informing",
    "consultation": "Consultation",
    "engagement": "Engagement",
    "co_design": "Co-design",
    "co_production": "Co-production",
}
OPEN_TENSION = ("raised", "acknowledged", "explored", "escalated", "reopened")
OPEN_COMMITMENT = ("agreed", "in_progress")
#: Where a promise that has no outcome yet stands (lifecycle.COMMITMENT.is_settled).
UNSETTLED = tuple(s for s in COMMITMENT.statuses if not COMMITMENT.is_settled(s))

DEFAULT_LIVED = ("lived_experience", "peer_researcher")
DEFAULT_STAFF = ("staff", "commissioner", "partner")


def setting(ws: Workspace, key: str, default: Any) -> Any:
    return ws.config.table("reports").get(key, default)


def lived_roles(ws: Workspace) -> frozenset[str]:
    return frozenset(setting(ws, "lived_experience_roles", DEFAULT_LIVED))


def staff_roles(ws: Workspace) -> frozenset[str]:
    return frozenset(setting(ws, "staff_roles", DEFAULT_STAFF))


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def roles_in_words(ws: Workspace, roles: frozenset[str]) -> str:
    """``Lived experience and Peer researchers``: configured roles, as people read them."""
    words = [_mid_sentence(role_label(ws, r)) for r in ordered_roles(ws, roles) if r in roles]
    return _and(words or ["no roles"])


def _mid_sentence(label: str) -> str:
    """A label as it reads inside a sentence: ``Carer`` -> ``carer``, ``NHS staff`` kept."""
    first = label.split(" ", 1)[0]
    if len(first) > 1 and first.isupper():
        return label
    return label[:1].lower() + label[1:]


def roles_by_id(ws: Workspace) -> dict[str, str]:
    """Every participant's role, by id, read straight from storage (no names held)."""
    return {doc["id"]: doc["role"] for doc in ws.storage.iterate("participants")}


def ordered_roles(ws: Workspace, seen: Iterable[str]) -> list[str]:
    known = list(ws.config.roles)
    return known + sorted(set(seen) - set(known))


def iterate(ws: Workspace, collection: str, where: dict[str, Any] | None = None
            ) -> Iterator[Any]:
    for doc in ws.storage.iterate(collection, where):
        yield serialise.structure(collection, doc)


def documents(ws: Workspace, collection: str, where: dict[str, Any] | None = None
              ) -> Iterator[dict[str, Any]]:
    """Stored documents, brought up to date but not made into model objects.

    The long reports read documents: building 150,000 attendance objects
    only to count them would triple the time a report takes.
    """
    for doc in ws.storage.iterate(collection, where):
        yield serialise.migrate(collection, doc)


def as_of(ws: Workspace, params: Params) -> dt.date:
    """The day a report's "overdue" and "today" mean: its end date, or today."""
    today = ws.local_today()
    return min(today, params.period_to) if params.period_to else today


def when(at: str | dt.date | dt.datetime) -> str:
    """``1 Apr 2026``, from a stored time or a day."""
    if isinstance(at, str):
        at = dt.date.fromisoformat(at[:10])
    return short_date(at if not isinstance(at, dt.datetime) else at.date())


def corrected_note(record: Any, fields: dict[str, str]) -> str | None:
    """``The promise was corrected on 3 Dec 2026.``: published fields that changed."""
    lines = []
    for name, label in fields.items():
        day = record.corrected_on(name)
        if day is not None:
            lines.append(f"{label} corrected on {when(day)}")
    return "; ".join(lines) or None


class Scope:
    """What a report covers when it is asked for one series (``--series``).

    A session is in the series when it was given it; a tension when it was
    raised at one of those sessions; a promise when it was made at one, or
    answers a tension raised at one.
    """

    def __init__(self, ws: Workspace, series: str | None) -> None:
        self.series = series
        self.sessions: set[str] = set()
        self.tensions: set[str] = set()
        if series is None:
            return
        for doc in ws.storage.iterate("sessions"):
            if doc.get("series") == series:
                self.sessions.add(doc["id"])
        for doc in ws.storage.iterate("tensions"):
            if doc.get("session_id") in self.sessions:
                self.tensions.add(doc["id"])

    def session(self, doc: dict[str, Any]) -> bool:
        return self.series is None or doc.get("series") == self.series

    def tension(self, doc: dict[str, Any]) -> bool:
        return self.series is None or doc["id"] in self.tensions

    def commitment(self, doc: dict[str, Any]) -> bool:
        return (self.series is None or doc.get("session_id") in self.sessions
                or any(t in self.tensions for t in doc.get("answers", ())))


def doc_day(doc: dict[str, Any]) -> dt.date:
    """The day a tension or commitment document was raised or made."""
    return dt.date.fromisoformat(doc["history"][0]["at"][:10])


def entered(doc: dict[str, Any], status: str) -> dt.datetime | None:
    """When a tension or commitment document first entered ``status``."""
    for step in doc["history"]:
        if step["status"] == status:
            return dt.datetime.fromisoformat(step["at"])
    return None


def attended(doc: dict[str, Any]) -> list[str]:
    """The ids of the people recorded as attending a session document."""
    return [a["participant_id"] for a in doc["attendance"] if a["status"] == "attended"]


def made_on(record: Any) -> dt.date:
    """The day a tension was raised or a commitment made."""
    return record.history[0].at.date()


def days_between(start: dt.datetime | None, end: dt.datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return (end - start).total_seconds() / 86400


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def may_name(person: Participant | None, params: Params) -> bool:
    """Named only when asked for, never once erased, and only with consent to be named."""
    return (params.names and person is not None and not person.is_erased
            and person.has_consent("naming"))


def namer(ws: Workspace, params: Params) -> Callable[[str], str | None]:
    """``name(participant_id)``: the name to print, or None when they may not be named."""
    cache: dict[str, str | None] = {}

    def name(pid: str) -> str | None:
        if not params.names:
            return None
        if pid not in cache:
            doc = ws.storage.get("participants", pid)
            person = None if doc is None else serialise.structure("participants", doc)
            cache[pid] = person.display_name if person and may_name(person, params) else None
        return cache[pid]

    return name


def month(day: dt.date) -> str:
    return f"{day:%b %Y}"


def new_report(ws: Workspace, params: Params, *, kind: str, title: str,
               summary: str, sections: Iterable[Section]) -> Report:
    return Report(
        kind=kind, title=title, organisation=ws.config.org, period_from=params.period_from,
        period_to=params.period_to, parameters=params.shown(), generated_at=ws.now(),
        summary=summary, sections=tuple(sections),
    )


def rung_name(step: float | None) -> str | None:
    if step is None:
        return None
    index = max(1, min(7, round(step))) - 1
    return RUNG_LABELS[list(Rung)[index].value]
