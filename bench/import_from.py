"""Benchmark: `coprod import-from decidim-results` of a large export, against a raw baseline.

    python bench/import_from.py [ROWS]        (default 20000)

Each side runs in its own process, so that peak memory (RSS) is measured
separately:

- raw: read the same `;`-separated file with the csv module and insert each
  row as it is into a SQLite table with executemany, in one transaction;
- coprod: `coprod import-from decidim-results FILE` into a new SQLite
  workspace (every row checked, a promise and a progress update per row with
  their dates, and a source link for each).

It prints rows per second for each, coprod's ratio to the raw rate, and the
peak RSS of the import at ROWS and at a fifth of ROWS: memory is flat when
the two are close. A second import of the same file (nothing changes) is
timed too.
"""

from __future__ import annotations

import csv
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEADER = ["id", "parent/id", "title/en", "description/en", "start_date", "end_date",
          "status/key", "progress", "created_at", "updated_at", "url"]


def write_results(path: Path, rows: int) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=";")
        writer.writerow(HEADER)
        for n in range(1, rows + 1):
            parent = str(n - 1) if n % 5 else ""
            writer.writerow([
                n, parent, f"Result {n}: open the centre later ", f"<p>Scope&nbsp;{n}</p>",
                "2025-03-01", "2025-09-30", "", f"{(n * 7) % 100}.5",
                "2025-02-20 10:00:00 UTC", "2025-10-01 09:30:00 UTC",
                f"https://decidim.example.org/results/{n}",
            ])


def raw(path: Path, db: Path) -> None:
    conn = sqlite3.connect(db)
    conn.execute(f"CREATE TABLE results ({', '.join(f'c{i}' for i in range(len(HEADER)))})")
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh, delimiter=";")
        next(reader)
        with conn:
            conn.executemany(f"INSERT INTO results VALUES ({', '.join('?' * len(HEADER))})",
                             reader)
    conn.close()


def coprod(path: Path, folder: Path) -> None:
    from coprod_core.importing import ImportOptions, importers, run_import
    from coprod_core.workspace import Workspace

    ws = Workspace.create(folder, org="Benchmark", actor="bench")
    ws.add_participant("Commissioner", role="commissioner")
    run_import(ws, importers()["decidim-results"], path,
               ImportOptions(by="P-1", authority="can_influence"))
    started = time.perf_counter()
    run_import(ws, importers()["decidim-results"], path,
               ImportOptions(by="P-1", authority="can_influence"))
    print(f"again={time.perf_counter() - started:.3f}")
    ws.close()


def child(kind: str, path: Path, target: Path) -> tuple[float, float, float | None]:
    started = time.perf_counter()
    out = subprocess.run([sys.executable, __file__, "--child", kind, str(path), str(target)],
                         check=True, capture_output=True, text=True).stdout
    elapsed = time.perf_counter() - started
    lines = dict(line.split("=", 1) for line in out.split())
    return elapsed, float(lines["rss"]), float(lines["again"]) if "again" in lines else None


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        kind, path, target = sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4])
        (raw if kind == "raw" else coprod)(path, target)
        print(f"rss={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f}")
        return
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        big, small = folder / "results.csv", folder / "small.csv"
        write_results(big, rows)
        write_results(small, max(1, rows // 5))
        raw_time, raw_rss, _ = child("raw", big, folder / "raw.db")
        coprod_time, coprod_rss, again = child("coprod", big, folder / "ws")
        _t, small_rss, _a = child("coprod", small, folder / "ws-small")
    # The child's time includes its start-up and, for coprod, the second import.
    coprod_first = coprod_time - (again or 0.0)
    print(f"rows: {rows}")
    print(f"raw csv + executemany: {rows / raw_time:,.0f} rows/s (peak RSS {raw_rss:.0f} MB)")
    print(f"coprod import-from:    {rows / coprod_first:,.0f} rows/s (peak RSS "
          f"{coprod_rss:.0f} MB; {small_rss:.0f} MB at {max(1, rows // 5)} rows)")
    print(f"second import of the same file (nothing changes): {again:.2f} s")
    print(f"ratio to raw: {raw_time / coprod_first:.3f}")


if __name__ == "__main__":
    os.environ.setdefault("COPROD_USER", "bench")
    main()
