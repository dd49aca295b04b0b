"""How long erasure and a subject access export take, against a raw read of every record.

Both walk every record once (the person may be named anywhere), so the
baseline is the cheapest such walk: SELECT every document of every table and
parse its JSON, with sqlite3 alone, in the same run on the same database.

    python bench/privacy_erase.py [PARTICIPANTS]
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from coprod_core import privacy, subject_access
from coprod_core.testing import FakeClock
from coprod_core.workspace import Workspace


def seed(ws: Workspace, people: int) -> None:
    with ws.operation("bench.seed"):
        ws.add_participants({"name": f"Person {i} Surname{i}", "role": "lived_experience",
                             "email": f"person{i}@example.org"} for i in range(people))
        for n in range(people // 10):
            s = ws.new_session(f"Panel {n}", date=dt.date(2026, 1, 1) + dt.timedelta(days=n),
                               purpose=f"Hear from Person {n} Surname{n}")
            ws.attend(s.id, [f"P-{1 + (n * 7 + k) % people}" for k in range(12)])
        for n in range(people // 5):
            ws.raise_tension(f"Person {n} Surname{n} raised this about curfews", kind="power",
                             raised_by=f"P-{1 + n % people}")
            ws.make_commitment(f"Call person{n}@example.org back", made_by=f"P-{1 + n % people}",
                               authority="can_influence")


def raw_walk(path: Path) -> float:
    db = sqlite3.connect(path)
    start = time.perf_counter()
    tables = [r[0] for r in db.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name LIKE 'doc_%'")]
    count = 0
    for table in tables:
        for (text,) in db.execute(f'SELECT doc FROM "{table}"'):
            json.loads(text)
            count += 1
    for (text,) in db.execute("SELECT entry FROM audit"):
        json.loads(text)
    elapsed = time.perf_counter() - start
    db.close()
    return elapsed


def main() -> None:
    people = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace.create(Path(tmp) / "ws", clock=FakeClock(), actor="bench")
        seed(ws, people)
        baseline = min(raw_walk(Path(tmp) / "ws" / "coprod.db") for _ in range(3))

        start = time.perf_counter()
        subject_access.collect(ws, "P-3")
        export_time = time.perf_counter() - start

        start = time.perf_counter()
        privacy.erase(ws, "P-3")
        erase_time = time.perf_counter() - start
        ws.close()
    records = people + people // 10 + 2 * (people // 5)
    print(f"{records} records ({people} participants)")
    print(f"raw walk of every record (sqlite3 + json): {baseline * 1000:8.1f} ms")
    print(f"subject access collect:                    {export_time * 1000:8.1f} ms  "
          f"ratio {export_time / baseline:5.1f}x")
    print(f"erase (walk, rewrite, commit, purge):      {erase_time * 1000:8.1f} ms  "
          f"ratio {erase_time / baseline:5.1f}x")


if __name__ == "__main__":
    main()
