"""Files through the command line: owner-only under any umask, the output-path rule."""

import os
import stat
import subprocess
import sys

import pytest
from intake_forms import FORMS

from coprod_core.workspace import Workspace

HEADER = "name,contact,age,ethnicity_ok,ethnicity,hopes\n"


@pytest.fixture
def umask():
    old = os.umask(0o022)
    os.umask(old)
    yield os.umask
    os.umask(old)


@pytest.fixture
def filled(run):
    run("participant", "add", "Aisha", "--role", "lived_experience")
    run("participant", "consent", "P-1", "naming", "--give", "--statement-version", "v1",
        "--method", "verbal")
    run("participant", "add", "Ben", "--role", "staff")
    run("session", "new", "Panel", "--date", "2026-03-02")
    run("session", "attend", "S-1", "P-1", "P-2")
    return run


def mode(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


def one_line_error(result, *fragments):
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert result.stderr.startswith("error: ")
    assert result.stderr.count("\n") == 1, result.stderr
    assert "unexpected" not in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr


# The four commands that write where a person names (each with --force).
WRITERS = {
    "report": lambda out: ("report", "summary", "-o", out, "--force"),
    "export": lambda out: ("export", "-o", out, "--force"),
    "participant export": lambda out: ("participant", "export", "P-1", "-o", out, "--force",
                                       "--format", "json"),
    "backup": lambda out: ("backup", out, "--force"),
}


@pytest.mark.parametrize("command", sorted(WRITERS))
def test_force_never_replaces_a_fifo(filled, tmp_path, command):
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    result = filled(*WRITERS[command](str(pipe)))
    one_line_error(result, f"{pipe} is a named pipe, not a regular file")
    assert stat.S_ISFIFO(os.lstat(pipe).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe", "ws"]


@pytest.mark.parametrize("command", sorted(WRITERS))
def test_force_never_replaces_a_device_behind_a_link(filled, tmp_path, command):
    link = tmp_path / "full"
    link.symlink_to("/dev/null")
    result = filled(*WRITERS[command](str(link)))
    one_line_error(result, f"{link} is a symbolic link, not a regular file")
    assert link.is_symlink()
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


@pytest.mark.parametrize("command", sorted(WRITERS))
def test_force_never_replaces_a_device(filled, command):
    # /dev/null itself is named, and refused before anything is opened or written.
    result = filled(*WRITERS[command]("/dev/null"))
    one_line_error(result, "/dev/null is a device, not a regular file")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


@pytest.mark.parametrize("command", sorted(WRITERS))
def test_force_replaces_a_regular_file_owner_only(filled, tmp_path, umask, command):
    target = tmp_path / "out.json"
    target.write_text("old")
    os.chmod(target, 0o644)
    umask(0o000)
    result = filled(*WRITERS[command](str(target)))
    assert result.exit_code == 0, result.stderr
    assert target.read_text(errors="replace") != "old"
    if command != "report":  # a report without names follows the umask
        assert mode(target) == 0o600


@pytest.mark.parametrize("command", sorted(WRITERS))
def test_a_name_too_long_is_one_line(filled, tmp_path, command):
    target = tmp_path / ("n" * 300 + ".json")
    result = filled(*WRITERS[command](str(target)))
    one_line_error(result, "is 305 characters long; use at most 255 characters per name")


@pytest.mark.parametrize("command", sorted(WRITERS))
def test_a_missing_folder_is_one_line(filled, tmp_path, command):
    target = tmp_path / "nowhere" / "out.json"
    result = filled(*WRITERS[command](str(target)))
    one_line_error(result, f"folder {target.parent} does not exist")


# ---------------------------------------------------------------- owner-only under any umask


@pytest.mark.parametrize("mask", [0o000, 0o022])
def test_init_makes_an_owner_only_workspace(tmp_path, umask, mask, plugin_manager):
    from click.testing import CliRunner

    from coprod_core.cli import cli

    umask(mask)
    folder = tmp_path / "panel"
    result = CliRunner().invoke(cli, ["init", str(folder)], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert mode(folder) == 0o700
    assert mode(folder / "coprod.toml") == 0o600
    for name in os.listdir(folder):
        if name.startswith("coprod.db"):
            assert mode(folder / name) == 0o600, name


def test_json_workspace_files_are_owner_only(tmp_path, umask, plugin_manager):
    umask(0o000)
    with Workspace.create(tmp_path / "ws", org="T", backend="json",
                          plugins=plugin_manager) as ws:
        ws.add_participant("Aisha", role="staff")
    data = tmp_path / "ws" / "coprod-data"
    assert mode(data) == 0o700
    assert mode(data / "participants") == 0o700
    assert mode(data / "participants" / "1.json") == 0o600
    assert mode(data / "audit.jsonl") == 0o600


@pytest.mark.parametrize("mask", [0o000, 0o022])
def test_reports_with_names_are_owner_only(filled, tmp_path, umask, mask):
    umask(mask)
    named = tmp_path / "named.md"
    assert filled("report", "session", "S-1", "--names", "-o", str(named)).exit_code == 0
    assert mode(named) == 0o600
    plain = tmp_path / "plain.md"
    assert filled("report", "summary", "-o", str(plain)).exit_code == 0
    assert mode(plain) == 0o666 & ~mask


def test_csv_folders_are_owner_only(filled, tmp_path, umask):
    umask(0o000)
    folder = tmp_path / "participation"
    result = filled("report", "participation", "--format", "csv", "-o", str(folder))
    assert result.exit_code == 0, result.stderr
    assert mode(folder) == 0o700
    assert os.listdir(folder)
    assert {mode(folder / name) for name in os.listdir(folder)} == {0o600}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["participation", "ws"]


def test_exports_and_backups_are_owner_only(filled, tmp_path, umask):
    umask(0o000)
    for args, target in [
        (("export", "-o", str(tmp_path / "all.json")), tmp_path / "all.json"),
        (("backup", str(tmp_path / "copy.db")), tmp_path / "copy.db"),
        (("participant", "export", "P-1", "-o", str(tmp_path / "p1.html")), tmp_path / "p1.html"),
    ]:
        result = filled(*args)
        assert result.exit_code == 0, result.stderr
        assert mode(target) == 0o600, target
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "all.json", "copy.db", "p1.html", "ws"]


def test_rejected_rows_are_owner_only(run, workspace_dir, tmp_path, umask):
    config = workspace_dir / "coprod.toml"
    config.write_text(config.read_text(encoding="utf-8") + FORMS, encoding="utf-8")
    source = tmp_path / "people.csv"
    source.write_text(HEADER + "Asha,phone,30,,,\nBen,,-5,,,\n", encoding="utf-8")
    umask(0o000)
    result = run("intake", "import", "welcome", str(source), "--skip-invalid")
    assert result.exit_code == 0, result.stderr
    assert mode(tmp_path / "people.rejected.csv") == 0o600


# ---------------------------------------------------------------- leftovers


def _dead_pid():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_killed_backup_copy_is_removed_on_the_next_open(filled, workspace_dir, tmp_path):
    pid = _dead_pid()
    copy = tmp_path / f".monday.db.{pid}.coprod-tmp"
    copy.write_text("a whole database")
    ledger = workspace_dir / ".coprod-tmp"
    ledger.mkdir(exist_ok=True)
    (ledger / f"{pid}-x.json").write_text(f'{{"temp": "{copy}", "pid": {pid}}}')
    beside = workspace_dir / f".coprod.db.{pid}.tmp"
    beside.write_text("a copy from an older coprod")
    assert filled("participant", "list").exit_code == 0
    assert not copy.exists()
    assert not beside.exists()


def test_doctor_names_a_leftover_it_could_not_remove(filled, workspace_dir, tmp_path):
    from coprod_core import files

    pid = _dead_pid()
    entry = files.record_migration(workspace_dir, "json", str(workspace_dir / "moved"),
                                   f"rm -r '{workspace_dir / 'moved'}'")
    entry.write_text(entry.read_text().replace(str(os.getpid()), str(pid)))
    result = filled("doctor")
    assert "warning leftovers: " in result.stdout
    assert "coprod migrate --to json" in result.stdout
    assert f"rm -r '{workspace_dir / 'moved'}'" in result.stdout
