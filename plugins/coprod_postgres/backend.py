"""PostgreSQL storage: one table per collection, documents in JSONB.

Choices (argued in docs/storage.md):

- each document is a ``jsonb`` column; the fields reports filter on
  (:data:`coprod_core.storage.INDEXED_FIELDS`) are generated, indexed columns;
- transactions run at READ COMMITTED, and every write transaction first
  takes one transaction-scoped advisory lock per schema, so writers queue
  as they do with SQLite's ``BEGIN IMMEDIATE``: an operation that reads a
  record and writes it back cannot lose another writer's change, and no
  operation ever has to be retried; readers never wait;
- id counters are a single atomic ``INSERT ... ON CONFLICT DO UPDATE ...
  RETURNING`` per allocation;
- the schema is created and migrated by coprod, recorded in ``coprod_schema``.

One piece: one class implementing the storage protocol, its SQL beside the
method it serves.
"""

from __future__ import annotations

import json
import os
import re
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from coprod_core.errors import StorageError
from coprod_core.storage import INDEXED_FIELDS, BaseStorage, check_collection, id_number

try:
    import psycopg
    from psycopg import sql
    from psycopg.types.json import Jsonb
except ImportError:  # pragma: no cover - exercised by the missing-extra test
    psycopg = None  # type: ignore[assignment]

MISSING = 'the postgres backend needs psycopg; install it with: pip install "coprod[postgres]"'
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_PAGE = 1000
_ENCODE = json.JSONEncoder(ensure_ascii=False).encode
_COPY_FROM = 200


def open_postgres(root: Path | None, options: Mapping[str, Any]) -> PostgresStorage:
    if psycopg is None:
        raise StorageError(MISSING)
    env = options.get("url_env", "COPROD_POSTGRES_URL")
    url = options.get("url") or os.environ.get(env)
    if not url:
        raise StorageError(
            f"the postgres backend needs a server: set [storage] url in coprod.toml "
            f"or the environment variable {env}"
        )
    return PostgresStorage(url, schema=options.get("schema", "public"),
                           timeout=float(options.get("timeout", 30)))


def _safe_url(url: str) -> str:
    """The URL without its password, for messages."""
    return re.sub(r"(://[^:/@]*):[^@]*@", r"\1:***@", url)


def _step_1(db: PostgresStorage) -> None:
    db.exec("CREATE TABLE IF NOT EXISTS {counters}("
            "collection text PRIMARY KEY, last bigint NOT NULL)")
    db.exec("CREATE TABLE IF NOT EXISTS {audit}(seq bigserial PRIMARY KEY, entry jsonb NOT NULL)")
    for collection in INDEXED_FIELDS:
        db.ensure_table(collection)


#: Schema migrations: ``MIGRATIONS[n]`` takes the schema from version n to n + 1.
MIGRATIONS: list[Callable[[PostgresStorage], None]] = [_step_1]


