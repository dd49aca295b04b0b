"""A realistic, deterministic example programme for ``coprod demo``.

A city's multiple-disadvantage partnership over one year: a lived-experience
panel, a steering group with commissioners, and workshops with frontline
staff. The same seed always gives the same workspace.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Callable
from typing import Any

from attrs import define

from .model import Authority, Demographic, TensionKind
from .workspace import Workspace

START = dt.date(2025, 10, 6)

FIRST_NAMES = (
    "Aisha", "Ben", "Carla", "Dev", "Eilidh", "Femi", "Gary", "Hana", "Imran", "Jade",
    "Kwame", "Lena", "Marek", "Niamh", "Omar", "Paula", "Quentin", "Rosa", "Sam", "Tariq",
    "Una", "Vikram", "Wendy", "Xavier", "Yusuf", "Zainab", "Amir", "Bethany", "Callum",
    "Dimitra", "Ellis", "Farah", "Grace", "Hamza", "Isla", "Jonah", "Kezia", "Liam", "Maya",
    "Nasser", "Olu", "Priya", "Rhys", "Siobhan", "Tomasz", "Uchenna", "Valentina", "Wes",
    "Yasmin", "Zoltan", "Ada", "Bilal", "Chloe", "Danny", "Esme", "Frank", "Gita", "Harvey",
    "Ines", "Joel",
)
PSEUDONYMS = ("Sparrow", "River", "North", "Ash", "Juniper", "Flint", "Wren", "Harbour")
ROLE_COUNTS = (
    ("lived_experience", 24), ("peer_researcher", 6), ("staff", 14),
    ("commissioner", 5), ("partner", 6), ("volunteer", 5),
)
SESSION_TYPES = (
    ("Lived-experience panel", "Hear what is and is not working in services this month."),
    ("Steering group", "Decide priorities with commissioners and partners."),
    ("Frontline workshop", "Work through a service change with frontline staff."),
)
#: The demo's series, one for each kind of session (workshops stand alone).
SERIES: tuple[tuple[str, str] | None, ...] = (
    ("panel", "Lived-experience panel"), ("steering", "Steering group"), None,
)

TOPICS = (
    "hostel curfews", "the single front door", "dual diagnosis support", "housing first",
    "the women's pathway", "prison release planning", "peer mentoring", "payment for time",
    "hospital discharge", "the winter shelter", "GP registration", "recovery cafés",
)
TENSIONS = {
    TensionKind.POWER: "The steering group decides the agenda before the panel meets.",
    TensionKind.IDENTITY: "Women on the panel feel the pathway was designed around men.",
    TensionKind.LIVED_VS_PROFESSIONAL:
        "Staff say risk assessments are needed; panel members say they feel like suspicion.",
    TensionKind.ORGANISATIONAL_AGENDA:
        "The housing partner wants throughput figures; the health partner wants outcomes.",
    TensionKind.PHILOSOPHY_OF_SUPPORT:
        "Abstinence-first and harm-reduction workers disagree on the hostel's rules.",
    TensionKind.RESOURCES: "Panel members are asked for more hours than the budget pays.",
    TensionKind.COMMUNICATION: "Minutes arrive weeks late and in language nobody uses.",
    TensionKind.OTHER: "Meetings are held in a building some members have been evicted from.",
}
#: Each tension's path through its lifecycle; one of each ending.
TENSION_PATHS = (
    ("raised",),
    ("acknowledged",),
    ("acknowledged", "explored"),
    ("acknowledged", "escalated"),
    ("acknowledged", "explored", "held"),
    ("acknowledged", "explored", "resolved"),
    ("acknowledged", "explored", "resolved", "reopened"),
)
PROMISES = (
    ("Publish the panel's minutes within a week of each meeting.", "communication"),
    ("Pay panel members for preparation time as well as meetings.", "resources"),
    ("Put the curfew policy to the hostel board with the panel's evidence.", "power"),
    ("Move panel meetings to the library community room.", "other"),
    ("Add a women-only session to the pathway pilot.", "identity"),
    ("Ask the partnership board to adopt a shared outcomes measure.", "organisational_agenda"),
    ("Review risk assessment wording with two panel members.", "lived_vs_professional"),
    ("Fund a harm-reduction training day for hostel staff.", "philosophy_of_support"),
)
#: Each commitment's path; every status is reached at every authority level.
COMMITMENT_PATHS = (
    ("proposed",),
    ("agreed",),
    ("agreed", "in_progress"),
    ("agreed", "in_progress", "delivered"),
    ("agreed", "in_progress", "partly_delivered"),
    ("agreed", "not_delivered"),
    ("proposed", "withdrawn"),
)
#: More promises beyond one at every status: people who hold the budget keep
#: more of theirs than people who can only pass a request on.
EXTRA_PATHS = {
    Authority.CAN_DECIDE: (
        ("agreed", "delivered"), ("agreed", "in_progress", "delivered"),
        ("agreed", "delivered"), ("agreed", "in_progress"),
    ),
    Authority.CAN_INFLUENCE: (
        ("agreed", "delivered"), ("agreed", "in_progress", "partly_delivered"),
        ("agreed",),
    ),
    Authority.CAN_ONLY_RAISE: (
        ("agreed", "not_delivered"), ("proposed", "withdrawn"), ("agreed", "in_progress"),
    ),
}
NOTES = {
    "acknowledged": "Named in the meeting and minuted.",
    "explored": "Small-group conversation with both sides present.",
    "escalated": "Taken to the partnership board.",
    "held": "Both views are valid; we will keep naming it rather than pretend it is settled.",
    "resolved": "Agreed a change both sides can live with.",
    "reopened": "It came back after the policy was applied in practice.",
    "agreed": "Agreed in the steering group.",
    "in_progress": "Work has started.",
    "delivered": "Done, and reported back to the panel.",
    "partly_delivered": "Part of it happened; the rest needs money we do not have.",
    "not_delivered": "The board said no; the reasons were shared with the panel.",
    "withdrawn": "Superseded by the council's new commissioning plan.",
}
ETHNICITIES = ("White British", "Black British", "Asian British", "Mixed", "White Irish",
               "Gypsy or Irish Traveller", "Other")


@define
class DemoClock:
    """A clock the generator moves through the year."""

    now: dt.datetime

    def __call__(self) -> dt.datetime:
        return self.now

    def set(self, day: dt.date, hour: int = 10) -> None:
        self.now = dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)

    def day_after(self, day: dt.date) -> dt.date:
        """Set the clock to the morning after ``day`` (minutes are typed up the day
        after) and return ``day``, the day it happened."""
        self.set(day + dt.timedelta(days=1), 9)
        return day


def build(ws_factory: Callable[[DemoClock], Workspace], seed: int = 1) -> Workspace:
    """Fill a new workspace with the example programme; returns it open."""
    rng = random.Random(seed)
    clock = DemoClock(dt.datetime.combine(START, dt.time(9), tzinfo=dt.UTC))
    ws = ws_factory(clock)
    _declare_series(ws)
    with ws.operation("demo.build"):
        people = _participants(ws, rng)
        sessions = _sessions(ws, rng, clock, people)
        tensions = _tensions(ws, rng, clock, people, sessions)
        _commitments(ws, rng, clock, people, sessions, tensions)
    from .workspace import utc_now

    ws.clock = utc_now
    return ws


def _series_of(n: int) -> str | None:
    entry = SERIES[n % 3]
    return entry[0] if entry is not None else None


def _declare_series(ws: Workspace) -> None:
    """Name the demo's series in ``[series]`` of its ``coprod.toml``."""
    from .config import dump, set_key
    from .files import atomic_write

    config = ws.config
    for entry in SERIES:
        if entry is not None and entry[0] not in config.series:
            config = set_key(config, f"series.{entry[0]}", entry[1])
    if config is not ws.config:
        if config.path is not None:
            atomic_write(config.path, dump(config))
        ws.config = config


