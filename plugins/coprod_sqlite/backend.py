"""SQLite storage: one table per collection, documents as JSON text.

Durability and concurrency choices (argued in docs/storage.md):

- WAL journal with ``synchronous=FULL``: a committed change survives power loss;
- every write in ``BEGIN IMMEDIATE`` with a busy timeout, so concurrent
  writers queue rather than fail or lose updates;
- ``secure_delete`` on, so deleted personal data does not linger in free pages;
- the database, its ``-wal`` and ``-shm`` files and the workspace's
  ``coprod.toml`` are readable by their owner only;
- a warning (in ``notices``) when the file sits on a network filesystem,
  where SQLite's locks are not reliable;
- on a read-only place or a full disk, a read-only connection, and
  ``cannot_save`` saying why changes wait.

One piece: one class implementing the storage protocol on one connection,
its SQL beside the method it serves.
"""

from __future__ import annotations

import errno
import json
import os
import re
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from coprod_core.errors import StorageError
from coprod_core.files import cannot_save, describe_os_error, write_problem
from coprod_core.fsinfo import network_warning, owner_only
from coprod_core.storage import INDEXED_FIELDS, BaseStorage, check_collection, id_number

_BATCH = 500
#: The layout of the tables; :meth:`SQLiteStorage._upgrade` migrates older ones.
STORAGE_VERSION = 2
# One encoder for every write: json.dumps with options builds a new one per call.
_ENCODE = json.JSONEncoder(ensure_ascii=False).encode
_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def open_sqlite(root: Path | None, options: Mapping[str, Any]) -> SQLiteStorage:
    path = Path(options.get("path", "coprod.db"))
    if not path.is_absolute():
        if root is None:
            raise StorageError("the sqlite backend needs a workspace folder or an absolute path")
        path = root / path
    if root is not None:
        owner_only(root / "coprod.toml")
    return SQLiteStorage(path, timeout=float(options.get("timeout", 30)))


def _table(collection: str) -> str:
    return f'"doc_{check_collection(collection)}"'


