"""SQLite hardening: durability settings, permissions, contention, integrity, migrations."""

import threading
import time

import pytest

from coprod_core import fsinfo, serialise
from coprod_core.errors import StorageError
from coprod_core.workspace import Workspace
from coprod_sqlite.backend import SQLiteStorage


def mode(path):
    return path.stat().st_mode & 0o777


def test_wal_full_sync_and_secure_delete(tmp_path):
    storage = SQLiteStorage(tmp_path / "c.db")
    db = storage._db
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert db.execute("PRAGMA secure_delete").fetchone()[0] == 1
    storage.close()


def test_database_wal_shm_and_config_are_owner_only(workspace_dir, plugin_manager):
    config = workspace_dir / "coprod.toml"
    config.chmod(0o644)
    ws = Workspace.open(workspace_dir, plugins=plugin_manager, actor="tester")
    ws.add_participant("Aisha", role="lived_experience")
    db = workspace_dir / "coprod.db"
    for path in (db, workspace_dir / "coprod.db-wal", workspace_dir / "coprod.db-shm", config):
        assert path.exists(), path
        assert mode(path) == 0o600, path
    ws.close()


def test_network_filesystem_warning_reaches_the_workspace(workspace_dir, plugin_manager,
                                                          tmp_path, monkeypatch):
    mounts = tmp_path / "mounts"
    mounts.write_text(f"/dev/sda1 / ext4 rw 0 0\nserver:/x {workspace_dir} nfs rw 0 0\n")
    monkeypatch.setattr(fsinfo, "MOUNTS", mounts)
    warnings = []
    ws = Workspace.open(workspace_dir, plugins=plugin_manager, warn=warnings.append)
    ws.close()
    assert len(warnings) == 1
    assert "network filesystem (nfs)" in warnings[0]


def test_writers_queue_instead_of_failing(tmp_path):
    first = SQLiteStorage(tmp_path / "c.db", timeout=10)
    second = SQLiteStorage(tmp_path / "c.db", timeout=10)
    holding = threading.Event()
    done = []

    def slow_writer():
        with first.transaction():
            first.put("notes", {"id": "N-1", "n": first.next_number("notes")})
            holding.set()
            time.sleep(0.3)

    thread = threading.Thread(target=slow_writer)
    thread.start()
    holding.wait()
    with second.transaction():
        n = second.next_number("notes")
        second.put("notes", {"id": f"N-{n}", "n": n})
        done.append(n)
    thread.join()
    assert done == [2]
    assert second.count("notes") == 2
    first.close()
    second.close()


def test_a_writer_that_waits_too_long_gets_a_clear_error(tmp_path):
    first = SQLiteStorage(tmp_path / "c.db", timeout=5)
    second = SQLiteStorage(tmp_path / "c.db", timeout=0.1)
    with first.transaction():
        first.put("notes", {"id": "N-1"})
        refused = pytest.raises(StorageError, match="could not start a write")
        with refused as info, second.transaction():
            pass
    assert "c.db" in str(info.value)
    first.close()
    second.close()


def test_integrity_check(tmp_path):
    path = tmp_path / "c.db"
    storage = SQLiteStorage(path)
    with storage.transaction():
        storage.put_many("notes", ({"id": f"N-{n}", "text": "x" * 500} for n in range(1, 400)))
    assert storage.check_integrity() == []
    storage.close()
    raw = bytearray(path.read_bytes())
    page = 4096
    raw[page * 3: page * 3 + 200] = b"\xff" * 200
    path.write_bytes(bytes(raw))
    broken = SQLiteStorage(path)
    problems = broken.check_integrity()
    broken.close()
    assert problems
    assert problems != ["ok"]


def test_online_backup_while_another_process_writes(tmp_path):
    storage = SQLiteStorage(tmp_path / "c.db")
    with storage.transaction():
        storage.put_many("notes", ({"id": f"N-{n}"} for n in range(1, 3000)))
    other = SQLiteStorage(tmp_path / "c.db")
    stop = threading.Event()

    def keep_writing():
        n = 5000
        while not stop.is_set():
            with other.transaction():
                other.put("notes", {"id": f"N-{n}"})
            n += 1

    thread = threading.Thread(target=keep_writing)
    thread.start()
    try:
        storage.backup(tmp_path / "copy.db")
    finally:
        stop.set()
        thread.join()
    copy = SQLiteStorage(tmp_path / "copy.db")
    assert copy.check_integrity() == []
    assert copy.count("notes") >= 2999
    assert mode(tmp_path / "copy.db") == 0o600
    for s in (storage, other, copy):
        s.close()


