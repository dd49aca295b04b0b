"""Properties of the model: lifecycles as state machines, and round-trips."""

from __future__ import annotations

import datetime as dt
import itertools
import json

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    precondition,
    rule,
)

from coprod_core import lifecycle, serialise
from coprod_core.errors import IllegalMove, InvalidValue, ValidationFailed
from coprod_core.model import (
    Attendance,
    Commitment,
    ConsentRecord,
    Demographic,
    Feedback,
    Participant,
    ProgressUpdate,
    Rating,
    Rung,
    Tension,
    Transition,
)
from coprod_core.testing import FakeClock
from coprod_core.testing import strategies as cs


def _memory_workspace(clock: FakeClock):
    import coprod_memory
    from coprod_core.plugins import new_plugin_manager
    from coprod_core.workspace import Workspace

    pm = new_plugin_manager()
    pm.register(coprod_memory, name="memory")
    return Workspace.in_memory(plugins=pm, clock=clock, actor="tester")


def check_history(record: Tension | Commitment) -> None:
    """The invariants every lifecycled record keeps."""
    lc = record.LIFECYCLE
    history = record.history
    assert history[0].status == lc.initial
    assert record.status == history[-1].status
    for before, after in itertools.pairwise(history):
        assert before.at <= after.at
        # A final status (or any other) is left only by a move the table allows.
        assert after.status in lc.allowed(before.status)
    for step in history:
        assert step.at.tzinfo is not None and step.at.utcoffset() == dt.timedelta(0)


# ---------------------------------------------------------------- state machines


class LifecycleMachine(RuleBasedStateMachine):
    """Drives one record through a Workspace with any sequence of moves."""

    LIFECYCLE: lifecycle.Lifecycle
    records = Bundle("records")

    def __init__(self) -> None:
        super().__init__()
        self.clock = FakeClock()
        self.ws = _memory_workspace(self.clock)
        self.model: dict[str, Tension | Commitment] = {}
        #: The machine's own account of each record's moves: (status, note, clock time).
        self.moves: dict[str, list[tuple[str, str | None, dt.datetime]]] = {}

    def teardown(self) -> None:
        self.ws.close()

    # Each subclass provides these.
    def create(self) -> Tension | Commitment:
        raise NotImplementedError

    def move(self, record_id: str, status: str, note: str | None):
        raise NotImplementedError

    def load(self, record_id: str) -> Tension | Commitment:
        raise NotImplementedError

    @rule(target=records)
    def new_record(self) -> str:
        record = self.create()
        self.model[record.id] = record
        self.moves[record.id] = [(self.LIFECYCLE.initial, None, self.clock.now)]
        return record.id

    @rule(days=st.integers(0, 40), seconds=st.integers(0, 86400))
    def time_passes(self, days: int, seconds: int) -> None:
        self.clock.advance(days=days, seconds=seconds)

    @rule(hours=st.integers(1, 1000))
    def clock_goes_back(self, hours: int) -> None:
        # A machine clock corrected backwards must not reorder history.
        self.clock.advance(hours=-hours)

    @rule(record_id=records, data=st.data())
    def legal_move(self, record_id: str, data: st.DataObject) -> None:
        before = self.load(record_id)
        allowed = self.LIFECYCLE.allowed(before.status)
        assume(allowed)
        target = data.draw(st.sampled_from(allowed))
        note = data.draw(cs.names() if target in self.LIFECYCLE.needs_note else cs.notes())
        after = self.move(record_id, target, note)
        assert after.status == target
        assert after.history[:-1] == before.history
        assert after.history[-1].note == note
        assert after.history[-1].actor == "tester"
        self.model[record_id] = after
        self.moves[record_id].append((target, note, self.clock.now))

    @rule(record_id=records, data=st.data())
    def illegal_move(self, record_id: str, data: st.DataObject) -> None:
        before = self.load(record_id)
        allowed = self.LIFECYCLE.allowed(before.status)
        forbidden = [s for s in self.LIFECYCLE.statuses if s not in allowed]
        assume(forbidden)
        target = data.draw(st.sampled_from(forbidden))
        audit_before = list(self.ws.audit())
        with pytest.raises(IllegalMove) as caught:
            self.move(record_id, target, "a note")
        assert caught.value.allowed == list(allowed)
        message = str(caught.value)
        assert "\n" not in message
        assert f"from {before.status} to {target}" in message
        for status in allowed:
            assert status in message
        if not allowed:
            assert "final" in message
        assert self.load(record_id) == before
        assert list(self.ws.audit()) == audit_before

    @rule(record_id=records, status=st.text(min_size=1, max_size=12))
    def unknown_status(self, record_id: str, status: str) -> None:
        assume(status not in self.LIFECYCLE.statuses)
        before = self.load(record_id)
        with pytest.raises(InvalidValue) as caught:
            self.move(record_id, status, None)
        for known in self.LIFECYCLE.statuses:
            assert known in str(caught.value)
        assert self.load(record_id) == before

    @precondition(lambda self: bool(self.LIFECYCLE.needs_note))
    @rule(record_id=records, blank=st.sampled_from([None, "", "   ", "\n\t"]))
    def move_needing_a_note_without_one(self, record_id: str, blank: str | None) -> None:
        before = self.load(record_id)
        targets = [s for s in self.LIFECYCLE.allowed(before.status)
                   if s in self.LIFECYCLE.needs_note]
        assume(targets)
        with pytest.raises(ValidationFailed, match="needs a reason"):
            self.move(record_id, targets[0], blank)
        assert self.load(record_id) == before

    @rule(record_id=consumes(records))
    def reload_from_storage(self, record_id: str) -> None:
        assert self.load(record_id) == self.model[record_id]

    @invariant()
    def histories_hold(self) -> None:
        # Compared with the moves this machine made, not re-derived from the record:
        # construction already refuses a history the lifecycle does not allow.
        for record_id, record in self.model.items():
            stored = self.load(record_id)
            assert stored == record
            made = self.moves[record_id]
            assert [(s.status, s.note) for s in stored.history] == [(m[0], m[1]) for m in made]
            # Each step at the clock's time then, never before the step ahead of it.
            expected_at: list[dt.datetime] = []
            for _status, _note, at in made:
                expected_at.append(max(at, expected_at[-1]) if expected_at else at)
            assert [s.at for s in stored.history] == expected_at
            assert stored.status == made[-1][0]


