"""``since SESSION_ID``: what changed since the previous session of the same series.

One page for the facilitator to read aloud at the start of a meeting: the
promises that moved (with their news, in the words they were given), those
that became overdue and those still overdue, the tensions that moved, and
what is new. For members with no email it is the only "You said, we did"
they get.

The window runs from the day after the previous session of the series up to
and including the day of this one; records made at this session itself are
not "new since last time". What the series covers is :class:`.common.Scope`.
A session in no series is compared with the session held before it, and
everything on record counts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from coprod_core import serialise
from coprod_core.model import Commitment, Session, Tension
from coprod_core.reports import (
    Column,
    Metric,
    Metrics,
    Paragraph,
    Params,
    Report,
    Row,
    Section,
    Table,
    ValueType,
)
from coprod_core.reports.document import long_date
from coprod_core.workspace import Workspace

from .commitments import due_move_text, standing
from .common import (
    COMMITMENT_STATUS,
    TENSION_KIND,
    TENSION_STATUS,
    Scope,
    documents,
    when,
)

NUMBER = ValueType.NUMBER


def _number(session_id: str) -> int:
    return int(session_id.rsplit("-", 1)[1])


def previous_session(ws: Workspace, session: Session) -> Session | None:
    """The latest session of the same series held before ``session`` (of any, when
    ``session`` is in none)."""
    key = (session.date, _number(session.id))
    best: tuple[tuple[dt.date, int], dict[str, object]] | None = None
    for doc in documents(ws, "sessions"):
        if doc["id"] == session.id or (session.series is not None
                                        and doc.get("series") != session.series):
            continue
        other = (dt.date.fromisoformat(str(doc["date"])), _number(str(doc["id"])))
        if other < key and (best is None or other > best[0]):
            best = (other, doc)
    return None if best is None else serialise.structure("sessions", dict(best[1]))


class Window:
    """The days after the previous session, up to and including this one."""

    def __init__(self, start: dt.date | None, end: dt.date) -> None:
        self.start = start
        self.end = end

    def __contains__(self, day: dt.date) -> bool:
        return (self.start is None or day > self.start) and day <= self.end


def build(ws: Workspace, params: Params) -> Report:
    session = ws.session(params.args[0])
    label = (ws.config.series.get(session.series, session.series) if session.series
             else "")
    before = previous_session(ws, session)
    window = Window(before.date if before else None, session.date)
    scope = Scope(ws, session.series)

    promises = [serialise.structure("commitments", doc) for doc in documents(ws, "commitments")
                if scope.commitment(doc)]
    tensions = [serialise.structure("tensions", doc) for doc in documents(ws, "tensions")
                if scope.tension(doc)]

    moved = list(_moved_promises(promises, window))
    start = window.start
    newly_late = [c for c in promises if c.is_overdue(window.end)
                  and not (start is not None and c.is_overdue(start))]
    still_late = [c for c in promises if c.is_overdue(window.end)
                  and start is not None and c.is_overdue(start)]
    tension_moves = list(_moved_tensions(tensions, window))
    new_tensions = [t for t in tensions if t.history[0].at.date() in window
                    and t.session_id != session.id]
    new_promises = [c for c in promises if c.history[0].at.date() in window
                    and c.session_id != session.id]

    meeting = f"{label} meeting" if label else "meeting"
    if before is None:
        opening = (f"This is the first {meeting} on record, so everything up to "
                   f"{long_date(session.date)} is new.")
    else:
        opening = (f"What has changed since the last {meeting}, on "
                   f"{long_date(before.date)} ({before.id}), up to this one on "
                   f"{long_date(session.date)} ({session.id}).")

    def late_row(c: Commitment) -> Row:
        return (c.id, c.description, standing(c, window.end))

    late_columns = (Column(key="ref", label="Ref"), Column(key="promise", label="The promise"),
                    Column(key="status", label="Where it stands"))
    sections = [
        Section(title="Since last time", blocks=[
            Paragraph(text=opening),
            Metrics(items=[
                Metric(label="Promises that moved", value=len(moved), type=NUMBER),
                Metric(label="Promises that became overdue", value=len(newly_late),
                       type=NUMBER),
                Metric(label="Promises still overdue", value=len(still_late), type=NUMBER),
                Metric(label="Tensions that moved", value=len(tension_moves), type=NUMBER),
                Metric(label="New tensions", value=len(new_tensions), type=NUMBER),
                Metric(label="New promises", value=len(new_promises), type=NUMBER),
            ]),
        ]),
        Section(title="Promises: what happened", blocks=[Table(
            title="Promises that moved",
            description="Each promise that moved, had news or had its due date moved since "
                        "last time, and what was said, in the words it was given.",
            columns=(Column(key="ref", label="Ref"),
                     Column(key="promise", label="The promise"),
                     Column(key="change", label="What changed"),
                     Column(key="news", label="What was said"),
                     Column(key="status", label="Where it stands now")),
            rows=[(c.id, c.description, change, said, standing(c, window.end))
                  for c, change, said in moved],
            empty="No promise moved or had news since last time.",
        )]),
        Section(title="Promises overdue", blocks=[
            Table(title="Promises that became overdue", description=(
                "Promises whose due date passed since last time without an outcome."),
                  columns=late_columns, rows=[late_row(c) for c in newly_late],
                  empty="No promise became overdue since last time."),
            Table(title="Promises still overdue", description=(
                "Promises that were already overdue last time and still are."),
                  columns=late_columns, rows=[late_row(c) for c in still_late],
                  empty="No promise is still overdue from last time."),
        ]),
        Section(title="Tensions", blocks=[
            Table(title="Tensions that moved",
                  description="Each tension that moved since last time, and why.",
                  columns=(Column(key="ref", label="Ref"),
                           Column(key="tension", label="The tension"),
                           Column(key="change", label="What changed")),
                  rows=tension_moves,
                  empty="No tension moved since last time."),
        ]),
        Section(title="New since last time", blocks=[
            Table(title="New tensions",
                  description="Tensions raised since last time.",
                  columns=(Column(key="ref", label="Ref"),
                           Column(key="kind", label="What it is about"),
                           Column(key="tension", label="The tension"),
                           Column(key="raised", label="Raised", type=ValueType.DATE)),
                  rows=[(t.id, TENSION_KIND[t.kind.value], t.description,
                         t.history[0].at.date()) for t in new_tensions],
                  empty="No new tensions since last time."),
            Table(title="New promises",
                  description="Promises made since last time.",
                  columns=(Column(key="ref", label="Ref"),
                           Column(key="promise", label="The promise"),
                           Column(key="due", label="Due", type=ValueType.DATE),
                           Column(key="status", label="Where it stands")),
                  rows=[(c.id, c.description, c.due_on(window.end), standing(c, window.end))
                        for c in new_promises],
                  empty="No new promises since last time."),
        ]),
    ]
    return Report(
        kind="since", title=f"Since last time: {label}" if label else "Since last time",
        organisation=ws.config.org,
        period_from=(window.start + dt.timedelta(days=1)) if window.start else None,
        period_to=window.end,
        parameters={**{k: v for k, v in params.shown().items() if k != "arguments"},
                    "session id": session.id},
        generated_at=ws.now(),
        summary=f"What changed since the last {meeting}: promises that moved or "
                "became overdue, tensions that moved, and what is new. To read aloud at "
                "the start of the meeting.",
        sections=tuple(sections),
    )


def _moved_promises(promises: list[Commitment], window: Window
                    ) -> Iterator[tuple[Commitment, str, str | None]]:
    for c in promises:
        changes = [f"{COMMITMENT_STATUS[s.status]} on {when(s.at)}"
                   for s in c.history[1:] if s.at.date() in window]
        changes += [due_move_text(m) for m in c.corrections_of("due") if m.at.date() in window]
        said = [f"“{s.note}”" for s in c.history[1:] if s.at.date() in window and s.note]
        said += [f"{when(u.at)}: {u.note}" for u in c.updates if u.at.date() in window]
        if changes or said:
            yield c, "; ".join(changes) or "News only", " ".join(said) or None


def _moved_tensions(tensions: list[Tension], window: Window) -> Iterator[Row]:
    for t in tensions:
        steps = [s for s in t.history[1:] if s.at.date() in window]
        if steps:
            yield (t.id, t.description, "; ".join(
                f"{TENSION_STATUS[s.status]} on {when(s.at)}"
                + (f": “{s.note}”" if s.note else "") for s in steps))
