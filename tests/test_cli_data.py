"""coprod export, import, backup, migrate and doctor, through the command line."""

import json
import sqlite3

import pytest
from postgres_support import URL, needs_postgres, pg_schema  # noqa: F401

from coprod_core import doctor as doctor_module
from coprod_core.config import Config
from coprod_core.workspace import Workspace


@pytest.fixture
def filled(run):
    run("participant", "add", "Aisha 🌈", "--role", "lived_experience")
    run("participant", "add", "Ben", "--role", "staff")
    run("session", "new", "Panel: hostel curfews", "--date", "2026-03-02")
    run("session", "attend", "S-1", "P-1", "P-2")
    run("tension", "raise", "Curfews decided without the panel", "--kind", "power")
    return run


def one_line_error(result, *fragments):
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("error: ")
    assert result.stderr.count("\n") == 1
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr


def test_commands_are_listed(run):
    out = run("--help").stdout
    for name in ("export", "import", "backup", "migrate", "doctor"):
        assert f"  {name} " in out


def test_export_then_import_into_a_new_workspace(filled, tmp_path, plugin_manager):
    out = tmp_path / "all.json"
    result = filled("export", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        f"exported 2 participants, 1 sessions, 1 tensions and 5 audit entries to {out}\n")
    assert out.stat().st_mode & 0o777 == 0o600
    data = json.loads(out.read_text())
    assert data["format"] == "coprod-export"
    assert data["counters"] == {"participants": 2, "sessions": 1, "tensions": 1}
    assert [p["name"] for p in data["collections"]["participants"]] == ["Aisha 🌈", "Ben"]

    fresh = tmp_path / "fresh"
    Workspace.create(fresh, plugins=plugin_manager).close()
    result = filled("-w", str(fresh), "import", str(out))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"imported 4 records and 5 audit entries from {out}\n"
    again = tmp_path / "again.json"
    filled("-w", str(fresh), "export", "-o", str(again))
    assert again.read_bytes() == out.read_bytes()
    listed = json.loads(filled("-w", str(fresh), "participant", "list", "--json").stdout)
    assert [p["id"] for p in listed] == ["P-1", "P-2"]
    added = filled("-w", str(fresh), "participant", "add", "Cara", "--role", "staff")
    assert added.stdout == "P-3\n"


def test_export_refuses_to_overwrite_without_force(filled, tmp_path):
    out = tmp_path / "all.json"
    out.write_text("keep me")
    one_line_error(filled("export", "-o", str(out)), "already exists", "--force")
    assert out.read_text() == "keep me"
    assert filled("export", "-o", str(out), "--force").exit_code == 0
    assert json.loads(out.read_text())["format"] == "coprod-export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["all.json", "ws"]


def test_import_refuses_a_bad_file_with_its_path_and_writes_nothing(run, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({
        "format": "coprod-export", "format_version": 1, "schema_version": 1,
        "counters": {"participants": 2},
        "collections": {"participants": [
            {"id": "P-1", "name": "Fine", "role": "staff", "created_at": "2026-01-05T10:00:00Z"},
            {"id": "P-2", "name": "No date", "role": "staff", "created_at": "yesterday"},
        ]},
        "audit": [],
    }))
    one_line_error(run("import", str(bad)), "$.collections.participants[1].created_at")
    assert json.loads(run("participant", "list", "--json").stdout) == []
    assert run("participant", "add", "A", "--role", "staff").stdout == "P-1\n"


@pytest.mark.parametrize(("text", "fragment"), [
    ("{not json", "is not valid JSON (line 1, column 2"),
    ("[]", "$: an export is a JSON object"),
])
def test_import_of_something_else(run, tmp_path, text, fragment):
    path = tmp_path / "x.json"
    path.write_text(text)
    one_line_error(run("import", str(path)), fragment)


def test_import_into_a_workspace_with_records_is_refused(filled, tmp_path):
    out = tmp_path / "all.json"
    filled("export", "-o", str(out))
    one_line_error(filled("import", str(out)), "only into an empty workspace")
    one_line_error(filled("import", str(tmp_path / "missing.json")), "does not exist")


def test_backup_of_sqlite_is_a_database(filled, tmp_path):
    out = tmp_path / "backup.db"
    result = filled("backup", str(out))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"backed up the sqlite database to {out}\n"
    db = sqlite3.connect(out)
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert db.execute("SELECT count(*) FROM doc_participants").fetchone() == (2,)
    db.close()
    one_line_error(filled("backup", str(out)), "already exists")