class TensionMachine(LifecycleMachine):
    LIFECYCLE = lifecycle.TENSION

    @initialize()
    def someone(self) -> None:
        self.person = self.ws.add_participant("Aisha", role="lived_experience")

    def create(self) -> Tension:
        return self.ws.raise_tension("Decided before the panel met", kind="power",
                                     raised_by=self.person.id, between=["staff"])

    def move(self, record_id: str, status: str, note: str | None) -> Tension:
        return self.ws.move_tension(record_id, status, note=note)

    def load(self, record_id: str) -> Tension:
        return self.ws.tension(record_id)


class CommitmentMachine(LifecycleMachine):
    LIFECYCLE = lifecycle.COMMITMENT

    @initialize()
    def someone(self) -> None:
        self.person = self.ws.add_participant("Dev", role="commissioner")

    def create(self) -> Commitment:
        return self.ws.make_commitment("Pay for preparation time", made_by=self.person.id,
                                       authority="can_decide")

    def move(self, record_id: str, status: str, note: str | None) -> Commitment:
        return self.ws.move_commitment(record_id, status, note=note)

    def load(self, record_id: str) -> Commitment:
        return self.ws.commitment(record_id)

    @rule(record_id=LifecycleMachine.records, note=cs.names())
    def progress(self, record_id: str, note: str) -> None:
        before = self.load(record_id)
        if self.LIFECYCLE.is_final(before.status):
            with pytest.raises(Exception, match="can no longer be added"):
                self.ws.update_commitment(record_id, note)
            assert self.load(record_id) == before
            return
        after = self.ws.update_commitment(record_id, note)
        assert after.updates[-1].note == note
        assert after.history == before.history
        self.model[record_id] = after


