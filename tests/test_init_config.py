"""``coprod init --config FILE``: a new workspace from an existing coprod.toml."""

from __future__ import annotations

import json
from pathlib import Path

EXAMPLE = Path(__file__).parent.parent / "examples" / "lived-experience-panel" / "coprod.toml"


def test_init_copies_the_config(run, tmp_path):
    folder = tmp_path / "panel"
    result = run("init", str(folder), "--config", str(EXAMPLE))
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.splitlines()[0] == f"created a coprod workspace in {folder}"
    assert (folder / "coprod.toml").read_bytes() == EXAMPLE.read_bytes()
    listed = json.loads(run("-w", str(folder), "intake", "list", "--json").stdout)
    assert {f["name"] for f in listed} == {"welcome", "session_feedback"}


def test_a_bad_config_names_the_file_given_and_leaves_nothing(run, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[workspace]\norg = "X"\nlogo = "x.png"\n', encoding="utf-8")
    folder = tmp_path / "new"
    result = run("init", str(folder), "--config", str(bad))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"error: {bad}")
    assert "`workspace.logo`: unknown key" in result.stderr
    assert result.stderr.count("\n") == 1
    assert not folder.exists()


def test_an_existing_workspace_is_not_replaced(run, tmp_path, workspace_dir):
    before = (workspace_dir / "coprod.toml").read_bytes()
    result = run("init", str(workspace_dir), "--config", str(EXAMPLE))
    assert result.exit_code == 1
    assert result.stderr == (f"error: {workspace_dir} is already a coprod workspace; change it "
                             "with `coprod config set`\n")
    assert (workspace_dir / "coprod.toml").read_bytes() == before


def test_org_and_config_together_are_refused(run, tmp_path):
    result = run("init", str(tmp_path / "x"), "--config", str(EXAMPLE), "--org", "Riverside")
    assert result.exit_code == 2
    assert "give --org and --backend, or --config, not both" in result.stderr
    assert not (tmp_path / "x").exists()
