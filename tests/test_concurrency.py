"""Two coprod processes writing to one SQLite workspace at once both succeed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

WRITER = textwrap.dedent("""
    import datetime, sys, time
    from pathlib import Path
    from coprod_core.workspace import Workspace

    folder, name, count, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
    ws = Workspace.open(folder, actor=name)
    while not go.exists():
        time.sleep(0.005)
    for i in range(count):
        person = ws.add_participant(f"{name} {i}", role="staff")
        session = ws.new_session(f"{name} {i}", date=datetime.date(2026, 1, 1))
        ws.attend(session.id, [person.id])
    ws.close()
    print("done")
""")


def _env(workspace_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["COPROD_WORKSPACE"] = str(workspace_dir)
    env.pop("COPROD_DEBUG", None)
    return env


def test_two_writer_processes_interleave_without_locking_errors(workspace_dir, tmp_path):
    go = tmp_path / "go"
    count = 40
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(workspace_dir), name, str(count),
                          str(go)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         env=_env(workspace_dir))
        for name in ("north", "south")
    ]
    time.sleep(0.3)
    go.touch()
    results = [p.communicate(timeout=120) for p in procs]
    for proc, (out, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err
        assert out == "done\n"
        assert "locked" not in err
    from coprod_core.workspace import Workspace

    with Workspace.open(workspace_dir) as ws:
        people = list(ws.participants())
        sessions = list(ws.sessions())
        audit = list(ws.audit())
    assert len(people) == 2 * count
    assert [p.id for p in people] == [f"P-{n}" for n in range(1, 2 * count + 1)]
    assert len(sessions) == 2 * count
    assert all(len(s.attended) == 1 for s in sessions)
    assert len(audit) == 3 * 2 * count
    assert {e["actor"] for e in audit} == {"north", "south"}


def test_two_coprod_commands_at_once(workspace_dir):
    script = Path(sys.executable).parent / "coprod"
    command = [str(script)] if script.exists() else [
        sys.executable, "-c", "from coprod_core.cli import main; main()"]
    procs = []
    for i in range(6):
        procs.append(subprocess.Popen(
            [*command, "participant", "add", f"Person {i}", "--role", "staff"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=_env(workspace_dir)))
    outs = [p.communicate(timeout=120) for p in procs]
    for proc, (_out, err) in zip(procs, outs, strict=True):
        assert proc.returncode == 0, err
        assert err == ""
    ids = sorted(out.strip() for out, _err in outs)
    assert ids == sorted(f"P-{n}" for n in range(1, 7))
    listed = subprocess.run([*command, "participant", "list", "--json"], capture_output=True,
                            text=True, env=_env(workspace_dir), check=True)
    assert len(json.loads(listed.stdout)) == 6