_machine_settings = settings(max_examples=40, stateful_step_count=25, deadline=None)
TestTensionLifecycle = TensionMachine.TestCase
TestTensionLifecycle.settings = _machine_settings
TestCommitmentLifecycle = CommitmentMachine.TestCase
TestCommitmentLifecycle.settings = _machine_settings


# ---------------------------------------------------------------- the tables


@pytest.mark.parametrize("lc", [lifecycle.TENSION, lifecycle.COMMITMENT], ids=lambda lc: lc.name)
def test_every_move_names_a_known_status_and_every_status_is_reachable(lc):
    for targets in lc.moves.values():
        assert set(targets) <= set(lc.statuses)
    reached, frontier = {lc.initial}, [lc.initial]
    while frontier:
        for nxt in lc.allowed(frontier.pop()):
            if nxt not in reached:
                reached.add(nxt)
                frontier.append(nxt)
    assert reached == set(lc.statuses)


def test_the_final_statuses_are_those_the_field_expects():
    assert {s for s in lifecycle.COMMITMENT.statuses if lifecycle.COMMITMENT.is_final(s)} == {
        "delivered", "not_delivered", "withdrawn"}
    # Held and resolved are honest end states that can only be reopened.
    assert lifecycle.TENSION.allowed("held") == ("reopened",)
    assert lifecycle.TENSION.allowed("resolved") == ("reopened",)


@given(cs.tensions())
def test_generated_tensions_keep_the_invariants(tension):
    check_history(tension)


@given(cs.commitments())
def test_generated_commitments_keep_the_invariants(commitment):
    check_history(commitment)


@given(st.sampled_from(lifecycle.TENSION.statuses).flatmap(lambda s: cs.tensions(status=s)
                                                           .map(lambda t: (s, t))))
def test_tensions_can_be_built_at_every_status(pair):
    status, tension = pair
    assert tension.status == status


@given(st.sampled_from(lifecycle.COMMITMENT.statuses).flatmap(lambda s: cs.commitments(status=s)
                                                              .map(lambda c: (s, c))))
def test_commitments_can_be_built_at_every_status(pair):
    status, commitment = pair
    assert commitment.status == status


@given(cs.tensions(), st.data())
def test_a_history_out_of_order_or_with_an_illegal_step_is_refused(tension, data):
    assume(len(tension.history) >= 2)
    history = list(tension.history)
    i = data.draw(st.integers(1, len(history) - 1))
    earlier = history[i - 1].at - dt.timedelta(seconds=data.draw(st.integers(1, 10**6)))
    history[i] = Transition(status=history[i].status, at=earlier, actor="x")
    with pytest.raises(ValidationFailed):
        Tension(**{**_fields(tension), "history": history})


@given(cs.tensions())
def test_a_status_that_is_not_the_last_in_history_is_refused(tension):
    others = [s for s in lifecycle.TENSION.statuses if s != tension.status]
    with pytest.raises(ValidationFailed, match="last one in its history"):
        Tension(**{**_fields(tension), "status": others[0]})


def _fields(record):
    import attrs

    return {a.name: getattr(record, a.name) for a in attrs.fields(type(record))}


# ---------------------------------------------------------------- round-trips


def _through_json(doc):
    return json.loads(json.dumps(doc, ensure_ascii=False))


@pytest.mark.parametrize("collection,strategy", [
    ("participants", cs.participants()),
    ("sessions", cs.sessions()),
    ("tensions", cs.tensions()),
    ("commitments", cs.commitments()),
], ids=["participants", "sessions", "tensions", "commitments"])
@given(data=st.data())
def test_records_round_trip_through_their_stored_documents(collection, strategy, data):
    record = data.draw(strategy)
    doc = serialise.unstructure(record)
    assert doc["schema_version"] == serialise.SCHEMA_VERSION
    assert serialise.structure(collection, _through_json(doc)) == record
    # The document is plain JSON: serialising it twice gives the same text.
    assert json.dumps(doc, sort_keys=True) == json.dumps(_through_json(doc), sort_keys=True)


