"""Benchmark: `coprod intake import` of a large CSV into SQLite, against a raw baseline.

    python bench/intake_import.py [ROWS]        (default 100000)

Both sides run in the same invocation, each in its own process so that peak
memory (RSS) is measured separately:

- raw: read the CSV with the csv module and insert every row as it is into
  a SQLite table with executemany, in one transaction;
- coprod: `coprod intake import welcome FILE.csv` into a new SQLite
  workspace (every answer checked, consent and special-category rules
  applied, one participant and one submission stored per row).

A third line, "documents only", shows the floor the storage design sets:
the same CSV turned, without any checking, into the two JSON documents per
row coprod stores (a participant and a submission), inserted with
executemany into tables shaped like the SQLite backend's.

It prints rows per second for each, coprod's ratio to the raw rate (target:
at least 0.3), and the peak RSS of the import at ROWS and at a fifth of
ROWS: memory is flat when the two are close.
"""

from __future__ import annotations

import csv
import json
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FORM = """
[workspace]
org = "Benchmark"
actor = "bench"

[forms.welcome]
title = "Welcome"
creates = "participant"

[[forms.welcome.fields]]
name = "name"
type = "short_text"
label = "Name"
required = true
fills = "name"

[[forms.welcome.fields]]
name = "email"
type = "email"
label = "Email"
fills = "email"

[[forms.welcome.fields]]
name = "phone"
type = "phone"
label = "Phone"
fills = "phone"

[[forms.welcome.fields]]
name = "record_consent"
type = "consent"
label = "Can we keep a record?"
statement = "We keep your record so that we can pay you."
purpose = "record"
method = "written"
required = true

[[forms.welcome.fields]]
name = "age_band"
type = "single_choice"
label = "Age group"
choices = ["18-24", "25-34", "35-44", "45-64", "65+"]
fills = "demographic.age_band"

[[forms.welcome.fields]]
name = "ethnicity_consent"
type = "consent"
label = "Can we record your ethnic group?"
statement = "Your ethnic group is sensitive; we publish totals only."
purpose = "special:ethnicity"
method = "written"

[[forms.welcome.fields]]
name = "ethnicity"
type = "single_choice"
label = "Ethnic group"
choices = ["asian", "black", "mixed", "white", "other"]
fills = "demographic.ethnicity"
special = "ethnicity"

[[forms.welcome.fields]]
name = "joined"
type = "date"
label = "Joined"
fills = "extra.panel.joined"
"""

HEADER = ["name", "email", "phone", "record_consent", "age_band", "ethnicity_consent",
          "ethnicity", "joined"]


def write_csv(path: Path, rows: int) -> None:
    rng = random.Random(7)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(HEADER)
        for i in range(rows):
            out.writerow([
                f"Person {i}", f"person{i}@example.org", f"07700 9{i % 100000:05d}", "yes",
                rng.choice(["18-24", "25-34", "35-44", "45-64", "65+"]),
                rng.choice(["yes", "no"]), rng.choice(["asian", "black", "white", "other"]),
                f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            ])