def test_older_documents_are_migrated_when_read(workspace, monkeypatch):
    """The migration mechanism: bump SCHEMA_VERSION, register a pure function."""
    person = workspace.add_participant("Aisha", role="lived_experience")
    with workspace.storage.transaction():
        old = workspace.storage.get("participants", person.id)
        # What a version-1 document held: "known_as", and no pseudonym.
        old["known_as"] = old.pop("name")
        del old["pseudonym"]
        workspace.storage.put("participants", old)

    def rename(doc):
        doc["name"] = doc.pop("known_as")
        doc.setdefault("pseudonym", None)
        return doc

    monkeypatch.setattr(serialise, "SCHEMA_VERSION", 2)
    monkeypatch.setitem(serialise.MIGRATIONS, ("participants", 1), rename)
    assert workspace.participant(person.id).name == "Aisha"
    assert serialise.unstructure(person)["schema_version"] == 2


def test_a_document_from_a_newer_coprod_is_refused(workspace):
    person = workspace.add_participant("Aisha", role="lived_experience")
    with workspace.storage.transaction():
        doc = workspace.storage.get("participants", person.id)
        workspace.storage.put("participants", {**doc, "schema_version": 99})
    with pytest.raises(StorageError, match="newer coprod"):
        workspace.participant(person.id)


def test_a_database_from_storage_version_1_is_upgraded(tmp_path):
    """Version 1 kept indexed fields as generated columns; version 2 fills plain ones."""
    import sqlite3

    from coprod_sqlite.backend import STORAGE_VERSION

    path = tmp_path / "old.db"
    db = sqlite3.connect(path)
    db.executescript("""
        CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);
        INSERT INTO meta VALUES ('storage_version', '1');
        CREATE TABLE counters(collection TEXT PRIMARY KEY, last INTEGER NOT NULL);
        INSERT INTO counters VALUES ('tensions', 2);
        CREATE TABLE audit(seq INTEGER PRIMARY KEY AUTOINCREMENT, entry TEXT NOT NULL);
        CREATE TABLE doc_tensions(num INTEGER PRIMARY KEY, id TEXT NOT NULL, doc TEXT NOT NULL,
            kind GENERATED ALWAYS AS (json_extract(doc, '$.kind')) VIRTUAL,
            status GENERATED ALWAYS AS (json_extract(doc, '$.status')) VIRTUAL,
            session_id GENERATED ALWAYS AS (json_extract(doc, '$.session_id')) VIRTUAL,
            raised_by GENERATED ALWAYS AS (json_extract(doc, '$.raised_by')) VIRTUAL);
        CREATE INDEX doc_tensions_status ON doc_tensions(status);
        INSERT INTO doc_tensions(num, id, doc) VALUES
            (1, 'T-1', '{"id": "T-1", "kind": "power", "status": "held"}'),
            (2, 'T-2', '{"id": "T-2", "kind": "identity", "status": "raised"}');
    """)
    db.close()
    storage = SQLiteStorage(path)
    assert [d["id"] for d in storage.iterate("tensions", {"status": "held"})] == ["T-1"]
    assert storage.count("tensions", {"kind": ["power", "identity"]}) == 2
    assert storage.counters() == {"tensions": 2}
    hidden = storage._db.execute("PRAGMA table_xinfo(doc_tensions)").fetchall()
    assert all(column[6] == 0 for column in hidden)  # no generated columns left
    assert storage._db.execute(
        "SELECT value FROM meta WHERE key = 'storage_version'").fetchone() == (
        str(STORAGE_VERSION),)
    assert storage.check_integrity() == []
    storage.close()


def test_a_database_from_a_newer_coprod_is_refused(tmp_path):
    storage = SQLiteStorage(tmp_path / "c.db")
    with storage.transaction():
        storage._db.execute("UPDATE meta SET value = '99' WHERE key = 'storage_version'")
    storage.close()
    with pytest.raises(StorageError, match="newer coprod"):
        SQLiteStorage(tmp_path / "c.db")
