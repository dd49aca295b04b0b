"""Erasure deletes only what is its own: the person's export, a regular file, unchanged.

Reproduced: it deleted another person's export because that export's change
log held the erased person's id, and it deleted whatever sat at a path where
an export had once been written (a user's own file, a device node).
"""

from __future__ import annotations

import json
import os
import stat

import pytest

from coprod_core import subject_access


@pytest.fixture
def two(memory_workspace, tmp_path):
    ws = memory_workspace
    ann = ws.add_participant("Ann Lee", role="lived_experience", email="ann@example.org")
    bob = ws.add_participant("Bob Okafor", role="staff")
    session = ws.new_session("Panel", date=ws.today())
    ws.attend(session.id, [ann.id, bob.id])  # Bob's change log now holds Ann's id
    return ws, ann, bob


def test_their_own_unchanged_export_is_deleted(two, tmp_path):
    ws, ann, _bob = two
    path = subject_access.export(ws, ann.id, tmp_path / "ann.json")
    result = ws.erase_participant(ann.id)
    assert result.files_deleted == [str(path)]
    assert result.kept == []
    assert not path.exists()


def test_another_persons_export_is_never_deleted(two, tmp_path):
    # It was deleted because its change log held the erased person's id.
    ws, ann, bob = two
    theirs = subject_access.export(ws, bob.id, tmp_path / "bob.html")
    assert ann.id not in theirs.read_text("utf-8")  # redacted: "[another person]"
    ws.erase_participant(ann.id)
    assert theirs.exists()
    assert ws.count("exports") == 1  # Bob's export is still his


def test_another_persons_export_that_mentions_them_is_listed(two, tmp_path):
    ws, ann, bob = two
    theirs = subject_access.export(ws, bob.id, tmp_path / "bob.md")
    with open(theirs, "a", encoding="utf-8") as fh:
        fh.write("\nNote added by hand: Ann Lee came too.\n")
    result = ws.erase_participant(ann.id)
    assert theirs.exists()
    assert result.files_deleted == []
    [kept] = result.kept
    assert kept.path == str(theirs)
    assert kept.reason == f"it is the export of {bob.id}, made before {ann.id} was erased"
    assert kept.fix == (f"make it again (coprod participant export {bob.id} -o {theirs} "
                        "--force) if it is still needed; the new one will not hold them")


def test_a_replaced_file_is_kept_and_listed(two, tmp_path):
    ws, ann, _bob = two
    path = subject_access.export(ws, ann.id, tmp_path / "ann.md")
    path.write_text("my own notes, saved over the export\n", encoding="utf-8")
    result = ws.erase_participant(ann.id)
    assert path.read_text(encoding="utf-8") == "my own notes, saved over the export\n"
    assert result.files_deleted == []
    [kept] = result.kept
    assert kept.path == str(path)
    assert kept.reason.startswith("its content changed since coprod wrote it")
    assert kept.fix.startswith("open it: if it is still P-1's export, delete it")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_device_node_is_not_touched(two, tmp_path):
    # A named pipe stands in for a device node: opening it for reading would block.
    ws, ann, bob = two
    path = subject_access.export(ws, ann.id, tmp_path / "ann.json")
    theirs = subject_access.export(ws, bob.id, tmp_path / "bob.json")
    path.unlink()
    theirs.unlink()
    os.mkfifo(path)
    os.mkfifo(theirs)
    result = ws.erase_participant(ann.id)
    assert stat.S_ISFIFO(os.lstat(path).st_mode)
    assert stat.S_ISFIFO(os.lstat(theirs).st_mode)
    assert result.files_deleted == []
    reasons = {k.path: k.reason for k in result.kept}
    assert reasons[str(path)] == ("it is a named pipe now, not the file coprod wrote; it was "
                                  "left untouched")


def test_a_link_is_not_followed(two, tmp_path):
    ws, ann, _bob = two
    path = subject_access.export(ws, ann.id, tmp_path / "ann.json")
    target = tmp_path / "precious.json"
    target.write_bytes(path.read_bytes())  # the very same bytes: still not coprod's to delete
    path.unlink()
    path.symlink_to(target)
    result = ws.erase_participant(ann.id)
    assert path.is_symlink()
    assert target.exists()
    assert result.files_deleted == []
    [kept] = result.kept
    assert kept.reason == ("it is a symbolic link now, not the file coprod wrote; it was left "
                           "untouched")


def test_the_hash_of_what_was_written_is_recorded(two, tmp_path):
    import hashlib

    ws, ann, _bob = two
    path = subject_access.export(ws, ann.id, tmp_path / "ann.json")
    [record] = ws.storage.iterate("exports")
    assert record["content_hash"] == "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_command_line_lists_what_it_kept(run, tmp_path):
    run("participant", "add", "Ann Lee", "--role", "lived_experience")
    path = tmp_path / "ann.json"
    run("participant", "export", "P-1", "-o", str(path))
    path.write_text("replaced\n", encoding="utf-8")
    result = run("participant", "erase", "P-1", "--yes")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "P-1 erased; 0 other records changed"
    assert lines[1].startswith(f"kept {path}: its content changed since coprod wrote it")
    assert path.read_text(encoding="utf-8") == "replaced\n"
    as_json = run("participant", "erase", "P-1", "--yes", "--json")
    assert as_json.exit_code == 1  # already erased
    assert json.loads(run("audit", "--json").stdout)[-1]["operation"] == "participant.erase"


def test_a_leftover_copy_that_still_holds_them_is_named(workspace, tmp_path):
    # A backup killed part-way leaves a complete database beside the workspace's.
    ws = workspace
    ann = ws.add_participant("Ann Lee", role="lived_experience", email="ann@example.org")
    leftover = ws.root / ".backup.db.999999.tmp"  # no such process: a leftover
    leftover.write_bytes(b"SQLite format 3\x00 ... Ann Lee ... ann@example.org ...")
    other = ws.root / ".notes.999998.tmp"
    other.write_bytes(b"nothing about anyone")
    result = ws.erase_participant(ann.id)
    kept = {k.path: k for k in result.kept}
    assert str(leftover) in kept
    assert kept[str(leftover)].reason.endswith(f"it still holds {ann.id}")
    assert str(other) not in kept
    assert leftover.exists()  # listed, not deleted: what to do is in kept[...].fix
