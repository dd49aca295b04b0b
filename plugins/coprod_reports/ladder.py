"""``ladder``: where lived-experience members and staff placed each session on
the ladder of co-production, and the gap between them."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from attrs import evolve

from coprod_core.model import Rung
from coprod_core.reports import (
    Breakdown,
    Chart,
    Column,
    Count,
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
    of,
)
from coprod_core.workspace import Workspace

from .common import (
    RUNG_LABELS,
    documents,
    lived_roles,
    month,
    new_report,
    roles_in_words,
    staff_roles,
)

PEOPLE, NUMBER, DATE = ValueType.PEOPLE, ValueType.NUMBER, ValueType.DATE
LIVED, STAFF = "lived", "staff"
# Who is counted: every rating given in the period, by the rater's group and rung.
RATINGS = of("ratings")


class _Tally:
    """Ratings of one group: the sum of steps and how many people rated."""

    __slots__ = ("n", "total")

    def __init__(self) -> None:
        self.total = 0
        self.n = 0

    def add(self, step: int) -> None:
        self.total += step
        self.n += 1

    def mean(self, basis_of: object = None) -> Mean:
        return Mean(self.total / self.n if self.n else None, self.n,
                    basis_of=basis_of)  # type: ignore[arg-type]


def _gap(lived: _Tally, staff: _Tally) -> Mean:
    if not lived.n or not staff.n:
        return Mean(None, 0)
    return Mean(staff.total / staff.n - lived.total / lived.n, min(lived.n, staff.n))


def build(ws: Workspace, params: Params) -> Report:
    roles = {doc["id"]: doc["role"] for doc in ws.storage.iterate("participants")}
    lived, staff = lived_roles(ws), staff_roles(ws)

    def group(pid: str) -> str | None:
        role = roles.get(pid)
        return LIVED if role in lived else STAFF if role in staff else None

    rows: list[tuple[tuple[dt.date, int], Row]] = []
    overall = {LIVED: _Tally(), STAFF: _Tally()}
    months: dict[str, dict[str, _Tally]] = defaultdict(lambda: {LIVED: _Tally(),
                                                                STAFF: _Tally()})
    month_start: dict[str, dt.date] = {}
    placed: Counter[tuple[str, str]] = Counter()
    steps = {r.value: r.step for r in Rung}
    for session in documents(ws, "sessions"):
        date = dt.date.fromisoformat(session["date"])
        if not params.covers(date) or not session["ratings"]:
            continue
        tallies = {LIVED: _Tally(), STAFF: _Tally()}
        label = month(date)
        month_start.setdefault(label, date.replace(day=1))
        for rating in session["ratings"]:
            who = group(rating["participant_id"])
            if who is None:
                continue
            step = steps[rating["rung"]]
            tallies[who].add(step)
            overall[who].add(step)
            months[label][who].add(step)
            placed[(rating["rung"], who)] += 1
        key = (date, int(session["id"].rsplit("-", 1)[1]))
        rows.append((key, (session["title"], date, tallies[LIVED].mean(),
                           tallies[STAFF].mean(), _gap(tallies[LIVED], tallies[STAFF]))))
    rows.sort(key=lambda item: item[0])

    per_session = Table(
        title="Where each session was placed",
        description="The average rung each group gave each session, from 1 (coercion) to "
                    "7 (co-production), and the gap: how much higher staff placed it.",
        columns=(Column(key="session", label="Session"),
                 Column(key="date", label="Date", type=DATE),
                 Column(key="lived", label="Lived experience", type=NUMBER),
                 Column(key="staff", label="Staff and partners", type=NUMBER),
                 Column(key="gap", label="Gap", type=NUMBER)),
        rows=[row for _key, row in rows],
        empty="No session in this period was placed on the ladder.",
    )
    ordered = sorted(months, key=lambda m: month_start[m])
    over_time = Chart(
        title="Where each group placed sessions, month by month",
        kind="line", type=NUMBER, maximum=7, axis="Rung: 1 coercion to 7 co-production",
        labels=ordered,
        series=[Series(name="Lived experience",
                       values=[months[m][LIVED].mean() for m in ordered]),
                Series(name="Staff and partners",
                       values=[months[m][STAFF].mean() for m in ordered])],
        alt="Two lines, one for lived-experience members and one for staff and partners, "
            "showing the average rung each group gave sessions each month. The space "
            "between the lines is the gap.",
    )
    rungs = list(reversed(list(Rung)))
    spread = Table(
        title="How often each rung was chosen",
        description="Every rating given in this period, by rung and by group.",
        columns=(Column(key="rung", label="Rung"),
                 Column(key="step", label="Step", type=NUMBER),
                 Column(key="lived", label="Lived experience", type=PEOPLE),
                 Column(key="staff", label="Staff and partners", type=PEOPLE)),
        rows=[(RUNG_LABELS[r.value], r.step,
               Count(placed[(r.value, LIVED)], RATINGS.narrowed(group=LIVED, rung=r.value)),
               Count(placed[(r.value, STAFF)], RATINGS.narrowed(group=STAFF, rung=r.value)))
              for r in rungs],
        totals=("All ratings", None, Count(overall[LIVED].n, RATINGS.narrowed(group=LIVED)),
                Count(overall[STAFF].n, RATINGS.narrowed(group=STAFF))),
    )
    lived_mean = overall[LIVED].mean(RATINGS.narrowed(group=LIVED))
    staff_mean = overall[STAFF].mean(RATINGS.narrowed(group=STAFF))
    report = new_report(
        ws, params, kind="ladder", title="The ladder of co-production",
        summary="Where the people in each session felt it sat on the ladder of "
                "co-production, and whether lived-experience members and staff agree.",
        sections=[
            Section(title="At a glance", blocks=[
                Paragraph(text="After each session, people said where they felt it sat on "
                               "the ladder: 1 coercion, 2 educating, 3 informing, "
                               "4 consultation, 5 engagement, 6 co-design, 7 co-production. "
                               "A gap means staff think we share power more than "
                               "lived-experience members do."),
                Paragraph(text=f"Lived experience here means {roles_in_words(ws, lived)}. "
                               f"Staff and partners means {roles_in_words(ws, staff)}.",
                          style="note"),
                Metrics(items=[
                    Metric(label="Lived experience: average rung", value=lived_mean,
                           type=NUMBER),
                    Metric(label="Staff and partners: average rung", value=staff_mean,
                           type=NUMBER),
                    Metric(label="The gap", value=_gap(overall[LIVED], overall[STAFF]),
                           type=NUMBER, note="How many rungs higher staff placed sessions."),
                ]),
            ]),
            Section(title="Over time", blocks=[over_time]),
            Section(title="Session by session", blocks=[per_session, spread]),
        ],
    )
    # Every rating counted is by someone in one of the two groups, on one of the rungs.
    return evolve(report, breakdowns=(
        Breakdown(population="ratings", name="group", parts=(LIVED, STAFF)),
        Breakdown(population="ratings", name="rung", parts=[r.value for r in Rung]),
    ))
