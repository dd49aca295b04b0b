"""The plugin tutorial's code, taken from docs/plugin-tutorial.md, still works."""

import re
import shlex
import sys
import types
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
TUTORIAL = DOCS / "plugin-tutorial.md"
FORMAT_PART = "## 7. A second plugin: a report format"


def _parts() -> tuple[str, str]:
    text = TUTORIAL.read_text(encoding="utf-8")
    first, second = text.split(FORMAT_PART, 1)
    return first, second.split("\n## What happens when a command runs", 1)[0]


def _files(part: str) -> dict[str, str]:
    found = re.finditer(
        r"^(?:Back in `coprod-changes`, )?`([\w/.\-]+)`(?: \([^)\n]*\))?:\n\n```\w+\n(.*?)```",
        part, re.MULTILINE | re.DOTALL)
    return {m.group(1): m.group(2) for m in found}


def _changes_files() -> dict[str, str]:
    return _files(_parts()[0])


def _plain_files() -> dict[str, str]:
    return _files(_parts()[1])


def _module(name: str, source: str, monkeypatch) -> types.ModuleType:
    module = types.ModuleType(name)
    exec(compile(source, name, "exec"), module.__dict__)
    monkeypatch.setitem(sys.modules, name, module)
    return module


@pytest.fixture
def coprod_changes(monkeypatch):
    return _module("coprod_changes", _changes_files()["coprod_changes/__init__.py"], monkeypatch)


@pytest.fixture
def coprod_plain(monkeypatch):
    return _module("coprod_plain", _plain_files()["coprod_plain/__init__.py"], monkeypatch)


def test_the_tutorial_has_every_file():
    assert set(_changes_files()) == {"pyproject.toml", "coprod_changes/__init__.py",
                                     "conftest.py", "tests/test_changes.py"}
    assert '[project.entry-points.coprod]\nchanges = "coprod_changes"' in \
        _changes_files()["pyproject.toml"]


def test_the_tutorials_own_test_passes(coprod_changes, run, register_plugin):
    namespace: dict[str, object] = {}
    exec(compile(_changes_files()["tests/test_changes.py"], "test_changes", "exec"), namespace)
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


# ---------------------------------------------------------------- the report format


def test_the_format_part_has_every_file():
    files = _plain_files()
    assert set(files) == {"pyproject.toml", "coprod_plain/__init__.py", "conftest.py",
                          "tests/test_plain.py"}
    assert '[project.entry-points.coprod]\nplain = "coprod_plain"' in files["pyproject.toml"]
    assert files["conftest.py"] == _changes_files()["conftest.py"]


PLAIN_TESTS = ("test_the_format_is_listed", "test_the_summary_as_plain_text")


def _plain_tests() -> dict[str, object]:
    namespace: dict[str, object] = {}
    exec(compile(_plain_files()["tests/test_plain.py"], "test_plain", "exec"), namespace)
    return namespace


def test_the_format_part_shows_every_test(coprod_plain):
    assert tuple(sorted(n for n in _plain_tests() if n.startswith("test_"))) == PLAIN_TESTS


@pytest.mark.parametrize("name", PLAIN_TESTS)
def test_the_format_parts_own_tests_pass(coprod_plain, run, register_plugin, name):
    _plain_tests()[name](run, register_plugin)


def _console(part: str, command: str) -> list[str]:
    """The lines a ```console block shows after ``$ command``, up to the next prompt."""
    block = re.search(rf"^\$ {re.escape(command)}\n(.*?)(?:^\$ |^```)", part,
                      re.MULTILINE | re.DOTALL)
    assert block, f"no console block for {command!r}"
    return block.group(1).splitlines()


def _commands(text: str) -> list[list[str]]:
    """The core ``coprod`` commands a page shows, in order, as argument lists."""
    skip = {"init", "changes", "config", "plugins", "-w"}
    found = []
    for line in re.findall(r"^\$ coprod (.*)$", text, re.MULTILINE):
        args = shlex.split(line)
        if args[0] not in skip:
            found.append(args)
    return found


def test_the_documented_output_is_what_the_format_writes(coprod_plain, run, register_plugin):
    # The workspace the tutorial uses: Getting started, then part 5 of the tutorial.
    getting_started = (DOCS / "getting-started.md").read_text(encoding="utf-8")
    assert run("config", "set", "workspace.org", "Riverside Partnership").exit_code == 0
    for args in _commands(getting_started) + _commands(_parts()[0].split("## 5.")[1]):
        result = run(*args)
        assert result.exit_code == 0, (args, result.stderr)
    register_plugin(coprod_plain)
    second = _parts()[1]

    listed = run("report", "--list").stdout.splitlines()
    shown = _console(second, "coprod -w ../riverside-panel report --list")
    assert shown == listed

    written = run("report", "summary", "--format", "plain").stdout.splitlines()
    shown = _console(second, "coprod -w ../riverside-panel report summary --format plain")
    assert shown[-1] == "..."
    for line, (doc, actual) in enumerate(zip(shown[:-1], written, strict=False)):
        if doc.endswith("..."):
            assert actual.startswith(doc.removesuffix("...").rstrip()), line
        else:
            assert doc == actual, line


# ---------------------------------------------------------------- the shipped example

EXAMPLE = DOCS.parent / "examples" / "coprod-plain"


@pytest.mark.parametrize("name", ["coprod_plain/__init__.py", "conftest.py",
                                  "tests/test_plain.py"])
def test_the_example_plugin_is_the_tutorials_code(name):
    """examples/coprod-plain is the plugin the tutorial builds, file for file."""
    shipped = (EXAMPLE / name).read_text(encoding="utf-8")
    assert shipped == _plain_files()[name], (
        f"examples/coprod-plain/{name} differs from the tutorial's; change both")


def test_the_example_pyproject_is_the_tutorials_plus_its_test_settings():
    shipped = (EXAMPLE / "pyproject.toml").read_text(encoding="utf-8")
    tutorial = _plain_files()["pyproject.toml"]
    assert shipped.startswith(tutorial)
    assert "[project.entry-points" not in shipped.removeprefix(tutorial)


def test_the_tutorial_points_to_the_example():
    assert "`examples/coprod-plain`" in _parts()[1]