def test_backup_of_another_backend_is_an_export(filled, tmp_path):
    assert filled("migrate", "--to", "json").exit_code == 0
    out = tmp_path / "backup.json"
    result = filled("backup", str(out))
    assert result.stdout.startswith(f"backed up 2 participants, 1 sessions, 1 tensions to {out}")
    assert json.loads(out.read_text())["counters"]["participants"] == 2


def test_migrate_to_json_switches_only_after_checking(filled, workspace_dir):
    db_before = (workspace_dir / "coprod.db").read_bytes()
    result = filled("migrate", "--to", "json", "--path", "records")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "copied 4 records and 5 audit entries from sqlite to json, and checked every one",
        "coprod.toml now uses the json backend; the sqlite data is untouched: "
        "remove it when you no longer need it",
    ]
    config = Config.from_toml(workspace_dir / "coprod.toml")
    assert config.backend == "json"
    assert config.storage_options == {"path": "records"}
    assert config.org == "Test Partnership"
    assert (workspace_dir / "coprod.db").read_bytes() == db_before
    assert (workspace_dir / "records" / "participants" / "2.json").exists()
    shown = json.loads(filled("participant", "show", "P-1", "--json").stdout)
    assert shown["name"] == "Aisha 🌈"
    assert filled("participant", "add", "Cara", "--role", "staff").stdout == "P-3\n"


def test_migrate_shows_progress_on_long_copies(filled, monkeypatch):
    from coprod_core import migrate

    monkeypatch.setattr(migrate, "PROGRESS_FROM", 0)
    result = filled("migrate", "--to", "json")
    assert result.exit_code == 0
    assert "copying to json" in result.stderr


def test_migrate_that_fails_to_verify_leaves_the_config(filled, workspace_dir, monkeypatch):
    from coprod_core import transfer

    monkeypatch.setattr(transfer, "verify", lambda a, b: ["participants: P-2 differs"])
    before = (workspace_dir / "coprod.toml").read_text()
    one_line_error(filled("migrate", "--to", "json"), "does not match the source",
                   "coprod.toml was not changed")
    assert (workspace_dir / "coprod.toml").read_text() == before
    # The partial copy is named, with how to remove it, until it is removed.
    doctor = filled("doctor").stdout
    data = workspace_dir / "coprod-data"
    assert f"warning leftovers: {data}: a partial copy made by a `coprod migrate --to json`" \
        in doctor
    assert f"what to do: rm -r '{data}', then delete {workspace_dir / '.coprod-tmp'}/" in doctor


def test_migrate_refuses_a_target_that_holds_records(filled, workspace_dir):
    assert filled("migrate", "--to", "json").exit_code == 0
    one_line_error(filled("migrate", "--to", "sqlite"), "already holds records")
    one_line_error(filled("migrate", "--to", "json"), "already uses the json backend")
    one_line_error(filled("migrate", "--to", "nowhere"), "unknown backend 'nowhere'")
    one_line_error(filled("migrate", "--to", "memory"), "keeps nothing once coprod stops")
    one_line_error(filled("migrate", "--to", "json", "--url", "x"), "`storage.url`",
                   "unknown key")


@needs_postgres
def test_migrate_sqlite_to_postgres(filled, workspace_dir, monkeypatch, pg_schema):  # noqa: F811
    monkeypatch.setenv("COPROD_POSTGRES_URL", URL)
    result = filled("migrate", "--to", "postgres", "--schema", pg_schema)
    assert result.exit_code == 0, result.stderr
    config = Config.from_toml(workspace_dir / "coprod.toml")
    assert config.storage_options == {"schema": pg_schema}
    listed = json.loads(filled("participant", "list", "--json").stdout)
    assert [p["name"] for p in listed] == ["Aisha 🌈", "Ben"]
    assert filled("session", "new", "Steering group", "--date", "2026-04-01").stdout == "S-2\n"
    doctor = json.loads(filled("doctor", "--json").stdout)
    assert {f["level"] for f in doctor} == {"ok"}


def test_doctor_on_a_healthy_workspace(filled, workspace_dir):
    result = filled("doctor")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"ok      config: {workspace_dir / 'coprod.toml'} is valid (backend sqlite)"
    assert "ok      integrity: the stored files are sound" in lines
    assert "ok      documents: all 4 records load" in lines


