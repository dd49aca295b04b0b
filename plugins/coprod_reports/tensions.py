"""``tensions``: what was raised, how quickly it was heard, and what is held."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from coprod_core.reports import (
    Chart,
    Column,
    Mean,
    Metric,
    Metrics,
    Paragraph,
    Params,
    Report,
    Row,
    Section,
    Series,
    Table,
    ValueType,
)
from coprod_core.workspace import Workspace

from .common import (
    TENSION_KIND,
    TENSION_STATUS,
    Scope,
    days_between,
    doc_day,
    documents,
    entered,
    median,
    new_report,
    when,
)

NUMBER, TEXT, DATE = ValueType.NUMBER, ValueType.TEXT, ValueType.DATE


def history_text(history: list[dict[str, Any]]) -> str:
    """Each step of a tension's history on one line: when, what, and why."""
    steps = []
    for step in history:
        note = f" ({step['note']})" if step.get("note") else ""
        day = dt.date.fromisoformat(step["at"][:10])
        steps.append(f"{TENSION_STATUS.get(step['status'], step['status'])} "
                     f"{day.day} {day:%b %Y}{note}")
    return " → ".join(steps)


def described(doc: dict[str, Any]) -> str:
    """A tension's description, marked when it was corrected after it was first written."""
    changed = [c for c in doc.get("corrections", ()) if c["name"] == "description"]
    if not changed:
        return str(doc["description"])
    return f"{doc['description']} (corrected on {when(changed[-1]['at'])})"


def build(ws: Workspace, params: Params) -> Report:
    counts: Counter[tuple[str, str]] = Counter()
    to_acknowledge: list[float] = []
    to_resolve: list[float] = []
    held: list[Row] = []
    scope = Scope(ws, params.series)
    for tension in documents(ws, "tensions"):
        raised_on = doc_day(tension)
        if not params.covers(raised_on) or not scope.tension(tension):
            continue
        counts[(tension["kind"], tension["status"])] += 1
        raised = dt.datetime.fromisoformat(tension["history"][0]["at"])
        acknowledged = days_between(raised, entered(tension, "acknowledged"))
        if acknowledged is not None:
            to_acknowledge.append(acknowledged)
        resolved = days_between(raised, entered(tension, "resolved"))
        if resolved is not None:
            to_resolve.append(resolved)
        if tension["status"] == "held":
            # Held tensions are few by nature; their history is the point.
            held.append((tension["id"], TENSION_KIND[tension["kind"]],
                         described(tension), raised_on, history_text(tension["history"])))

    statuses = list(TENSION_STATUS)
    kinds = [k for k in TENSION_KIND if any(counts[(k, s)] for s in statuses)]
    by_kind = Table(
        title="Tensions by kind and where they stand",
        description="Each tension raised in this period, counted by what it is about and "
                    "where it stands today.",
        columns=(Column(key="kind", label="What it is about"),
                 *(Column(key=s, label=TENSION_STATUS[s], type=NUMBER) for s in statuses),
                 Column(key="total", label="All", type=NUMBER)),
        rows=[(TENSION_KIND[k], *(counts[(k, s)] for s in statuses),
               sum(counts[(k, s)] for s in statuses)) for k in kinds],
        totals=("All kinds", *(sum(counts[(k, s)] for k in TENSION_KIND) for s in statuses),
                sum(counts.values())),
        empty="No tensions were raised in this period.",
    )
    chart = Chart(
        title="Tensions raised, by what they are about",
        kind="bar", type=NUMBER, axis="Tensions",
        labels=[TENSION_KIND[k] for k in TENSION_KIND],
        series=[Series(name="Tensions", values=[
            sum(counts[(k, s)] for s in statuses) for k in TENSION_KIND])],
        alt="A bar for each kind of tension, from who decides to communication, showing "
            "how many tensions of that kind were raised in this period.",
    )
    held_table = Table(
        title="Held tensions and their history",
        description="Each tension named as held, and every step it has taken.",
        columns=(Column(key="ref", label="Ref"), Column(key="kind", label="What it is about"),
                 Column(key="description", label="The tension"),
                 Column(key="raised", label="Raised", type=DATE),
                 Column(key="history", label="What has happened")),
        rows=held,
        empty="No tension raised in this period is being held.",
    )
    return new_report(
        ws, params, kind="tensions", title="Tensions",
        summary="The disagreements named openly in this period, how quickly they were "
                "heard, and the ones we are holding.",
        sections=[
            Section(title="At a glance", blocks=[Metrics(items=[
                Metric(label="Tensions raised", value=sum(counts.values()), type=NUMBER),
                Metric(label="Median days until acknowledged",
                       value=Mean(median(to_acknowledge), len(to_acknowledge), people=False),
                       type=NUMBER, note="From being raised to being named as heard."),
                Metric(label="Median days until resolved",
                       value=Mean(median(to_resolve), len(to_resolve), people=False),
                       type=NUMBER, note="For the tensions that were resolved."),
                Metric(label="Tensions held", value=len(held), type=NUMBER),
            ])]),
            Section(title="What the tensions are about", blocks=[by_kind, chart]),
            Section(title="Tensions we are holding", blocks=[
                Paragraph(text="Some tensions run deep and do not go away. Naming them as "
                               "held is more honest than calling them resolved. We keep "
                               "talking about them."),
                held_table,
            ]),
        ],
    )
