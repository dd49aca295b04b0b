"""Benchmark: each report in HTML against raw SQL computing the same figures.

    python bench/reports.py [--scale 1.0] [--keep DIR]

Builds a SQLite workspace of 10,000 participants, 5,000 sessions (150,000
attendance records) and 20,000 commitments (times ``--scale``) through the
bulk paths, then, for each report kind, in a fresh process: opens the
workspace, builds the report and writes it as HTML, timing it and noting the
peak memory; and runs raw SQL aggregate queries over the same SQLite file
that compute the same figures. Prints each ratio (target: at most 3x).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

KINDS = ("summary", "commitments", "tensions", "participation", "ladder", "session")
ROLES = (("lived_experience", 50), ("peer_researcher", 10), ("staff", 25),
         ("commissioner", 5), ("partner", 5), ("volunteer", 5))
RUNGS = ("coercion", "educating", "informing", "consultation", "engagement", "co_design",
         "co_production")
START = dt.date(2024, 1, 1)


def build(folder: Path, scale: float) -> None:
    from coprod_core.model import (
        Attendance,
        Commitment,
        ConsentRecord,
        Demographic,
        ProgressUpdate,
        Rating,
        Session,
        Tension,
        Transition,
    )
    from coprod_core.workspace import Workspace

    rng = random.Random(7)
    n_people, n_sessions = int(10_000 * scale), int(5_000 * scale)
    n_commitments, n_tensions = int(20_000 * scale), int(4_000 * scale)
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    ws = Workspace.create(folder, org="Benchmark Partnership", actor="bench",
                          clock=lambda: now)
    with ws:
        cfg = folder / "coprod.toml"
        cfg.write_text(cfg.read_text() + '\n[reports]\ndemographics = ["ethnicity"]\n')
        roles = [r for r, weight in ROLES for _ in range(weight)]
        # A special-category answer is stored only with consent that covers it.
        consent = ConsentRecord(purpose="special:ethnicity", given=True,
                                statement_version="v1", method="written",
                                recorded_by="bench", at=now)
        ws.add_participants({
            "name": f"Person {i}", "role": rng.choice(roles), "consents": (consent,),
            "demographics": (Demographic(key="ethnicity", value=rng.choice("ABCDE"),
                                         category="ethnicity"),),
        } for i in range(n_people))
        people = [f"P-{i}" for i in range(1, n_people + 1)]
        with ws.operation("bench.build") as op:
            first = op.storage.next_number("sessions", n_sessions)

            def sessions():
                for i in range(n_sessions):
                    came = rng.sample(people, 30)
                    yield Session(
                        id=f"S-{first + i}", title=f"Session {i}",
                        date=START + dt.timedelta(days=i * 730 // n_sessions),
                        attendance=tuple(Attendance(participant_id=p, status="attended")
                                         for p in came),
                        ratings=tuple(Rating(participant_id=p, rung=rng.choice(RUNGS))
                                      for p in came[:20]),
                        agreed_next="Meet again.", created_at=now,
                    )

            op.write_many("sessions", sessions())
            first_t = op.storage.next_number("tensions", n_tensions)

            def tensions():
                for i in range(n_tensions):
                    raised = now - dt.timedelta(days=rng.randrange(30, 700))
                    path = rng.choice((("raised",), ("raised", "acknowledged"),
                                       ("raised", "acknowledged", "resolved"),
                                       ("raised", "acknowledged", "explored", "held")))
                    history = tuple(Transition(status=s, at=raised + dt.timedelta(days=7 * k),
                                               actor="bench", note="n")
                                    for k, s in enumerate(path))
                    yield Tension(id=f"T-{first_t + i}", kind=rng.choice(
                        ("power", "identity", "resources", "communication")),
                        description=f"Tension {i}", session_id=f"S-{first + i % n_sessions}",
                        status=path[-1], history=history)

            op.write_many("tensions", tensions())
            first_c = op.storage.next_number("commitments", n_commitments)

            def commitments():
                for i in range(n_commitments):
                    made = now - dt.timedelta(days=rng.randrange(30, 700))
                    path = rng.choice((("proposed",), ("proposed", "agreed"),
                                       ("proposed", "agreed", "in_progress"),
                                       ("proposed", "agreed", "delivered"),
                                       ("proposed", "agreed", "not_delivered")))
                    history = tuple(Transition(status=s, at=made + dt.timedelta(days=9 * k),
                                               actor="bench", note="n")
                                    for k, s in enumerate(path))
                    yield Commitment(
                        id=f"C-{first_c + i}", description=f"Promise {i}",
                        made_by=rng.choice(people), authority=rng.choice(
                            ("can_decide", "can_influence", "can_only_raise")),
                        due=made.date() + dt.timedelta(days=60),
                        session_id=f"S-{first + i % n_sessions}",
                        answers=(f"T-{first_t + i % n_tensions}",), status=path[-1],
                        history=history,
                        updates=(ProgressUpdate(at=made, actor="bench", note="Update"),),
                    )

            op.write_many("commitments", commitments())


# ---------------------------------------------------------------- raw SQL baselines

def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


RAW: dict[str, list[str]] = {
    "summary": [
        "SELECT role, count(*) FROM doc_participants GROUP BY role",
        "SELECT count(DISTINCT s.id), count(*), count(DISTINCT json_extract(a.value, "
        "'$.participant_id')) FROM doc_sessions s, json_each(s.doc, '$.attendance') a "
        "WHERE json_extract(a.value, '$.status') = 'attended'",
        "SELECT p.role, count(DISTINCT json_extract(a.value, '$.participant_id')) "
        "FROM doc_sessions s, json_each(s.doc, '$.attendance') a JOIN doc_participants p "
        "ON p.id = json_extract(a.value, '$.participant_id') GROUP BY p.role",
        "SELECT kind, status, count(*) FROM doc_tensions GROUP BY kind, status",
        "SELECT authority, status, count(*), sum(due < date('now') AND status IN "
        "('proposed','agreed','in_progress','partly_delivered')) FROM doc_commitments "
        "GROUP BY authority, status",
    ],
    "commitments": [
        "SELECT authority, status, count(*) FROM doc_commitments c WHERE EXISTS (SELECT 1 "
        "FROM json_each(c.doc, '$.history') h WHERE json_extract(h.value, '$.status') = "
        "'agreed') GROUP BY authority, status",
        "SELECT c.authority, julianday(max(CASE WHEN json_extract(h.value, '$.status') = "
        "'delivered' THEN json_extract(h.value, '$.at') END)) - julianday(min(CASE WHEN "
        "json_extract(h.value, '$.status') = 'agreed' THEN json_extract(h.value, '$.at') "
        "END)) FROM doc_commitments c, json_each(c.doc, '$.history') h WHERE c.status = "
        "'delivered' GROUP BY c.num",
        "SELECT c.id, t.doc ->> '$.description', c.doc ->> '$.description', p.role, "
        "c.authority, c.due, c.status, c.doc ->> '$.updates[#-1].note' FROM doc_commitments c "
        "LEFT JOIN doc_participants p ON p.id = c.made_by LEFT JOIN doc_tensions t ON t.id = "
        "c.doc ->> '$.answers[0]' ORDER BY c.num",
    ],
    "tensions": [
        "SELECT kind, status, count(*) FROM doc_tensions GROUP BY kind, status",
        "SELECT julianday(min(CASE WHEN h.value ->> '$.status' = 'acknowledged' THEN "
        "h.value ->> '$.at' END)) - julianday(min(h.value ->> '$.at')), "
        "julianday(min(CASE WHEN h.value ->> '$.status' = 'resolved' THEN h.value ->> '$.at' "
        "END)) - julianday(min(h.value ->> '$.at')) FROM doc_tensions t, "
        "json_each(t.doc, '$.history') h GROUP BY t.num",
        "SELECT id, kind, doc ->> '$.description', doc ->> '$.history' FROM doc_tensions "
        "WHERE status = 'held'",
    ],
    "participation": [
        "SELECT a.value ->> '$.participant_id' AS pid, min(s.date) FROM doc_sessions s, "
        "json_each(s.doc, '$.attendance') a GROUP BY pid",
        "WITH att AS (SELECT s.num, s.date, a.value ->> '$.participant_id' AS pid FROM "
        "doc_sessions s, json_each(s.doc, '$.attendance') a), firsts AS (SELECT pid, "
        "min(date) AS d FROM att GROUP BY pid) SELECT att.num, sum(att.date = firsts.d), "
        "sum(att.date > firsts.d) FROM att JOIN firsts USING (pid) GROUP BY att.num",
        "SELECT p.role, count(*), sum(n >= 3) FROM (SELECT a.value ->> '$.participant_id' AS "
        "pid, count(*) AS n FROM doc_sessions s, json_each(s.doc, '$.attendance') a "
        "GROUP BY pid) JOIN doc_participants p ON p.id = pid GROUP BY p.role",
        "SELECT d.value ->> '$.value', count(*) FROM doc_participants p, "
        "json_each(p.doc, '$.demographics') d GROUP BY 1",
    ],
    "ladder": [
        "SELECT s.num, p.role IN ('lived_experience','peer_researcher') AS lived, "
        "avg(CASE r.value ->> '$.rung' WHEN 'coercion' THEN 1 WHEN 'educating' THEN 2 WHEN "
        "'informing' THEN 3 WHEN 'consultation' THEN 4 WHEN 'engagement' THEN 5 WHEN "
        "'co_design' THEN 6 ELSE 7 END), count(*) FROM doc_sessions s, json_each(s.doc, "
        "'$.ratings') r JOIN doc_participants p ON p.id = r.value ->> '$.participant_id' "
        "GROUP BY s.num, lived",
        "SELECT r.value ->> '$.rung', p.role, count(*) FROM doc_sessions s, json_each(s.doc, "
        "'$.ratings') r JOIN doc_participants p ON p.id = r.value ->> '$.participant_id' "
        "GROUP BY 1, 2",
    ],
    "session": [
        "SELECT p.role, a.value ->> '$.status', count(*) FROM doc_sessions s, json_each(s.doc, "
        "'$.attendance') a JOIN doc_participants p ON p.id = a.value ->> '$.participant_id' "
        "WHERE s.num = {num} GROUP BY 1, 2",
        "SELECT id, kind, doc ->> '$.description', status FROM doc_tensions WHERE session_id "
        "= 'S-{num}'",
        "SELECT c.id, c.doc ->> '$.description', p.role, c.authority, c.due, c.status FROM "
        "doc_commitments c LEFT JOIN doc_participants p ON p.id = c.made_by WHERE "
        "c.session_id = 'S-{num}'",
    ],
}


def raw(folder: Path, kind: str, num: int) -> float:
    started = time.perf_counter()
    db = sqlite3.connect(folder / "coprod.db")
    for query in RAW[kind]:
        rows = db.execute(query.replace("{num}", str(num))).fetchall()
        if kind == "commitments" and "julianday" in query:
            _median([r[1] for r in rows if r[1] is not None])
    db.close()
    return time.perf_counter() - started


def one(folder: Path, kind: str) -> None:
    """Child process: time the report, then the raw queries; print JSON."""
    from coprod_core.reports import Params, build, format_named, render
    from coprod_core.reports.output import write
    from coprod_core.workspace import Workspace

    baseline_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with sqlite3.connect(folder / "coprod.db") as db:
        num = db.execute("SELECT count(*) FROM doc_sessions").fetchone()[0] // 2
    raw_seconds = min(raw(folder, kind, num) for _ in range(2))
    # Import the kind and the format first: the raw queries pay no import cost either.
    importlib.import_module(f"coprod_reports.{kind}")
    importlib.import_module("coprod_reports.html")
    with Workspace.open(folder) as ws:
        opened_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        params = Params(args=(f"S-{num}",) if kind == "session" else ())
        report = build(ws, kind, params)
        out = render(report, format_named(ws.plugins, "html"), {"workspace": ws})
        target = folder / f"{kind}.html"
        write(out, target, force=True)
        seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"kind": kind, "seconds": seconds, "raw": raw_seconds,
                      "baseline_mb": baseline_rss / 1024, "opened_mb": opened_rss / 1024,
                      "peak_mb": peak / 1024, "html_mb": target.stat().st_size / 2**20}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--keep", type=Path, help="build (or reuse) the workspace here")
    parser.add_argument("--one", nargs=2, metavar=("DIR", "KIND"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        one(Path(args.one[0]), args.one[1])
        return
    with tempfile.TemporaryDirectory(prefix="coprod-bench-") as tmp:
        folder = args.keep or Path(tmp) / "ws"
        if not (folder / "coprod.toml").exists():
            started = time.perf_counter()
            build(folder, args.scale)
            print(f"built the workspace in {time.perf_counter() - started:.1f}s "
                  f"({(folder / 'coprod.db').stat().st_size / 2**20:.0f} MB)")
        print(f"{'report':<14} {'html s':>8} {'raw SQL s':>10} {'ratio':>6} "
              f"{'peak RSS MB':>12} {'after open':>11}")
        worst = 0.0
        for kind in KINDS:
            done = subprocess.run([sys.executable, __file__, "--one", str(folder), kind],
                                  capture_output=True, text=True, check=True,
                                  env={**os.environ, "PYTHONHASHSEED": "0"})
            r = json.loads(done.stdout)
            ratio = r["seconds"] / r["raw"]
            worst = max(worst, ratio)
            print(f"{kind:<14} {r['seconds']:>8.2f} {r['raw']:>10.2f} {ratio:>5.1f}x "
                  f"{r['peak_mb']:>12.0f} {r['opened_mb']:>11.0f}")
        print(f"worst ratio: {worst:.1f}x (target: at most 3x)")


if __name__ == "__main__":
    main()
