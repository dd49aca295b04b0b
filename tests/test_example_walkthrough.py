"""The lived-experience panel's walkthrough runs end to end and writes every report."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).parent.parent / "examples" / "lived-experience-panel"
SCRIPT = EXAMPLE / "walkthrough.sh"

# The first heading of each report, and one heading further in that shows it was filled.
EXPECTED = {
    "summary": ("# Summary", "### People by role"),
    "commitments": ("# You said, we did", "## Every promise"),
    "tensions": ("# Tensions", "## Tensions we are holding"),
    "participation": ("# Who takes part", "### People who took part, by age band"),
    "ladder": ("# The ladder of co-production", "### Where each session was placed"),
    "session-S-1": ("# Panel: what is it like to use the hostel pathway?", "## How it felt"),
    "session-S-2": ("# Steering group: redesigning the hostel pathway", "## What was promised"),
    "session-S-3": ("# Panel and steering group: what changed this quarter", "## Who came"),
}


def _files(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if "__pycache__" not in p.parts}


@pytest.mark.slow
def test_the_walkthrough_writes_every_report(tmp_path):
    coprod = Path(sys.executable).parent / "coprod"
    assert coprod.exists(), f"install coprod into this environment first ({coprod})"
    before = _files(EXAMPLE)
    env = {k: v for k, v in os.environ.items() if not k.startswith("COPROD_")}
    env["PATH"] = f"{coprod.parent}{os.pathsep}{env.get('PATH', '')}"
    env["TMPDIR"] = str(tmp_path)

    done = subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True,
                          timeout=600, check=False)

    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    lines = done.stdout.splitlines()
    assert lines[-2].startswith(f"workspace: {tmp_path}")
    assert lines[-1].startswith(f"reports: {tmp_path}")
    reports = Path(lines[-1].removeprefix("reports: "))
    assert sorted(p.name for p in reports.iterdir()) == sorted(
        f"{name}.{ext}" for name in EXPECTED for ext in ("html", "md"))
    for name, (title, heading) in EXPECTED.items():
        markdown = (reports / f"{name}.md").read_text(encoding="utf-8")
        assert markdown.startswith(title + "\n"), name
        assert f"\n{heading}\n" in markdown, name
        assert "Riverside Lived Experience Panel" in markdown
        page = (reports / f"{name}.html").read_text(encoding="utf-8")
        assert page.startswith("<!DOCTYPE html>")
        assert f"<h1>{title.removeprefix('# ')}</h1>" in page, name
    # What the quarter recorded shows through: the held tension and the promises kept.
    tensions = (reports / "tensions.md").read_text(encoding="utf-8")
    assert "the curfew keeps people safe" in tensions
    promises = (reports / "commitments.md").read_text(encoding="utf-8")
    assert "Two panel members sit on the evaluation panel" in promises
    # Nobody is named: the reports were made without --names.
    for name in ("Jordan", "Priya Shah", "Helen Moss", "Sam Doyle"):
        assert all(name not in p.read_text(encoding="utf-8") for p in reports.iterdir())
    assert _files(EXAMPLE) == before
