"""``participation``: who takes part, who comes back, and who is missing."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from attrs import evolve

from coprod_core import serialise
from coprod_core.reports import (
    Breakdown,
    Chart,
    Column,
    Count,
    Metric,
    Metrics,
    Paragraph,
    Params,
    Ratio,
    Report,
    Section,
    Series,
    Table,
    ValueType,
    of,
)
from coprod_core.workspace import Workspace

from .common import (
    attended,
    documents,
    lived_roles,
    month,
    new_report,
    ordered_roles,
    role_label,
    roles_in_words,
    setting,
)

PEOPLE, NUMBER, TEXT, DATE = (ValueType.PEOPLE, ValueType.NUMBER, ValueType.TEXT,
                              ValueType.DATE)
BANDS = (("1 session", 1, 1), ("2 sessions", 2, 2), ("3 to 5 sessions", 3, 5),
         ("6 or more sessions", 6, None))
NOT_KNOWN = "Not recorded, or no consent to use it"
# Who is counted. Everyone who came in the period, cut by role and by how many
# sessions they came to; the people whose first session ever was in the period,
# cut by role and by that first session; and the visits of people coming back.
TOOK_PART = of("took_part")
NEW = of("new")
RETURNING = of("returning")
REGULAR = ("3 to 5 sessions", "6 or more sessions")


def _band(n: int) -> str:
    for label, low, high in BANDS:
        if n >= low and (high is None or n <= high):
            return label
    raise ValueError(n)


def build(ws: Workspace, params: Params) -> Report:
    roles = {doc["id"]: doc["role"] for doc in ws.storage.iterate("participants")}
    lived = lived_roles(ws)

    # First pass: when each person first came to any session, ever.
    first: dict[str, tuple[dt.date, int]] = {}
    for session in documents(ws, "sessions"):
        key = (dt.date.fromisoformat(session["date"]), int(session["id"].rsplit("-", 1)[1]))
        for pid in attended(session):
            if pid not in first or key < first[pid]:
                first[pid] = key

    # Second pass: the period's sessions, person by person and session by session.
    times: Counter[str] = Counter()
    per_session: list[tuple[tuple[dt.date, int], str, dt.date, int, int, str]] = []
    months: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    month_order: dict[str, dt.date] = {}
    month_sessions: dict[str, list[str]] = defaultdict(list)
    for session in documents(ws, "sessions"):
        date = dt.date.fromisoformat(session["date"])
        if not params.covers(date):
            continue
        key = (date, int(session["id"].rsplit("-", 1)[1]))
        new = returning = 0
        for pid in attended(session):
            times[pid] += 1
            if first[pid] == key:
                new += 1
            else:
                returning += 1
        per_session.append((key, session["title"], date, new, returning, session["id"]))
        label = month(date)
        month_sessions[label].append(session["id"])
        months[label][0] += new
        months[label][1] += returning
        month_order.setdefault(label, date.replace(day=1))
    per_session.sort(key=lambda item: item[0])

    by_role: Counter[str] = Counter()
    new_by_role: Counter[str] = Counter()
    regular_by_role: Counter[str] = Counter()
    bands: Counter[str] = Counter()
    for pid, n in times.items():
        role = roles.get(pid, "unknown")
        by_role[role] += 1
        if params.covers(first[pid][0]):
            new_by_role[role] += 1
        if n >= 3:
            regular_by_role[role] += 1
        if role in lived:
            bands[_band(n)] += 1
    lived_came = sum(by_role[r] for r in lived)
    lived_regular = sum(regular_by_role[r] for r in lived)
    lived_of = TOOK_PART.narrowed(role=lived)

    role_table = Table(
        title="People who took part, by role",
        description="People who came to at least one session in this period, by the part "
                    "they play.",
        columns=(Column(key="role", label="Role"),
                 Column(key="came", label="Came at least once", type=PEOPLE),
                 Column(key="new", label="Came for the first time", type=PEOPLE),
                 Column(key="regular", label="Came 3 or more times", type=PEOPLE)),
        rows=[(role_label(ws, r), Count(by_role[r], TOOK_PART.narrowed(role=r)),
               Count(new_by_role[r], NEW.narrowed(role=r)),
               Count(regular_by_role[r], TOOK_PART.narrowed(role=r, sessions=REGULAR)))
              for r in ordered_roles(ws, by_role) if by_role[r]],
        totals=("All roles", Count(sum(by_role.values()), TOOK_PART),
                Count(sum(new_by_role.values()), NEW),
                Count(sum(regular_by_role.values()), TOOK_PART.narrowed(sessions=REGULAR))),
        empty="Nobody came to a session in this period.",
    )
    ordered_months = sorted(months, key=lambda m: month_order[m])
    monthly = Chart(
        title="First-time and returning visits, month by month",
        kind="bar", type=PEOPLE, axis="People",
        labels=ordered_months,
        series=[Series(name="First time", values=[
                    Count(months[m][0], NEW.narrowed(first=month_sessions[m]))
                    for m in ordered_months]),
                Series(name="Returning", values=[
                    Count(months[m][1], RETURNING.narrowed(session=month_sessions[m]))
                    for m in ordered_months])],
        alt="Two bars for each month: people coming to a session for the first time, and "
            "people coming back.",
    )
    sessions_table = Table(
        title="First-time and returning, session by session",
        description="For each session in this period, how many came for the first time "
                    "and how many came back.",
        columns=(Column(key="session", label="Session"), Column(key="date", label="Date",
                                                                 type=DATE),
                 Column(key="new", label="First time", type=PEOPLE),
                 Column(key="returning", label="Returning", type=PEOPLE),
                 Column(key="total", label="All", type=PEOPLE, total_of=("new", "returning"))),
        rows=[(title, day, Count(new, NEW.narrowed(first=sid)),
               Count(back, RETURNING.narrowed(session=sid)), new + back)
              for _k, title, day, new, back, sid in per_session],
        empty="No sessions were held in this period.",
    )
    retention = Chart(
        title="How many sessions lived-experience members came to",
        kind="bar", type=PEOPLE, axis="People",
        labels=[label for label, _low, _high in BANDS],
        series=[Series(name="Lived-experience members",
                       values=[Count(bands[label], lived_of.narrowed(sessions=label))
                               for label, _low, _high in BANDS])],
        alt="A bar for each band, from one session to six or more, showing how many "
            "lived-experience members came to that many sessions in this period.",
    )
    sections = [
        Section(title="At a glance", blocks=[Metrics(items=[
            Metric(label="People who took part", value=Count(sum(by_role.values()), TOOK_PART),
                   type=PEOPLE),
            Metric(label="Lived-experience members who took part",
                   value=Count(lived_came, lived_of),
                   type=PEOPLE, note=f"Counting {roles_in_words(ws, lived)}."),
            Metric(label="Lived-experience members who came 3 or more times",
                   value=Ratio(lived_regular, lived_came,
                               numerator_of=lived_of.narrowed(sessions=REGULAR),
                               denominator_of=lived_of),
                   type=ValueType.PERCENT, note="Of those who came at least once."),
            Metric(label="Sessions held", value=len(per_session), type=NUMBER),
        ])]),
        Section(title="Who took part", blocks=[role_table]),
        Section(title="Who came back", blocks=[
            Paragraph(text="Coming back matters. It is how trust and skills build up."),
            retention, monthly, sessions_table,
        ]),
        Section(title="Who we reach", blocks=_demographics(ws, times)),
    ]
    return evolve(new_report(
        ws, params, kind="participation", title="Who takes part",
        summary="Who took part in this period, who came back, and who we reach.",
        sections=sections,
    ), breakdowns=(
        Breakdown(population="took_part", name="sessions",
                  parts=[label for label, _low, _high in BANDS]),
        # Every newcomer's first session, and every returning visit, is one of
        # the sessions listed: a reader can add the rows up.
        Breakdown(population="new", name="first", parts=[item[5] for item in per_session]),
        Breakdown(population="returning", name="session",
                  parts=[item[5] for item in per_session]),
    ))


def _demographics(ws: Workspace, times: Counter[str]) -> list[object]:
    fields = list(setting(ws, "demographics", []))
    if not fields:
        return [Paragraph(
            text="No breakdowns are set up. List the answers to break down by in "
                 "coprod.toml, for example: [reports] demographics = [\"ethnicity\"].",
            style="note")]
    counts: dict[str, Counter[str]] = {f: Counter() for f in fields}
    for doc in ws.storage.iterate("participants"):
        if doc["id"] not in times:
            continue
        person = serialise.structure("participants", doc)
        answers = {}
        if not person.is_erased:
            for answer in person.demographics:
                purpose = f"special:{answer.category}" if answer.category else "record"
                if answer.key in counts and person.has_consent(purpose):
                    answers[answer.key] = str(answer.value)
        for key in fields:
            counts[key][answers.get(key, NOT_KNOWN)] += 1
    blocks: list[object] = [Paragraph(
        text="Only answers people agreed we could use are counted. These figures always "
             "hide small numbers, even in internal reports.", style="note")]
    for key in fields:
        values = sorted(v for v in counts[key] if v != NOT_KNOWN)
        if counts[key][NOT_KNOWN]:
            values.append(NOT_KNOWN)
        blocks.append(Table(
            title=f"People who took part, by {key.replace('_', ' ')}",
            description=f"People who came to at least one session in this period, by "
                        f"their answer about {key.replace('_', ' ')}.",
            columns=(Column(key="answer", label="Answer"),
                     Column(key="people", label="People", type=PEOPLE)),
            rows=[(v, Count(counts[key][v], TOOK_PART.narrowed(**{f"answer:{key}": v})))
                  for v in values],
            totals=("All", Count(sum(counts[key].values()), TOOK_PART)),
            always_suppress=True,
        ))
    return blocks
