"""The JSON folder store: readable files, atomic commits, locking, recovery."""

import json
import os

import pytest

from coprod_core.errors import StorageError
from coprod_json import backend
from coprod_json.backend import JSONStorage


def snapshot(folder):
    """Every file under ``folder`` with its bytes (the lock file aside)."""
    files = {}
    for dirpath, _dirs, names in os.walk(folder):
        for name in names:
            if name != ".lock":
                path = os.path.join(dirpath, name)
                with open(path, "rb") as fh:
                    files[os.path.relpath(path, folder)] = fh.read()
    return files


@pytest.fixture
def store(tmp_path):
    storage = JSONStorage(tmp_path / "data")
    yield storage
    storage.close()


def test_one_readable_file_per_record(store, tmp_path):
    with store.transaction():
        n = store.next_number("participants")
        store.put("participants", {"id": f"P-{n}", "role": "staff", "name": "Zoë 🌈",
                                   "extra": {"b": 1, "a": 2}})
        store.append_audit({"operation": "participant.add", "ids": ["P-1"]})
    text = (tmp_path / "data" / "participants" / "1.json").read_text(encoding="utf-8")
    assert text == (
        '{\n  "extra": {\n    "a": 2,\n    "b": 1\n  },\n  "id": "P-1",\n'
        '  "name": "Zoë 🌈",\n  "role": "staff"\n}\n'
    )
    assert json.loads((tmp_path / "data" / "counters.json").read_text()) == {"participants": 1}
    assert (tmp_path / "data" / "audit.jsonl").read_text().count("\n") == 1


def test_files_and_folders_are_owner_only(store, tmp_path):
    with store.transaction():
        store.put("participants", {"id": f"P-{store.next_number('participants')}"})
        store.append_audit({"x": 1})
    data = tmp_path / "data"
    assert data.stat().st_mode & 0o777 == 0o700
    assert (data / "participants").stat().st_mode & 0o777 == 0o700
    for name in ("participants/1.json", "audit.jsonl", "counters.json", ".lock"):
        assert (data / name).stat().st_mode & 0o777 == 0o600, name


def test_a_failed_transaction_changes_no_file(store, tmp_path):
    with store.transaction():
        store.put_many("notes", ({"id": f"N-{n}", "v": 1} for n in range(1, 6)))
        store.next_number("notes", 5)
        store.append_audit({"op": 1})
    before = snapshot(tmp_path / "data")
    with pytest.raises(RuntimeError), store.transaction():
        store.put("notes", {"id": "N-1", "v": 2})
        store.delete("notes", "N-2")
        store.put("fresh", {"id": "F-1"})
        store.next_number("notes")
        store.append_audit({"op": 2})
        raise RuntimeError("disk full")
    assert snapshot(tmp_path / "data") == before


def test_a_crash_after_the_journal_is_finished_on_reopening(tmp_path, monkeypatch):
    store = JSONStorage(tmp_path / "data")
    with store.transaction():
        store.put_many("notes", ({"id": f"N-{n}", "v": 1} for n in range(1, 4)))
    real_write = backend.write_file
    written = []

    def dies_after_one(path, text):
        if path.name != backend.JOURNAL and written:
            raise OSError(5, "Input/output error")
        real_write(path, text)
        if path.name != backend.JOURNAL:
            written.append(path)

    monkeypatch.setattr(backend, "write_file", dies_after_one)
    with pytest.raises(StorageError, match="kept in its journal"), store.transaction():
        for n in range(1, 4):
            store.put("notes", {"id": f"N-{n}", "v": 2})
        store.append_audit({"op": "update"})
    assert (tmp_path / "data" / backend.JOURNAL).exists()
    store.close()
    monkeypatch.setattr(backend, "write_file", real_write)
    reopened = JSONStorage(tmp_path / "data")
    assert not (tmp_path / "data" / backend.JOURNAL).exists()
    assert [d["v"] for d in reopened.iterate("notes")] == [2, 2, 2]
    assert list(reopened.iterate_audit()) == [{"op": "update"}]
    reopened.close()


