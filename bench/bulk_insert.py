"""Bulk insert: 100,000 participants through the Workspace, against a raw baseline.

    python bench/bulk_insert.py [--n 100000] [--postgres URL]

SQLite: the same records as plain dicts, ``json.dumps`` and ``executemany``
into a plain table, in one transaction, in the same run. Target: the
Workspace path reaches at least 0.5 of the raw rate. Each is run ``--repeat``
times, alternating, and the best of each is compared, in wall time and in
this process's CPU time (the fairer measure on a shared, busy machine: both
paths run entirely in this process, SQLite included, with one commit each).

PostgreSQL (with --postgres or COPROD_TEST_POSTGRES_URL): the Workspace on
the postgres backend against raw psycopg ``COPY`` of the same JSON into a
plain ``jsonb`` table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sqlite3
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROLES = ("lived_experience", "staff", "commissioner", "partner")


def people(n: int) -> list[dict[str, str]]:
    return [{"name": f"Person {i}", "role": ROLES[i % 4], "pseudonym": f"P{i}"}
            for i in range(n)]


def raw_record(i: int, item: dict[str, str], now: str) -> dict[str, object]:
    """What a hand-written store would keep: the same fields as plain dicts."""
    return {"id": f"P-{i + 1}", "name": item["name"], "role": item["role"],
            "pseudonym": item["pseudonym"], "email": None, "phone": None, "consents": [],
            "demographics": [], "extra": {}, "created_at": now, "erased_at": None,
            "schema_version": 1}


Timing = tuple[float, float]  # (wall seconds, CPU seconds of this process)


def clock() -> Timing:
    return time.perf_counter(), time.process_time()


def since(start: Timing) -> Timing:
    return time.perf_counter() - start[0], time.process_time() - start[1]


def raw_sqlite(folder: Path, items: list[dict[str, str]]) -> Timing:
    (folder / "raw.db").unlink(missing_ok=True)
    db = sqlite3.connect(folder / "raw.db", isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE people(num INTEGER PRIMARY KEY, id TEXT, doc TEXT)")
    start = clock()
    now = dt.datetime.now(dt.UTC).isoformat()
    db.execute("BEGIN IMMEDIATE")
    db.executemany("INSERT INTO people VALUES (?, ?, ?)",
                   ((i + 1, f"P-{i + 1}", json.dumps(raw_record(i, item, now)))
                    for i, item in enumerate(items)))
    db.execute("COMMIT")
    elapsed = since(start)
    db.close()
    return elapsed


def through_workspace(folder: Path, items: list[dict[str, str]], backend: str = "sqlite",
                      storage: dict[str, object] | None = None) -> Timing:
    from coprod_core.config import Config
    from coprod_core.workspace import Workspace

    (folder / "coprod.db").unlink(missing_ok=True)
    data = {"storage": {"backend": backend, **(storage or {})}}
    config = Config.from_dict(data, path=folder / "coprod.toml")
    ws = Workspace.from_config(config, actor="bench")
    try:
        start = clock()
        count = ws.add_participants(items)
        elapsed = since(start)
        assert count == len(items) == ws.count("participants")
    finally:
        ws.close()
    return elapsed


def raw_postgres(url: str, schema: str, items: list[dict[str, str]]) -> Timing:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
        conn.execute(f'CREATE TABLE "{schema}".people(num bigint PRIMARY KEY, id text, doc jsonb)')
        now = dt.datetime.now(dt.UTC).isoformat()
        start = clock()
        copy_sql = f'COPY "{schema}".people (num, id, doc) FROM STDIN'
        with conn.transaction(), conn.cursor() as cur, cur.copy(copy_sql) as copy:
            for i, item in enumerate(items):
                copy.write_row((i + 1, f"P-{i + 1}", json.dumps(raw_record(i, item, now))))
        return since(start)


def report(label: str, n: int, ours: float, raw: float, what: str) -> float:
    ratio = raw / ours
    print(f"{label}: workspace {n / ours:>9,.0f} records/s, raw {n / raw:>9,.0f} records/s, "
          f"ratio {ratio:.2f} ({what})")
    return ratio


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--postgres", default=os.environ.get("COPROD_TEST_POSTGRES_URL"))
    parser.add_argument("--repeat", type=int, default=5,
                        help="Runs of each, alternating; the best of each is compared.")
    args = parser.parse_args()
    items = people(args.n)
    raws, ourses = [], []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for _ in range(args.repeat):
            raws.append(raw_sqlite(folder, items))
            ourses.append(through_workspace(folder, items))
    report("sqlite  ", args.n, min(t[0] for t in ourses), min(t[0] for t in raws), "wall time")
    ratio = report("sqlite  ", args.n, min(t[1] for t in ourses), min(t[1] for t in raws),
                   "CPU time")
    if args.postgres:
        import psycopg

        schemas = [f"bench_{uuid.uuid4().hex[:8]}" for _ in range(2)]
        try:
            raw = raw_postgres(args.postgres, schemas[0], items)
            with tempfile.TemporaryDirectory() as tmp:
                ours = through_workspace(Path(tmp), items, "postgres",
                                         {"url": args.postgres, "schema": schemas[1]})
            # Wall time: most of the work is the server's, in another process.
            report("postgres", args.n, ours[0], raw[0], "wall time")
        finally:
            with psycopg.connect(args.postgres, autocommit=True) as conn:
                for schema in schemas:
                    conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    print(f"target: sqlite ratio >= 0.5 (CPU time): {'met' if ratio >= 0.5 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
