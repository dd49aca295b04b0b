"""The plugin tutorial's code, taken from docs/plugin-tutorial.md, still works."""

import re
import sys
import types
from pathlib import Path

import pytest

TUTORIAL = Path(__file__).resolve().parents[1] / "docs" / "plugin-tutorial.md"


def _files() -> dict[str, str]:
    text = TUTORIAL.read_text(encoding="utf-8")
    found = re.finditer(r"^(?:Back in `coprod-changes`, )?`([\w/.\-]+)`:\n\n```\w+\n(.*?)```",
                        text, re.MULTILINE | re.DOTALL)
    return {m.group(1): m.group(2) for m in found}


@pytest.fixture
def coprod_changes(monkeypatch):
    module = types.ModuleType("coprod_changes")
    exec(compile(_files()["coprod_changes/__init__.py"], "coprod_changes", "exec"),
         module.__dict__)
    monkeypatch.setitem(sys.modules, "coprod_changes", module)
    return module


def test_the_tutorial_has_every_file():
    assert set(_files()) == {"pyproject.toml", "coprod_changes/__init__.py", "conftest.py",
                             "tests/test_changes.py"}
    assert '[project.entry-points.coprod]\nchanges = "coprod_changes"' in \
        _files()["pyproject.toml"]


def test_the_tutorials_own_test_passes(coprod_changes, run, register_plugin):
    namespace: dict[str, object] = {}
    exec(compile(_files()["tests/test_changes.py"], "test_changes", "exec"), namespace)
    namespace["test_every_change_is_logged"](run, register_plugin)


def test_the_tutorials_setting(coprod_changes, run, register_plugin, workspace_dir):
    register_plugin(coprod_changes)
    assert run("config", "set", "plugins.changes.file", "activity.log").exit_code == 0
    run("participant", "add", "Ben", "--role", "volunteer")
    assert (workspace_dir / "activity.log").read_text().endswith(
        "tester  participant.added  P-1\n")
    result = run("config", "set", "plugins.changes.files", "x.log")
    assert result.exit_code == 1
    assert "`plugins.changes.files`: unknown key (did you mean `file`?)" in result.stderr
