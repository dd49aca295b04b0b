"""A full disk and a read-only filesystem, for real: reads never need a write.

chmod does not stop root, and these tests often run as root (CI does), so
they use a small tmpfs mounted for the test: its size makes a real full
disk (ENOSPC), and ``mount -o remount,ro`` makes a real read-only
filesystem (EROFS), which stops root too. Where mounting is not permitted
(not root, or a container without CAP_SYS_ADMIN) the tests are skipped.
Each mount is unmounted when its test ends.
"""

import os
import shutil
import stat
import subprocess

import pytest
from click.testing import CliRunner

from coprod_core.cli import cli
from coprod_core.errors import StorageError
from coprod_core.workspace import Workspace


class SmallDisk:
    def __init__(self, path):
        self.path = path

    def remount(self, *options):
        subprocess.run(["mount", "-o", ",".join(("remount", *options)), str(self.path)],
                       check=True, capture_output=True)

    def fill(self, leave=0):
        """Fill the disk but ``leave`` bytes (a whole number of 4 KiB pages); ``free``
        removes the filler."""
        fd = os.open(self.path / "filler", os.O_CREAT | os.O_WRONLY, 0o600)
        try:
            while True:
                os.write(fd, b"\0" * 4096)
        except OSError:
            pass
        finally:
            os.close(fd)
        if leave:
            filler = self.path / "filler"
            os.truncate(filler, max(filler.stat().st_size - leave, 0))

    def free(self):
        (self.path / "filler").unlink(missing_ok=True)


@pytest.fixture
def small_disk(tmp_path):
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    if shutil.which("mount") is None:
        pytest.skip("no mount command here")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs",
                           str(mount_point)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"mounting a small tmpfs is not permitted here: {done.stderr.decode()}")
    try:
        yield SmallDisk(mount_point)
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], capture_output=True)


@pytest.fixture
def coprod(plugin_manager):
    runner = CliRunner()

    def invoke(workspace, *args):
        return runner.invoke(cli, ["-w", str(workspace), *args], catch_exceptions=False,
                             env={"COPROD_USER": "tester"})

    return invoke


def filled_workspace(root, backend, plugin_manager):
    with Workspace.create(root, org="Test", backend=backend, plugins=plugin_manager,
                          actor="tester") as ws:
        ws.add_participant("Aisha", role="lived_experience")
        ws.raise_tension("Curfews decided without the panel", kind="power")
    return root


def only_the_notice(result, reason):
    """A read that worked: its output, and on stderr one plain warning line."""
    assert result.exit_code == 0, result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("warning: changes cannot be saved to ")
    assert reason in result.stderr
    assert "you can still list, show, report and run doctor" in result.stderr


def a_refused_change(result, reason):
    assert result.exit_code == 1
    assert result.stdout == ""
    last = result.stderr.splitlines()[-1]
    assert last.startswith("error: this change was not saved: changes cannot be saved")
    assert reason in last
    assert "unexpected" not in result.stderr and "Traceback" not in result.stderr


def doctor_says_so(result, reason):
    assert result.exit_code == 0, result.stdout
    assert "warning writable: changes cannot be saved to " in result.stdout
    assert reason in result.stdout
    assert "error" not in result.stdout.split("writable")[0]
    assert "unable to open database file" not in result.stdout
    assert "that the server or file is there" not in result.stdout


# ---------------------------------------------------------------- a read-only filesystem


@pytest.mark.parametrize("backend", ["sqlite", "json"])
def test_a_read_only_workspace_can_still_be_read(small_disk, coprod, plugin_manager, backend):
    ws = filled_workspace(small_disk.path / "ws", backend, plugin_manager)
    small_disk.remount("ro")
    reason = "until its filesystem is writable again (it is mounted read-only)"
    listed = coprod(ws, "participant", "list")
    only_the_notice(listed, reason)
    assert "Aisha" in listed.stdout
    only_the_notice(coprod(ws, "tension", "list"), reason)
    only_the_notice(coprod(ws, "participant", "show", "P-1", "--json"), reason)
    report = coprod(ws, "report", "summary")
    only_the_notice(report, reason)
    assert report.stdout.startswith("# Summary")
    doctor_says_so(coprod(ws, "doctor"), reason)
    a_refused_change(coprod(ws, "participant", "add", "Ben", "--role", "staff"), reason)
    small_disk.remount("rw")
    assert coprod(ws, "participant", "add", "Ben", "--role", "staff").exit_code == 0
    assert coprod(ws, "participant", "list").stderr == ""