class SQLiteStorage(BaseStorage):
    name = "sqlite"

    def __init__(self, path: Path, *, timeout: float = 30.0) -> None:
        self.path = Path(path)
        if not self.path.parent.is_dir():
            raise StorageError(f"cannot open {self.path}: folder {self.path.parent} does not exist")
        #: Why changes cannot be saved (a read-only place), or None: reading still works.
        self.cannot_save: str | None = None
        problem = write_problem(self.path.parent)
        if problem is None and self.path.exists() and not os.access(self.path, os.W_OK):
            problem = errno.EACCES
        if problem is not None:
            if not self.path.exists():
                raise StorageError(f"cannot create {self.path}: "
                                   f"{cannot_save(self.path.parent, problem).split(';')[0]}")
            self.cannot_save = cannot_save(self.path, problem)
        elif not self.path.exists():
            fd = os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600)
            os.close(fd)
        self.notices: list[str] = []
        warning = network_warning(self.path)
        if warning:
            self.notices.append(warning)
        try:
            try:
                self._db = self._connect(timeout, problem)
                if problem is None:
                    self._db.execute("PRAGMA journal_mode=WAL")
            except sqlite3.OperationalError:
                # SQLite could not make its -shm file: on a full disk, read without it.
                if problem is not None or write_problem(self.path.parent, space=True) is None:
                    raise
                self._close_quietly()
                problem = errno.ENOSPC
                self.cannot_save = cannot_save(self.path, problem)
                self._db = self._connect(timeout, problem)
            if problem is None:
                self._db.execute("PRAGMA synchronous=FULL")
                self._db.execute("PRAGMA secure_delete=ON")
            self._db.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
            self._tables = self._existing_tables()
            if "meta" not in self._tables:
                with self.transaction():
                    self._create_schema()
            else:
                self._upgrade()
        except sqlite3.DatabaseError as exc:
            self._close_quietly()
            raise StorageError(f"cannot open {self.path}: {exc}") from None
        except BaseException:
            self._close_quietly()
            raise
        if problem is None:
            for suffix in ("", "-wal", "-shm"):
                owner_only(f"{self.path}{suffix}")

    def _connect(self, timeout: float, problem: int | None) -> sqlite3.Connection:
        """A connection; where nothing can be written, a read-only one."""
        def connect(target: str | Path, uri: bool = False) -> sqlite3.Connection:
            return sqlite3.connect(target, timeout=timeout, isolation_level=None,
                                   check_same_thread=False, uri=uri)

        if problem is None:
            return connect(self.path)
        uri = f"{self.path.absolute().as_uri()}?mode=ro"
        try:
            db = connect(uri, uri=True)
            db.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return db
        except sqlite3.OperationalError:
            pass
        # Without its -shm file SQLite cannot read a WAL database read-only; with no
        # WAL left to read, the file alone is the whole database ("immutable").
        wal = Path(f"{self.path}-wal")
        if wal.exists() and wal.stat().st_size:
            raise StorageError(
                f"cannot read {self.path}: its latest changes are in {wal}, which SQLite "
                "reads only where it may write; make the folder writable once, open the "
                "workspace (any command), and it can be read-only again")
        return connect(f"{uri}&immutable=1", uri=True)

    # -- schema

    def _existing_tables(self) -> set[str]:
        rows = self._db.execute("SELECT name FROM sqlite_master WHERE type='table'")
        return {r[0] for r in rows}

    def _create_schema(self) -> None:
        self._db.execute("CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT)")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS counters("
            "collection TEXT PRIMARY KEY, last INTEGER NOT NULL)"
        )
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS audit(seq INTEGER PRIMARY KEY AUTOINCREMENT, "
            "entry TEXT NOT NULL)"
        )
        self._db.execute(
            "INSERT OR REPLACE INTO meta VALUES ('storage_version', ?)", (str(STORAGE_VERSION),))
        for collection in INDEXED_FIELDS:
            self._ensure_table(collection)
        self._tables = self._existing_tables()

    def _upgrade(self) -> None:
        """Bring a database made by an older coprod up to :data:`STORAGE_VERSION`."""
        row = self._db.execute("SELECT value FROM meta WHERE key = 'storage_version'").fetchone()
        version = int(row[0]) if row else 1
        if version > STORAGE_VERSION:
            raise StorageError(
                f"{self.path} was written by a newer coprod (storage {version}); upgrade coprod"
            )
        if version == STORAGE_VERSION:
            return
        with self.transaction():
            # 1 -> 2: indexed fields were generated columns (json_extract on
            # every insert); they are now plain columns filled on write.
            for collection, fields in INDEXED_FIELDS.items():
                name = f"doc_{collection}"
                if name not in self._tables:
                    continue
                self._db.execute(f'ALTER TABLE "{name}" RENAME TO "old_{name}"')
                for f in fields:
                    self._db.execute(f'DROP INDEX IF EXISTS "{name}_{f}"')
                self._tables.discard(name)
                self._ensure_table(collection)
                extracted = "".join(f", json_extract(doc, '$.{f}')" for f in fields)
                columns = "".join(f", {f}" for f in fields)
                self._db.execute(
                    f'INSERT INTO "{name}"(num, id, doc{columns}) '
                    f'SELECT num, id, doc{extracted} FROM "old_{name}"'
                )
                self._db.execute(f'DROP TABLE "old_{name}"')
            self._db.execute(
                "INSERT OR REPLACE INTO meta VALUES ('storage_version', ?)",
                (str(STORAGE_VERSION),))

    def _ensure_table(self, collection: str) -> None:
        name = f"doc_{check_collection(collection)}"
        if name in self._tables:
            return
        # Untyped columns keep what is stored as it is (text stays text, numbers numbers).
        columns = "".join(f", {f}" for f in INDEXED_FIELDS.get(collection, ()))
        self._db.execute(
            f'CREATE TABLE IF NOT EXISTS "{name}"'
            f"(num INTEGER PRIMARY KEY, id TEXT NOT NULL, doc TEXT NOT NULL{columns})"
        )
        for f in INDEXED_FIELDS.get(collection, ()):
            self._db.execute(f'CREATE INDEX IF NOT EXISTS "{name}_{f}" ON "{name}"({f})')
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
        if self.cannot_save:
            raise StorageError(f"this change was not saved: {self.cannot_save}")
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise StorageError(f"could not start a write on {self.path}: {exc}") from None
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            self._tables = self._existing_tables()
            raise
        try:
            self._db.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise StorageError(f"could not save to {self.path}: {exc}") from None

    # -- documents

    def get(self, collection: str, record_id: str) -> dict[str, Any] | None:
        if not self._has(collection):
            return None
        row = self._db.execute(
            f"SELECT doc FROM {_table(collection)} WHERE num = ?", (id_number(record_id),)
        ).fetchone()
        return None if row is None else json.loads(row[0])

    def put(self, collection: str, doc: dict[str, Any]) -> None:
        self.put_many(collection, (doc,))

    def put_many(self, collection: str, docs: Iterable[dict[str, Any]]) -> int:
        self._require_tx()
        self._ensure_table(collection)
        encode = _ENCODE
        fields = INDEXED_FIELDS.get(collection, ())
        if fields == ("role",):
            # Participants, often added in bulk: the common case without a call per field.
            rows: Iterable[tuple[Any, ...]] = (
                (int(i[i.rindex("-") + 1:]), i, encode(d),
                 r if (r := d.get("role")).__class__ is str else _column(r))
                for d in docs for i in (d["id"],))
        else:
            rows = ((id_number(d["id"]), d["id"], encode(d), *[_column(d.get(f)) for f in fields])
                    for d in docs)
        columns = "".join(f", {f}" for f in fields)
        marks = ", ?" * len(fields)
        cur = self._db.executemany(
            f"INSERT OR REPLACE INTO {_table(collection)}(num, id, doc{columns}) "
            f"VALUES (?, ?, ?{marks})", rows
        )
        return cur.rowcount

    def delete(self, collection: str, record_id: str) -> bool:
        self._require_tx()
        if not self._has(collection):
            return False
        cur = self._db.execute(
            f"DELETE FROM {_table(collection)} WHERE num = ?", (id_number(record_id),)
        )
        return cur.rowcount > 0

    def _where(self, collection: str, where: Mapping[str, Any] | None) -> tuple[str, list[Any]]:
        if not where:
            return "", []
        indexed = INDEXED_FIELDS.get(collection, ())
        clauses: list[str] = []
        params: list[Any] = []
        for key, wanted in where.items():
            if not _FIELD.match(key):
                raise StorageError(f"cannot filter on field {key!r}")
            column = key if key in indexed else f"json_extract(doc, '$.{key}')"
            many = isinstance(wanted, list | tuple | set | frozenset)
            options = list(wanted) if many else [wanted]
            values = [_sql_value(v) for v in options if v is not None]
            parts = []
            if values:
                parts.append(f"{column} IN ({', '.join('?' * len(values))})")
                params.extend(values)
            if len(values) != len(options):
                parts.append(f"{column} IS NULL")
            clauses.append("(" + (" OR ".join(parts) or "0") + ")")
        return " WHERE " + " AND ".join(clauses), params

    def iterate(
        self, collection: str, where: Mapping[str, Any] | None = None
    ) -> Iterator[dict[str, Any]]:
        if not self._has(collection):
            return
        clause, params = self._where(collection, where)
        cur = self._db.execute(
            f"SELECT doc FROM {_table(collection)}{clause} ORDER BY num", params
        )
        while rows := cur.fetchmany(_BATCH):
            for (text,) in rows:
                yield json.loads(text)

    def count(self, collection: str, where: Mapping[str, Any] | None = None) -> int:
        if not self._has(collection):
            return 0
        clause, params = self._where(collection, where)
        row = self._db.execute(f"SELECT count(*) FROM {_table(collection)}{clause}", params)
        return int(row.fetchone()[0])

    def next_number(self, collection: str, count: int = 1) -> int:
        self._require_tx()
        check_collection(collection)
        row = self._db.execute(
            "INSERT INTO counters(collection, last) VALUES (?, ?) "
            "ON CONFLICT(collection) DO UPDATE SET last = last + excluded.last RETURNING last",
            (collection, count),
        ).fetchone()
        return int(row[0]) - count + 1

    def counters(self) -> dict[str, int]:
        rows = self._db.execute("SELECT collection, last FROM counters ORDER BY collection")
        return {str(c): int(n) for c, n in rows}

    def append_audit(self, entry: dict[str, Any]) -> None:
        self._require_tx()
        self._db.execute("INSERT INTO audit(entry) VALUES (?)", (json.dumps(entry),))

    def iterate_audit(self) -> Iterator[dict[str, Any]]:
        cur = self._db.execute("SELECT entry FROM audit ORDER BY seq")
        while rows := cur.fetchmany(_BATCH):
            for (text,) in rows:
                yield json.loads(text)

    def rewrite_audit(self, change: Any) -> int:
        """Replace each audit entry for which ``change(entry)`` returns a new one.

        An optional capability (see :mod:`coprod_core.storage`): an erasure
        uses it to remove a person's name where they were the actor.
        """
        self._require_tx()
        changed = []
        cur = self._db.execute("SELECT seq, entry FROM audit ORDER BY seq")
        while rows := cur.fetchmany(_BATCH):
            for seq, text in rows:
                new = change(json.loads(text))
                if new is not None:
                    changed.append((json.dumps(new), seq))
        self._db.executemany("UPDATE audit SET entry = ? WHERE seq = ?", changed)
        return len(changed)

    def collections(self) -> list[str]:
        names = []
        for table in sorted(self._tables):
            if table.startswith("doc_"):
                row = self._db.execute(f'SELECT 1 FROM "{table}" LIMIT 1').fetchone()
                if row:
                    names.append(table[4:])
        return names

    def purge(self) -> None:
        # secure_delete zeroes freed pages in the main file; the WAL may still
        # hold old copies of changed pages until it is checkpointed and cut.
        self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def check_integrity(self) -> list[str]:
        """``PRAGMA integrity_check``: an empty list when the file is sound."""
        try:
            rows = [r[0] for r in self._db.execute("PRAGMA integrity_check")]
        except sqlite3.DatabaseError as exc:
            return [str(exc)]
        return [] if rows == ["ok"] else rows

    def backup(self, target: Path) -> None:
        """A consistent copy in ``target`` (SQLite's online backup API).

        Others may go on writing while it runs; the copy is the database as
        it was at one moment. ``target`` is created readable by its owner only.
        """
        target = Path(target)
        try:
            fd = os.open(target, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
            os.close(fd)
            dest = sqlite3.connect(target)
        except (OSError, sqlite3.DatabaseError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else str(exc)
            raise StorageError(f"cannot write {target}: {reason}") from None
        try:
            # No rollback journal beside the copy: a killed backup leaves one file only,
            # the temporary copy that the next coprod run removes.
            dest.execute("PRAGMA journal_mode=OFF")
            self._db.backup(dest, pages=1024)
            dest.execute("PRAGMA journal_mode=DELETE")
        except sqlite3.DatabaseError as exc:
            if getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL:
                full = describe_os_error(OSError(errno.ENOSPC, "full"))
                raise StorageError(f"cannot write {target}: {full}") from None
            raise StorageError(f"the backup to {target} failed: {exc}") from None
        finally:
            dest.close()

    def _close_quietly(self) -> None:
        db = getattr(self, "_db", None)
        if db is not None:
            db.close()

    def close(self) -> None:
        self._db.close()


def _column(value: Any) -> Any:
    """An indexed field's value as its column holds it (as json_extract would give it)."""
    if value is None or isinstance(value, str | float) or type(value) is int:
        return value
    if isinstance(value, bool):
        return int(value)
    return _ENCODE(value)


def _sql_value(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    return value
