"""Creating and finding workspaces, the example programme, help and version."""

from __future__ import annotations

import datetime as dt
import importlib
import json
import re
import stat
from collections import Counter
from pathlib import Path

import click
import pytest

from coprod_core import __version__
from coprod_core.model import Authority, CommitmentStatus, TensionKind, TensionStatus

NO_WS = {"COPROD_WORKSPACE": None}


def ok(result):
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


def fails(result, code=1):
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert result.stderr.startswith("error: ")
    assert result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr
    return result.stderr


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# ---------------------------------------------------------------- init


def test_init_creates_a_commented_config_and_the_database(run, tmp_path):
    folder = tmp_path / "panel"
    out = ok(run("init", str(folder), "--org", "Riverside Partnership", env=NO_WS))
    assert out == (f"created a coprod workspace in {folder.resolve()}\n"
                   "next: coprod participant add NAME --role ROLE\n")
    text = (folder / "coprod.toml").read_text(encoding="utf-8")
    assert 'org = "Riverside Partnership"' in text
    assert 'backend = "sqlite"' in text
    for commented in ('# actor = "panel-coordinator"', '# path = "coprod.db"',
                      "# custom = { carer ="):
        assert commented in text
    assert text.count("\n# ") >= 8  # every setting explained
    assert (folder / "coprod.db").is_file()
    # Personal data: readable by the owner only.
    assert mode(folder / "coprod.toml") == 0o600
    assert mode(folder / "coprod.db") == 0o600


