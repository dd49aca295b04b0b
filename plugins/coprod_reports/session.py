"""``session SESSION_ID``: one session's record, to share back with those who came."""

from __future__ import annotations

from collections import Counter

from coprod_core.reports import (
    Breakdown,
    Column,
    Count,
    Mean,
    Metric,
    Metrics,
    Paragraph,
    Params,
    Report,
    Section,
    Table,
    ValueType,
    of,
)
from coprod_core.reports.document import long_date
from coprod_core.workspace import Workspace

from .common import (
    AUTHORITY_LABELS,
    COMMITMENT_STATUS,
    TENSION_KIND,
    TENSION_STATUS,
    iterate,
    lived_roles,
    namer,
    ordered_roles,
    role_label,
    roles_by_id,
    staff_roles,
)

PEOPLE, NUMBER, DATE = ValueType.PEOPLE, ValueType.NUMBER, ValueType.DATE
# Who is counted: the people who came (by role, and by whether they are named)
# and the people who sent apologies (by role).
CAME, APOLOGIES = of("came"), of("apologies")


def build(ws: Workspace, params: Params) -> Report:
    session = ws.session(params.args[0])
    roles = roles_by_id(ws)
    name = namer(ws, params)
    came: Counter[str] = Counter()
    sorry: Counter[str] = Counter()
    for record in session.attendance:
        role = roles.get(record.participant_id, "unknown")
        if record.status == "attended":
            came[role] += 1
        elif record.status == "apologies":
            sorry[role] += 1
    present = session.attended

    who = Table(
        title="Who came, by role",
        description="The people at this session, and those who sent apologies, by the part "
                    "they play.",
        columns=(Column(key="role", label="Role"),
                 Column(key="came", label="Came", type=PEOPLE),
                 Column(key="apologies", label="Sent apologies", type=PEOPLE)),
        rows=[(role_label(ws, r), Count(came[r], CAME.narrowed(role=r)),
               Count(sorry[r], APOLOGIES.narrowed(role=r)))
              for r in ordered_roles(ws, [*came, *sorry]) if came[r] or sorry[r]],
        totals=("Everyone", Count(sum(came.values()), CAME),
                Count(sum(sorry.values()), APOLOGIES)),
        empty="Nobody's attendance was recorded for this session.",
    )
    blocks: list[object] = [who]
    private: tuple[Count, ...] = ()
    if params.names:
        named: list[str] = [n for n in (name(pid) for pid in present) if n]
        # A list of names tells how many were named; how many were not must
        # not be worked out from it when they are few.
        told = Count(len(named), CAME.narrowed(named="yes"))
        private = (Count(len(present) - len(named), CAME.narrowed(named="no")),)
        if named:
            blocks.append(Paragraph(
                text="Named here with their agreement: " + ", ".join(sorted(named)) + ".",
                tells=(told,)))
        blocks.append(Paragraph(
            text="Only people who agreed to be named in reports are named here.",
            style="note", tells=(told,)))

    lived, staff = lived_roles(ws), staff_roles(ws)
    steps: dict[str, list[int]] = {"lived": [], "staff": []}
    for rating in session.ratings:
        rater = roles.get(rating.participant_id)
        if rater in lived:
            steps["lived"].append(rating.rung.step)
        elif rater in staff:
            steps["staff"].append(rating.rung.step)
    lived_mean = Mean(sum(steps["lived"]) / len(steps["lived"]) if steps["lived"] else None,
                      len(steps["lived"]))
    staff_mean = Mean(sum(steps["staff"]) / len(steps["staff"]) if steps["staff"] else None,
                      len(steps["staff"]))

    raised = Table(
        title="Tensions raised at this session",
        description="What people raised, and where each tension stands today.",
        columns=(Column(key="ref", label="Ref"), Column(key="kind", label="What it is about"),
                 Column(key="tension", label="What was said"),
                 Column(key="status", label="Where it stands")),
        rows=[(t.id, TENSION_KIND[t.kind.value], t.description,
               TENSION_STATUS[t.status.value])
              for t in iterate(ws, "tensions", {"session_id": session.id})],
        empty="No tensions were recorded at this session.",
    )

    def maker(pid: str) -> str:
        role = role_label(ws, roles[pid], one=True) if pid in roles else "Unknown"
        person = name(pid)
        return f"{person} ({role})" if person else role

    promised = Table(
        title="Promises made at this session",
        description="What was promised, who promised it, and where it stands today.",
        columns=(Column(key="ref", label="Ref"), Column(key="promise", label="The promise"),
                 Column(key="by", label="Who promised"),
                 Column(key="authority", label="Their power"),
                 Column(key="due", label="Due", type=DATE),
                 Column(key="status", label="Where it stands")),
        rows=[(c.id, c.description, maker(c.made_by), AUTHORITY_LABELS[c.authority.value],
               c.due, COMMITMENT_STATUS[c.status.value])
              for c in iterate(ws, "commitments", {"session_id": session.id})],
        empty="No promises were recorded at this session.",
    )
    next_steps = Paragraph(text=session.agreed_next) if session.agreed_next else Paragraph(
        text="Nothing was recorded as agreed next.", style="note")
    ladder = [
        Paragraph(text="People said where they felt this session sat on the ladder of "
                       "co-production, from 1 (coercion) to 7 (co-production)."),
        Metrics(items=[
            Metric(label="Lived experience: average rung", value=lived_mean, type=NUMBER),
            Metric(label="Staff and partners: average rung", value=staff_mean, type=NUMBER),
        ]),
    ]
    purpose = f" What it was for: {session.purpose}" if session.purpose else ""
    report = Report(
        kind="session", title=session.title, organisation=ws.config.org,
        period_from=session.date, period_to=session.date,
        parameters={**{k: v for k, v in params.shown().items() if k != "arguments"},
                    "session id": session.id},
        generated_at=ws.now(),
        summary=f"The record of the session on {long_date(session.date)}, to share with "
                f"the people who came.{purpose}",
        sections=(
            Section(title="Who came", blocks=[
                Metrics(items=[
                    Metric(label="People who came", value=Count(len(present), CAME),
                           type=PEOPLE),
                    Metric(label="Sent apologies", value=Count(sum(sorry.values()), APOLOGIES),
                           type=PEOPLE),
                ]),
                *blocks,
            ]),
            Section(title="What was raised", blocks=[raised]),
            Section(title="What was promised", blocks=[promised]),
            Section(title="What we agreed next", blocks=[next_steps]),
            Section(title="How it felt", blocks=ladder),
        ),
        breakdowns=(Breakdown(population="came", name="named", parts=("yes", "no")),),
        private=private,
    )
    return report