def _participants(ws: Workspace, rng: random.Random) -> dict[str, list[str]]:
    names = list(FIRST_NAMES)
    rng.shuffle(names)
    people: dict[str, list[str]] = {}
    for role, count in ROLE_COUNTS:
        for _ in range(count):
            name = names.pop()
            lived = role in ("lived_experience", "peer_researcher")
            pseudonym = rng.choice(PSEUDONYMS) if lived and rng.random() < 0.25 else None
            email = f"{name.lower()}@example.org" if not lived or rng.random() < 0.4 else None
            phone = f"07700 900{rng.randrange(100, 999)}" if rng.random() < 0.5 else None
            # Brought in from last year's spreadsheet: joined before the first session.
            joined = START - dt.timedelta(days=rng.randrange(0, 200))
            support = ("self" if not lived or rng.random() < 0.8 else
                       rng.choice(("supporter", "supporter", "proxy")))
            person = ws.add_participant(
                name, role=role, pseudonym=pseudonym, email=email, phone=phone, on=joined,
                support=support, supporter="a key worker" if support != "self" else None)
            people.setdefault(role, []).append(person.id)
            ws.record_consent(person.id, "record", given=True, statement_version="v1",
                              method="written")
            if rng.random() < 0.6:
                ws.record_consent(person.id, "naming", given=True, statement_version="v1",
                                  method="written")
            if lived and rng.random() < 0.7:
                ws.record_consent(person.id, "special:ethnicity", given=True,
                                  statement_version="v1", method="verbal")
                ws.update_participant(person.id, demographics=(
                    Demographic(key="ethnicity", value=rng.choice(ETHNICITIES),
                                category="ethnicity"),
                ))
    return people