def test_init_in_the_current_folder(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ok(run("init", env=NO_WS))
    assert (tmp_path / "coprod.toml").is_file()
    assert ok(run("participant", "add", "Ada", "--role", "staff", env=NO_WS)) == "P-1\n"


def test_init_an_org_with_quotes_and_newlines_is_kept_exactly(run, tmp_path):
    org = 'The "Harbour" Trust\nNorth'
    ok(run("init", str(tmp_path / "w"), "--org", org, env=NO_WS))
    shown = json.loads(ok(run("-w", str(tmp_path / "w"), "config", "show", "--json")))
    assert shown["workspace"]["org"] == org


def test_init_in_an_existing_workspace_refuses_and_keeps_it(run, workspace_dir):
    ok(run("participant", "add", "Ada", "--role", "staff"))
    before = (workspace_dir / "coprod.toml").read_bytes()
    err = fails(run("init", str(workspace_dir), "--org", "Other"))
    assert err == (f"error: {workspace_dir} is already a coprod workspace; "
                   "change it with `coprod config set`\n")
    assert (workspace_dir / "coprod.toml").read_bytes() == before
    assert json.loads(ok(run("participant", "list", "--json")))[0]["name"] == "Ada"


def test_init_on_a_file_is_refused(run, tmp_path):
    target = tmp_path / "file"
    target.write_text("x")
    result = run("init", str(target), env=NO_WS)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "is a file" in result.stderr
    assert target.read_text() == "x"


def test_init_with_an_unknown_backend_leaves_nothing_behind(run, tmp_path, monkeypatch):
    from coprod_core import config as cfg

    real = cfg.default_toml
    monkeypatch.setattr("coprod_core.workspace.default_toml",
                        lambda org, backend: real(org, "nosuch"))
    folder = tmp_path / "new"
    err = fails(run("init", str(folder), env=NO_WS))
    assert ("`storage.backend`: unknown backend 'nosuch'; "
            "available: json, memory, postgres, sqlite") in err
    assert not folder.exists()


# ---------------------------------------------------------------- demo


def _listings(run, folder):
    return {kind: ok(run("-w", str(folder), kind, "list", "--json"))
            for kind in ("participant", "session", "tension", "commitment")}


def test_demo_is_deterministic_for_a_seed(run, tmp_path):
    one, two, other = tmp_path / "one", tmp_path / "two", tmp_path / "other"
    out = ok(run("demo", str(one), "--seed", "7", env=NO_WS))
    ok(run("demo", str(two), "--seed", "7", env=NO_WS))
    ok(run("demo", str(other), "--seed", "8", env=NO_WS))
    first = _listings(run, one)
    assert first == _listings(run, two)
    assert first != _listings(run, other)
    assert out.startswith(
        f"created an example programme for Riverside Multiple Disadvantage Partnership "
        f"in {one.resolve()}\n  60 participants: ")
    assert "24 sessions from" in out
    assert "ladder of co-production" in out
    assert out.endswith(f"try: coprod -w {one} commitment list --overdue\n")


def test_demo_holds_a_realistic_programme(run, tmp_path):
    folder = tmp_path / "demo"
    ok(run("demo", str(folder), env=NO_WS))
    data = {k: json.loads(v) for k, v in _listings(run, folder).items()}
    people, sessions = data["participant"], data["session"]
    tensions, commitments = data["tension"], data["commitment"]
    assert 55 <= len(people) <= 65
    assert len(sessions) == 24
    roles = Counter(p["role"] for p in people)
    assert set(roles) == {"lived_experience", "peer_researcher", "staff", "commissioner",
                          "partner", "volunteer"}
    dates = sorted(dt.date.fromisoformat(s["date"]) for s in sessions)
    assert (dates[-1] - dates[0]).days >= 300  # about a year of sessions
    for session in sessions:
        assert any(a["status"] == "attended" for a in session["attendance"])
        attended = {a["participant_id"] for a in session["attendance"]
                    if a["status"] == "attended"}
        assert {r["participant_id"] for r in session["ratings"]} <= attended
    statuses = {a["status"] for s in sessions for a in s["attendance"]}
    assert statuses == {"attended", "apologies", "absent"}
    assert sum(len(s["ratings"]) for s in sessions) > 100
    assert {t["kind"] for t in tensions} == {k.value for k in TensionKind}
    assert {t["status"] for t in tensions} == {s.value for s in TensionStatus}
    pairs = {(c["authority"], c["status"]) for c in commitments}
    assert pairs == {(a.value, s.value) for a in Authority for s in CommitmentStatus}
    assert any(c["updates"] for c in commitments)
    assert any(c["answers"] for c in commitments)
    # The history of each record is a legal walk (the model checks it on load).
    for record in tensions:
        assert record["history"][-1]["status"] == record["status"]


def test_demo_default_folder_and_existing_workspace(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ok(run("demo", env=NO_WS))
    assert (tmp_path / "coprod-demo" / "coprod.toml").is_file()
    before = _listings(run, tmp_path / "coprod-demo")
    err = fails(run("demo", "coprod-demo", env=NO_WS))
    assert "is already a coprod workspace" in err
    assert _listings(run, tmp_path / "coprod-demo") == before


def test_demo_and_init_record_the_actor(run, tmp_path, plugin_manager):
    from coprod_core.workspace import Workspace

    ok(run("--as", "Evaluator", "demo", str(tmp_path / "d"), env=NO_WS))
    with Workspace.open(tmp_path / "d", plugins=plugin_manager) as ws:
        assert {e["actor"] for e in ws.audit()} == {"Evaluator"}


# ---------------------------------------------------------------- finding the workspace


@pytest.fixture
def two_workspaces(run, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for folder, name in ((a, "Ada"), (b, "Bo")):
        ok(run("init", str(folder), env=NO_WS))
        ok(run("-w", str(folder), "participant", "add", name, "--role", "staff"))
    return a, b


def _names(result):
    return [p["name"] for p in json.loads(ok(result))]


def test_workspace_option_then_env_then_walking_up(run, two_workspaces, monkeypatch):
    a, b = two_workspaces
    nested = a / "notes" / "2026"
    nested.mkdir(parents=True)
    monkeypatch.chdir(nested)
    assert _names(run("participant", "list", "--json", env=NO_WS)) == ["Ada"]
    assert _names(run("participant", "list", "--json", env={"COPROD_WORKSPACE": str(b)})) == [
        "Bo"]
    assert _names(run("-w", str(a), "participant", "list", "--json",
                      env={"COPROD_WORKSPACE": str(b)})) == ["Ada"]
    assert _names(run("--workspace", str(b / "coprod.toml"), "participant", "list",
                      "--json", env=NO_WS)) == ["Bo"]


def test_outside_any_workspace_says_how_to_make_one(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    err = fails(run("participant", "list", env=NO_WS))
    assert err.startswith("error: no coprod workspace here or in any parent folder of ")
    assert "create one with `coprod init`" in err
    assert "--workspace or COPROD_WORKSPACE" in err


@pytest.mark.parametrize("how", ["option", "env"])
def test_a_named_folder_that_is_not_a_workspace(run, tmp_path, how):
    folder = tmp_path / "empty"
    folder.mkdir()
    if how == "option":
        result = run("-w", str(folder), "session", "list", env=NO_WS)
    else:
        result = run("session", "list", env={"COPROD_WORKSPACE": str(folder)})
    err = fails(result)
    assert err == (f"error: {folder} is not a coprod workspace (no coprod.toml); "
                   f"create one with `coprod init {folder}`\n")


# ---------------------------------------------------------------- help, version, errors


def _commands(group: click.Group, ctx: click.Context, path=()):
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        yield (*path, name), command
        if isinstance(command, click.Group):
            yield from _commands(command, ctx, (*path, name))


def test_every_command_and_option_has_help(run):
    from coprod_core.cli import cli

    ctx = click.Context(cli)
    found = list(_commands(cli, ctx))
    assert len(found) >= 25
    for path, command in found:
        assert command.help or command.short_help, path
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, (path, param.name)
        for flag in ("-h", "--help"):
            out = ok(run(*path, flag))
            assert out.startswith(f"Usage: coprod {' '.join(path)} "), path


def test_root_help_lists_every_command_with_its_short_help(run):
    from coprod_core.cli import BUILTIN_COMMANDS

    out = ok(run("-h"))
    assert out == ok(run("--help"))
    assert "COPROD_WORKSPACE" in out and "COPROD_USER" in out
    section = out.split("\nCommands:\n", 1)[1].split("\n\n", 1)[0]
    listed = re.findall(r"^  (\S+)  ", section, re.MULTILINE)
    assert listed == sorted(BUILTIN_COMMANDS)
    for name, (_module, _attr, short) in BUILTIN_COMMANDS.items():
        start = r"\s+".join(re.escape(w) for w in short.split()[:3])
        assert re.search(rf"^  {name}\s+{start}", out, re.MULTILINE), name


def test_the_command_table_matches_the_commands_it_names():
    # The root help is built from BUILTIN_COMMANDS without importing the
    # commands; each entry must name a real command, under its own name, whose
    # own short help is the one the table shows.
    from coprod_core.cli import BUILTIN_COMMANDS

    for name, (module, attr, short) in BUILTIN_COMMANDS.items():
        command = getattr(importlib.import_module(module), attr)
        assert isinstance(command, click.Command), name
        assert command.name == name, (name, command.name)
        assert command.short_help == short, (
            f"{name}: the command's short help is {command.short_help!r}; "
            f"BUILTIN_COMMANDS shows {short!r}")


def test_version(run):
    assert ok(run("--version")) == f"coprod, version {__version__}\n"


def test_an_unknown_command_is_one_line(run):
    err = fails(run("frobnicate"), code=2)
    assert "No such command 'frobnicate'" in err
    assert "(see `coprod --help`)" in err


def test_a_missing_argument_is_one_line(run):
    err = fails(run("participant", "add", "Ada"), code=2)
    assert "Missing option '--role'" in err
    assert "coprod participant add --help" in err


def test_debug_shows_the_traceback(run):
    quiet = run("participant", "show", "P-9")
    assert fails(quiet) == "error: no participant with id P-9\n"
    loud = run("participant", "show", "P-9", env={"COPROD_DEBUG": "1"})
    assert loud.exit_code == 1
    assert loud.stdout == ""
    assert "Traceback (most recent call last)" in loud.stderr
    assert "NotFound" in loud.stderr
    assert loud.stderr.endswith("error: no participant with id P-9\n")


def test_a_bug_is_reported_as_one_line_with_how_to_see_more(run, monkeypatch):
    from coprod_core.workspace import Workspace

    def broken(*args, **kwargs):
        raise KeyError("oops")

    monkeypatch.setattr(Workspace, "add_participant", broken)
    err = fails(run("participant", "add", "Ada", "--role", "staff"))
    assert err == ("error: unexpected KeyError: 'oops'. This is a bug in coprod or a plugin; "
                   "run again with COPROD_DEBUG=1 to see the traceback\n")
    loud = run("participant", "add", "Ada", "--role", "staff", env={"COPROD_DEBUG": "1"})
    assert "Traceback" in loud.stderr and "KeyError" in loud.stderr


def test_the_workspace_is_closed_after_each_command(run, monkeypatch):
    from coprod_core.workspace import Workspace

    opened, closed = [], []
    real_open, real_close = Workspace.open.__func__, Workspace.close

    def counting_open(cls, *args, **kwargs):
        ws = real_open(cls, *args, **kwargs)
        opened.append(ws)
        return ws

    def counting_close(self):
        closed.append(self)
        real_close(self)

    monkeypatch.setattr(Workspace, "open", classmethod(counting_open))
    monkeypatch.setattr(Workspace, "close", counting_close)
    ok(run("participant", "add", "Ada", "--role", "staff"))
    fails(run("participant", "show", "P-9"))
    assert len(opened) == 2
    assert closed == opened


def test_demo_with_another_organisation_name(run, tmp_path):
    out = ok(run("demo", str(tmp_path / "d"), "--org", "Harbour Trust", env=NO_WS))
    assert out.startswith("created an example programme for Harbour Trust in ")
    shown = json.loads(ok(run("-w", str(tmp_path / "d"), "config", "show", "--json")))
    assert shown["workspace"]["org"] == "Harbour Trust"


def test_init_with_the_json_backend(run, tmp_path):
    folder = tmp_path / "panel"
    result = run("init", str(folder), "--backend", "json", env={"COPROD_WORKSPACE": ""})
    assert result.exit_code == 0, result.stderr
    text = (folder / "coprod.toml").read_text(encoding="utf-8")
    assert 'backend = "json"' in text
    assert '# path = "coprod-data"' in text
    added = run("-w", str(folder), "participant", "add", "Ada", "--role", "staff")
    assert added.stdout == "P-1\n"
    assert (folder / "coprod-data").is_dir()
    assert not (folder / "coprod.db").exists()


def test_init_with_an_unknown_backend_names_the_known_ones(run, tmp_path):
    folder = tmp_path / "panel"
    result = run("init", str(folder), "--backend", "mongo", env={"COPROD_WORKSPACE": ""})
    assert result.exit_code == 1
    assert "unknown backend 'mongo'; available: json, memory, postgres, sqlite" in result.stderr
    assert not folder.exists()