# ---------------------------------------------------------------- a full disk


def test_json_on_a_full_disk_reads_and_keeps_the_change_under_way(small_disk, coprod,
                                                                  plugin_manager):
    ws = filled_workspace(small_disk.path / "ws", "json", plugin_manager)
    # Room for the journal of one change (one 4 KiB page), not for its files: the
    # commit point is passed, then writing the files out fails.
    small_disk.fill(leave=4096)
    with Workspace.open(ws, plugins=plugin_manager, actor="tester") as opened, \
            pytest.raises(StorageError, match="the change is kept in its journal"):
        opened.raise_tension("Tension " + "x" * 2000, kind="power")
    assert (ws / "coprod-data" / ".journal.json").exists()
    reason = "until there is space on its disk again: free some space"
    listed = coprod(ws, "tension", "list", "--json")
    only_the_notice(listed, reason)
    before = listed.stdout
    assert "x" * 2000 in before  # the change in the journal is read
    doctor_says_so(coprod(ws, "doctor"), reason)
    only_the_notice(coprod(ws, "report", "tensions"), reason)
    a_refused_change(coprod(ws, "participant", "add", "Ben", "--role", "staff"), reason)
    # The last change read back from its journal is there once space returns.
    small_disk.free()
    after = coprod(ws, "tension", "list", "--json")
    assert after.exit_code == 0 and after.stderr == ""
    assert after.stdout == before
    assert not (ws / "coprod-data" / ".journal.json").exists()


def test_sqlite_on_a_full_disk_can_still_be_read(small_disk, coprod, plugin_manager):
    ws = filled_workspace(small_disk.path / "ws", "sqlite", plugin_manager)
    small_disk.fill()
    reason = "until there is space on its disk again: free some space"
    listed = coprod(ws, "participant", "list")
    only_the_notice(listed, reason)
    assert "Aisha" in listed.stdout
    only_the_notice(coprod(ws, "report", "summary"), reason)
    doctor_says_so(coprod(ws, "doctor"), reason)
    a_refused_change(coprod(ws, "tension", "raise", "More say", "--kind", "power"), reason)
    small_disk.free()
    assert coprod(ws, "tension", "raise", "More say", "--kind", "power").exit_code == 0
    assert coprod(ws, "tension", "list").stderr == ""


# ---------------------------------------------------------------- -o on such places


WRITERS = {
    "report": lambda out: ("report", "summary", "-o", out),
    "export": lambda out: ("export", "-o", out),
    "participant export": lambda out: ("participant", "export", "P-1", "-o", out),
    "backup": lambda out: ("backup", out),
}


@pytest.mark.parametrize("command", sorted(WRITERS))
def test_output_to_a_read_only_place_is_one_line(small_disk, coprod, plugin_manager, tmp_path,
                                                 command):
    ws = filled_workspace(tmp_path / "ws", "sqlite", plugin_manager)
    small_disk.remount("ro")
    target = small_disk.path / "out.json"
    result = coprod(ws, *WRITERS[command](str(target)))
    assert result.exit_code == 1
    assert result.stderr == (f"error: cannot write {target}: folder {small_disk.path} is on a "
                             "read-only filesystem\n")


@pytest.mark.parametrize("command", sorted(WRITERS))
def test_output_to_a_full_disk_is_one_line_and_leaves_nothing(small_disk, coprod,
                                                              plugin_manager, tmp_path,
                                                              command):
    ws = filled_workspace(tmp_path / "ws", "sqlite", plugin_manager)
    small_disk.fill()
    target = small_disk.path / "out.json"
    result = coprod(ws, *WRITERS[command](str(target)))
    assert result.exit_code == 1
    assert result.stderr == f"error: cannot write {target}: the disk is full; free some " \
                            "space and try again\n"
    assert sorted(os.listdir(small_disk.path)) == ["filler"]
    with Workspace.open(ws, plugins=plugin_manager) as opened:
        assert opened.count("exports") == 0


def test_the_mount_is_a_real_read_only_filesystem(small_disk):
    # The premise of these tests: root is stopped too.
    small_disk.remount("ro")
    with pytest.raises(OSError) as caught:
        (small_disk.path / "x").write_text("x")
    assert caught.value.errno == 30  # EROFS
    assert stat.S_ISDIR(os.stat(small_disk.path).st_mode)
