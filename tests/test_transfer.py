"""Export and import: one document, checked whole, byte-identical round trips."""

import io
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coprod_core import serialise, transfer
from coprod_core.testing.conformance import model_records, unusual_text
from coprod_memory import MemoryStorage

_plugin_docs = st.lists(
    st.fixed_dictionaries({"amount": st.integers(0, 10**6), "note": unusual_text(1, 30),
                           "paid": st.booleans(), "tags": st.lists(unusual_text(1, 5),
                                                                   max_size=2)}),
    max_size=4)
_audit = st.lists(st.fixed_dictionaries({
    "at": st.just("2026-01-05T10:00:00+00:00"), "actor": unusual_text(1, 20),
    "operation": st.sampled_from(["participant.add", "session.attend"]),
    "ids": st.lists(st.sampled_from(["P-1", "S-2", "P-1..P-40"]), max_size=3)}), max_size=4)


def _fill(storage, records, payments, audit, spare):
    with storage.transaction():
        highest = {}
        for collection, record in records:
            storage.put(collection, serialise.unstructure(record))
            number = int(record.id.rsplit("-", 1)[1])
            highest[collection] = max(highest.get(collection, 0), number)
        for collection, number in highest.items():
            storage.next_number(collection, number + spare)
        for i, doc in enumerate(payments, start=1):
            storage.put("pilot_notes", {"id": f"PN-{i}", **doc})
        if payments or spare:
            storage.next_number("pilot_notes", len(payments) + spare)
        for entry in audit:
            storage.append_audit(entry)


def _export(storage):
    out = io.StringIO()
    transfer.write_export(storage, out)
    return out.getvalue()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records=st.lists(model_records(st.integers(1, 50)), max_size=6), payments=_plugin_docs,
       audit=_audit, spare=st.integers(0, 3))
def test_export_import_export_is_byte_identical(records, payments, audit, spare):
    source = MemoryStorage()
    _fill(source, records, payments, audit, spare)
    first = _export(source)
    data = transfer.check_export(json.loads(first))
    target = MemoryStorage()
    transfer.load(target, data)
    assert _export(target) == first
    assert target.counters() == source.counters()


def test_export_across_backends_is_identical(tmp_path):
    from coprod_json.backend import JSONStorage
    from coprod_sqlite.backend import SQLiteStorage

    source = MemoryStorage()
    person = {"id": "P-1", "name": "Aisha 🌈\nשלום", "role": "staff", "schema_version": 1,
              "pseudonym": None, "email": None, "phone": None, "consents": [],
              "demographics": [], "extra": {"pay.rate": 12.5}, "erased_at": None,
              "created_at": "2026-01-05T10:00:00+00:00"}
    _fill(source, [], [{"amount": 3, "note": "bus", "paid": True, "tags": []}],
          [{"operation": "x", "ids": ["P-1"]}], 2)
    with source.transaction():
        source.put("participants", person)
        source.next_number("participants", 4)
    expected = _export(source)
    for target in (SQLiteStorage(tmp_path / "c.db"), JSONStorage(tmp_path / "d")):
        transfer.copy(source, target)
        assert transfer.verify(source, target) == []
        assert _export(target) == expected
        target.close()


def _valid():
    source = MemoryStorage()
    with source.transaction():
        source.next_number("participants", 2)
        source.put("participants", {
            "id": "P-2", "name": "Aisha", "role": "staff", "schema_version": 1,
            "pseudonym": None, "email": None, "phone": None, "consents": [],
            "demographics": [], "extra": {}, "erased_at": None,
            "created_at": "2026-01-05T10:00:00+00:00"})
    return json.loads(_export(source))


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d.update(format="other"), "$.format: must be 'coprod-export'"),
    (lambda d: d.update(format_version=9), "$.format_version: 9 is not a format"),
    (lambda d: d.update(schema_version=99), "$.schema_version: 99: written by a newer coprod"),
    (lambda d: d.update(extra=1), "$.extra: unknown key"),
    (lambda d: d["counters"].update(participants=1),
     "$.counters.participants: is 1 but a record has number 2"),
    (lambda d: d["counters"].update(participants="2"), "$.counters.participants: must be a whole"),
    (lambda d: d["collections"].update({"Bad-Name": []}), "$.collections.Bad-Name: collection"),
    (lambda d: d["collections"]["participants"][0].update(id="P12"),
     "$.collections.participants[0].id: 'P12' is not a record id"),
    (lambda d: d["collections"]["participants"].append(
        dict(d["collections"]["participants"][0])),
     "$.collections.participants[1].id: P-2 appears twice"),
    (lambda d: d["collections"]["participants"][0].update(created_at=5),
     "$.collections.participants[0].created_at"),
    (lambda d: d["collections"]["participants"][0].update(name="   "),
     "$.collections.participants[0]"),
    (lambda d: d["collections"]["participants"][0].pop("role"),
     "$.collections.participants[0].role"),
    (lambda d: d.update(audit=[1]), "$.audit[0]: an audit entry is an object"),
    (lambda d: d["collections"].update(participants={}), "$.collections.participants: must be"),
])
def test_a_bad_export_is_refused_with_its_json_path(change, message):
    data = _valid()
    change(data)
    with pytest.raises(transfer.ImportRefused) as info:
        transfer.check_export(data)
    assert message in str(info.value)


def test_import_needs_an_empty_workspace():
    data = transfer.check_export(_valid())
    target = MemoryStorage()
    with target.transaction():
        target.next_number("sessions")
    with pytest.raises(transfer.CoprodError, match="only into an empty workspace"):
        transfer.load(target, data)


def test_a_failure_while_importing_stores_nothing():
    data = transfer.check_export(_valid())
    data["collections"]["pilot_notes"] = [{"id": "PN-1"}]
    data["counters"]["pilot_notes"] = 1
    target = MemoryStorage()
    real = target.put_many

    def failing(collection, docs):
        if collection == "pilot_notes":
            raise OSError(28, "No space left on device")
        return real(collection, docs)

    target.put_many = failing
    with pytest.raises(OSError):
        transfer.load(target, data)
    assert transfer.is_empty(target)


def test_records_of_a_plugin_collection_are_checked_by_its_type():
    import datetime as dt

    from attrs import frozen

    from coprod_core.records import Collection, core_collections

    @frozen(kw_only=True)
    class Visit:
        id: str
        place: str
        on: dt.date

    collections = {**core_collections(),
                   "site_visits": Collection(prefix="SV", word="site visit", record_type=Visit)}
    data = _valid()
    data["counters"]["site_visits"] = 2
    data["collections"]["site_visits"] = [
        {"id": "SV-1", "place": "Hostel", "on": "2026-03-02", "schema_version": 1},
        {"id": "SV-2", "place": "Day centre", "on": "next week", "schema_version": 1},
    ]
    with pytest.raises(transfer.ImportRefused, match=r"\$\.collections\.site_visits\[1\]\.on"):
        transfer.check_export(data, collections)
    # Without the plugin's collection table its records are copied unchecked.
    transfer.check_export(data)
