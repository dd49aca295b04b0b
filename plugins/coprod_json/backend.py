"""The JSON folder store: one file per record, written so a crash loses nothing.

Layout of the folder (``path``, default ``coprod-data`` in the workspace)::

    participants/12.json    one record, sorted keys, indented, newline at the end
    counters.json           the last id number given out per collection
    audit.jsonl             the audit log, one entry per line
    .lock                   held (fcntl) by the process writing
    .journal.json           present only while a commit is being applied

How a transaction is kept whole:

1. ``transaction()`` takes an exclusive ``flock`` on ``.lock`` (waiting up
   to ``timeout`` seconds), so two processes never interleave writes;
2. writes are *staged* in memory; reads inside the transaction see them;
   an exception discards them and no file has changed;
3. on commit, every change is written to ``.journal.json`` (temporary file,
   flush, fsync, ``os.replace``, fsync of the folder): the commit point;
4. then each file is replaced atomically (temporary file, fsync,
   ``os.replace``), the folders are fsynced and the journal is removed.

A crash before step 3 leaves the old files; a crash after it is finished
on the next open (or the next transaction) by replaying the journal, which
is idempotent. Readers see each file whole, old or new.

One piece: the journal protocol above is one mechanism; its steps are kept
together so they can be checked against each other.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import re
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from coprod_core.errors import OutputError, StorageError
from coprod_core.files import (
    atomic_write,
    cannot_save,
    describe_os_error,
    fsync_folder,
    is_temp_name,
    private_folder,
    write_problem,
)
from coprod_core.fsinfo import network_warning
from coprod_core.storage import BaseStorage, check_collection, id_number, matches

_RECORD = re.compile(r"^(\d+)\.json$")
_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_]*-\d+$")
JOURNAL = ".journal.json"
COUNTERS = "counters.json"
AUDIT = "audit.jsonl"
LOCK = ".lock"


def open_json(root: Path | None, options: Mapping[str, Any]) -> JSONStorage:
    path = Path(options.get("path", "coprod-data")).expanduser()
    if not path.is_absolute():
        if root is None:
            raise StorageError("the json backend needs a workspace folder or an absolute path")
        path = root / path
    return JSONStorage(path, timeout=float(options.get("timeout", 30)))


def record_text(doc: Mapping[str, Any]) -> str:
    """A record as stored: sorted keys, two-space indent, newline at the end."""
    return json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def _fsync_dir(folder: Path) -> None:
    fsync_folder(folder)


def write_file(path: Path, text: str) -> None:
    """Replace ``path`` atomically and durably (the folder is fsynced by the caller)."""
    atomic_write(path, text, sync_folder=False)


def _reason(exc: OSError | OutputError) -> str:
    return exc.reason if isinstance(exc, OutputError) else describe_os_error(exc)


class JSONStorage(BaseStorage):
    name = "json"

    def __init__(self, path: Path, *, timeout: float = 30.0) -> None:
        self.path = Path(path)
        self.timeout = timeout
        self.notices: list[str] = []
        try:
            private_folder(self.path)
        except FileNotFoundError:
            raise StorageError(
                f"cannot open {self.path}: folder {self.path.parent} does not exist"
            ) from None
        except OSError as exc:
            raise StorageError(f"cannot open {self.path}: {exc.strerror}") from None
        if not self.path.is_dir():
            raise StorageError(f"cannot open {self.path}: it is not a folder")
        warning = network_warning(self.path)
        if warning:
            self.notices.append(warning)
        #: Why changes cannot be saved now (a full disk, a read-only place), or None.
        self.cannot_save: str | None = None
        problem = write_problem(self.path)
        if problem is not None:
            self.cannot_save = cannot_save(self.path, problem)
        #: A committed journal that could not be written out yet: reads see it.
        self._pending: dict[str, Any] | None = None
        self._lock_fd = self._open_lock()
        self._staged: dict[str, str | None] = {}
        self._audit: list[str] = []
        #: The whole committed audit log, rewritten in this transaction (rare: erasures).
        self._audit_rewritten: list[str] | None = None
        self._counters: dict[str, int] | None = None
        self._lock()
        try:
            self._recover()
        finally:
            self._unlock()

    # -- locking and recovery

    def _open_lock(self) -> int:
        """The lock file, opened to write; on a read-only place, to read (flock still
        works), or -1 when it cannot even be created there (nobody can write then)."""
        try:
            return os.open(self.path / LOCK, os.O_CREAT | os.O_RDWR, 0o600)
        except OSError:
            try:
                return os.open(self.path / LOCK, os.O_RDONLY)
            except OSError:
                return -1

    def _lock(self) -> None:
        if self._lock_fd < 0:
            return
        deadline = time.monotonic() + self.timeout
        delay = 0.001
        while True:
            try:
                fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise StorageError(f"cannot lock {self.path}: {exc.strerror}") from None
            if time.monotonic() >= deadline:
                raise StorageError(
                    f"another process has been writing to {self.path} for over "
                    f"{self.timeout:g} s; try again, or raise [storage] timeout"
                )
            time.sleep(delay)
            delay = min(delay * 2, 0.05)

    def _unlock(self) -> None:
        if self._lock_fd >= 0:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

    def _recover(self) -> None:
        """Finish a commit a crash interrupted, and sweep temporary files (lock held)."""
        journal = self.path / JOURNAL
        try:
            text = journal.read_text(encoding="utf-8")
        except FileNotFoundError:
            text = None
        self._pending = None
        if text is not None:
            journal = json.loads(text)
            try:
                self._apply(journal)
            except (OSError, OutputError) as exc:
                # Committed, not yet written out (a full disk): reads see it, writes wait.
                self._pending = journal
                self.cannot_save = cannot_save(self.path, exc.errno)
                return
        for folder in (self.path, *self._folders()):
            for entry in os.scandir(folder):
                if is_temp_name(entry.name) and entry.is_file(follow_symlinks=False):
                    with suppress(OSError):  # a read-only place keeps them
                        os.unlink(entry.path)

    def _folders(self) -> list[Path]:
        return [Path(e.path) for e in os.scandir(self.path)
                if e.is_dir() and not e.name.startswith(".")]

    def _apply(self, journal: Mapping[str, Any]) -> None:
        touched: set[Path] = set()
        for rel, text in journal["files"].items():
            target = self.path / rel
            if text is None:
                with suppress(FileNotFoundError):
                    target.unlink()
            else:
                if not target.parent.is_dir():
                    private_folder(target.parent)
                    touched.add(self.path)
                write_file(target, text)
            touched.add(target.parent)
        audit = journal.get("audit")
        if audit:
            fd = os.open(self.path / AUDIT, os.O_CREAT | os.O_RDWR, 0o600)
            try:
                os.ftruncate(fd, audit["offset"])
                os.lseek(fd, 0, os.SEEK_END)
                os.write(fd, audit["text"].encode("utf-8"))
                os.fsync(fd)
            finally:
                os.close(fd)
            touched.add(self.path)
        for folder in touched:
            _fsync_dir(folder)
        with suppress(FileNotFoundError):
            os.unlink(self.path / JOURNAL)
        _fsync_dir(self.path)

    # -- transactions

    @contextmanager
    def _begin(self) -> Iterator[None]:
        self._lock()
        try:
            self._recover()
            try:
                yield
                self._commit()
            finally:
                self._staged = {}
                self._audit = []
                self._audit_rewritten = None
                self._counters = None
        finally:
            self._unlock()

    def _commit(self) -> None:
        rewritten = self._audit_rewritten
        if not self._staged and not self._audit and self._counters is None and rewritten is None:
            return
        if self._pending is not None and self.cannot_save:
            # An earlier change waits in the journal: a new journal would lose it.
            raise StorageError(f"this change was not saved: {self.cannot_save}")
        files = dict(self._staged)
        if self._counters is not None:
            files[COUNTERS] = json.dumps(self._counters, sort_keys=True, indent=2) + "\n"
        journal: dict[str, Any] = {"files": files}
        if rewritten is not None:
            files[AUDIT] = "".join(rewritten) + "".join(self._audit)
        elif self._audit:
            try:
                offset = (self.path / AUDIT).stat().st_size
            except FileNotFoundError:
                offset = 0
            journal["audit"] = {"offset": offset, "text": "".join(self._audit)}
        try:
            write_file(self.path / JOURNAL, json.dumps(journal, ensure_ascii=False))
            _fsync_dir(self.path)
        except (OSError, OutputError) as exc:
            with suppress(OSError):
                (self.path / JOURNAL).unlink()
            self.cannot_save = cannot_save(self.path, exc.errno)
            raise StorageError(f"this change was not saved: {self.cannot_save}") from None
        try:
            self._apply(journal)
        except (OSError, OutputError) as exc:
            # The journal is durable: the next open or transaction finishes the commit.
            self._pending = journal
            self.cannot_save = cannot_save(self.path, exc.errno)
            raise StorageError(
                f"could not finish saving to {self.path} ({_reason(exc)}); the change is "
                "kept in its journal and will be completed when there is room again"
            ) from None

    # -- documents

    @staticmethod
    def _rel(collection: str, number: int) -> str:
        return f"{check_collection(collection)}/{number}.json"

    def _read(self, rel: str) -> dict[str, Any] | None:
        if rel in self._staged:
            text = self._staged[rel]
        elif self._pending is not None and rel in self._pending["files"]:
            text = self._pending["files"][rel]
        else:
            try:
                text = (self.path / rel).read_text(encoding="utf-8")
            except FileNotFoundError:
                return None
        if text is None:
            return None
        try:
            doc: dict[str, Any] = json.loads(text)
        except json.JSONDecodeError as exc:
            raise StorageError(f"{self.path / rel} is not valid JSON: {exc}") from None
        return doc

    def get(self, collection: str, record_id: str) -> dict[str, Any] | None:
        return self._read(self._rel(collection, id_number(record_id)))

    def put(self, collection: str, doc: dict[str, Any]) -> None:
        self.put_many(collection, (doc,))

    def put_many(self, collection: str, docs: Iterable[dict[str, Any]]) -> int:
        self._require_tx()
        check_collection(collection)
        n = 0
        for doc in docs:
            record_id = doc.get("id")
            if not isinstance(record_id, str) or not _ID.match(record_id):
                raise StorageError(f"cannot store a record with id {record_id!r}")
            self._staged[self._rel(collection, id_number(record_id))] = record_text(doc)
            n += 1
        return n

    def delete(self, collection: str, record_id: str) -> bool:
        self._require_tx()
        rel = self._rel(collection, id_number(record_id))
        existed = self._read(rel) is not None
        if existed:
            self._staged[rel] = None
        return existed

    def _numbers(self, collection: str) -> list[int]:
        check_collection(collection)
        numbers: set[int] = set()
        try:
            for entry in os.scandir(self.path / collection):
                match = _RECORD.match(entry.name)
                if match:
                    numbers.add(int(match.group(1)))
        except FileNotFoundError:
            pass
        prefix = f"{collection}/"
        pending = self._pending["files"].items() if self._pending is not None else ()
        for rel, text in (*pending, *self._staged.items()):
            if rel.startswith(prefix):
                number = int(rel[len(prefix):-5])
                if text is None:
                    numbers.discard(number)
                else:
                    numbers.add(number)
        return sorted(numbers)

    def iterate(
        self, collection: str, where: Mapping[str, Any] | None = None
    ) -> Iterator[dict[str, Any]]:
        for number in self._numbers(collection):
            doc = self._read(self._rel(collection, number))
            if doc is not None and matches(doc, where):
                yield doc

    def count(self, collection: str, where: Mapping[str, Any] | None = None) -> int:
        if not where:
            return len(self._numbers(collection))
        return sum(1 for _ in self.iterate(collection, where))

    def counters(self) -> dict[str, int]:
        if self._counters is not None:
            return dict(self._counters)
        try:
            if self._pending is not None and COUNTERS in self._pending["files"]:
                data = json.loads(self._pending["files"][COUNTERS])
            else:
                data = json.loads((self.path / COUNTERS).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        return {str(k): int(v) for k, v in data.items()}

    def next_number(self, collection: str, count: int = 1) -> int:
        self._require_tx()
        check_collection(collection)
        if self._counters is None:
            self._counters = self.counters()
        first = self._counters.get(collection, 0) + 1
        self._counters[collection] = first + count - 1
        return first

    def append_audit(self, entry: dict[str, Any]) -> None:
        self._require_tx()
        self._audit.append(json.dumps(entry, sort_keys=True, ensure_ascii=False) + "\n")

    def _committed_audit(self) -> Iterator[str]:
        if self._audit_rewritten is not None:
            yield from list(self._audit_rewritten)
            return
        pending = self._pending
        if pending is not None and pending["files"].get(AUDIT) is not None:
            yield from pending["files"][AUDIT].splitlines(keepends=True)
            return
        appended = pending.get("audit") if pending is not None else None
        # With a journal waiting, the log ends where that commit began.
        end = appended["offset"] if appended else None
        try:
            with open(self.path / AUDIT, "rb") as fh:
                read = 0
                for raw in fh:
                    read += len(raw)
                    if end is not None and read > end:
                        break
                    if raw.endswith(b"\n"):
                        yield raw.decode("utf-8")
        except FileNotFoundError:
            pass
        if appended:
            yield from appended["text"].splitlines(keepends=True)

    def iterate_audit(self) -> Iterator[dict[str, Any]]:
        for line in self._committed_audit():
            yield json.loads(line)
        for line in list(self._audit):
            yield json.loads(line)

    def rewrite_audit(self, change: Any) -> int:
        """Replace each audit entry for which ``change(entry)`` returns a new one.

        The whole log file is rewritten at commit, atomically like any record.
        """
        self._require_tx()
        count = 0

        def rewrite(lines: Iterable[str]) -> list[str]:
            nonlocal count
            out = []
            for line in lines:
                new = change(json.loads(line))
                if new is not None:
                    count += 1
                    line = json.dumps(new, sort_keys=True, ensure_ascii=False) + "\n"
                out.append(line)
            return out

        self._audit_rewritten = rewrite(self._committed_audit())
        self._audit = rewrite(self._audit)
        return count

    def collections(self) -> list[str]:
        names = {f.name for f in self._folders()}
        pending = self._pending["files"] if self._pending is not None else {}
        names.update(rel.split("/", 1)[0] for rel in (*pending, *self._staged) if "/" in rel)
        return sorted(n for n in names if self._numbers(n))

    def check_integrity(self) -> list[str]:
        """Problems found in the folder: unreadable files, ids that do not match names."""
        problems = []
        if (self.path / JOURNAL).exists() and self._pending is None:
            problems.append(f"{self.path / JOURNAL} holds an unfinished commit")
        for folder in self._folders():
            for entry in os.scandir(folder):
                match = _RECORD.match(entry.name)
                if not match:
                    continue
                try:
                    doc = json.loads(Path(entry.path).read_text(encoding="utf-8"))
                    if id_number(doc["id"]) != int(match.group(1)):
                        problems.append(f"{entry.path}: holds {doc['id']}, not record "
                                        f"{match.group(1)}")
                except (ValueError, KeyError, TypeError, IndexError) as exc:
                    problems.append(f"{entry.path}: {type(exc).__name__}: {exc}")
        return problems

    def purge(self) -> None:
        # A deleted record's file is unlinked at commit; what the filesystem
        # keeps in free blocks, and what version control keeps in history, is
        # beyond this backend (docs/storage.md says what operators must do).
        self._lock()
        try:
            self._recover()
        finally:
            self._unlock()

    def close(self) -> None:
        if self._lock_fd >= 0:
            os.close(self._lock_fd)
            self._lock_fd = -1
