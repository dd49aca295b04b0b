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
    OPEN_COMMITMENT,
    days_between,
    doc_day,
    documents,
    entered,
    median,
    namer,
    new_report,
    role_label,
    roles_by_id,
)

NUMBER, PERCENT, TEXT = ValueType.NUMBER, ValueType.PERCENT, ValueType.TEXT
OUTCOMES = ("delivered", "partly_delivered", "not_delivered", "open")


def build(ws: Workspace, params: Params) -> Report:
    promised: Counter[str] = Counter()
    outcome: Counter[tuple[str, str]] = Counter()
    days: dict[str, list[float]] = {a: [] for a in AUTHORITY_LABELS}
    for c in documents(ws, "commitments"):
        if not params.covers(doc_day(c)):
            continue
        agreed = entered(c, "agreed")
        if agreed is None:
            continue  # only suggested, or withdrawn before it was agreed
        authority = c["authority"]
        promised[authority] += 1
        status = c["status"]
        group = "open" if status in OPEN_COMMITMENT else status
        outcome[(authority, group)] += 1
        if status == "delivered":
            took = days_between(agreed, entered(c, "delivered"))
            if took is not None:
                days[authority].append(took)

    def row(label: str, authorities: tuple[str, ...]) -> Row:
        made = sum(promised[a] for a in authorities)
        done = sum(outcome[(a, "delivered")] for a in authorities)
        took = [d for a in authorities for d in days[a]]
        return (label, made, *(sum(outcome[(a, g)] for a in authorities) for g in OUTCOMES),
                Ratio(done, made, people=False), Mean(median(took), len(took), people=False))

    authorities = tuple(AUTHORITY_LABELS)
    rate = Table(
        title="Promises kept, by the power to deliver them",
        description="Promises agreed in this period, what happened to them, and the median "
                    "number of days from agreeing a promise to delivering it.",
        columns=(
            Column(key="authority", label="Power the person said they had"),
            Column(key="promised", label="Promised", type=NUMBER),
            Column(key="delivered", label="Done", type=NUMBER),
            Column(key="partly_delivered", label="Partly done", type=NUMBER),
            Column(key="not_delivered", label="Not done", type=NUMBER),
            Column(key="open", label="Still open", type=NUMBER),
            Column(key="rate", label="Kept", type=PERCENT),
            Column(key="days", label="Median days to deliver", type=NUMBER),
        ),
        rows=[row(AUTHORITY_LABELS[a], (a,)) for a in authorities if promised[a]],
        totals=row("All", authorities),
        empty="No promises were agreed in this period.",
    )
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
                    "and where it stands.",
        columns=(
            Column(key="ref", label="Ref"),
            Column(key="raised", label="You said"),
            Column(key="promise", label="We promised"),
            Column(key="by", label="Who promised"),
            Column(key="authority", label="Their power"),
            Column(key="due", label="Due", type=ValueType.DATE),
            Column(key="status", label="Where it stands"),
            Column(key="news", label="Latest news"),
        ),
        rows=LazyRows(lambda: _ledger(ws, params)),
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
                rate, chart,
            ]),
            Section(title="Every promise", blocks=[ledger]),
        ],
    )


def _when(at: str) -> str:
    day = dt.date.fromisoformat(at[:10])
    return f"{day.day} {day:%b %Y}"


def _ledger(ws: Workspace, params: Params) -> Iterator[Row]:
    roles = roles_by_id(ws)
    name = namer(ws, params)
    labels = {role: role_label(ws, role, one=True) for role in set(roles.values())}

    @lru_cache(maxsize=4096)
    def tension_text(tid: str) -> str | None:
        doc = ws.storage.get("tensions", tid)
        return None if doc is None else str(doc["description"])

    for c in documents(ws, "commitments"):
        if not params.covers(doc_day(c)):
            continue
        raised = [t for t in (tension_text(tid) for tid in c["answers"]) if t]
        maker = c["made_by"]
        role = labels[roles[maker]] if maker in roles else "Unknown"
        who = name(maker)
        news: str | None = None
        if c["updates"]:
            last = c["updates"][-1]
            news = f"{_when(last['at'])}: {last['note']}"
        elif c["history"][-1]["note"]:
            step = c["history"][-1]
            news = f"{_when(step['at'])}: {step['note']}"
        due = dt.date.fromisoformat(c["due"]) if c["due"] else None
        yield (c["id"], " / ".join(raised) or None, c["description"],
               f"{who} ({role})" if who else role, AUTHORITY_LABELS[c["authority"]],
               due, COMMITMENT_STATUS[c["status"]], news)