@pytest.mark.parametrize("cls,strategy", [
    (ConsentRecord, cs.consent_records()),
    (Demographic, cs.demographics()),
    (Attendance, st.builds(Attendance, participant_id=cs.ids_of("participants"),
                           status=st.sampled_from(["attended", "apologies", "absent"]))),
    (Rating, st.builds(Rating, participant_id=cs.ids_of("participants"),
                       rung=st.sampled_from(Rung))),
    (Feedback, cs.ids_of("participants").flatmap(cs.feedback)),
    (Transition, cs.transitions()),
    (ProgressUpdate, cs.timestamps().flatmap(cs.progress_updates)),
], ids=lambda v: v.__name__ if isinstance(v, type) else "")
@given(data=st.data())
def test_every_model_class_round_trips(cls, strategy, data):
    value = data.draw(strategy)
    assert isinstance(value, cls)
    doc = _through_json(serialise.converter.unstructure(value))
    assert serialise.structure_as(cls, doc) == value


@given(cs.participants())
def test_round_trip_through_the_memory_backend(person):
    clock = FakeClock()
    with _memory_workspace(clock) as ws, ws.operation("test") as op:
        op.write("participants", person)
        assert ws.participant(person.id) == person


def test_a_document_from_a_newer_coprod_is_refused_with_advice():
    from coprod_core.errors import StorageError

    with pytest.raises(StorageError, match="upgrade coprod"):
        serialise.structure("participants", {"id": "P-1", "schema_version": 99})


def test_migrations_are_applied_in_turn(monkeypatch):
    person = Participant(id="P-1", name="Ada", role="staff",
                         created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    doc = serialise.unstructure(person)
    old = {k: v for k, v in doc.items() if k != "phone"} | {"schema_version": 1,
                                                            "telephone": None}
    monkeypatch.setattr(serialise, "SCHEMA_VERSION", 2)

    def rename(d):
        d["phone"] = d.pop("telephone")
        return d

    monkeypatch.setitem(serialise.MIGRATIONS, ("participants", 1), rename)
    assert serialise.structure("participants", old) == person


# ---------------------------------------------------------------- sessions


@given(cs.sessions(), st.data())
def test_ratings_only_ever_come_from_attendees(session, data):
    assert {r.participant_id for r in session.ratings} <= set(session.attended)
    people = [a.participant_id for a in session.attendance]
    assume(people)
    pid = data.draw(st.sampled_from(people))
    status = data.draw(st.sampled_from(["apologies", "absent"]))
    moved = session.with_attendance(pid, status)
    assert pid not in {r.participant_id for r in moved.ratings}
    assert [a.participant_id for a in moved.attendance].count(pid) == 1
    with pytest.raises(ValidationFailed, match="record attendance first"):
        moved.with_rating(pid, "co_design")


@given(cs.commitments(), cs.dates())
def test_overdue_means_past_due_and_still_open(commitment, today):
    open_ = commitment.status in ("proposed", "agreed", "in_progress", "partly_delivered")
    expected = commitment.due is not None and commitment.due < today and open_
    assert commitment.is_overdue(today) == expected


@given(cs.participants(), st.data())
def test_latest_consent_wins(person, data):
    for purpose in {c.purpose for c in person.consents}:
        latest = [c for c in person.consents if c.purpose == purpose][-1]
        assert person.consent(purpose) == latest
        assert person.has_consent(purpose) == latest.given
    missing = data.draw(st.sampled_from(["record", "contact", "naming"]))
    if all(c.purpose != missing for c in person.consents):
        assert not person.has_consent(missing)


@given(st.text(max_size=30).filter(lambda k: "." not in k.strip(".") or k.startswith(".")
                                   or k.endswith(".")))
def test_extra_keys_must_be_namespaced(key):
    with pytest.raises(ValidationFailed, match="namespaced"):
        Participant(id="P-1", name="Ada", role="staff", extra={key: 1},
                    created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))


@given(st.sampled_from(["", " ", "\n", "\t  \n"]))
def test_blank_names_and_descriptions_are_refused(blank):
    with pytest.raises(ValidationFailed, match="must not be empty"):
        Participant(id="P-1", name=blank, role="staff",
                    created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))


def test_naive_timestamps_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        Participant(id="P-1", name="Ada", role="staff", created_at=dt.datetime(2026, 1, 1))
