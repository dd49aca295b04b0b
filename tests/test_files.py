"""coprod_core.files: atomic owner-only writes, the output-path rule, safe removal."""

import os
import stat
import subprocess
import sys

import pytest

from coprod_core import files
from coprod_core.errors import CoprodError, OutputError


@pytest.fixture
def umask():
    """Set the process umask for one test: ``umask(0o000)``; restored afterwards."""
    old = os.umask(0o022)
    os.umask(old)

    def set_to(value):
        os.umask(value)

    yield set_to
    os.umask(old)


def mode(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


def dead_pid():
    """The pid of a process that has ended."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


# ---------------------------------------------------------------- atomic writes


@pytest.mark.parametrize("mask", [0o000, 0o022, 0o077, 0o277])
def test_private_files_are_owner_only_whatever_the_umask(tmp_path, umask, mask):
    umask(mask)
    target = tmp_path / "people.json"
    files.atomic_write(target, "Aisha")
    assert mode(target) == 0o600
    assert target.read_text() == "Aisha"
    target.write_text("old")
    os.chmod(target, 0o644)
    files.atomic_write(target, b"new")  # a replaced file is owner-only too
    assert mode(target) == 0o600


@pytest.mark.parametrize(("mask", "expected"), [(0o000, 0o666), (0o022, 0o644)])
def test_files_without_personal_data_follow_the_umask(tmp_path, umask, mask, expected):
    umask(mask)
    target = tmp_path / "totals.md"
    files.atomic_write(target, "# 12 people", private=False)
    assert mode(target) == expected


@pytest.mark.parametrize("mask", [0o000, 0o022])
def test_private_folders_are_owner_only_whatever_the_umask(tmp_path, umask, mask):
    umask(mask)
    folder = files.private_folder(tmp_path / "a" / "b", parents=True)
    assert mode(folder) == 0o700
    assert mode(tmp_path / "a") == 0o700


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path):
    target = tmp_path / "export.json"
    target.write_text("old")
    with pytest.raises(RuntimeError), files.atomic_open(target, "w") as fh:
        fh.write("half of the ne")
        raise RuntimeError("stopped")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.json"]


def test_streamed_chunks(tmp_path):
    target = tmp_path / "report.csv"
    files.atomic_write(target, iter([b"a,", b"b\n"]))
    assert target.read_bytes() == b"a,b\n"


def test_the_helper_refuses_non_regular_targets(tmp_path):
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    with pytest.raises(OutputError, match="is a named pipe, not a regular file"):
        files.atomic_write(pipe, "x")
    assert stat.S_ISFIFO(os.lstat(pipe).st_mode)
    real = tmp_path / "real.txt"
    real.write_text("someone's own file")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    with pytest.raises(OutputError, match="is a symbolic link"):
        files.atomic_write(link, "x")
    assert link.is_symlink()
    assert real.read_text() == "someone's own file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.txt", "pipe", "real.txt"]


def test_a_temporary_copy_is_recorded_in_the_ledger_while_it_is_written(tmp_path):
    workspace = tmp_path / "ws"
    workspace.mkdir()
    elsewhere = tmp_path / "out"
    elsewhere.mkdir()
    ledger = files.ledger_of(workspace)
    with files.atomic_open(elsewhere / "copy.json", "w", ledger=ledger) as fh:
        fh.write("{}")
        entries = list(ledger.iterdir())
        assert len(entries) == 1
        assert str(elsewhere) in entries[0].read_text()
        assert mode(ledger) == 0o700
    assert list(ledger.iterdir()) == []
    # Where find_leftovers looks (two levels down), a temporary file is found by its
    # name: no entry; deeper down, it is noted like one outside.
    (workspace / "reports").mkdir()
    with files.atomic_open(workspace / "reports" / "report.md", "w", ledger=ledger):
        assert list(ledger.iterdir()) == []
    (workspace / "reports" / "2026").mkdir()
    with files.atomic_open(workspace / "reports" / "2026" / "report.md", "w", ledger=ledger):
        assert len(list(ledger.iterdir())) == 1


# ---------------------------------------------------------------- the output-path rule


def test_output_rule_refuses_an_existing_file_without_force(tmp_path):
    target = tmp_path / "r.md"
    target.write_text("keep")
    with pytest.raises(OutputError, match="already exists; choose another name or add --force"):
        files.check_output(target)
    assert files.check_output(target, force=True) == target


@pytest.mark.parametrize("force", [False, True])
def test_output_rule_never_replaces_a_device_fifo_or_link(tmp_path, force):
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    with pytest.raises(OutputError, match="is a named pipe, not a regular file; coprod writes "
                                          "only regular files"):
        files.check_output(pipe, force=force)
    link = tmp_path / "null"
    link.symlink_to("/dev/null")
    with pytest.raises(OutputError, match="is a symbolic link"):
        files.check_output(link, force=force)
    with pytest.raises(OutputError, match="is a device"):
        files.check_output("/dev/null", force=force)
    with pytest.raises(OutputError, match="is a folder"):
        files.check_output(tmp_path, force=force)


def test_output_rule_for_folders(tmp_path):
    (tmp_path / "old").mkdir()
    assert files.check_output(tmp_path / "old", force=True, folder=True)
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match="is a file; this report writes a folder"):
        files.check_output(tmp_path / "file", force=True, folder=True)
    (tmp_path / "link").symlink_to(tmp_path / "old")
    with pytest.raises(OutputError, match="is a symbolic link"):
        files.check_output(tmp_path / "link", force=True, folder=True)


def test_output_rule_names_too_long_and_missing_folders(tmp_path):
    long = tmp_path / ("n" * 300 + ".md")
    with pytest.raises(OutputError, match="a name in it is 303 characters long; use at most 255"):
        files.check_output(long)
    with pytest.raises(OutputError, match=r"folder .*missing does not exist"):
        files.check_output(tmp_path / "missing" / "r.md")
    (tmp_path / "plain").write_text("x")
    with pytest.raises(OutputError, match="plain is a file, not a folder"):
        files.check_output(tmp_path / "plain" / "r.md")
    with pytest.raises(OutputError, match="cannot hold a NUL"):
        files.check_output(str(tmp_path / "a\x00b"))


def test_a_huge_path_is_not_echoed_whole(tmp_path):
    with pytest.raises(OutputError) as caught:
        files.check_output("x" * 200_000)
    assert len(str(caught.value)) < 600
    assert "200000 characters" in str(caught.value)


def test_output_errors_are_coprod_errors():
    assert issubclass(OutputError, CoprodError)


# ---------------------------------------------------------------- removing safely


def test_remove_if_unchanged_removes_the_file_coprod_wrote(tmp_path):
    target = tmp_path / "export.json"
    files.atomic_write(target, "Aisha's data")
    result = files.remove_if_unchanged(target, files.data_hash("Aisha's data"))
    assert result.removed and not target.exists()
    assert files.file_hash is not None


def test_remove_if_unchanged_leaves_a_changed_or_replaced_file(tmp_path):
    target = tmp_path / "export.json"
    target.write_text("Aisha's data")
    recorded = files.file_hash(target)
    target.write_text("Aisha's data, and my own notes")
    result = files.remove_if_unchanged(target, recorded)
    assert not result.removed
    assert "content changed since coprod wrote it" in result.reason
    assert target.exists()
    target.unlink()
    target.write_text("a file of mine that took its place")
    assert not files.remove_if_unchanged(target, recorded).removed
    assert target.exists()


def test_remove_if_unchanged_never_follows_a_link_or_touches_a_fifo(tmp_path):
    precious = tmp_path / "precious.txt"
    precious.write_text("Aisha's data")
    recorded = files.file_hash(precious)
    link = tmp_path / "export.json"
    link.symlink_to(precious)
    result = files.remove_if_unchanged(link, recorded)
    assert not result.removed and "symbolic link" in result.reason
    assert link.is_symlink() and precious.read_text() == "Aisha's data"
    link.unlink()
    os.mkfifo(link)
    result = files.remove_if_unchanged(link, recorded)  # must not block on the pipe
    assert not result.removed and "named pipe" in result.reason
    assert stat.S_ISFIFO(os.lstat(link).st_mode)
    dev = files.remove_if_unchanged("/dev/null", recorded)
    assert not dev.removed and "device" in dev.reason
    assert os.path.exists("/dev/null")


def test_remove_if_unchanged_without_a_fingerprint_or_a_file(tmp_path):
    target = tmp_path / "export.json"
    target.write_text("x")
    result = files.remove_if_unchanged(target, None)
    assert not result.removed and "no fingerprint" in result.reason
    gone = files.remove_if_unchanged(tmp_path / "gone.json", "sha256:00")
    assert gone.missing and not gone.removed


# ---------------------------------------------------------------- leftovers


def test_leftovers_are_found_and_swept(tmp_path):
    ws = tmp_path / "ws"
    ws.mkdir()
    pid = dead_pid()
    old = ws / f".coprod.db.{pid}-{pid}.coprod-tmp"
    old.write_text("a whole copy of the database")
    older = ws / "reports" / f".summary.md.{pid}.tmp"
    older.parent.mkdir()
    older.write_text("from an older coprod")
    running = ws / f".coprod.toml.{os.getpid()}-7.coprod-tmp"
    running.write_text("being written right now")
    mine = ws / "notes.tmp"
    mine.write_text("a person's own file")
    found = {item.path for item in files.find_leftovers(ws)}
    assert found == {str(old), str(older)}
    assert files.sweep_leftovers(ws) == []
    assert not old.exists() and not older.exists()
    assert running.exists() and mine.exists()


def test_leftovers_written_elsewhere_are_found_through_the_ledger(tmp_path):
    ws = tmp_path / "ws"
    ws.mkdir()
    ledger = files.private_folder(files.ledger_of(ws))
    pid = dead_pid()
    copy = tmp_path / "backups" / f".monday.db.{pid}.coprod-tmp"
    copy.parent.mkdir()
    copy.write_text("a whole copy")
    (ledger / f"{pid}-1.json").write_text(f'{{"temp": "{copy}", "pid": {pid}}}')
    [item] = files.find_leftovers(ws)
    assert item.path == str(copy) and item.kind == "temporary"
    assert item.fix == f"rm '{copy}'"
    files.sweep_leftovers(ws)
    assert not copy.exists()
    assert list(ledger.iterdir()) == []


def test_the_ledger_never_makes_coprod_remove_another_file(tmp_path):
    ws = tmp_path / "ws"
    ws.mkdir()
    ledger = files.private_folder(files.ledger_of(ws))
    pid = dead_pid()
    precious = tmp_path / "precious.db"
    precious.write_text("not a temporary file")
    (ledger / f"{pid}-1.json").write_text(f'{{"temp": "{precious}", "pid": {pid}}}')
    assert files.find_leftovers(ws) == []
    files.sweep_leftovers(ws)
    assert precious.exists()


def test_a_partial_migration_is_named_not_removed(tmp_path):
    ws = tmp_path / "ws"
    ws.mkdir()
    entry = files.record_migration(ws, "json", str(ws / "coprod-data"),
                                   f"rm -r '{ws / 'coprod-data'}'")
    assert entry is not None
    data = entry.read_text().replace(str(os.getpid()), str(dead_pid()))
    entry.write_text(data)
    [item] = files.find_leftovers(ws)
    assert item.kind == "migration"
    assert "coprod migrate --to json" in item.what
    assert f"rm -r '{ws / 'coprod-data'}'" in item.fix
    assert files.sweep_leftovers(ws) == [item]
    assert entry.exists()


def test_threads_writing_one_file_at_once_never_share_a_temporary_file(tmp_path):
    import threading

    target = tmp_path / "secret"
    texts = [f"text {n} " * 2000 for n in range(8)]
    errors = []

    def write(text):
        try:
            for _ in range(20):
                files.atomic_write(target, text)
        except Exception as exc:  # collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(t,)) for t in texts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert target.read_text() in texts  # whole, one writer's
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret"]
