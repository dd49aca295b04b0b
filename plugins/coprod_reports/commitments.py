"""``commitments``: "You said, we did", the honesty ledger.

For each promise: what was raised, what was promised, who promised it (by
role; by name only with ``--names`` and their consent), the power they said
they had, the due date, where it stands and the latest news. Then how often
promises were kept, by that declared power, and how long they took.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from functools import lru_cache

from coprod_core import serialise
from coprod_core.model import Commitment, Correction
from coprod_core.reports import (
    Chart,
    Column,
    LazyRows,
    Mean,
    Paragraph,
    Params,
    Ratio,
    Report,
    Row,
    Section,
    Series,
    Table,
    ValueType,
)
from coprod_core.workspace import Workspace

from .common import (
    AUTHORITY_LABELS,
    AUTHORITY_MEANING,
    COMMITMENT_STATUS,
    UNSETTLED,
    Scope,
    as_of,
    corrected_note,
    days_between,
    doc_day,
    documents,
    median,
    namer,
    new_report,
    role_label,
    roles_by_id,
    when,
)

NUMBER, PERCENT, TEXT = ValueType.NUMBER, ValueType.PERCENT, ValueType.TEXT
OUTCOMES = ("delivered", "partly_delivered", "not_delivered", "withdrawn", "open")
#: The published fields of a promise, as a correction note names them.
PUBLISHED = {"description": "The promise", "scope": "What they can do"}


def _promises(ws: Workspace, params: Params) -> Iterator[Commitment]:
    """The promises made in the period (and in the series, if one was asked for)."""
    scope = Scope(ws, params.series)
    for doc in documents(ws, "commitments"):
        if params.covers(doc_day(doc)) and scope.commitment(doc):
            yield serialise.structure("commitments", doc)


def build(ws: Workspace, params: Params) -> Report:
    day = as_of(ws, params)
    promised: Counter[str] = Counter()
    outcome: Counter[tuple[str, str]] = Counter()
    late: Counter[str] = Counter()
    days: dict[str, list[float]] = {a: [] for a in AUTHORITY_LABELS}
    for c in _promises(ws, params):
        status = c.status_on(day) or "proposed"
        if status == "proposed":
            continue  # only suggested so far: not yet a promise to keep
        authority = c.authority.value
        promised[authority] += 1
        group = "open" if status in UNSETTLED else status
        outcome[(authority, group)] += 1
        late[authority] += c.is_overdue(day)
        if status == "delivered":
            took = days_between(c.entered("agreed") or c.created_at, c.entered("delivered"))
            if took is not None:
                days[authority].append(took)

    def row(label: str, authorities: tuple[str, ...]) -> Row:
        made = sum(promised[a] for a in authorities)
        done = sum(outcome[(a, "delivered")] for a in authorities)
        took = [d for a in authorities for d in days[a]]
        return (label, made, *(sum(outcome[(a, g)] for a in authorities) for g in OUTCOMES),
                sum(late[a] for a in authorities),
                Ratio(done, made, people=False), Mean(median(took), len(took), people=False))

    authorities = tuple(AUTHORITY_LABELS)
    rate = Table(
        title="Promises kept, by the power to deliver them",
        description="The promises made in this period that were agreed, or withdrawn "
                    "before they were agreed; what happened to them; and the median number "
                    "of days from agreeing a promise to delivering it.",
        columns=(
            Column(key="authority", label="Power the person said they had"),
            Column(key="promised", label="Promised", type=NUMBER),
            Column(key="delivered", label="Done", type=NUMBER),
            Column(key="partly_delivered", label="Partly done", type=NUMBER),
            Column(key="not_delivered", label="Not done", type=NUMBER),
            Column(key="withdrawn", label="Withdrawn", type=NUMBER),
            Column(key="open", label="Still open", type=NUMBER),
            Column(key="overdue", label="Of those, overdue", type=NUMBER),
            Column(key="rate", label="Kept", type=PERCENT),
            Column(key="days", label="Median days to deliver", type=NUMBER),
        ),
        rows=[row(AUTHORITY_LABELS[a], (a,)) for a in authorities if promised[a]],
        totals=row("All", authorities),
        empty="No promises were agreed in this period.",
    )
    kept_means = Paragraph(
        text="“Kept” is the number of promises done, out of all those counted here. "
             "Promises partly done, not done, withdrawn or still open count as not kept. "
             "Suggestions not yet agreed are not counted. A promise is overdue when its "
             "due date has passed and it is still open.",
        style="note")
    chart = Chart(
        title="Share of promises kept, by the power to deliver them",
        kind="bar", type=PERCENT, maximum=100, axis="Promises kept (%)",
        labels=[AUTHORITY_LABELS[a] for a in authorities],
        series=[Series(name="Kept", values=[
            Ratio(outcome[(a, "delivered")], promised[a], people=False) for a in authorities
        ])],
        alt="One bar for each level of power: can decide, can influence and can only raise "
            "it. Each bar shows the share of those promises that were kept.",
    )
    meaning = " ".join(f"“{AUTHORITY_LABELS[a]}” means the person {AUTHORITY_MEANING[a]}."
                       for a in authorities)
    ledger = Table(
        title="You said, we did",
        description="Every promise made in this period: what it answered, who made it, "
                    "where it stands, and why, in the words of the person who said so.",
        columns=(
            Column(key="ref", label="Ref"),
            Column(key="raised", label="You said"),
            Column(key="promise", label="We promised"),
            Column(key="by", label="Who promised"),
            Column(key="authority", label="Their power"),
            Column(key="due", label="Due", type=ValueType.DATE),
            Column(key="status", label="Where it stands"),
            Column(key="why", label="The reason given"),
            Column(key="news", label="Latest news"),
            Column(key="changes", label="Changes to the promise"),
        ),
        rows=LazyRows(lambda: _ledger(ws, params, day)),
        empty="No promises were made in this period.",
    )
    return new_report(
        ws, params, kind="commitments", title="You said, we did",
        summary="What people raised, what was promised in reply, by whom, with what power "
                "to make it happen, and whether it happened.",
        sections=[
            Section(title="Were promises kept?", blocks=[
                Paragraph(text="When someone makes a promise, they say how much power they "
                               "have to keep it. " + meaning),
                rate, kept_means, chart,
            ]),
            Section(title="Every promise", blocks=[ledger]),
        ],
    )


def standing(c: Commitment, day: dt.date) -> str:
    """Where a promise stands at the end of ``day``, saying plainly when it is overdue."""
    status = c.status_on(day) or "proposed"
    text = COMMITMENT_STATUS[status]
    missed = c.overdue_since(day)
    return f"{text}. Overdue since {when(missed)}" if missed else text


def reason(c: Commitment, day: dt.date) -> str | None:
    """The reason given for an outcome that is not what was promised, as it was given."""
    steps = [s for s in c.history if s.at.date() <= day]
    step = steps[-1] if steps else c.history[0]
    if step.status in ("withdrawn", "not_delivered", "partly_delivered") and step.note:
        return f"“{step.note}”"
    return None


def news(c: Commitment, day: dt.date) -> str | None:
    """The latest progress update, or the note of the latest step, up to ``day``."""
    updates = [u for u in c.updates if u.at.date() <= day]
    if updates:
        return f"{when(updates[-1].at)}: {updates[-1].note}"
    steps = [s for s in c.history if s.at.date() <= day and s.note
             and s.status not in ("withdrawn", "not_delivered", "partly_delivered")]
    return f"{when(steps[-1].at)}: {steps[-1].note}" if steps else None


def due_move_text(move: Correction) -> str:
    """``Due date moved from 1 Apr to 1 Jun 2026 on 15 Mar 2026: the board meets later``."""
    before = dt.date.fromisoformat(move.before) if move.before else None
    after = dt.date.fromisoformat(move.after) if move.after else None
    if before and after:
        year = "" if before.year == after.year else f" {before.year}"
        text = f"Due date moved from {before.day} {before:%b}{year} to {when(after)}"
    elif after:
        text = f"Due date set to {when(after)}"
    else:
        text = f"Due date of {when(before) if before else 'none'} taken away"
    return f"{text} on {when(move.at)}" + (f": {move.reason}" if move.reason else "")


def due_moves(c: Commitment, day: dt.date | None = None) -> list[str]:
    """Each move of the due date, up to the end of ``day`` when given."""
    return [due_move_text(m) for m in c.corrections_of("due")
            if day is None or m.at.date() <= day]


def changes(c: Commitment, day: dt.date | None = None) -> str | None:
    lines = due_moves(c, day)
    note = corrected_note(c, PUBLISHED)
    if note:
        lines.append(note)
    return ". ".join(lines) or None


def _ledger(ws: Workspace, params: Params, day: dt.date) -> Iterator[Row]:
    roles = roles_by_id(ws)
    name = namer(ws, params)
    labels = {role: role_label(ws, role, one=True) for role in set(roles.values())}

    @lru_cache(maxsize=4096)
    def tension_text(tid: str) -> str | None:
        doc = ws.storage.get("tensions", tid)
        return None if doc is None else str(doc["description"])

    for c in _promises(ws, params):
        raised = [t for t in (tension_text(tid) for tid in c.answers) if t]
        maker = c.made_by
        role = labels[roles[maker]] if maker in roles else "Unknown"
        who = name(maker)
        yield (c.id, " / ".join(raised) or None, c.description,
               f"{who} ({role})" if who else role, AUTHORITY_LABELS[c.authority.value],
               c.due_on(day), standing(c, day), reason(c, day), news(c, day),
               changes(c, day))
