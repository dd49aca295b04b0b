"""The plugin example in docs/reports.md runs exactly as written."""

from __future__ import annotations

import re
import types
from pathlib import Path

from coprod_core.workspace import Workspace

DOC = Path(__file__).resolve().parents[1] / "docs" / "reports.md"


def example_module() -> types.ModuleType:
    text = DOC.read_text(encoding="utf-8")
    match = re.search(r"<!-- tested: plugin-example -->\n```python\n(.*?)```", text, re.S)
    assert match, "the tested example is missing from docs/reports.md"
    module = types.ModuleType("coprod_roles")
    exec(compile(match.group(1), str(DOC), "exec"), module.__dict__)
    return module


def documented_output() -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    block = re.search(r"```text\n(ROLES\n.*?)```", text, re.S)
    assert block
    return block.group(1).splitlines()


def test_the_documented_plugin_works(workspace_dir, plugin_manager, register_plugin, run,
                                     tmp_path):
    register_plugin(example_module(), name="roles")
    with Workspace.open(workspace_dir, plugins=plugin_manager, actor="t") as ws:
        ws.add_participants({"name": f"L{i}", "role": "lived_experience"} for i in range(20))
        ws.add_participants({"name": f"S{i}", "role": "staff"} for i in range(3))

    listed = run("report", "--list").stdout
    assert "  roles " in listed and "  text " in listed
    result = run("report", "roles", "--format", "text")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    expected = documented_output()
    assert lines[0] == expected[0]
    assert lines[1].startswith(expected[1].removesuffix(" ..."))
    assert lines[2:] == expected[2:]

    page = tmp_path / "roles.html"
    assert run("report", "roles", "-o", str(page)).exit_code == 0
    assert "People on the record, by role" in page.read_text()
    summary = run("report", "summary", "--format", "text")
    assert summary.stdout.startswith("SUMMARY\n")
    assert "People by role" in summary.stdout