def _sessions(ws: Workspace, rng: random.Random, clock: DemoClock,
              people: dict[str, list[str]]) -> list[str]:
    lived = people["lived_experience"] + people["peer_researcher"]
    # A core of regulars and a wider circle who come now and then.
    regulars = set(rng.sample(lived, 10))
    staff, commissioners = people["staff"], people["commissioner"]
    ids = []
    for n in range(24):
        day = START + dt.timedelta(days=n * 15 + rng.randrange(0, 3))
        clock.day_after(day)
        title, purpose = SESSION_TYPES[n % 3]
        topic = TOPICS[n % len(TOPICS)]
        facilitator = rng.choice(people["peer_researcher"] if n % 3 == 0 else staff)
        session = ws.new_session(f"{title}: {topic}", date=day, purpose=purpose,
                                 facilitators=[facilitator],
                                 series=_series_of(n))
        invited = [p for p in lived if p in regulars or rng.random() < 0.3]
        if n % 3 == 1:
            invited += rng.sample(commissioners, 3) + rng.sample(people["partner"], 3)
        invited += rng.sample(staff, 4) + rng.sample(people["volunteer"], 1)
        invited = sorted(set(invited) | {facilitator}, key=lambda i: int(i.split("-")[1]))
        came: list[str] = []
        sorry: list[str] = []
        away: list[str] = []
        for pid in invited:
            roll = rng.random()
            (came if roll < 0.75 else sorry if roll < 0.9 else away).append(pid)
        for status, group in (("attended", came), ("apologies", sorry), ("absent", away)):
            if group:
                ws.attend(session.id, group, status, on=day)
        staff_side = set(staff) | set(commissioners) | set(people["partner"])
        for pid in came:
            if rng.random() < 0.85:
                # Staff place sessions higher on the ladder than panel members do.
                base = 5.6 if pid in staff_side else 4.3
                step = max(1, min(7, round(rng.gauss(base + n * 0.03, 0.9))))
                rung = ("coercion", "educating", "informing", "consultation", "engagement",
                        "co_design", "co_production")[step - 1]
                ws.rate(session.id, pid, rung, on=day)
        ids.append(session.id)
    return ids


def _tensions(ws: Workspace, rng: random.Random, clock: DemoClock,
              people: dict[str, list[str]], sessions: list[str]) -> list[Any]:
    lived = people["lived_experience"]
    made = []
    kinds = list(TensionKind)
    for n in range(21):
        kind = kinds[n % len(kinds)]
        path = TENSION_PATHS[n % len(TENSION_PATHS)]
        index = rng.randrange(0, 16)
        session = ws.session(sessions[index])
        between = ["lived_experience", rng.choice(("staff", "commissioner", "partner"))]
        tension = ws.raise_tension(
            TENSIONS[kind], kind=kind, session_id=session.id,
            raised_by=rng.choice(session.attended or lived), between=between,
            on=clock.day_after(session.date),
        )
        day = session.date
        for status in path[1:] if path[0] == "raised" else path:
            day += dt.timedelta(days=rng.randrange(3, 40))
            tension = ws.move_tension(tension.id, status, note=NOTES[status],
                                      on=clock.day_after(day))
        made.append(tension)
    return made


