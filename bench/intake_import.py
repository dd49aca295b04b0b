"""Benchmark: `coprod intake import` of a large CSV into SQLite, against a raw baseline.

    python bench/intake_import.py [ROWS]        (default 100000)

Both sides run in the same invocation, each in its own process so that peak
memory (RSS) is measured separately:

- raw: read the CSV with the csv module and insert every row as it is into
  a SQLite table with executemany, in one transaction;
- coprod: `coprod intake import welcome FILE.csv` into a new SQLite
  workspace (every answer checked, consent and special-category rules
  applied, one participant and one submission stored per row).

It prints rows per second for both, their ratio (target: at least 0.3), and
the peak RSS of each import at ROWS and at a fifth of ROWS: memory is flat
when the two are close.
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
            ours = run_child("coprod", csv_path, base / f"coprod-{n}")
            results[n] = (raw, ours)
        raw, ours = results[rows]
        raw_rate, our_rate = rows / raw["seconds"], rows / ours["seconds"]
        print(f"rows:                 {rows:,}  ({os.cpu_count()} CPUs)")
        for label, rate, side in (("raw csv+executemany: ", raw_rate, raw),
                                  ("coprod intake import:", our_rate, ours)):
            print(f"{label} {rate:>10,.0f} rows/s  peak RSS {side['peak_mib']:.0f} MiB  "
                  f"({side['seconds']:.1f} s)")
        print(f"ratio:                {our_rate / raw_rate:.2f} of the raw rate (target >= 0.3)")
        small = results[rows // 5][1]
        print(f"memory:               peak RSS {small['peak_mib']:.0f} MiB at {rows // 5:,} rows, "
              f"{ours['peak_mib']:.0f} MiB at {rows:,} rows")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        kind, csv_file, out = sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4])
        (child_raw if kind == "raw" else child_coprod)(csv_file, out)
    else:
        main()
