"""When it happened against when it was recorded; overdue, defined once."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coprod_core import lifecycle, serialise
from coprod_core.config import Config
from coprod_core.errors import ConfigError, CoprodError, ValidationFailed
from coprod_core.model import Commitment, Correction, Transition
from coprod_core.testing import strategies as cs
from coprod_core.when import EARLIEST, event_time, parse_on, zone

LONDON = zone("Europe/London")
NOW = dt.datetime(2026, 12, 1, 23, 0, tzinfo=dt.UTC)


# ------------------------------------------------------------ reading what people type


def test_a_day_is_placed_at_midday_in_the_workspace_zone():
    at = event_time("2026-06-12", now=NOW, tz=LONDON)
    assert at == dt.datetime(2026, 6, 12, 11, 0, tzinfo=dt.UTC)  # 12:00 BST
    assert at.date() == dt.date(2026, 6, 12)


def test_a_time_is_read_in_the_workspace_zone():
    at = event_time("2026-06-12T18:30", now=NOW, tz=LONDON)
    assert at == dt.datetime(2026, 6, 12, 17, 30, tzinfo=dt.UTC)
    assert event_time(dt.datetime(2026, 1, 5, 9, 0), now=NOW, tz=LONDON) == dt.datetime(
        2026, 1, 5, 9, 0, tzinfo=dt.UTC)


def test_no_date_means_now():
    assert event_time(None, now=NOW, tz=LONDON) == NOW


def test_today_is_never_placed_after_now():
    morning = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
    assert event_time("2026-12-01", now=morning, tz=LONDON) == morning


@pytest.mark.parametrize("text", ["12/06/2026", "2026-13-01", "yesterday", "2026-06-12T25:00",
                                  ""])
def test_what_is_not_a_date_is_one_clear_line(text):
    with pytest.raises(CoprodError, match="give YYYY-MM-DD or YYYY-MM-DDTHH:MM") as caught:
        parse_on(text)
    assert "\n" not in str(caught.value)


def test_a_date_after_today_is_refused():
    with pytest.raises(ValidationFailed, match=r"--on 2026-12-02 is after today \(2026-12-01\)"):
        event_time("2026-12-02", now=NOW, tz=LONDON)
    with pytest.raises(ValidationFailed, match="later than now"):
        event_time("2026-12-01T23:30", now=NOW, tz=LONDON)


def test_a_mistyped_year_is_refused():
    with pytest.raises(ValidationFailed, match="check the year"):
        event_time(EARLIEST - dt.timedelta(days=1), now=NOW, tz=LONDON)


def test_a_step_dated_before_the_one_it_follows_is_refused():
    before = dt.datetime(2026, 6, 12, 11, 0, tzinfo=dt.UTC)
    with pytest.raises(ValidationFailed, match=r"before the step it follows \(2026-06-12\)"):
        event_time("2026-06-11", now=NOW, tz=LONDON, after=before)
    # The same day is allowed, and placed no earlier than the step it follows.
    late = dt.datetime(2026, 6, 12, 15, 0, tzinfo=dt.UTC)
    assert event_time("2026-06-12", now=NOW, tz=LONDON, after=late) == late


@given(st.lists(st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2026, 12, 1)),
                min_size=1, max_size=8))
def test_accepted_dated_steps_keep_event_order(days):
    """For any sequence of dated steps, those accepted come out in the order they happened."""
    last = None
    kept = []
    for day in days:
        try:
            at = event_time(day, now=NOW, tz=LONDON, after=last)
        except ValidationFailed:
            assert last is not None and day < last.astimezone(LONDON).date()
            continue
        assert at.astimezone(LONDON).date() == day
        kept.append(at)
        last = at
    assert kept == sorted(kept)


# ------------------------------------------------------------ overdue, once


def _promise(path=(), *, due=dt.date(2026, 4, 1), day=dt.date(2026, 1, 10), note="because"):
    at = dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)
    c = Commitment(id="C-1", description="Minutes in plain English", made_by="P-1",
                   authority="can_decide", due=due, status="proposed",
                   history=(Transition(status="proposed", at=at, actor="t"),))
    for i, status in enumerate(path, start=1):
        c = c.moved(status, at=at + dt.timedelta(days=10 * i), actor="t", note=note)
    return c


def test_settled_statuses_are_never_overdue():
    assert lifecycle.COMMITMENT.is_settled("partly_delivered")
    assert lifecycle.COMMITMENT.is_settled("not_delivered")
    assert not lifecycle.COMMITMENT.is_settled("in_progress")
    later = dt.date(2026, 6, 1)
    for path in (("agreed", "partly_delivered"), ("agreed", "not_delivered"),
                 ("agreed", "delivered"), ("withdrawn",)):
        assert not _promise(path).is_overdue(later), path
    for path in ((), ("agreed",), ("agreed", "in_progress"),
                 ("agreed", "partly_delivered", "in_progress")):
        assert _promise(path).is_overdue(later), path


def test_overdue_counts_from_the_day_after_it_was_due():
    c = _promise(("agreed",))
    assert not c.is_overdue(dt.date(2026, 4, 1))
    assert c.overdue_since(dt.date(2026, 4, 2)) == dt.date(2026, 4, 1)


def test_overdue_at_a_past_date_uses_where_it_stood_then():
    # Delivered on 20 Apr, after its due date: overdue on 10 Apr, not on 1 May.
    c = _promise(("agreed",), day=dt.date(2026, 3, 31))
    c = c.moved("delivered", at=dt.datetime(2026, 4, 20, 12, tzinfo=dt.UTC), actor="t")
    assert c.is_overdue(dt.date(2026, 4, 10))
    assert not c.is_overdue(dt.date(2026, 5, 1))
    assert not c.is_overdue(dt.date(2026, 3, 1))  # not yet made


def test_a_moved_due_date_counts_from_the_day_it_was_moved():
    c = _promise(("agreed",))
    moved = Correction(name="due", before="2026-04-01", after="2026-06-01",
                       at=dt.datetime(2026, 4, 15, 9, tzinfo=dt.UTC), actor="t",
                       reason="the board meets later")
    from attrs import evolve

    c = evolve(c, due=dt.date(2026, 6, 1), corrections=(moved,))
    assert c.due_on(dt.date(2026, 4, 10)) == dt.date(2026, 4, 1)
    assert c.is_overdue(dt.date(2026, 4, 10))
    assert not c.is_overdue(dt.date(2026, 5, 1))
    assert c.overdue_since(dt.date(2026, 6, 2)) == dt.date(2026, 6, 1)


@given(cs.commitments(), cs.dates())
def test_overdue_is_the_lifecycle_rule_at_that_date(commitment, as_of):
    status = commitment.status_on(as_of)
    expected = status is not None and lifecycle.is_overdue(status, commitment.due_on(as_of),
                                                           as_of)
    assert commitment.is_overdue(as_of) == expected
    if commitment.corrections_of("due") == () and as_of >= max(
            s.at.date() for s in commitment.history):
        assert commitment.due_on(as_of) == commitment.due
        assert commitment.status_on(as_of) == commitment.status


# ------------------------------------------------------------ older documents


def test_documents_written_before_event_dates_still_load():
    old = {"id": "C-1", "description": "x", "made_by": "P-1", "authority": "can_decide",
           "scope": None, "due": "2026-04-01", "session_id": None, "answers": [],
           "status": "agreed",
           "history": [{"status": "proposed", "at": "2026-01-01T10:00:00+00:00",
                        "actor": "a", "note": None},
                       {"status": "agreed", "at": "2026-01-02T10:00:00+00:00",
                        "actor": "a", "note": None}],
           "updates": [], "schema_version": 1}
    c = serialise.structure("commitments", old)
    assert c.corrections == () and c.history[1].recorded_at is None
    person = serialise.structure("participants", {
        "id": "P-1", "name": "Sam", "role": "staff", "pseudonym": None, "email": None,
        "phone": None, "consents": [], "demographics": [], "extra": {},
        "created_at": "2026-01-01T10:00:00+00:00", "erased_at": None, "schema_version": 1})
    assert person.joined == person.created_at and person.support == "self"
    session = serialise.structure("sessions", {
        "id": "S-1", "title": "Panel", "date": "2026-01-01", "purpose": None,
        "facilitators": [], "attendance": [], "ratings": [], "feedback": [],
        "agreed_next": None, "created_at": "2026-01-01T10:00:00+00:00",
        "schema_version": 1})
    assert session.series is None and session.corrections == ()


@given(cs.commitments())
def test_commitments_round_trip_with_their_corrections(commitment):
    doc = serialise.unstructure(commitment)
    assert serialise.structure("commitments", doc) == commitment


@given(cs.participants())
def test_participants_round_trip_with_joined_and_support(person):
    assert serialise.structure("participants", serialise.unstructure(person)) == person


# ------------------------------------------------------------ configuration


def test_series_and_timezone_are_read_from_the_configuration():
    config = Config.from_dict({"workspace": {"timezone": "Europe/Dublin"},
                               "series": {"panel": "Lived-experience panel"}})
    assert config.timezone == "Europe/Dublin"
    assert config.series == {"panel": "Lived-experience panel"}
    assert Config.from_dict({}).timezone == "Europe/London"


@pytest.mark.parametrize(("data", "message"), [
    ({"workspace": {"timezone": "Mars/Olympus"}},
     "`workspace.timezone`: unknown time zone 'Mars/Olympus'"),
    ({"series": {"Panel": "x"}}, "`series.Panel`: series names are lower-case"),
    ({"series": {"panel": " "}}, "`series.panel`: needs a label people can read"),
    ({"series": {"panel": 3}}, "`series.panel`: must be a string"),
])
def test_wrong_series_or_timezone_names_the_key(data, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Config.from_dict(data)


# ------------------------------------------------------------ through the services


@pytest.mark.parametrize("kind", ["tension", "commitment"])
@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.integers(0, 6), st.dates(min_value=dt.date(2025, 1, 1),
                                                              max_value=dt.date(2027, 1, 1))),
                      min_size=1, max_size=10))
def test_any_accepted_sequence_of_dated_moves_is_in_event_order(plugin_manager, kind, steps):
    from coprod_core.errors import IllegalMove
    from coprod_core.testing import FakeClock
    from coprod_core.workspace import Workspace

    clock = FakeClock()
    clock.set(NOW)
    with Workspace.in_memory(plugins=plugin_manager, clock=clock, actor="t") as ws:
        ws.add_participant("Sam", role="staff")
        if kind == "tension":
            record = ws.raise_tension("x", kind="power", on="2025-01-01")
            move, load = ws.move_tension, ws.tension
        else:
            record = ws.make_commitment("x", made_by="P-1", authority="can_decide",
                                        on="2025-01-01")
            move, load = ws.move_commitment, ws.commitment
        lc = record.LIFECYCLE
        for pick, day in steps:
            before = load(record.id)
            allowed = lc.allowed(before.status)
            if not allowed:
                break
            target = allowed[pick % len(allowed)]
            try:
                after = move(record.id, target, note="why", on=day)
            except (ValidationFailed, IllegalMove):
                # Refused: after today, or before the step it follows; nothing changed.
                assert day > NOW.date() or day < before.history[-1].at.date()
                assert load(record.id) == before
                continue
            assert after.history[:-1] == before.history
            assert after.history[-1].at.astimezone(LONDON).date() == day
        history = load(record.id).history
        assert [s.at for s in history] == sorted(s.at for s in history)


def test_the_earliest_event_day_is_the_start_of_the_dates_coprod_accepts():
    from coprod_core.model import DATES

    assert DATES.earliest == EARLIEST
