"""``coprod config show | set | check`` through the CLI."""

from __future__ import annotations

import json

import pytest


def ok(result):
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


def test_show_prints_the_file_with_its_comments(run, workspace_dir):
    path = workspace_dir / "coprod.toml"
    out = ok(run("config", "show"))
    assert out == f"# {path}\n" + path.read_text(encoding="utf-8")
    assert "# actor =" in out


def test_show_json(run, workspace_dir):
    shown = json.loads(ok(run("config", "show", "--json")))
    assert shown == {
        "path": str(workspace_dir / "coprod.toml"),
        "workspace": {"org": "Test Partnership"},
        "storage": {"backend": "sqlite"},
        "roles": {},
    }


def test_check_ok(run, workspace_dir):
    assert ok(run("config", "check")) == (
        f"ok: {workspace_dir / 'coprod.toml'} is valid (backend sqlite, 0 custom roles)\n")
    ok(run("config", "set", "roles.custom.carer", "Carer"))
    assert "1 custom role)" in ok(run("config", "check"))
    ok(run("config", "set", "roles.custom.family", "Family"))
    assert "2 custom roles)" in ok(run("config", "check"))


@pytest.mark.parametrize("key,value,stored", [
    ("workspace.org", "Harbour Trust", "Harbour Trust"),
    ("workspace.actor", "coordinator", "coordinator"),
    ("storage.timeout", "5", 5),
    ("storage.timeout", "2.5", 2.5),
    ("storage.path", "records.db", "records.db"),
    ("roles.custom", '["carer", "family"]', ["carer", "family"]),
    ("plugins.export.columns", '["id", "role"]', ["id", "role"]),
    ("plugins.export.enabled", "true", True),
    ("workspace.org", "مريم 🌈", "مريم 🌈"),
])
def test_set_saves_a_checked_value(run, workspace_dir, key, value, stored):
    path = workspace_dir / "coprod.toml"
    out = ok(run("config", "set", key, value))
    assert out == f"{key} = {stored!r} saved in {path}\n"
    shown = json.loads(ok(run("config", "show", "--json")))
    node = shown
    for part in key.split("."):
        node = node[part]
    assert node == stored
    ok(run("config", "check"))


def test_set_then_the_workspace_uses_it(run, workspace_dir):
    ok(run("config", "set", "storage.path", "other.db"))
    ok(run("participant", "add", "Ada", "--role", "staff"))
    assert (workspace_dir / "other.db").is_file()


@pytest.mark.parametrize("key,value,message", [
    ("workspace.orgg", "X",
     "`workspace.orgg`: unknown key (did you mean `org`?); allowed here: actor, lang, org"),
    ("storage.timout", "5",
     "`storage.timout`: unknown key (did you mean `timeout`?); allowed here: path, timeout"),
    ("workspace.org", "5", "`workspace.org`: must be a string, not an integer"),
    ("storage.timeout", "soon", "`storage.timeout`: must be an integer or a number, not a string"),
    ("storage.backend", "mongo", "`storage.backend`: unknown backend 'mongo'; available: "
     "json, memory, postgres, sqlite"),
    ("workspace", "3", "`workspace`: must be a table, not an integer"),
    ("wrkspace.org", "X", "`wrkspace`: unknown key (did you mean `workspace`?)"),
    ("roles.custom.Carer", "Carer", "`roles.custom.Carer`: role names are lower-case letters"),
])
def test_set_refuses_a_bad_key_or_type_and_keeps_the_file(run, workspace_dir, key, value,
                                                          message):
    path = workspace_dir / "coprod.toml"
    before = path.read_bytes()
    result = run("config", "set", key, value)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"error: {path}: {message}")
    assert result.stderr.count("\n") == 1
    assert path.read_bytes() == before


def test_set_refuses_a_key_that_is_not_dotted(run, workspace_dir):
    result = run("config", "set", "workspace..org", "X")
    assert result.exit_code == 1
    assert result.stderr == "error: `workspace..org` is not a dotted key such as workspace.org\n"


def test_set_into_a_value(run, workspace_dir):
    result = run("config", "set", "workspace.org.name", "X")
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: {workspace_dir / 'coprod.toml'}: `workspace.org` is a value, not a table\n")


def test_set_on_a_malformed_file_reports_the_file_first(run, workspace_dir):
    path = workspace_dir / "coprod.toml"
    path.write_text("[workspace\n", encoding="utf-8")
    result = run("config", "set", "workspace.org", "X")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {path}, line 1: is not valid TOML")
    assert path.read_text(encoding="utf-8") == "[workspace\n"


def test_set_leaves_no_temporary_file(run, workspace_dir):
    ok(run("config", "set", "workspace.org", "X"))
    assert sorted(p.name for p in workspace_dir.iterdir() if p.name.endswith(".tmp")) == []


def test_config_outside_a_workspace(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("config", "check", env={"COPROD_WORKSPACE": None})
    assert result.exit_code == 1
    assert result.stderr.startswith("error: no coprod workspace here")


def test_set_refuses_to_point_a_workspace_holding_records_at_another_store(run, workspace_dir):
    ok(run("participant", "add", "Ada", "--role", "staff"))
    path = workspace_dir / "coprod.toml"
    before = path.read_bytes()
    for key, value in (("storage.backend", "json"), ("storage.path", "other.db")):
        result = run("config", "set", key, value)
        assert result.exit_code == 1
        assert result.stdout == ""
        assert result.stderr == (
            f"error: changing {key} would leave this workspace's records behind in the "
            "current sqlite store; copy them with `coprod migrate --to BACKEND`, which checks "
            "the copy and then switches coprod.toml\n")
        assert path.read_bytes() == before
    # How the store is used can still change.
    ok(run("config", "set", "storage.timeout", "10"))
    assert run("participant", "show", "P-1").exit_code == 0