class PostgresStorage(BaseStorage):
    name = "postgres"

    def __init__(self, url: str, *, schema: str = "public", timeout: float = 30.0) -> None:
        if not _NAME.match(schema):
            raise StorageError(f"[storage] schema {schema!r} must be a plain SQL name")
        self.schema = schema
        self.url = _safe_url(url)
        self._tables: set[str] = set()
        self.timeout = timeout
        self._affected: set[str] = set()
        self._lock_key = zlib.crc32(f"coprod:{schema}".encode())
        try:
            self._conn = psycopg.connect(url, autocommit=True, connect_timeout=10)
        except psycopg.Error as exc:
            message = " ".join(str(exc).split())
            raise StorageError(f"cannot connect to PostgreSQL at {self.url}: {message}") from None
        try:
            self.exec(f"SET lock_timeout = {int(timeout * 1000)}")
            self._migrate()
        except BaseException:
            self._conn.close()
            raise

    # -- SQL helpers

    def _name(self, table: str) -> sql.Composed:
        return sql.SQL("{}.{}").format(sql.Identifier(self.schema), sql.Identifier(table))

    def exec(self, query: str, params: Any = None) -> Any:
        """Run ``query`` with ``{counters}``, ``{audit}``, ``{schema}`` filled in."""
        composed = sql.SQL(query).format(
            counters=self._name("coprod_counters"), audit=self._name("coprod_audit"),
            version=self._name("coprod_schema"), schema=sql.Identifier(self.schema),
        )
        return self._run(composed, params)

    def _run(self, query: Any, params: Any = None) -> Any:
        """Run one statement; a lost connection or lock timeout becomes a StorageError."""
        try:
            return self._conn.execute(query, params)
        except psycopg.errors.LockNotAvailable:
            raise StorageError(
                f"another writer held {self.url} for too long; try again, "
                "or raise [storage] timeout"
            ) from None
        except psycopg.OperationalError as exc:
            message = " ".join(str(exc).split())
            raise StorageError(f"lost the connection to {self.url}: {message}") from None

    def _table(self, collection: str) -> sql.Composed:
        return self._name(f"doc_{check_collection(collection)}")

    # -- schema

    def _migrate(self) -> None:
        with self._conn.transaction():
            self.exec("SELECT pg_advisory_xact_lock(%s)", (self._lock_key,))
            self.exec("CREATE SCHEMA IF NOT EXISTS {schema}")
            self.exec("CREATE TABLE IF NOT EXISTS {version}(version integer NOT NULL)")
            row = self.exec("SELECT max(version) FROM {version}").fetchone()
            version = row[0] or 0
            if version > len(MIGRATIONS):
                raise StorageError(
                    f"the coprod tables in {self.url} schema {self.schema} were made by a newer "
                    f"coprod (schema {version}); upgrade coprod to use them"
                )
            self._tables = self._existing_tables()
            for step in MIGRATIONS[version:]:
                step(self)
            if version < len(MIGRATIONS):
                self.exec("DELETE FROM {version}")
                self.exec("INSERT INTO {version} VALUES (%s)", (len(MIGRATIONS),))
        self._tables = self._existing_tables()

    def schema_version(self) -> int:
        return int(self.exec("SELECT max(version) FROM {version}").fetchone()[0] or 0)

    def _existing_tables(self) -> set[str]:
        rows = self._run(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s", (self.schema,)
        )
        return {r[0] for r in rows}

    def ensure_table(self, collection: str) -> None:
        name = f"doc_{check_collection(collection)}"
        if name in self._tables:
            return
        fields = INDEXED_FIELDS.get(collection, ())
        columns = sql.SQL("").join(
            sql.SQL(", {} text GENERATED ALWAYS AS (doc->>{}) STORED").format(
                sql.Identifier(f), sql.Literal(f))
            for f in fields
        )
        self._run(sql.SQL(
            "CREATE TABLE IF NOT EXISTS {}(num bigint PRIMARY KEY, id text NOT NULL, "
            "doc jsonb NOT NULL{})").format(self._name(name), columns))
        for f in fields:
            self._run(sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {}({})").format(
                sql.Identifier(f"{name}_{f}"), self._name(name), sql.Identifier(f)))
        self._tables.add(name)

    def _has(self, collection: str) -> bool:
        name = f"doc_{check_collection(collection)}"
        if name not in self._tables:
            # Another process may have created it since we last looked.
            self._tables = self._existing_tables()
        return name in self._tables

    # -- transactions

    @contextmanager
    def _begin(self) -> Iterator[None]:
        tables = set(self._tables)
        try:
            with self._conn.transaction():
                self.exec("SELECT pg_advisory_xact_lock(%s)", (self._lock_key,))
                yield
        except BaseException:
            self._tables = tables
            raise

    # -- documents

    def get(self, collection: str, record_id: str) -> dict[str, Any] | None:
        if not self._has(collection):
            return None
        row = self._run(
            sql.SQL("SELECT doc FROM {} WHERE num = %s").format(self._table(collection)),
            (id_number(record_id),),
        ).fetchone()
        return None if row is None else row[0]

    def put(self, collection: str, doc: dict[str, Any]) -> None:
        self.put_many(collection, (doc,))

    def put_many(self, collection: str, docs: Iterable[dict[str, Any]]) -> int:
        self._require_tx()
        self.ensure_table(collection)
        self._affected.add(collection)
        table = self._table(collection)
        total = 0
        batch: list[tuple[int, str, str]] = []
        encode = _ENCODE
        for doc in docs:
            batch.append((id_number(doc["id"]), doc["id"], encode(doc)))
            if len(batch) >= 5000:
                total += self._write(table, batch)
                batch = []
        if batch:
            total += self._write(table, batch)
        return total

    def _write(self, table: sql.Composed, rows: list[tuple[int, str, str]]) -> int:
        upsert = sql.SQL(
            "INSERT INTO {} AS t (num, id, doc) {} "
            "ON CONFLICT (num) DO UPDATE SET id = excluded.id, doc = excluded.doc")
        try:
            if len(rows) < _COPY_FROM:
                with self._conn.cursor() as cur:
                    cur.executemany(
                        upsert.format(table, sql.SQL("VALUES (%s, %s, %s::jsonb)")), rows)
                return len(rows)
            numbers = [row[0] for row in rows]
            clash = self._run(
                sql.SQL("SELECT 1 FROM {} WHERE num BETWEEN %s AND %s LIMIT 1").format(table),
                (min(numbers), max(numbers))).fetchone()
            if clash is None and len(set(numbers)) == len(numbers):
                # New records only (bulk adds, imports): straight in with COPY.
                copy_in = sql.SQL("COPY {} (num, id, doc) FROM STDIN").format(table)
                with self._conn.cursor() as cur, cur.copy(copy_in) as copy:
                    for row in rows:
                        copy.write_row(row)
                return len(rows)
            self._run(
                "CREATE TEMP TABLE IF NOT EXISTS coprod_stage"
                "(ord bigint, num bigint, id text, doc jsonb) ON COMMIT DELETE ROWS")
            with self._conn.cursor() as cur:
                with cur.copy("COPY coprod_stage (ord, num, id, doc) FROM STDIN") as copy:
                    for ord_, row in enumerate(rows):
                        copy.write_row((ord_, *row))
                cur.execute(upsert.format(table, sql.SQL(
                    "SELECT DISTINCT ON (num) num, id, doc FROM coprod_stage "
                    "ORDER BY num, ord DESC")))
                cur.execute("TRUNCATE coprod_stage")
        except psycopg.errors.DataError as exc:
            message = " ".join(str(exc).split())
            raise StorageError(f"PostgreSQL refused a record: {message}") from None
        return len(rows)

    def delete(self, collection: str, record_id: str) -> bool:
        self._require_tx()
        if not self._has(collection):
            return False
        self._affected.add(collection)
        cur = self._run(
            sql.SQL("DELETE FROM {} WHERE num = %s").format(self._table(collection)),
            (id_number(record_id),),
        )
        return cur.rowcount > 0

    def _where(self, collection: str, where: Mapping[str, Any] | None
               ) -> tuple[list[sql.Composable], list[Any]]:
        clauses: list[sql.Composable] = []
        params: list[Any] = []
        indexed = INDEXED_FIELDS.get(collection, ())
        for key, wanted in (where or {}).items():
            if not _FIELD.match(key):
                raise StorageError(f"cannot filter on field {key!r}")
            many = isinstance(wanted, list | tuple | set | frozenset)
            options = list(wanted) if many else [wanted]
            values = [v for v in options if v is not None]
            parts: list[sql.Composable] = []
            if values and key in indexed and all(isinstance(v, str) for v in values):
                parts.append(sql.SQL("{} = ANY(%s)").format(sql.Identifier(key)))
                params.append(values)
            elif values:
                parts.append(sql.SQL("doc->{} IN ({})").format(
                    sql.Literal(key), sql.SQL(", ").join(sql.SQL("%s") for _ in values)))
                params.extend(Jsonb(v) for v in values)
            if len(values) != len(options):
                parts.append(sql.SQL("coalesce(doc->{}, 'null') = 'null'").format(
                    sql.Literal(key)))
            clauses.append(sql.SQL("({})").format(
                sql.SQL(" OR ").join(parts) if parts else sql.SQL("false")))
        return clauses, params

    def iterate(
        self, collection: str, where: Mapping[str, Any] | None = None
    ) -> Iterator[dict[str, Any]]:
        if not self._has(collection):
            return
        clauses, params = self._where(collection, where)
        # Pages by key (num > last) keep memory flat and leave the connection
        # free between pages for the caller's own queries.
        query = sql.SQL("SELECT num, doc FROM {} WHERE num > %s{} ORDER BY num LIMIT {}").format(
            self._table(collection),
            sql.SQL("").join(sql.SQL(" AND ") + c for c in clauses), sql.Literal(_PAGE))
        last = -1
        while True:
            rows = self._run(query, [last, *params]).fetchall()
            for _num, doc in rows:
                yield doc
            if len(rows) < _PAGE:
                return
            last = rows[-1][0]

    def count(self, collection: str, where: Mapping[str, Any] | None = None) -> int:
        if not self._has(collection):
            return 0
        clauses, params = self._where(collection, where)
        query = sql.SQL("SELECT count(*) FROM {}{}").format(
            self._table(collection),
            sql.SQL(" WHERE ") + sql.SQL(" AND ").join(clauses) if clauses else sql.SQL(""))
        row = self._run(query, params).fetchone()
        return int(row[0]) if row else 0

    def counters(self) -> dict[str, int]:
        rows = self.exec("SELECT collection, last FROM {counters} ORDER BY collection")
        return {str(c): int(n) for c, n in rows}

    def next_number(self, collection: str, count: int = 1) -> int:
        self._require_tx()
        check_collection(collection)
        row = self.exec(
            "INSERT INTO {counters} AS c (collection, last) VALUES (%s, %s) "
            "ON CONFLICT (collection) DO UPDATE SET last = c.last + excluded.last "
            "RETURNING last", (collection, count),
        ).fetchone()
        return int(row[0]) - count + 1

    def append_audit(self, entry: dict[str, Any]) -> None:
        self._require_tx()
        self._affected.add("")
        self.exec("INSERT INTO {audit}(entry) VALUES (%s)", (Jsonb(entry),))

    def _audit_rows(self) -> Iterator[tuple[int, dict[str, Any]]]:
        last = 0
        while True:
            rows = self.exec(
                "SELECT seq, entry FROM {audit} WHERE seq > %s ORDER BY seq LIMIT %s",
                (last, _PAGE),
            ).fetchall()
            yield from rows
            if len(rows) < _PAGE:
                return
            last = rows[-1][0]

    def iterate_audit(self) -> Iterator[dict[str, Any]]:
        for _seq, entry in self._audit_rows():
            yield entry

    def rewrite_audit(self, change: Any) -> int:
        """Replace each audit entry for which ``change(entry)`` returns a new one."""
        self._require_tx()
        self._affected.add("")
        changed: list[tuple[Any, int]] = []
        for seq, entry in self._audit_rows():
            new = change(entry)
            if new is not None:
                changed.append((Jsonb(new), seq))
        if changed:
            with self._conn.cursor() as cur:
                cur.executemany(sql.SQL("UPDATE {} SET entry = %s WHERE seq = %s").format(
                    self._name("coprod_audit")), changed)
        return len(changed)

    def collections(self) -> list[str]:
        names = []
        for table in sorted(self._existing_tables()):
            if table.startswith("doc_"):
                row = self._run(
                    sql.SQL("SELECT 1 FROM {} LIMIT 1").format(self._name(table))).fetchone()
                if row:
                    names.append(table[4:])
        return names

    def check_integrity(self) -> list[str]:
        """Problems found: a schema version this coprod does not know."""
        version = self.schema_version()
        if version != len(MIGRATIONS):
            return [f"schema {self.schema} is at version {version}, expected {len(MIGRATIONS)}"]
        return []

    def purge(self) -> None:
        # VACUUM FULL rewrites each affected table into new files, so the dead
        # row versions an update or delete left behind are gone from the
        # table; WAL segments, archives, replicas and backups are the
        # operator's to deal with (docs/storage.md).
        tables = [f"doc_{c}" for c in sorted(self._affected) if c]
        if "" in self._affected:
            tables.append("coprod_audit")
        if not self._affected:
            tables = sorted(t for t in self._existing_tables()
                            if t.startswith("doc_") or t == "coprod_audit")
        self._wait_for_older_snapshots()
        for table in tables:
            self._run(sql.SQL("VACUUM FULL {}").format(self._name(table)))
        self._affected.clear()

    def _wait_for_older_snapshots(self) -> None:
        """Wait (up to ``timeout``) while another session of this database holds a
        snapshot taken before now: VACUUM FULL must keep every row version such a
        snapshot can still see, erased ones included."""
        next_xid = self.exec("SELECT pg_snapshot_xmax(pg_current_snapshot())::text").fetchone()[0]
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            row = self.exec(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND backend_xmin IS NOT NULL "
                "AND age(backend_xmin) >= age(%s::xid)", (next_xid,)).fetchone()
            if not row[0]:
                return
            time.sleep(0.05)

    def close(self) -> None:
        self._conn.close()