def test_a_journal_is_replayed_idempotently(tmp_path):
    store = JSONStorage(tmp_path / "data")
    with store.transaction():
        store.append_audit({"op": 1})
    store.close()
    data = tmp_path / "data"
    offset = (data / "audit.jsonl").stat().st_size
    journal = {"files": {"notes/1.json": '{"id": "N-1"}\n', "notes/2.json": None},
               "audit": {"offset": offset, "text": '{"op": 2}\n'}}
    (data / backend.JOURNAL).write_text(json.dumps(journal))
    # A half-done first attempt: part of the audit line already appended.
    with open(data / "audit.jsonl", "a") as fh:
        fh.write('{"op"')
    (data / ".stray.json.123.tmp").write_text("half")
    reopened = JSONStorage(data)
    assert list(reopened.iterate_audit()) == [{"op": 1}, {"op": 2}]
    assert reopened.get("notes", "N-1") == {"id": "N-1"}
    assert not (data / ".stray.json.123.tmp").exists()
    reopened.close()


def test_a_second_writer_waits_then_times_out_clearly(tmp_path):
    first = JSONStorage(tmp_path / "data")
    second = JSONStorage(tmp_path / "data", timeout=0.2)
    with first.transaction():
        first.put("notes", {"id": "N-1"})
        waited = pytest.raises(StorageError, match="another process has been writing")
        with waited, second.transaction():
            pass
    with second.transaction():
        second.put("notes", {"id": "N-2"})
    assert second.count("notes") == 2
    first.close()
    second.close()


def test_reads_inside_a_transaction_see_its_writes(store):
    with store.transaction():
        store.put("notes", {"id": "N-3"})
        store.put("notes", {"id": "N-1"})
        assert [d["id"] for d in store.iterate("notes")] == ["N-1", "N-3"]
        assert store.delete("notes", "N-3")
        assert store.count("notes") == 1
        assert store.collections() == ["notes"]


def test_bad_ids_and_folders_are_refused(tmp_path):
    store = JSONStorage(tmp_path / "data")
    refused = pytest.raises(StorageError, match="cannot store a record with id")
    with refused, store.transaction():
        store.put("notes", {"id": "../../etc-1"})
    store.close()
    with pytest.raises(StorageError, match="does not exist"):
        JSONStorage(tmp_path / "missing" / "data")
    (tmp_path / "file").write_text("x")
    with pytest.raises(StorageError):
        JSONStorage(tmp_path / "file")


def test_integrity_check_finds_damaged_files(store, tmp_path):
    with store.transaction():
        store.put("notes", {"id": "N-1"})
        store.put("notes", {"id": "N-2"})
    assert store.check_integrity() == []
    (tmp_path / "data" / "notes" / "2.json").write_text("{not json")
    (tmp_path / "data" / "notes" / "3.json").write_text('{"id": "N-4"}')
    problems = store.check_integrity()
    assert len(problems) == 2
    assert any("2.json" in p for p in problems)
    assert any("holds N-4" in p for p in problems)


def test_purge_sweeps_leftover_temporary_files(store, tmp_path):
    with store.transaction():
        store.put("participants", {"id": "P-1", "name": "Erase me"})
    (tmp_path / "data" / "participants" / ".1.json.999.tmp").write_text("Erase me")
    with store.transaction():
        store.delete("participants", "P-1")
    store.purge()
    assert list((tmp_path / "data" / "participants").iterdir()) == []


def test_the_workspace_opens_a_json_store(tmp_path, plugin_manager):
    from coprod_core.workspace import Workspace

    ws = Workspace.create(tmp_path / "ws", backend="json", plugins=plugin_manager, actor="t")
    person = ws.add_participant("Aisha", role="lived_experience")
    ws.close()
    assert (tmp_path / "ws" / "coprod-data" / "participants" / "1.json").exists()
    with Workspace.open(tmp_path / "ws", plugins=plugin_manager) as again:
        assert again.participant("P-1") == person
