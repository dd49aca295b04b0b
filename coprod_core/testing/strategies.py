"""Hypothesis strategies for coprod's model and configuration.

Every strategy builds valid objects only: lifecycle histories are made by
applying legal moves one at a time, ratings only go to attendees, consents
name known purposes. Text includes the unusual on purpose: emoji,
right-to-left scripts, combining marks, newlines and long strings, because
participants' names and notes contain all of them.

Use them in a plugin's own tests::

    from hypothesis import given
    from coprod_core.testing.strategies import participants

    @given(participants())
    def test_my_export_keeps_everyone(person): ...

Requires Hypothesis (``pip install coprod[test]``).

One piece: every strategy of the model and the configuration in one module,
as the style guide asks, so plugin authors find them in one place.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

from coprod_core import ids, lifecycle
from coprod_core.model import (
    CONSENT_PURPOSES,
    DEFAULT_ROLES,
    SPECIAL_CATEGORIES,
    AttendanceStatus,
    Authority,
    Commitment,
    CommitmentStatus,
    ConsentMethod,
    ConsentRecord,
    Demographic,
    Feedback,
    Participant,
    ProgressUpdate,
    Rung,
    Session,
    Tension,
    TensionKind,
    TensionStatus,
    Transition,
)

__all__ = [
    "commitments",
    "config_values",
    "configs",
    "consent_records",
    "dates",
    "demographics",
    "feedback",
    "fill_workspace",
    "ids_of",
    "json_values",
    "lifecycle_path",
    "names",
    "notes",
    "participants",
    "programmes",
    "progress_updates",
    "role_names",
    "sessions",
    "tensions",
    "texts",
    "timestamps",
    "transitions",
]

#: Text people really type that trips software up.
UNUSUAL = (
    "Zoë O'Brien-Ní Dhómhnaill",
    "Ahmed 🌈",
    "مريم",  # right to left
    "שלום עליכם",
    "אבג abc مرحبا",  # mixed direction
    "\u202eevil\u202c",  # a right-to-left override
    "e\u0301",  # a combining accent
    "👩🏽‍🦱 family: 👨‍👩‍👧",
    "line one\nline two",
    "tab\there",
    "   padded   ",
    "=SUM(A1:A9)",
    "null",
    "P-12",
    "'; DROP TABLE participants; --",
    "\\backslash\\",
    '"quoted"',
    "x" * 500,
)

# What stored text may hold (coprod_core.text.check_text): no surrogates
# (they cannot be stored as UTF-8), no control characters; new lines and
# tabs only where a field allows several lines. Everything else is fair game.
_CHARS = st.characters(exclude_categories=["Cs", "Cc", "Zl", "Zp"])
_LINE_CHARS = st.characters(exclude_categories=["Cs", "Cc"], include_characters="\n\t")


def texts(*, min_size: int = 0, max_size: int = 80,
          lines: bool = False) -> st.SearchStrategy[str]:
    """Any text a field may store, with the unusual examples mixed in.

    One line unless ``lines`` (descriptions, notes), as the model requires.
    """
    unusual = [u for u in UNUSUAL if len(u) >= min_size and (lines or u.isprintable()
                                                            or "\u202e" in u)]
    return st.one_of(
        st.text(_LINE_CHARS if lines else _CHARS, min_size=min_size, max_size=max_size),
        st.sampled_from(unusual),
    )


def names() -> st.SearchStrategy[str]:
    """Text that is not blank, stripped as the model stores it."""
    return texts(min_size=1).map(str.strip).filter(bool)


def notes() -> st.SearchStrategy[str | None]:
    """An optional note: None or non-blank stripped text."""
    return st.none() | names()


def timestamps(
    *, min_value: dt.datetime = dt.datetime(1990, 1, 1),
    max_value: dt.datetime = dt.datetime(2100, 1, 1),
) -> st.SearchStrategy[dt.datetime]:
    """Timezone-aware timestamps in UTC or a fixed offset (the model keeps UTC)."""
    offsets = st.sampled_from([0, 60, -300, 330, 840, -720]).map(
        lambda m: dt.timezone(dt.timedelta(minutes=m))
    )
    return st.datetimes(min_value=min_value, max_value=max_value, timezones=offsets).map(
        lambda d: d.astimezone(dt.UTC)
    )


def dates() -> st.SearchStrategy[dt.date]:
    return st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 1, 1))


def ids_of(collection: str, *, max_number: int = 10**6) -> st.SearchStrategy[str]:
    """Canonical ids of ``collection`` (``P-12`` for participants)."""
    return st.integers(1, max_number).map(lambda n: ids.format_id(collection, n))


def role_names() -> st.SearchStrategy[str]:
    """Names a ``[roles.custom]`` table accepts."""
    return st.from_regex(r"\A[a-z][a-z0-9_]{0,39}\Z")


def json_values(max_leaves: int = 8) -> st.SearchStrategy[Any]:
    """Values that survive JSON unchanged (no floats: they need not round-trip exactly)."""
    leaves = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | texts(max_size=20)
    return st.recursive(
        leaves,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts(max_size=10), inner,
                                                                    max_size=3),
        max_leaves=max_leaves,
    )


# ---------------------------------------------------------------- participants


@st.composite
def consent_records(draw: st.DrawFn, *, at: dt.datetime | None = None) -> ConsentRecord:
    return ConsentRecord(
        purpose=draw(st.sampled_from(CONSENT_PURPOSES)),
        given=draw(st.booleans()),
        statement_version=draw(st.sampled_from(["v1", "v2", "2026-01"]) | names()),
        method=draw(st.sampled_from(ConsentMethod)),
        recorded_by=draw(names()),
        at=at or draw(timestamps()),
    )


@st.composite
def demographics(draw: st.DrawFn) -> Demographic:
    category = draw(st.none() | st.sampled_from(SPECIAL_CATEGORIES))
    key = category or draw(st.sampled_from(["age_band", "gender", "postcode_area", "language"]))
    value = draw(texts(max_size=40) | st.integers(0, 120) | st.booleans() | st.none())
    return Demographic(key=key, value=value, category=category)


def _extra_keys() -> st.SearchStrategy[str]:
    part = st.from_regex(r"\A[a-z][a-z0-9_]{0,15}\Z")
    return st.tuples(part, part).map(".".join)


@st.composite
def participants(
    draw: st.DrawFn, *, roles: tuple[str, ...] = DEFAULT_ROLES, erased: bool | None = None,
) -> Participant:
    """Participants with any roles, consents (in time order), demographics and extras.

    What they hold is covered by their consent, as the core requires before
    storing them: a special-category answer comes with consent for
    ``special:<category>``, and contact details with consent to be contacted
    when a contact consent was ever recorded.
    """
    created = draw(timestamps(max_value=dt.datetime(2090, 1, 1)))
    consent_times = sorted(draw(st.lists(
        timestamps(min_value=created.replace(tzinfo=None), max_value=dt.datetime(2095, 1, 1)),
        max_size=4,
    )))
    consents = [draw(consent_records(at=t)) for t in consent_times]
    is_erased = draw(st.booleans()) if erased is None else erased
    answers = draw(st.lists(demographics(), max_size=3))
    email = draw(st.none() | st.emails())
    phone = draw(st.none() | st.from_regex(r"\A\+?[0-9]{7,12}( [0-9]{1,3})?\Z"))
    # Data minimisation: what is stored is covered by consent, given last.
    needed = [f"special:{a.category}" for a in answers if a.category]
    if email or phone:
        needed.append("contact")
    last = max([created, *consent_times])
    for purpose in dict.fromkeys(needed):
        latest = [c for c in consents if c.purpose == purpose]
        if purpose == "contact" and not latest:
            continue  # contact details without any contact record are allowed
        if not latest or not latest[-1].given:
            last = last + dt.timedelta(minutes=1)
            consents.append(ConsentRecord(
                purpose=purpose, given=True, statement_version="v1",
                method=ConsentMethod.WRITTEN, recorded_by=draw(names()), at=last))
    return Participant(
        id=draw(ids_of("participants")),
        name=draw(names()),
        role=draw(st.sampled_from(roles)),
        pseudonym=draw(notes()),
        email=email,
        phone=phone,
        consents=consents,
        demographics=answers,
        extra=draw(st.dictionaries(_extra_keys(), json_values(4), max_size=3)),
        created_at=created,
        erased_at=draw(timestamps(min_value=dt.datetime(2095, 1, 1))) if is_erased else None,
    )


# ---------------------------------------------------------------- sessions


def feedback(participant_id: str) -> st.SearchStrategy[Feedback]:
    return names().map(lambda text: Feedback(participant_id=participant_id, text=text))


@st.composite
def sessions(draw: st.DrawFn, *, max_people: int = 8) -> Session:
    """Sessions with attendance, ratings from attendees only, and feedback."""
    people = draw(st.lists(ids_of("participants", max_number=500), max_size=max_people,
                           unique=True))
    session = Session(
        id=draw(ids_of("sessions")),
        title=draw(names()),
        date=draw(dates()),
        purpose=draw(notes()),
        facilitators=draw(st.lists(st.sampled_from(people), max_size=2, unique=True))
        if people else (),
        agreed_next=draw(notes()),
        created_at=draw(timestamps()),
    )
    for pid in people:
        session = session.with_attendance(pid, draw(st.sampled_from(AttendanceStatus)))
    for pid in session.attended:
        if draw(st.booleans()):
            session = session.with_rating(pid, draw(st.sampled_from(Rung)))
    said = [draw(feedback(pid)) for pid in session.attended if draw(st.booleans())]
    from attrs import evolve

    return evolve(session, feedback=tuple(said))


# ---------------------------------------------------------------- lifecycles


def transitions() -> st.SearchStrategy[Transition]:
    return st.builds(
        Transition, status=st.sampled_from(TensionStatus).map(str), at=timestamps(),
        actor=names(), note=notes(),
    )


@st.composite
def lifecycle_path(
    draw: st.DrawFn, lc: lifecycle.Lifecycle, *, max_moves: int = 8, end: str | None = None,
) -> list[str]:
    """A sequence of legal moves from ``lc.initial`` (excluded), optionally ending at ``end``.

    With ``end``, the path is the drawn walk followed by the shortest legal
    route to ``end``.
    """
    path: list[str] = []
    current = lc.initial
    for _ in range(draw(st.integers(0, max_moves))):
        allowed = lc.allowed(current)
        if not allowed:
            break
        current = draw(st.sampled_from(allowed))
        path.append(current)
    if end is not None and current != end:
        route = _route(lc, current, end)
        # From a final status there may be no way on: take the direct route instead.
        path = path + route if route is not None else _route(lc, lc.initial, end) or []
    return path


def _route(lc: lifecycle.Lifecycle, start: str, end: str) -> list[str] | None:
    """The shortest legal route from ``start`` to ``end`` (excluding ``start``), or None."""
    if end not in lc.moves:
        raise ValueError(f"{end!r} is not a {lc.name} status")
    queue: list[list[str]] = [[start]]
    seen = {start}
    while queue:
        route = queue.pop(0)
        if route[-1] == end:
            return route[1:]
        for nxt in lc.allowed(route[-1]):
            if nxt not in seen:
                seen.add(nxt)
                queue.append([*route, nxt])
    return None


def _apply(draw: st.DrawFn, record: Any, path: list[str]) -> Any:
    at = record.history[-1].at
    for status in path:
        at = at + draw(st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=90)))
        note = draw(names() if status in record.LIFECYCLE.needs_note else notes())
        record = record.moved(status, at=at, actor=draw(names()), note=note)
    return record


@st.composite
def tensions(draw: st.DrawFn, *, status: str | None = None, max_moves: int = 8) -> Tension:
    """Tensions whose history was built by legal moves (ending at ``status`` if given)."""
    start = draw(timestamps(max_value=dt.datetime(2080, 1, 1)))
    tension = Tension(
        id=draw(ids_of("tensions")),
        kind=draw(st.sampled_from(TensionKind)),
        description=draw(names()),
        raised_by=draw(st.none() | ids_of("participants")),
        session_id=draw(st.none() | ids_of("sessions")),
        between=draw(st.lists(st.sampled_from(DEFAULT_ROLES) | ids_of("participants"),
                              max_size=3)),
        status=TensionStatus.RAISED,
        history=(Transition(status="raised", at=start, actor=draw(names()), note=draw(notes())),),
    )
    path = draw(lifecycle_path(lifecycle.TENSION, max_moves=max_moves, end=status))
    result: Tension = _apply(draw, tension, path)
    return result


def progress_updates(after: dt.datetime) -> st.SearchStrategy[ProgressUpdate]:
    return st.builds(
        ProgressUpdate,
        at=st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=400)).map(
            lambda d: after + d),
        actor=names(), note=names(),
    )


@st.composite
def commitments(
    draw: st.DrawFn, *, status: str | None = None, authority: str | None = None,
    max_moves: int = 6,
) -> Commitment:
    """Commitments at any authority, with legal histories and progress updates."""
    start = draw(timestamps(max_value=dt.datetime(2080, 1, 1)))
    commitment = Commitment(
        id=draw(ids_of("commitments")),
        description=draw(names()),
        made_by=draw(ids_of("participants")),
        authority=authority or draw(st.sampled_from(Authority)),
        scope=draw(notes()),
        due=draw(st.none() | dates()),
        session_id=draw(st.none() | ids_of("sessions")),
        answers=draw(st.lists(ids_of("tensions"), max_size=3, unique=True)),
        status=CommitmentStatus.PROPOSED,
        history=(Transition(status="proposed", at=start, actor=draw(names()),
                            note=draw(notes())),),
    )
    path = draw(lifecycle_path(lifecycle.COMMITMENT, max_moves=max_moves, end=status))
    commitment = _apply(draw, commitment, path)
    for update in sorted(draw(st.lists(progress_updates(start), max_size=3)),
                         key=lambda u: u.at):
        commitment = commitment.with_update(update)
    return commitment


# ---------------------------------------------------------------- configuration


def config_values(max_leaves: int = 6) -> st.SearchStrategy[Any]:
    """Values TOML can hold and read back equal (no NaN; floats that round-trip)."""
    leaves = st.one_of(
        st.booleans(),
        st.integers(-(2**63), 2**63 - 1),
        st.floats(allow_nan=False, allow_infinity=False),
        texts(max_size=30),
        dates(),
    )
    return st.recursive(
        leaves,
        lambda inner: st.lists(inner, max_size=3)
        | st.dictionaries(texts(min_size=1, max_size=12), inner, max_size=3),
        max_leaves=max_leaves,
    )


@st.composite
def configs(draw: st.DrawFn, *, backends: tuple[str, ...] = ("sqlite", "memory")) -> dict[str, Any]:
    """A ``coprod.toml`` document as a dict that :meth:`Config.from_dict` accepts.

    Only the core's tables; ``[plugins.<name>]`` tables hold any TOML values
    (the core checks them only against settings a plugin declares).
    """
    doc: dict[str, Any] = {}
    if draw(st.booleans()):
        ws: dict[str, Any] = {"org": draw(texts(max_size=60))}
        if draw(st.booleans()):
            ws["actor"] = draw(names())
        doc["workspace"] = ws
    if draw(st.booleans()):
        storage: dict[str, Any] = {"backend": draw(st.sampled_from(backends))}
        if storage["backend"] == "sqlite":
            if draw(st.booleans()):
                storage["path"] = draw(st.from_regex(r"\A[a-z][a-z0-9_-]{0,20}\.db\Z"))
            if draw(st.booleans()):
                storage["timeout"] = draw(st.integers(1, 600) | st.floats(0.1, 600))
        doc["storage"] = storage
    if draw(st.booleans()):
        doc["roles"] = {"custom": draw(st.dictionaries(role_names(), names(), max_size=3))}
    if draw(st.booleans()):
        doc["plugins"] = draw(st.dictionaries(
            st.from_regex(r"\A[a-z][a-z0-9_]{0,15}\Z"),
            st.dictionaries(st.from_regex(r"\A[a-z][a-z0-9_]{0,15}\Z"), config_values(),
                            max_size=3),
            max_size=2,
        ))
    return doc


def one_of_each(strategy: Callable[..., st.SearchStrategy[Any]], key: str,
                values: Any) -> st.SearchStrategy[Any]:
    """``strategy(**{key: v})`` for each of ``values``, as one strategy."""
    return st.one_of(*(strategy(**{key: v}) for v in values))


# ---------------------------------------------------------------- whole workspaces

#: Names as people really have them, for tests that plant names in free text.
PEOPLE_NAMES = (
    "Hồng Nhung", "Zoë O'Brien", "Łukasz Wiśniewski", "Ngọc Anh", "Siobhán Ní Bhriain",
    "Ahmed Khan", "River", "Ann Lee", "José Ramírez", "Straußberg", "Ife Okafor",
    "Mai-Linh Tran", "Dara", "Søren Ødegård", "Ana María", "Chidi",
)
_ROLES = ("lived_experience", "peer_researcher", "staff", "commissioner", "partner",
          "volunteer")
_TEMPLATES = ("{} will present to the board", "Ask {} first", "{} said it was unfair.",
              "Met with {} and the team", "Email {} about it")


def _written(draw: st.DrawFn, text: str) -> str:
    """``text`` as someone might type it: another case, the other Unicode normal form."""
    import unicodedata

    text = draw(st.sampled_from((text, text.upper(), text.lower(), text.title())))
    return unicodedata.normalize(draw(st.sampled_from(("NFC", "NFD"))), text)


@st.composite
def programmes(draw: st.DrawFn, *, max_people: int = 24, max_sessions: int = 5
               ) -> dict[str, Any]:
    """A whole programme, as plain data for :func:`fill_workspace`.

    People with roles, some agreeing to be named, some with a pseudonym or an
    email, some with an answer about ethnicity (and the consent for it);
    sessions with attendance, apologies and ratings; tensions and promises
    moved along their lifecycles; and free text (what was agreed next,
    descriptions, progress notes, reasons) that mentions people by name,
    pseudonym or email, written in any case and either Unicode normal form.
    """
    n = draw(st.integers(1, max_people))
    people = []
    for i in range(n):
        name = f"{draw(st.sampled_from(PEOPLE_NAMES))} {i}" if draw(st.booleans()) else \
            draw(st.sampled_from(PEOPLE_NAMES))
        people.append({
            "name": name,
            "role": draw(st.sampled_from(_ROLES)),
            "naming": draw(st.booleans()),
            "pseudonym": draw(st.none() | st.sampled_from(("Sparrow", "Kestrel Blue",
                                                           "Nhung B"))),
            "email": f"person{i}@example.org" if draw(st.booleans()) else None,
            "ethnicity": draw(st.none() | st.sampled_from(("A", "B", "C"))),
        })

    def mention() -> str:
        who = people[draw(st.integers(0, n - 1))]
        ways: list[str] = [str(w) for w in (who["name"], who["pseudonym"], who["email"]) if w]
        return draw(st.sampled_from(_TEMPLATES)).format(_written(draw, draw(
            st.sampled_from(ways))))

    sessions = []
    for _ in range(draw(st.integers(1, max_sessions))):
        came = draw(st.lists(st.integers(0, n - 1), unique=True, max_size=n))
        others = [i for i in range(n) if i not in came]
        sorry = draw(st.lists(st.sampled_from(others), unique=True, max_size=3)) \
            if others else []
        sessions.append({
            "offset": draw(st.integers(0, 120)), "came": came, "sorry": sorry,
            "ratings": [(i, draw(st.sampled_from(Rung)).value) for i in came
                        if draw(st.booleans())],
            "agreed_next": mention() if draw(st.booleans()) else None,
            "purpose": mention() if draw(st.booleans()) else None,
        })
    tensions = [{"session": draw(st.integers(0, len(sessions) - 1)), "text": mention(),
                 "moves": draw(st.sampled_from(((), ("acknowledged",), ("held",),
                                                ("acknowledged", "resolved"))))}
                for _ in range(draw(st.integers(0, 4)))]
    commitments = [{"by": draw(st.integers(0, n - 1)), "text": mention(),
                    "authority": draw(st.sampled_from(Authority)).value,
                    "moves": draw(st.sampled_from(((), ("agreed",), ("agreed", "delivered"),
                                                   ("agreed", "withdrawn"),
                                                   ("agreed", "not_delivered")))),
                    "news": mention() if draw(st.booleans()) else None,
                    "reason": mention()}
                   for _ in range(draw(st.integers(0, 4)))]
    return {"people": people, "sessions": sessions, "tensions": tensions,
            "commitments": commitments,
            "rounding": draw(st.sampled_from((1, 5))), "off": draw(st.booleans()) and False}


def fill_workspace(ws: Any, programme: dict[str, Any], clock: Any = None) -> list[str]:
    """Record ``programme`` (from :func:`programmes`) in ``ws``; returns the people's ids.

    ``clock`` (a :class:`coprod_core.testing.FakeClock`) is moved on between
    the steps of a lifecycle, when given.
    """
    ids = []
    for person in programme["people"]:
        added = ws.add_participant(person["name"], role=person["role"],
                                   pseudonym=person["pseudonym"])
        ids.append(added.id)
        if person["naming"]:
            ws.record_consent(added.id, "naming", given=True, statement_version="v1",
                              method="written")
        if person["email"]:
            ws.record_consent(added.id, "contact", given=True, statement_version="v1",
                              method="written")
            ws.update_participant(added.id, email=person["email"])
        if person["ethnicity"]:
            ws.record_consent(added.id, "special:ethnicity", given=True,
                              statement_version="v1", method="written")
            ws.update_participant(added.id, demographics=(Demographic(
                key="ethnicity", value=person["ethnicity"], category="ethnicity"),))
    sessions = []
    for session in programme["sessions"]:
        made = ws.new_session("Session", date=dt.date(2026, 1, 1) + dt.timedelta(
            days=session["offset"]), purpose=session["purpose"],
            agreed_next=session["agreed_next"])
        sessions.append(made.id)
        if session["came"]:
            ws.attend(made.id, [ids[i] for i in session["came"]])
        if session["sorry"]:
            ws.attend(made.id, [ids[i] for i in session["sorry"]], status="apologies")
        for i, rung in session["ratings"]:
            ws.rate(made.id, ids[i], rung)
    for tension in programme["tensions"]:
        raised = ws.raise_tension(tension["text"], kind="power",
                                  session_id=sessions[tension["session"]])
        for move in tension["moves"]:
            if clock is not None:
                clock.advance(days=3)
            ws.move_tension(raised.id, move, note=tension["text"])
    for commitment in programme["commitments"]:
        made = ws.make_commitment(commitment["text"], made_by=ids[commitment["by"]],
                                  authority=commitment["authority"], session_id=sessions[0])
        for move in commitment["moves"]:
            if clock is not None:
                clock.advance(days=5)
            if move == "delivered" and commitment["news"]:
                ws.update_commitment(made.id, commitment["news"])
            ws.move_commitment(made.id, move, note=commitment["reason"])
    return ids
