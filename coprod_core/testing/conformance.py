"""The storage conformance suite: what makes a backend correct.

A backend author subclasses :class:`StorageConformance` in a test module and
provides one fixture, ``make_storage``: a callable with no arguments that
opens the backend *on the same data* each time it is called (a new
connection or file handle each time). For the multi-process test it must be
picklable (a module-level function or a :func:`functools.partial` of one)::

    import functools
    import pytest
    from coprod_core.testing.conformance import StorageConformance
    from my_backend import open_mine

    class TestMine(StorageConformance):
        @pytest.fixture
        def make_storage(self, tmp_path):
            return functools.partial(open_mine, tmp_path / "data")

Define a ``stored_bytes`` fixture too (a callable taking the open storage
and returning every byte it keeps: its files, its tables' pages) so that
the purge test can look for a deleted document in them; without it that
test is skipped::

        @pytest.fixture
        def stored_bytes(self, tmp_path):
            return lambda storage: b"".join(
                p.read_bytes() for p in sorted((tmp_path / "data").rglob("*"))
                if p.is_file())

Class attributes tune the run: ``processes`` (False for a backend that
cannot be shared between processes), ``hypothesis_settings``.

One piece: the suite is one class that a backend author subclasses.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import uuid
from collections.abc import Callable, Iterator
from contextlib import suppress
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from coprod_core import serialise
from coprod_core.model import (
    Attendance,
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
    Rating,
    Rung,
    Session,
    Tension,
    TensionKind,
    TensionStatus,
    Transition,
)
from coprod_core.storage import Storage

__all__ = ["StorageConformance", "model_records", "unusual_text"]

# ---------------------------------------------------------------- strategies

#: Text people really type: emoji, right-to-left scripts, combining marks,
#: newlines and tabs. NUL and lone surrogates are left out: no text
#: interface produces them and PostgreSQL's JSONB cannot hold NUL.
_ALPHABET = st.characters(exclude_categories=["Cs", "Cc"], include_characters="\n\t")
#: One-line fields (names, titles, versions) hold no line breaks or controls.
_LINE_ALPHABET = st.characters(exclude_categories=["Cs", "Cc", "Zl", "Zp"])
_SAMPLES = st.sampled_from([
    "Aisha 🌈✊🏽", "مرحبا بالعالم", "שלום עולם", "line one\nline two\r\nthree\ttab",
    "e\u0301 ﬁ ß İ", "'quotes\" and \\backslashes\\", "=SUM(A1)", "   padded   ",
])


def unusual_text(min_size: int = 1, max_size: int = 60, *,
                 lines: bool = True) -> st.SearchStrategy[str]:
    """Text that is not empty once stripped, often awkward.

    With ``lines`` (the default) it may hold new lines and tabs, as
    descriptions and notes may; without, it is one line, as names are.
    """
    plain = st.text(_ALPHABET if lines else _LINE_ALPHABET, min_size=min_size,
                    max_size=max_size)
    samples = _SAMPLES if lines else _SAMPLES.filter(str.isprintable)
    return st.one_of(plain, samples).filter(lambda s: bool(s.strip()))


def _long_text() -> st.SearchStrategy[str]:
    return st.builds(lambda s, n: (s.strip() or "x") * n, unusual_text(1, 8),
                     st.integers(1000, 3000))


_text = st.one_of(unusual_text(), unusual_text(), _long_text())
_opt_text = st.none() | _text
_line = unusual_text(lines=False)
_opt_line = st.none() | _line
_email = st.none() | st.emails()
_phone = st.none() | st.from_regex(r"\A\+?[0-9]{7,12}\Z")
_when = st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 1, 1),
                     timezones=st.just(dt.UTC))
_date = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 1, 1))
_pid = st.integers(1, 10**6).map(lambda n: f"P-{n}")
_json_value = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | unusual_text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(unusual_text(1, 8), inner,
                                                                max_size=3),
    max_leaves=6,
)


def _participants(number: st.SearchStrategy[int]) -> st.SearchStrategy[Participant]:
    consent = st.builds(
        ConsentRecord, purpose=st.sampled_from(["record", "contact", "special:health"]),
        given=st.booleans(), statement_version=_line, method=st.sampled_from(ConsentMethod),
        recorded_by=_line, at=_when,
    )
    demographic = st.builds(Demographic, key=unusual_text(1, 12), value=_json_value,
                            category=st.none() | st.just("ethnicity"))
    return st.builds(
        Participant, id=number.map(lambda n: f"P-{n}"), name=_line,
        role=st.sampled_from(["lived_experience", "staff", "commissioner"]),
        pseudonym=_opt_line, email=_email, phone=_phone,
        consents=st.lists(consent, max_size=2), demographics=st.lists(demographic, max_size=2),
        extra=st.dictionaries(st.sampled_from(["pay.rate", "forms.answers"]), _json_value,
                              max_size=2),
        created_at=_when, erased_at=st.none() | _when,
    )


def _sessions(number: st.SearchStrategy[int]) -> st.SearchStrategy[Session]:
    return st.builds(
        Session, id=number.map(lambda n: f"S-{n}"), title=_line, date=_date,
        purpose=_opt_text, facilitators=st.lists(_pid, max_size=2),
        attendance=st.lists(st.builds(Attendance, participant_id=_pid,
                                      status=st.sampled_from(AttendanceStatus)), max_size=3),
        ratings=st.lists(st.builds(Rating, participant_id=_pid, rung=st.sampled_from(Rung)),
                         max_size=3),
        feedback=st.lists(st.builds(Feedback, participant_id=_pid, text=_text), max_size=2),
        agreed_next=_opt_text, created_at=_when,
    )


def _tensions(number: st.SearchStrategy[int]) -> st.SearchStrategy[Tension]:
    def build(n: int, kind: TensionKind, text: str, note: str | None, at: dt.datetime,
              steps: list[str]) -> Tension:
        t = Tension(id=f"T-{n}", kind=kind, description=text, raised_by=f"P-{n}",
                    between=("staff", f"P-{n}"), status=TensionStatus.RAISED,
                    history=(Transition(status="raised", at=at, actor="tester", note=note),))
        for step in steps:
            with suppress(Exception):
                t = t.moved(step, at=at, actor="tester", note=note or "why")
        return t

    return st.builds(build, number, st.sampled_from(TensionKind), _text, _opt_text, _when,
                     st.lists(st.sampled_from(TensionStatus), max_size=4))


def _commitments(number: st.SearchStrategy[int]) -> st.SearchStrategy[Commitment]:
    def build(n: int, text: str, authority: Authority, scope: str | None,
              due: dt.date | None, at: dt.datetime, steps: list[str],
              updates: list[str]) -> Commitment:
        c = Commitment(id=f"C-{n}", description=text, made_by=f"P-{n}", authority=authority,
                       scope=scope, due=due, session_id=f"S-{n}", answers=(f"T-{n}",),
                       status=CommitmentStatus.PROPOSED,
                       history=(Transition(status="proposed", at=at, actor="tester"),))
        for step in steps:
            with suppress(Exception):
                c = c.moved(step, at=at, actor="tester", note="because")
        for note in updates:
            c = c.with_update(ProgressUpdate(at=at, actor="tester", note=note))
        return c

    return st.builds(build, number, _text, st.sampled_from(Authority), _opt_text,
                     st.none() | _date, _when, st.lists(st.sampled_from(CommitmentStatus),
                                                        max_size=4),
                     st.lists(_text, max_size=2))


def model_records(number: st.SearchStrategy[int] | None = None
                  ) -> st.SearchStrategy[tuple[str, Any]]:
    """``(collection, record)`` for any of the four model classes."""
    if number is None:
        number = st.integers(1, 10**9)
    return st.one_of(
        _participants(number).map(lambda r: ("participants", r)),
        _sessions(number).map(lambda r: ("sessions", r)),
        _tensions(number).map(lambda r: ("tensions", r)),
        _commitments(number).map(lambda r: ("commitments", r)),
    )


# ---------------------------------------------------------------- processes


def _concurrent_writer(factory: Callable[[], Storage], worker: int, writes: int) -> None:
    """One process of the concurrency test (module level so it can be spawned)."""
    storage = factory()
    try:
        for i in range(writes):
            with storage.transaction():
                number = storage.next_number("participants")
                storage.put("participants", {"id": f"P-{number}", "role": "staff",
                                             "worker": worker, "i": i})
                tally = storage.get("tallies", "X-1") or {"id": "X-1", "n": 0}
                storage.put("tallies", {"id": "X-1", "n": tally["n"] + 1})
                storage.append_audit({"worker": worker, "i": i})
    finally:
        storage.close()


class _Boom(Exception):
    """Raised inside a transaction to check that it rolls back."""


# ---------------------------------------------------------------- the suite


class StorageConformance:
    """Subclass with a ``make_storage`` fixture to check a backend (see module doc)."""

    #: Whether several processes can open the storage at once (the memory backend cannot).
    processes: ClassVar[bool] = True
    #: Processes and writes per process in the concurrency test.
    concurrency: ClassVar[tuple[int, int]] = (3, 15)
    #: Hypothesis settings for this backend's property tests; keep them modest.
    hypothesis_settings: ClassVar[settings] = settings(
        max_examples=25, deadline=None, stateful_step_count=15,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )

    @pytest.fixture
    def make_storage(self) -> Callable[[], Storage]:
        raise NotImplementedError("define a make_storage fixture returning an opener")

    @pytest.fixture
    def stored_bytes(self) -> Callable[[Storage], bytes] | None:
        """Override to return a callable giving every byte the backend keeps for an
        open storage (its files; its tables' pages), so that the purge test can
        look for a deleted document there. Without it that test is skipped."""
        return None

    @pytest.fixture
    def storage(self, make_storage: Callable[[], Storage]) -> Iterator[Storage]:
        opened = make_storage()
        try:
            yield opened
        finally:
            opened.close()

    # -- round trips

    def test_is_a_storage(self, storage: Storage) -> None:
        assert isinstance(storage, Storage)
        assert isinstance(storage.name, str) and storage.name

    def test_round_trip_every_model_class(self, storage: Storage) -> None:
        counter = iter(range(1, 10**9))

        @self.hypothesis_settings
        @given(model_records(st.builds(lambda: next(counter))))
        def check(item: tuple[str, Any]) -> None:
            collection, record = item
            doc = serialise.unstructure(record)
            with storage.transaction():
                storage.put(collection, doc)
            stored = storage.get(collection, record.id)
            assert stored == doc
            assert serialise.structure(collection, stored) == record

        check()

    def test_round_trip_survives_reopening(self, make_storage: Callable[[], Storage]) -> None:
        if not self.processes:
            pytest.skip("this backend keeps nothing between openings")
        long_name = "Ω mixed עברית 🌍 " * 500
        person = Participant(id="P-7", name=long_name, role="staff", pseudonym="a b",
                             demographics=[Demographic(key="note", value="a\nb\tc")],
                             created_at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC))
        first = make_storage()
        with first.transaction():
            first.put("participants", serialise.unstructure(person))
        first.close()
        second = make_storage()
        try:
            doc = second.get("participants", "P-7")
            assert doc is not None
            assert serialise.structure("participants", doc) == person
        finally:
            second.close()

    def test_plugin_collections(self, storage: Storage) -> None:
        docs = [{"id": f"PAY-{n}", "amount": n * 25, "note": "travel 🚌",
                 "nested": {"a": [1, None]}} for n in (3, 1, 2)]
        with storage.transaction():
            assert storage.put_many("payments", docs) == 3
        assert [d["id"] for d in storage.iterate("payments")] == ["PAY-1", "PAY-2", "PAY-3"]
        assert storage.get("payments", "PAY-2") == docs[2]
        assert "payments" in storage.collections()
        assert storage.get("nothing_here", "X-1") is None
        assert list(storage.iterate("nothing_here")) == []
        assert storage.count("nothing_here") == 0

    def test_put_replaces_and_delete_removes(self, storage: Storage) -> None:
        with storage.transaction():
            storage.put("notes", {"id": "N-1", "text": "first"})
            storage.put("notes", {"id": "N-1", "text": "second"})
        assert storage.get("notes", "N-1") == {"id": "N-1", "text": "second"}
        assert storage.count("notes") == 1
        with storage.transaction():
            assert storage.delete("notes", "N-1") is True
            assert storage.delete("notes", "N-1") is False
            assert storage.get("notes", "N-1") is None
        assert storage.get("notes", "N-1") is None
        assert "notes" not in storage.collections()

    def test_returned_documents_are_copies(self, storage: Storage) -> None:
        doc: dict[str, Any] = {"id": "N-1", "tags": ["a"]}
        with storage.transaction():
            storage.put("notes", doc)
        doc["tags"].append("changed")
        got = storage.get("notes", "N-1")
        assert got == {"id": "N-1", "tags": ["a"]}
        assert got is not None
        got["tags"].append("changed")
        assert storage.get("notes", "N-1") == {"id": "N-1", "tags": ["a"]}

    # -- filters, counts, order

    def _filter_data(self, storage: Storage) -> list[dict[str, Any]]:
        statuses = ["raised", "held", None, "resolved", "held", "raised", None]
        docs = [{"id": f"T-{n + 1}", "status": s, "kind": "power" if n % 2 else "identity",
                 "weight": n % 3, "flag": n % 2 == 0, "note": "x"}
                for n, s in enumerate(statuses)]
        with storage.transaction():
            storage.put_many("tensions", docs)
            storage.put_many("things", docs)
        return docs

    @pytest.mark.parametrize("collection", ["tensions", "things"])
    @pytest.mark.parametrize("where", [
        None, {}, {"status": "held"}, {"status": ["held", "resolved"]}, {"status": None},
        {"status": [None, "raised"]}, {"status": "held", "kind": "power"}, {"weight": 2},
        {"weight": [0, 2]}, {"flag": True}, {"missing": None}, {"missing": "x"},
        {"status": []}, {"kind": ("identity",)},
    ])
    def test_filters_and_counts(self, storage: Storage, collection: str, where: Any) -> None:
        from coprod_core.storage import matches

        docs = self._filter_data(storage)
        expected = [d for d in docs if matches(d, where)]
        assert list(storage.iterate(collection, where)) == expected
        assert storage.count(collection, where) == len(expected)

    def test_iterate_in_id_number_order(self, storage: Storage) -> None:
        numbers = [10, 2, 33, 1, 100, 9]
        with storage.transaction():
            for n in numbers:
                storage.put("sessions", {"id": f"S-{n}", "date": "2026-01-01"})
        assert [d["id"] for d in storage.iterate("sessions")] == [
            f"S-{n}" for n in sorted(numbers)]

    def test_iterate_streams_past_a_page(self, storage: Storage) -> None:
        with storage.transaction():
            storage.put_many("notes", ({"id": f"N-{n}", "n": n} for n in range(1, 2502)))
        seen = 0
        for expected, doc in enumerate(storage.iterate("notes"), start=1):
            assert doc["n"] == expected
            # Reading other records while iterating must work.
            if expected % 1000 == 0:
                assert storage.get("notes", "N-1") == {"id": "N-1", "n": 1}
            seen += 1
        assert seen == 2501 == storage.count("notes")

    # -- counters

    def test_next_number_never_repeats(self, storage: Storage) -> None:
        given_out: list[int] = []
        with storage.transaction():
            given_out.append(storage.next_number("participants"))
            first = storage.next_number("participants", 5)
            given_out.extend(range(first, first + 5))
            given_out.append(storage.next_number("participants"))
        with storage.transaction():
            number = storage.next_number("participants")
            storage.put("participants", {"id": f"P-{number}", "role": "staff"})
            given_out.append(number)
        with storage.transaction():
            storage.delete("participants", f"P-{number}")
        with storage.transaction():
            given_out.append(storage.next_number("participants", 3))
            given_out.extend([given_out[-1] + 1, given_out[-1] + 2])
        assert len(given_out) == len(set(given_out))
        assert given_out == sorted(given_out)
        assert storage.counters()["participants"] == given_out[-1]
        with storage.transaction():
            assert storage.next_number("sessions") == 1

    def test_counters_are_per_collection(self, storage: Storage) -> None:
        with storage.transaction():
            storage.next_number("participants", 4)
            storage.next_number("tensions")
        assert storage.counters() == {"participants": 4, "tensions": 1}

    # -- transactions

    def test_nested_transactions_join_the_outer(self, storage: Storage) -> None:
        with storage.transaction():
            storage.put("notes", {"id": "N-1"})
            with storage.transaction():
                storage.put("notes", {"id": "N-2"})
            assert storage.get("notes", "N-2") == {"id": "N-2"}
        assert storage.count("notes") == 2
        with pytest.raises(_Boom), storage.transaction():
            storage.put("notes", {"id": "N-3"})
            with storage.transaction():
                storage.put("notes", {"id": "N-4"})
            raise _Boom
        assert storage.count("notes") == 2
        with pytest.raises(_Boom), storage.transaction():
            storage.put("notes", {"id": "N-5"})
            with storage.transaction():
                raise _Boom
        assert storage.count("notes") == 2

    @pytest.mark.parametrize("where", ["start", "after_put", "after_delete", "after_counter",
                                       "after_audit", "new_collection", "nested"])
    def test_rollback_on_an_exception_anywhere(self, storage: Storage, where: str) -> None:
        with storage.transaction():
            storage.put("notes", {"id": "N-1", "v": 1})
            storage.next_number("notes")
            storage.append_audit({"operation": "setup"})
        before = self._snapshot(storage)
        with pytest.raises(_Boom), storage.transaction():
            if where == "start":
                raise _Boom
            storage.put("notes", {"id": "N-1", "v": 2})
            storage.put("notes", {"id": "N-2", "v": 2})
            if where == "after_put":
                raise _Boom
            storage.delete("notes", "N-1")
            if where == "after_delete":
                raise _Boom
            storage.next_number("notes", 3)
            if where == "after_counter":
                raise _Boom
            storage.append_audit({"operation": "doomed"})
            if where == "after_audit":
                raise _Boom
            storage.put("brand_new", {"id": "B-1"})
            if where == "new_collection":
                raise _Boom
            with storage.transaction():
                storage.put("notes", {"id": "N-3"})
                raise _Boom
        after = self._snapshot(storage)
        assert after["docs"] == before["docs"]
        assert after["audit"] == before["audit"]
        # A rolled-back allocation may be reused, never skipped backwards.
        with storage.transaction():
            assert storage.next_number("notes") >= 2
        with storage.transaction():
            storage.put("notes", {"id": "N-9"})
        assert storage.get("notes", "N-9") == {"id": "N-9"}

    def test_writes_need_a_transaction(self, storage: Storage) -> None:
        from coprod_core.errors import StorageError

        with pytest.raises(StorageError):
            storage.put("notes", {"id": "N-1"})
        assert storage.get("notes", "N-1") is None

    def _snapshot(self, storage: Storage) -> dict[str, Any]:
        docs = {c: list(storage.iterate(c)) for c in storage.collections()}
        return {"docs": docs, "audit": list(storage.iterate_audit())}

    def test_rollback_from_a_validation_hook(self, storage: Storage) -> None:

        from coprod_core import hookimpl
        from coprod_core.config import Config
        from coprod_core.errors import PluginError, ValidationFailed
        from coprod_core.plugins import new_plugin_manager
        from coprod_core.workspace import Workspace

        class Gatekeeper:
            mode = "allow"

            @hookimpl
            def coprod_validate(self, collection: str, record: Any) -> str | None:
                if self.mode == "refuse" and collection == "tensions":
                    return "tensions need a named session here"
                if self.mode == "crash" and collection == "participants" and record.id != "P-1":
                    raise RuntimeError("disk full")
                return None

        pm = new_plugin_manager()
        gate = Gatekeeper()
        pm.register(gate, name="gatekeeper")
        clock = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
        ws = Workspace(Config.from_dict({}), storage, plugins=pm, clock=lambda: clock,
                       actor="tester")
        ws.add_participant("Aisha 🌈", role="lived_experience")
        before = self._snapshot(storage)

        gate.mode = "refuse"
        refused = pytest.raises(ValidationFailed, match="gatekeeper: tensions need")
        with refused, ws.operation("two.things") as op:
            ws.add_participant("Ben", role="staff")
            ws.raise_tension("Curfews decided without the panel", kind="power")
            assert op.ids
        assert self._snapshot(storage) == before

        gate.mode = "crash"
        with pytest.raises(PluginError, match="gatekeeper"):
            ws.add_participants([{"name": f"Person {n}", "role": "staff"} for n in range(50)])
        assert self._snapshot(storage) == before
        gate.mode = "allow"
        assert ws.add_participants([{"name": "Cara", "role": "staff"}]) == 1
        assert storage.count("participants") == 2

    # -- audit, purge

    def test_audit_log_appends_in_order(self, storage: Storage) -> None:
        entries = [{"at": f"2026-01-0{n}T10:00:00+00:00", "actor": "Zoë 🌟", "operation": "x",
                    "ids": [f"P-{n}"]} for n in range(1, 6)]
        for entry in entries[:3]:
            with storage.transaction():
                storage.append_audit(entry)
        with storage.transaction():
            for entry in entries[3:]:
                storage.append_audit(entry)
        assert list(storage.iterate_audit()) == entries

    def test_rewrite_audit_when_offered(self, storage: Storage) -> None:
        rewrite = getattr(storage, "rewrite_audit", None)
        if rewrite is None:
            pytest.skip("this backend does not offer rewrite_audit (optional)")
        entries = [{"actor": name, "operation": "x", "ids": [f"P-{n}"]}
                   for n, name in enumerate(["Aisha", "Ben", "Aisha", "Cara"], start=1)]
        with storage.transaction():
            for entry in entries[:3]:
                storage.append_audit(entry)

        def scrub(entry: dict[str, Any]) -> dict[str, Any] | None:
            return {**entry, "actor": "[erased]"} if entry["actor"] == "Aisha" else None

        with pytest.raises(_Boom), storage.transaction():
            assert rewrite(scrub) == 2
            raise _Boom
        assert list(storage.iterate_audit()) == entries[:3]
        with storage.transaction():
            storage.append_audit(entries[3])
            assert rewrite(scrub) == 2
            assert [e["actor"] for e in storage.iterate_audit()] == [
                "[erased]", "Ben", "[erased]", "Cara"]
            storage.append_audit({"actor": "Aisha", "operation": "y", "ids": []})
        assert [e["actor"] for e in storage.iterate_audit()] == [
            "[erased]", "Ben", "[erased]", "Cara", "Aisha"]

    def test_purge_leaves_no_byte_of_a_deleted_or_overwritten_document(
            self, storage: Storage, stored_bytes: Callable[[Storage], bytes] | None) -> None:
        if stored_bytes is None:
            pytest.skip("define a stored_bytes fixture to check what purge leaves")
        deleted, overwritten = f"Erase-me-{uuid.uuid4().hex}", f"Old-{uuid.uuid4().hex}"
        with storage.transaction():
            storage.put("participants", {"id": "P-1", "role": "staff", "name": deleted})
            storage.put("participants", {"id": "P-2", "role": "staff", "name": overwritten})
            storage.put("notes", {"id": "N-1", "text": deleted})
        # The reader sees what is stored: otherwise the test below could not fail.
        before = stored_bytes(storage)
        assert deleted.encode() in before and overwritten.encode() in before
        with storage.transaction():
            storage.delete("participants", "P-1")
            storage.delete("notes", "N-1")
            storage.put("participants", {"id": "P-2", "role": "staff", "name": "[erased]"})
        storage.purge()
        after = stored_bytes(storage)
        assert deleted.encode() not in after
        assert overwritten.encode() not in after
        assert storage.get("participants", "P-1") is None
        assert storage.get("participants", "P-2") == {"id": "P-2", "role": "staff",
                                                      "name": "[erased]"}
        with storage.transaction():
            storage.put("participants", {"id": "P-3", "role": "staff"})
        assert storage.count("participants") == 2

    # -- names

    @pytest.mark.parametrize("name", ["Participants", "bad name", "", "1st", "a-b", "x" * 64,
                                      "doc; DROP TABLE x", "../etc"])
    def test_invalid_collection_names_are_refused_everywhere(self, storage: Storage,
                                                             name: str) -> None:
        from coprod_core.errors import StorageError

        reads: list[Callable[[], Any]] = [
            lambda: storage.get(name, "P-1"),
            lambda: list(storage.iterate(name)),
            lambda: list(storage.iterate(name, {"role": "staff"})),
            lambda: storage.count(name),
            lambda: storage.count(name, {"role": "staff"}),
        ]
        for read in reads:
            with pytest.raises(StorageError, match="collection name"):
                read()
        writes: list[Callable[[], Any]] = [
            lambda: storage.put(name, {"id": "P-1"}),
            lambda: storage.put_many(name, [{"id": "P-1"}]),
            lambda: storage.delete(name, "P-1"),
            lambda: storage.next_number(name),
        ]
        for write in writes:
            with pytest.raises(StorageError, match="collection name"), storage.transaction():
                write()
        assert storage.collections() == []

    # -- several processes

    def test_concurrent_writers_in_processes(self, make_storage: Callable[[], Storage]) -> None:
        if not self.processes:
            pytest.skip("this backend cannot be shared between processes")
        workers, writes = self.concurrency
        ctx = multiprocessing.get_context("spawn")
        procs = [ctx.Process(target=_concurrent_writer, args=(make_storage, w, writes))
                 for w in range(workers)]
        for p in procs:
            p.start()
        for p in procs:
            p.join(timeout=120)
        for p in procs:
            if p.is_alive():
                p.kill()
                p.join()
        assert [p.exitcode for p in procs] == [0] * workers
        storage = make_storage()
        try:
            docs = list(storage.iterate("participants"))
            assert len(docs) == workers * writes
            assert len({d["id"] for d in docs}) == workers * writes
            assert {(d["worker"], d["i"]) for d in docs} == {
                (w, i) for w in range(workers) for i in range(writes)}
            assert storage.get("tallies", "X-1") == {"id": "X-1", "n": workers * writes}
            assert len(list(storage.iterate_audit())) == workers * writes
        finally:
            storage.close()

    # -- random operations against a model

    def test_random_operations_match_a_model(self, storage: Storage) -> None:
        # A name of its own per backend: Hypothesis keys its example database
        # by it, and examples saved for one backend's settings must not be
        # replayed under another's.
        name = f"{type(self).__name__}Machine"
        machine = type(name, (_StorageMachine,), {"storage": storage})
        run_state_machine_as_test(machine, settings=self.hypothesis_settings)


_COLLECTIONS = ("tensions", "notes")
_PREFIX = {"tensions": "T", "notes": "N"}
_numbers = st.integers(1, 8)
_bodies = st.fixed_dictionaries({
    "status": st.sampled_from(["raised", "held", "resolved"]) | st.none(),
    "weight": st.integers(0, 3),
    "text": unusual_text(1, 20),
})
_ops = st.lists(
    st.tuples(st.sampled_from(["put", "delete"]), st.sampled_from(_COLLECTIONS), _numbers,
              _bodies), min_size=1, max_size=5)


class _StorageMachine(RuleBasedStateMachine):
    """Random operations on the backend and on plain dicts, compared after each step."""

    storage: Storage

    @initialize()
    def start(self) -> None:
        with self.storage.transaction():
            for collection in _COLLECTIONS:
                for doc in list(self.storage.iterate(collection)):
                    self.storage.delete(collection, doc["id"])
        self.model: dict[str, dict[int, dict[str, Any]]] = {c: {} for c in _COLLECTIONS}
        counters = self.storage.counters()
        self.last = {c: counters.get(c, 0) for c in _COLLECTIONS}
        self.audit = list(self.storage.iterate_audit())

    def _doc(self, collection: str, number: int, body: dict[str, Any]) -> dict[str, Any]:
        return {"id": f"{_PREFIX[collection]}-{number}", **body}

    def _apply(self, ops: list[tuple[str, str, int, dict[str, Any]]],
               model: dict[str, dict[int, dict[str, Any]]]) -> None:
        for op, collection, number, body in ops:
            if op == "put":
                doc = self._doc(collection, number, body)
                self.storage.put(collection, doc)
                model[collection][number] = doc
            else:
                existed = self.storage.delete(collection, f"{_PREFIX[collection]}-{number}")
                assert existed == (model[collection].pop(number, None) is not None)

    @rule(ops=_ops)
    def commit(self, ops: list[tuple[str, str, int, dict[str, Any]]]) -> None:
        with self.storage.transaction():
            self._apply(ops, self.model)
            entry = {"operation": "commit", "n": len(ops)}
            self.storage.append_audit(entry)
        self.audit.append(entry)

    @rule(ops=_ops, nested=st.booleans())
    def fail(self, ops: list[tuple[str, str, int, dict[str, Any]]], nested: bool) -> None:
        scratch = {c: dict(d) for c, d in self.model.items()}
        with suppress(_Boom), self.storage.transaction():
            self.storage.next_number("notes")
            if nested:
                with self.storage.transaction():
                    self._apply(ops, scratch)
            else:
                self._apply(ops, scratch)
            self.storage.append_audit({"operation": "doomed"})
            raise _Boom

    @rule(ops=_ops)
    def nested_commit(self, ops: list[tuple[str, str, int, dict[str, Any]]]) -> None:
        with self.storage.transaction():
            with self.storage.transaction():
                self._apply(ops[:1], self.model)
            self._apply(ops[1:], self.model)

    @rule(collection=st.sampled_from(_COLLECTIONS), count=st.integers(1, 3))
    def allocate(self, collection: str, count: int) -> None:
        with self.storage.transaction():
            first = self.storage.next_number(collection, count)
        assert first > self.last[collection]
        self.last[collection] = first + count - 1

    @invariant()
    def same_as_model(self) -> None:
        for collection in _COLLECTIONS:
            expected = [self.model[collection][n] for n in sorted(self.model[collection])]
            assert list(self.storage.iterate(collection)) == expected
            assert self.storage.count(collection) == len(expected)
            held = [d for d in expected if d["status"] == "held"]
            assert list(self.storage.iterate(collection, {"status": "held"})) == held
            assert self.storage.count(collection, {"status": None}) == sum(
                1 for d in expected if d["status"] is None)
            light = [d for d in expected if d["weight"] in (0, 1)]
            assert list(self.storage.iterate(collection, {"weight": [0, 1]})) == light
            for number in range(1, 9):
                assert self.storage.get(
                    collection, f"{_PREFIX[collection]}-{number}"
                ) == self.model[collection].get(number)
        assert list(self.storage.iterate_audit()) == self.audit