def _commitments(ws: Workspace, rng: random.Random, clock: DemoClock,
                 people: dict[str, list[str]], sessions: list[str], tensions: list[Any]) -> None:
    makers = {
        Authority.CAN_DECIDE: people["commissioner"],
        Authority.CAN_INFLUENCE: people["staff"] + people["partner"],
        Authority.CAN_ONLY_RAISE: people["staff"] + people["volunteer"],
    }
    n = 0
    for authority in Authority:
        for path in COMMITMENT_PATHS + EXTRA_PATHS[authority]:
            promise, kind = PROMISES[n % len(PROMISES)]
            session = ws.session(sessions[rng.randrange(1, 20)])
            answers = [t.id for t in tensions if t.kind == kind][:1]
            due = session.date + dt.timedelta(days=rng.choice((30, 60, 90, 120)))
            commitment = ws.make_commitment(
                promise, made_by=rng.choice(makers[authority]), authority=authority,
                scope=_scope(authority), due=due, session_id=session.id, answers=answers,
                on=clock.day_after(session.date),
            )
            day = session.date
            for step, status in enumerate(path[1:] if path[0] == "proposed" else path):
                day += dt.timedelta(days=rng.randrange(5, 50))
                if status in ("in_progress", "partly_delivered"):
                    ws.add_progress(commitment.id, "Update shared at the panel.",
                                    on=clock.day_after(day))
                if step == 1 and n % 4 == 0 and commitment.due is not None:
                    # Some due dates move, with the reason, as the record keeps them.
                    clock.day_after(day)
                    commitment = ws.update_commitment(
                        commitment.id, due=commitment.due + dt.timedelta(days=60),
                        reason="The board meets later than planned.")
                commitment = ws.move_commitment(commitment.id, status, note=NOTES[status],
                                                on=clock.day_after(day))
            n += 1


def _scope(authority: Authority) -> str:
    return {
        Authority.CAN_DECIDE: "I hold this budget line and can sign it off.",
        Authority.CAN_INFLUENCE: "I can put the case to the board, but I do not decide.",
        Authority.CAN_ONLY_RAISE: "I can pass it to my manager and report back what they say.",
    }[authority]


def summary(ws: Workspace) -> list[str]:
    """Readable lines describing what a workspace holds."""
    roles = Counter(p.role for p in ws.participants())
    sessions = list(ws.sessions())
    attended = sum(len(s.attended) for s in sessions)
    lines = [
        f"{sum(roles.values())} participants: "
        + ", ".join(f"{n} {r.replace('_', ' ')}" for r, n in roles.most_common()),
    ]
    if sessions:
        first, last = sessions[0].date, sessions[-1].date
        lines.append(
            f"{len(sessions)} sessions from {first:%d %B %Y} to {last:%d %B %Y}, "
            f"{attended} attendances, {sum(len(s.ratings) for s in sessions)} ladder ratings"
        )
        lines.append(_ladder_line(ws, sessions))
    tensions = Counter(t.status.value for t in ws.tensions())
    lines.append(f"{sum(tensions.values())} tensions: "
                 + ", ".join(f"{n} {s}" for s, n in sorted(tensions.items())))
    commitments = list(ws.commitments())
    statuses = Counter(c.status.value for c in commitments)
    # The one definition of overdue (Commitment.is_overdue), as every report uses it.
    overdue = sum(c.is_overdue(ws.local_today()) for c in commitments)
    lines.append(f"{len(commitments)} commitments: "
                 + ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in sorted(statuses.items()))
                 + f"; {overdue} overdue")
    return lines


def _ladder_line(ws: Workspace, sessions: list[Any]) -> str:
    roles = {p.id: p.role for p in ws.participants()}
    lived, staff = [], []
    for s in sessions:
        for r in s.ratings:
            role = roles.get(r.participant_id)
            if role in ("lived_experience", "peer_researcher"):
                lived.append(r.rung.step)
            elif role in ("staff", "commissioner", "partner"):
                staff.append(r.rung.step)
    if not lived or not staff:
        return "ladder: not enough ratings to compare"
    mean_l, mean_s = sum(lived) / len(lived), sum(staff) / len(staff)
    return (f"ladder of co-production (1 coercion to 7 co-production): lived-experience "
            f"members rated sessions {mean_l:.1f} on average, staff and partners {mean_s:.1f}")
