"""Streaming: 1,000,000 attendance records in 40,000 sessions, with flat memory.

    python bench/stream_attendance.py [--sessions 40000] [--per-session 25]

Fills a SQLite workspace (in a child process), then walks every session
through ``Workspace.sessions()`` in a fresh process, counting attendance,
and reports that process's peak resident memory (``resource.getrusage``).
Target: under 200 MB. The raw baseline, in the same run, walks the same
table with sqlite3 and ``json.loads`` only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

STATUSES = ("attended", "attended", "attended", "apologies", "absent")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def fill(folder: Path, sessions: int, per_session: int) -> None:
    from coprod_core.model import Attendance, Session
    from coprod_core.workspace import Workspace

    ws = Workspace.create(folder, actor="bench")
    start = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)

    def build() -> Iterator[Session]:
        for n in range(1, sessions + 1):
            yield Session(
                id=f"S-{n}", title=f"Panel {n}", date=(start + dt.timedelta(days=n % 700)).date(),
                attendance=tuple(
                    Attendance(participant_id=f"P-{(n * 7 + k) % 1000 + 1}",
                               status=STATUSES[(n + k) % 5])
                    for k in range(per_session)),
                created_at=start,
            )

    with ws.operation("bench.fill") as op:
        op.storage.next_number("sessions", sessions)
        op.write_many("sessions", build())
    ws.close()


def walk_workspace(folder: Path) -> tuple[int, float]:
    from coprod_core.workspace import Workspace

    ws = Workspace.open(folder, actor="bench")
    begin = time.perf_counter()
    attended = total = 0
    for session in ws.sessions():
        total += len(session.attendance)
        attended += len(session.attended)
    elapsed = time.perf_counter() - begin
    ws.close()
    assert attended > 0
    return total, elapsed


def walk_raw(folder: Path) -> tuple[int, float]:
    import sqlite3

    db = sqlite3.connect(folder / "coprod.db")
    begin = time.perf_counter()
    total = 0
    cur = db.execute("SELECT doc FROM doc_sessions ORDER BY num")
    while rows := cur.fetchmany(500):
        for (text,) in rows:
            total += len(json.loads(text)["attendance"])
    elapsed = time.perf_counter() - begin
    db.close()
    return total, elapsed


def child(args: list[str]) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, *args], check=True, capture_output=True,
                         text=True).stdout
    return json.loads(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=40_000)
    parser.add_argument("--per-session", type=int, default=25)
    parser.add_argument("--step", choices=["fill", "workspace", "raw"], help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step == "fill":
        fill(args.folder, args.sessions, args.per_session)
        print(json.dumps({"peak_mb": peak_mb()}))
        return 0
    if args.step in ("workspace", "raw"):
        walk = walk_workspace if args.step == "workspace" else walk_raw
        total, elapsed = walk(args.folder)
        print(json.dumps({"records": total, "seconds": elapsed, "peak_mb": peak_mb()}))
        return 0

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "ws"
        sizes = ["--sessions", str(args.sessions), "--per-session", str(args.per_session)]
        began = time.perf_counter()
        filled = child(["--step", "fill", "--folder", str(folder), *sizes])
        print(f"filled {args.sessions:,} sessions in {time.perf_counter() - began:.1f} s "
              f"(peak {filled['peak_mb']:.0f} MB)")
        raw = child(["--step", "raw", "--folder", str(folder)])
        ours = child(["--step", "workspace", "--folder", str(folder)])
    assert ours["records"] == raw["records"] == args.sessions * args.per_session
    print(f"workspace: {ours['records'] / ours['seconds']:>10,.0f} attendance records/s, "
          f"peak RSS {ours['peak_mb']:.0f} MB")
    print(f"raw      : {raw['records'] / raw['seconds']:>10,.0f} attendance records/s, "
          f"peak RSS {raw['peak_mb']:.0f} MB")
    print(f"ratio {raw['seconds'] / ours['seconds']:.2f}; target peak RSS < 200 MB: "
          f"{'met' if ours['peak_mb'] < 200 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