def test_doctor_finds_records_that_fail_to_load(filled, workspace_dir):
    db = sqlite3.connect(workspace_dir / "coprod.db")
    db.execute("UPDATE doc_participants SET doc = json_set(doc, '$.created_at', 'soon') "
               "WHERE num = 2")
    db.execute("UPDATE counters SET last = 1 WHERE collection = 'participants'")
    db.commit()
    db.close()
    result = filled("doctor", "--json")
    assert result.exit_code == 1
    found = {f["check"]: f for f in json.loads(result.stdout)}
    assert found["documents"]["level"] == "error"
    assert "1 records fail to load: P-2" in found["documents"]["message"]
    assert found["documents"]["fix"]
    assert found["counters"]["level"] == "error"
    assert "new records would reuse ids" in found["counters"]["message"]


def test_doctor_reports_a_broken_config_and_loose_permissions(run, workspace_dir):
    config = workspace_dir / "coprod.toml"
    config.write_text(config.read_text() + "\n[storage.extra]\nx = 1\n")
    config.chmod(0o644)
    result = run("doctor")
    assert result.exit_code == 1
    assert result.stdout.startswith("error   config: ")
    assert "what to do: correct coprod.toml" in result.stdout
    assert f"warning permissions: {config} can be read by other users" in result.stdout
    assert f"what to do: chmod 600 {config}" in result.stdout


def test_doctor_runs_checks_other_features_add(run, monkeypatch):
    def overdue_requests(checkup):
        assert checkup.workspace is not None
        yield doctor_module.Finding(check="rights", level="warning",
                                    message="1 access request is overdue", fix="answer it")

    monkeypatch.setattr(doctor_module, "CHECKS", [*doctor_module.CHECKS, overdue_requests])
    result = run("doctor")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-2:] == [
        "warning rights: 1 access request is overdue", "        what to do: answer it"]


def test_doctor_warns_about_a_network_filesystem(run, workspace_dir, tmp_path, monkeypatch):
    from coprod_core import fsinfo

    mounts = tmp_path / "mounts"
    mounts.write_text(f"/dev/sda1 / ext4 rw 0 0\n//nas/team {workspace_dir} cifs rw 0 0\n")
    monkeypatch.setattr(fsinfo, "MOUNTS", mounts)
    result = run("doctor", "--json")
    assert result.exit_code == 0
    found = {f["check"]: f for f in json.loads(result.stdout)}
    assert found["filesystem"]["level"] == "warning"
    assert "network filesystem (cifs)" in found["filesystem"]["message"]
    # Every other command says it too, once, on stderr.
    listed = run("participant", "list")
    assert listed.stderr.count("network filesystem (cifs)") == 1
    assert listed.stderr.startswith("warning: ")


def test_migrate_back_and_forth(filled, workspace_dir):
    assert filled("migrate", "--to", "json").exit_code == 0
    result = filled("migrate", "--to", "sqlite", "--path", "second.db")
    assert result.exit_code == 0, result.stderr
    assert Config.from_toml(workspace_dir / "coprod.toml").storage_options == {
        "path": "second.db"}
    assert (workspace_dir / "second.db").stat().st_mode & 0o777 == 0o600
    doctor = json.loads(filled("doctor", "--json").stdout)
    assert {f["level"] for f in doctor} == {"ok"}
    names = [p["name"] for p in json.loads(filled("participant", "list", "--json").stdout)]
    assert names == ["Aisha 🌈", "Ben"]


def test_postgres_without_the_extra_is_one_clear_line(run, workspace_dir, monkeypatch):
    from coprod_postgres import backend

    monkeypatch.setattr(backend, "psycopg", None)
    config = workspace_dir / "coprod.toml"
    config.write_text(config.read_text().replace('backend = "sqlite"', 'backend = "postgres"'))
    one_line_error(run("participant", "list"),
                   'the postgres backend needs psycopg; install it with: '
                   'pip install "coprod[postgres]"')


def test_backup_to_a_place_that_cannot_be_written_is_one_clear_line(run, tmp_path):
    target = tmp_path / "missing-folder" / "copy.db"
    result = run("backup", str(target))
    assert result.exit_code == 1
    assert result.stderr == (f"error: cannot write {target}: folder {target.parent} does not "
                             "exist\n")
    blocked = tmp_path / "a-file"
    blocked.write_text("x")
    result = run("backup", str(blocked / "copy.db"))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: cannot write {blocked / 'copy.db'}")
    assert result.stderr.count("\n") == 1
    # No temporary copy is left behind anywhere.
    assert not [p for p in tmp_path.rglob(".copy.db.*")]
