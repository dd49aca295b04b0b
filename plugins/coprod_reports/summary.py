"""``summary``: the headline figures of a period."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from coprod_core.reports import (
    Chart,
    Column,
    Count,
    Metric,
    Metrics,
    Paragraph,
    Params,
    Report,
    Section,
    Series,
    Table,
    ValueType,
    of,
)
from coprod_core.workspace import Workspace

from .common import (
    AUTHORITY_LABELS,
    COMMITMENT_STATUS,
    OPEN_TENSION,
    TENSION_KIND,
    attended,
    doc_day,
    documents,
    new_report,
    ordered_roles,
    role_label,
)

PEOPLE, NUMBER, TEXT = ValueType.PEOPLE, ValueType.NUMBER, ValueType.TEXT
# Who is counted: everyone on the record, everyone who came to a session in
# the period (each cut by role), and every time someone came.
ON_RECORD, TOOK_PART, VISITS = of("on_record"), of("took_part"), of("visits")
COMMITMENT_GROUPS = (
    ("delivered", "Done"), ("partly_delivered", "Partly done"),
    ("not_delivered", "Not done"), ("open", "Still open"), ("withdrawn", "Withdrawn"),
)


def build(ws: Workspace, params: Params) -> Report:
    # Participants: everyone on the record (erased people stay counted by role).
    on_record: Counter[str] = Counter()
    role_of: dict[str, str] = {}
    for doc in ws.storage.iterate("participants"):
        role_of[doc["id"]] = doc["role"]
        if params.period_to is None or doc["created_at"][:10] <= params.period_to.isoformat():
            on_record[doc["role"]] += 1

    sessions = attendances = 0
    came: set[str] = set()
    for session in documents(ws, "sessions"):
        if not params.covers(dt.date.fromisoformat(session["date"])):
            continue
        sessions += 1
        present = attended(session)
        attendances += len(present)
        came.update(present)
    took_part = Counter(role_of.get(pid, "unknown") for pid in came)

    roles = [r for r in ordered_roles(ws, [*on_record, *took_part])
             if on_record[r] or took_part[r]]
    people = Table(
        title="People by role",
        description="How many people are on the record, and how many came to at least one "
                    "session in this period, by the part they play.",
        columns=(Column(key="role", label="Role"),
                 Column(key="record", label="On the record", type=PEOPLE),
                 Column(key="came", label="Came to a session", type=PEOPLE)),
        rows=[(role_label(ws, r), Count(on_record[r], ON_RECORD.narrowed(role=r)),
               Count(took_part[r], TOOK_PART.narrowed(role=r))) for r in roles],
        totals=("All roles", Count(sum(on_record.values()), ON_RECORD),
                Count(len(came), TOOK_PART)),
    )

    # Tensions raised in the period, by kind and where they stand now.
    tensions: Counter[tuple[str, str]] = Counter()
    for tension in documents(ws, "tensions"):
        if params.covers(doc_day(tension)):
            group = "open" if tension["status"] in OPEN_TENSION else tension["status"]
            tensions[(tension["kind"], group)] += 1
    kinds = [k for k in TENSION_KIND if any(tensions[(k, g)] for g in ("open", "held",
                                                                          "resolved"))]
    tension_table = Table(
        title="Tensions raised, by kind",
        description="Tensions raised in this period and where each stands today.",
        columns=(Column(key="kind", label="What it is about"),
                 Column(key="open", label="Still open", type=NUMBER),
                 Column(key="held", label="Held", type=NUMBER),
                 Column(key="resolved", label="Resolved", type=NUMBER),
                 Column(key="total", label="All", type=NUMBER)),
        rows=[(TENSION_KIND[k], tensions[(k, "open")], tensions[(k, "held")],
               tensions[(k, "resolved")], sum(tensions[(k, g)] for g in ("open", "held",
                                                                        "resolved")))
              for k in kinds],
        totals=("All kinds", *(sum(n for (_k, g), n in tensions.items() if g == group)
                               for group in ("open", "held", "resolved")),
                sum(tensions.values())),
        empty="No tensions were raised in this period.",
    )

    # Commitments made in the period, by declared authority and outcome.
    promises: Counter[tuple[str, str]] = Counter()
    statuses: Counter[str] = Counter()
    overdue = 0
    today = min(ws.today(), params.period_to) if params.period_to else ws.today()
    open_ = ("proposed", "agreed", "in_progress")
    for commitment in documents(ws, "commitments"):
        if not params.covers(doc_day(commitment)):
            continue
        status = commitment["status"]
        statuses[status] += 1
        group = "open" if status in open_ else status
        promises[(commitment["authority"], group)] += 1
        due = commitment["due"]
        # Overdue: past its due date and not delivered or closed (Commitment.is_overdue).
        overdue += bool(due and due < today.isoformat()
                        and status in (*open_, "partly_delivered"))
    groups = [g for g, _label in COMMITMENT_GROUPS]
    promise_table = Table(
        title="Promises, by the power people said they had",
        description="Promises made in this period and what happened to them, by the power "
                    "the person who made each one said they had.",
        columns=(Column(key="authority", label="Power to deliver"),
                 *(Column(key=g, label=label, type=NUMBER) for g, label in COMMITMENT_GROUPS),
                 Column(key="total", label="All", type=NUMBER)),
        rows=[(AUTHORITY_LABELS[a], *(promises[(a, g)] for g in groups),
               sum(promises[(a, g)] for g in groups)) for a in AUTHORITY_LABELS
              if any(promises[(a, g)] for g in groups)],
        totals=("All", *(sum(promises[(a, g)] for a in AUTHORITY_LABELS) for g in groups),
                sum(promises.values())),
        empty="No promises were made in this period.",
    )
    chart = Chart(
        title="What happened to the promises made",
        kind="bar", type=NUMBER, axis="Promises",
        labels=[COMMITMENT_STATUS[s] for s in COMMITMENT_STATUS],
        series=[Series(name="Promises", values=[statuses[s] for s in COMMITMENT_STATUS])],
        alt="A bar for each stage a promise can be at, from suggested to done, "
            "showing how many of this period's promises are at each stage.",
    )

    sections = [
        Section(title="At a glance", blocks=[
            Metrics(items=[
                Metric(label="People who came to a session", value=Count(len(came), TOOK_PART),
                       type=PEOPLE),
                Metric(label="Sessions held", value=sessions, type=NUMBER),
                Metric(label="Times people came", value=Count(attendances, VISITS), type=PEOPLE,
                       note="Each person counted once for each session."),
                Metric(label="Tensions raised", value=sum(tensions.values()), type=NUMBER),
                Metric(label="Promises made", value=sum(statuses.values()), type=NUMBER),
                Metric(label="Promises overdue", value=overdue, type=NUMBER,
                       note="Past their due date and not yet done."),
            ]),
        ]),
        Section(title="Who took part", blocks=[people]),
        Section(title="Tensions", blocks=[
            Paragraph(text="A tension is a disagreement named openly. Some are resolved. "
                           "Some run deep: we name them as held, rather than pretend they "
                           "are settled."),
            tension_table,
        ]),
        Section(title="Promises", blocks=[promise_table, chart]),
    ]
    return new_report(
        ws, params, kind="summary", title="Summary",
        summary="The main figures for this period: who took part, the tensions raised, "
                "and what was promised.",
        sections=sections,
    )