def child_raw(csv_path: Path, folder: Path) -> None:
    start = time.perf_counter()
    db = sqlite3.connect(folder / "raw.db")
    with open(csv_path, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        db.execute(f"CREATE TABLE rows({', '.join(header)})")
        with db:
            db.executemany(f"INSERT INTO rows VALUES ({', '.join('?' * len(header))})", reader)
    db.close()
    report(time.perf_counter() - start)


def child_documents(csv_path: Path, folder: Path) -> None:
    start = time.perf_counter()
    db = sqlite3.connect(folder / "docs.db")
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE p(num INTEGER PRIMARY KEY, id TEXT UNIQUE, doc TEXT, role TEXT)")
    db.execute("CREATE INDEX p_role ON p(role)")
    db.execute("CREATE TABLE s(num INTEGER PRIMARY KEY, id TEXT UNIQUE, doc TEXT)")
    at = "2026-01-05T10:00:00+00:00"
    consent = {"purpose": "record", "given": True, "statement_version": "sha256:0123456789abcdef",
               "method": "written", "recorded_by": "bench", "at": at}
    people: list[tuple[int, str, str, str]] = []
    submissions: list[tuple[int, str, str]] = []

    def flush() -> None:
        db.executemany("INSERT OR REPLACE INTO p VALUES (?, ?, ?, ?)", people)
        db.executemany("INSERT OR REPLACE INTO s VALUES (?, ?, ?)", submissions)
        people.clear()
        submissions.clear()

    with open(csv_path, newline="", encoding="utf-8") as fh, db:
        reader = csv.reader(fh)
        next(reader)
        for i, row in enumerate(reader, 1):
            person = {
                "id": f"P-{i}", "name": row[0], "role": "lived_experience", "pseudonym": None,
                "email": row[1], "phone": row[2], "consents": [consent, consent],
                "demographics": [{"key": "age_band", "value": row[4], "category": None},
                                 {"key": "ethnicity", "value": row[6],
                                  "category": "ethnicity"}],
                "extra": {"panel.joined": row[7]}, "created_at": at, "erased_at": None,
                "schema_version": 1,
            }
            submission = {
                "id": f"F-{i}", "form": "welcome", "form_hash": "sha256:0123456789abcdef",
                "participant_id": f"P-{i}", "session_id": None, "at": at,
                "recorded_by": "bench", "answers": {}, "not_stored": [], "schema_version": 1,
            }
            people.append((i, person["id"], json.dumps(person, ensure_ascii=False),
                           "lived_experience"))
            submissions.append((i, submission["id"], json.dumps(submission, ensure_ascii=False)))
            if len(people) >= 2000:
                flush()
        flush()
    db.close()
    report(time.perf_counter() - start)


def child_coprod(csv_path: Path, folder: Path) -> None:
    from coprod_core.cli import cli

    ws = folder / "ws"
    ws.mkdir()
    (ws / "coprod.toml").write_text(FORM, encoding="utf-8")
    start = time.perf_counter()
    try:
        cli.main(["--workspace", str(ws), "intake", "import", "welcome", str(csv_path),
                  "--no-progress"], standalone_mode=False)
    finally:
        report(time.perf_counter() - start)


def report(seconds: float) -> None:
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "peak_mib": peak_kib / 1024}), file=sys.stderr)


def run_child(kind: str, csv_path: Path, folder: Path) -> dict[str, float]:
    folder.mkdir()
    proc = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(csv_path), str(folder)],
        capture_output=True, text=True, check=False,
    )
    if proc.returncode != 0:
        sys.exit(f"{kind} failed:\n{proc.stdout}\n{proc.stderr}")
    result: dict[str, float] = json.loads(proc.stderr.strip().splitlines()[-1])
    return result


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        results = {}
        for n in (rows // 5, rows):
            csv_path = base / f"people-{n}.csv"
            write_csv(csv_path, n)
            raw = run_child("raw", csv_path, base / f"raw-{n}")
            docs = run_child("documents", csv_path, base / f"documents-{n}")
            ours = run_child("coprod", csv_path, base / f"coprod-{n}")
            results[n] = (raw, ours, docs)
        raw, ours, docs = results[rows]
        raw_rate, our_rate = rows / raw["seconds"], rows / ours["seconds"]
        docs_rate = rows / docs["seconds"]
        print(f"rows:                 {rows:,}  ({os.cpu_count()} CPUs)")
        for label, rate, side in (("raw csv+executemany: ", raw_rate, raw),
                                  ("documents only:      ", docs_rate, docs),
                                  ("coprod intake import:", our_rate, ours)):
            print(f"{label} {rate:>10,.0f} rows/s  peak RSS {side['peak_mib']:.0f} MiB  "
                  f"({side['seconds']:.1f} s)")
        print(f"ratio:                {our_rate / raw_rate:.2f} of the raw rate (target >= 0.3); "
              f"documents only: {docs_rate / raw_rate:.2f}")
        small = results[rows // 5][1]
        print(f"memory:               peak RSS {small['peak_mib']:.0f} MiB at {rows // 5:,} rows, "
              f"{ours['peak_mib']:.0f} MiB at {rows:,} rows")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        kind, csv_file, out = sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4])
        {"raw": child_raw, "documents": child_documents, "coprod": child_coprod}[kind](
            csv_file, out)
    else:
        main()
