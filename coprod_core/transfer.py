"""Moving a whole workspace: export, import, copy to another backend, verify.

The export is one JSON document (``docs/storage.md`` describes it)::

    {
      "format": "coprod-export",
      "format_version": 1,
      "schema_version": 1,
      "counters": {"participants": 12, ...},
      "collections": {
        "commitments": [
          {...one record per line...}
        ],
        ...
      },
      "audit": [
        {...}
      ]
    }

Records are written with sorted keys, one per line, so the same workspace
always gives the same bytes: export, import and export again is identical.
Records of the four core collections are brought to the current schema
version on the way out; those of plugin collections are copied as they are.
Everything streams on the way out; an import reads the file whole, checks
every record, and only then writes, in one transaction.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from . import serialise
from .errors import CoprodError, StorageError
from .storage import CORE_COLLECTIONS, Storage, check_collection, id_number

if TYPE_CHECKING:
    from .records import Collection

FORMAT = "coprod-export"
FORMAT_VERSION = 1
_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_]*-\d+$")
_BATCH = 1000

Progress = Callable[[int], None]


class ImportRefused(CoprodError):
    """An export file cannot be imported; the message names the JSON path."""


def _line(doc: Any) -> str:
    return json.dumps(doc, sort_keys=True, ensure_ascii=False)


def _collections(storage: Storage) -> list[str]:
    return sorted({*CORE_COLLECTIONS, *storage.collections()})


def _record_types(collections: Mapping[str, Collection] | None) -> dict[str, type]:
    """The record class of each known collection (the core's when none are given)."""
    if collections is None:
        from .records import core_collections

        collections = core_collections()
    return {name: c.record_type for name, c in collections.items()}


def _documents(storage: Storage, collection: str, known: Mapping[str, type]
               ) -> Iterator[dict[str, Any]]:
    for doc in storage.iterate(collection):
        yield serialise.migrate(collection, doc) if collection in known else doc


def write_export(storage: Storage, out: IO[str],
                 collections: Mapping[str, Collection] | None = None) -> dict[str, int]:
    """Write ``storage`` as one export document to ``out``; return counts per collection.

    Records of ``collections`` (a workspace's, by default the core's) are
    brought to the current schema version; others are copied as they are.
    """
    known = _record_types(collections)
    counts: dict[str, int] = {}
    counters = storage.counters()
    out.write("{\n")
    out.write(f'  "format": "{FORMAT}",\n  "format_version": {FORMAT_VERSION},\n')
    out.write(f'  "schema_version": {serialise.SCHEMA_VERSION},\n')
    out.write(f'  "counters": {_line(dict(sorted(counters.items())))},\n')
    out.write('  "collections": {')
    for i, collection in enumerate(_collections(storage)):
        out.write(("\n" if i == 0 else ",\n") + f"    {_line(collection)}: [")
        n = 0
        for doc in _documents(storage, collection, known):
            out.write(("\n" if n == 0 else ",\n") + "      " + _line(doc))
            n += 1
        out.write("\n    ]" if n else "]")
        counts[collection] = n
    out.write("\n  },\n")
    out.write('  "audit": [')
    n = 0
    for entry in storage.iterate_audit():
        out.write(("\n" if n == 0 else ",\n") + "    " + _line(entry))
        n += 1
    out.write("\n  ]\n}\n" if n else "]\n}\n")
    counts["audit"] = n
    return counts


def export_file(storage: Storage, path: Path, *, force: bool = False,
                collections: Mapping[str, Collection] | None = None,
                ledger: Path | None = None) -> dict[str, int]:
    """Export to ``path`` atomically, owner-readable only, by the output-path rule
    (:func:`coprod_core.files.check_output`). ``ledger`` is the workspace's
    ledger folder, so that a copy left by a killed export can be found."""
    from .files import atomic_open, check_output

    path = check_output(path, force=force)
    with atomic_open(path, "w", encoding="utf-8", newline="\n", ledger=ledger) as out:
        counts = write_export(storage, out, collections)
    return counts


def backup_file(storage: Storage, path: Path, *, force: bool = False,
                collections: Mapping[str, Collection] | None = None,
                ledger: Path | None = None) -> dict[str, int] | None:
    """A consistent copy of ``storage`` at ``path``, owner-readable only.

    With a backend that offers ``backup(target)`` (SQLite), the copy is its
    own kind of file, and None is returned; otherwise it is an export, and
    its counts are returned. The output-path rule applies, and the copy is
    written beside ``path`` under a temporary name first (recorded in the
    workspace's ``ledger``), so a backup that is stopped part-way leaves a
    copy that the next ``coprod`` run finds and removes.
    """
    from .files import atomic_path, check_output

    path = check_output(path, force=force)
    take = getattr(storage, "backup", None)
    if take is None:
        return export_file(storage, path, force=force, collections=collections,
                           ledger=ledger)
    with atomic_path(path, ledger=ledger) as tmp:
        try:
            take(tmp)
        except CoprodError as exc:
            # The backend names the temporary file it was writing; name the one asked for.
            raise StorageError(str(exc).replace(str(tmp), str(path))) from None
    return None


# ---------------------------------------------------------------- reading


def _refuse(path: str, message: str) -> ImportRefused:
    return ImportRefused(f"{path}: {message}")


def _structure_error(where: str, collection: str, doc: dict[str, Any],
                     exc: Exception) -> ImportRefused:
    import cattrs

    if isinstance(exc, cattrs.BaseValidationError):
        messages = cattrs.transform_error(exc, path=where)
        return ImportRefused(f"{messages[0]}" + (
            f" (and {len(messages) - 1} more problems in this record)"
            if len(messages) > 1 else ""))
    return _refuse(where, f"not a valid {collection[:-1]}: {exc}")


def check_export(data: Any, collections: Mapping[str, Collection] | None = None
                 ) -> dict[str, Any]:
    """Check a parsed export document whole; raise :class:`ImportRefused` naming the path.

    Records of ``collections`` (a workspace's, by default the core's) must load as their
    record class.
    """
    known = _record_types(collections)
    if not isinstance(data, dict):
        raise _refuse("$", "an export is a JSON object")
    if data.get("format") != FORMAT:
        raise _refuse("$.format", f"must be {FORMAT!r}; this is not a coprod export")
    version = data.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version > FORMAT_VERSION:
        raise _refuse("$.format_version",
                      f"{version!r} is not a format this coprod reads (up to {FORMAT_VERSION}); "
                      "upgrade coprod")
    schema = data.get("schema_version")
    if not isinstance(schema, int) or schema > serialise.SCHEMA_VERSION:
        raise _refuse("$.schema_version",
                      f"{schema!r}: written by a newer coprod; upgrade coprod to import it")
    unknown = set(data) - {"format", "format_version", "schema_version", "counters",
                           "collections", "audit"}
    if unknown:
        raise _refuse(f"$.{sorted(unknown)[0]}", "unknown key")
    counters = data.get("counters", {})
    if not isinstance(counters, dict):
        raise _refuse("$.counters", "must be an object of collection: last id number")
    for name, last in counters.items():
        if not isinstance(last, int) or isinstance(last, bool) or last < 0:
            raise _refuse(f"$.counters.{name}", f"must be a whole number, not {last!r}")
        _collection_name(name, f"$.counters.{name}")
    collections = data.get("collections", {})
    if not isinstance(collections, dict):
        raise _refuse("$.collections", "must be an object of collection: list of records")
    for name, docs in collections.items():
        where = f"$.collections.{name}"
        _collection_name(name, where)
        if not isinstance(docs, list):
            raise _refuse(where, "must be a list of records")
        seen: set[int] = set()
        for i, doc in enumerate(docs):
            _check_document(name, doc, f"{where}[{i}]", seen, known)
        if seen and max(seen) > counters.get(name, 0):
            raise _refuse(f"$.counters.{name}",
                          f"is {counters.get(name, 0)} but a record has number {max(seen)}; "
                          "new records would reuse ids")
    audit = data.get("audit", [])
    if not isinstance(audit, list):
        raise _refuse("$.audit", "must be a list of entries")
    for i, entry in enumerate(audit):
        if not isinstance(entry, dict):
            raise _refuse(f"$.audit[{i}]", "an audit entry is an object")
    return data


def _collection_name(name: str, where: str) -> None:
    try:
        check_collection(name)
    except StorageError as exc:
        raise _refuse(where, str(exc)) from None


def _check_document(collection: str, doc: Any, where: str, seen: set[int],
                    known: Mapping[str, type]) -> None:
    if not isinstance(doc, dict):
        raise _refuse(where, "a record is an object")
    record_id = doc.get("id")
    if not isinstance(record_id, str) or not _ID.match(record_id):
        raise _refuse(f"{where}.id", f"{record_id!r} is not a record id like P-12")
    number = id_number(record_id)
    if number in seen:
        raise _refuse(f"{where}.id", f"{record_id} appears twice")
    seen.add(number)
    if collection in known:
        try:
            serialise.structure(collection, doc, known[collection])
        except CoprodError as exc:
            raise _refuse(where, str(exc)) from None
        except Exception as exc:
            raise _structure_error(where, collection, doc, exc) from None


def read_export(path: Path, collections: Mapping[str, Collection] | None = None
                ) -> dict[str, Any]:
    """The export at ``path``, parsed and checked."""
    from .inputs import open_input

    try:
        with open_input(path) as fh:
            data = json.load(fh)
    except UnicodeDecodeError:
        raise CoprodError(f"{path} is not UTF-8 text; is it a coprod export?") from None
    except json.JSONDecodeError as exc:
        raise CoprodError(
            f"{path} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    except RecursionError:
        raise CoprodError(f"{path} is nested too deeply to be a coprod export") from None
    return check_export(data, collections)


def is_empty(storage: Storage) -> bool:
    if storage.counters() or storage.collections():
        return False
    return next(iter(storage.iterate_audit()), None) is None


def load(storage: Storage, data: Mapping[str, Any], progress: Progress | None = None) -> int:
    """Write a checked export into an empty ``storage``, all or nothing; return records."""
    if not is_empty(storage):
        raise CoprodError(
            "the workspace already holds records; import only into an empty workspace "
            "(create one with `coprod init DIR`)"
        )
    collections = data.get("collections", {})
    return _write_all(
        storage, data.get("counters", {}),
        ((name, iter(docs)) for name, docs in sorted(collections.items())),
        iter(data.get("audit", [])), progress,
    )


def _write_all(storage: Storage, counters: Mapping[str, int],
               collections: Iterable[tuple[str, Iterator[dict[str, Any]]]],
               audit: Iterator[dict[str, Any]], progress: Progress | None) -> int:
    total = 0
    with storage.transaction():
        for name, last in sorted(counters.items()):
            if last:
                storage.next_number(name, last)
        for name, docs in collections:
            while batch := _take(docs, _BATCH):
                storage.put_many(name, batch)
                total += len(batch)
                if progress:
                    progress(len(batch))
        for entry in audit:
            storage.append_audit(entry)
    return total


def _take(items: Iterator[Any], n: int) -> list[Any]:
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) >= n:
            break
    return batch


# ---------------------------------------------------------------- copying


def size(storage: Storage) -> int:
    """How many records ``storage`` holds, in every collection."""
    return sum(storage.count(c) for c in storage.collections())


def copy(source: Storage, target: Storage, progress: Progress | None = None) -> int:
    """Copy every record, counter and audit entry from ``source`` into an empty ``target``."""
    if not is_empty(target):
        raise CoprodError("the target already holds records; copy only into an empty one")
    names = source.collections()
    return _write_all(target, source.counters(),
                      ((name, source.iterate(name)) for name in names),
                      source.iterate_audit(), progress)


def verify(source: Storage, target: Storage) -> list[str]:
    """Differences between two storages (empty when the copy is faithful)."""
    problems = []
    if source.counters() != target.counters():
        problems.append("the id counters differ")
    names = sorted({*source.collections(), *target.collections()})
    for name in names:
        a, b = source.count(name), target.count(name)
        if a != b:
            problems.append(f"{name}: {a} records in the source, {b} in the copy")
            continue
        for left, right in zip(source.iterate(name), target.iterate(name), strict=False):
            if left != right:
                problems.append(f"{name}: {left.get('id')} differs in the copy")
                break
    audit_pairs = zip(source.iterate_audit(), target.iterate_audit(), strict=False)
    if any(a != b for a, b in audit_pairs):
        problems.append("the audit log differs")
    elif sum(1 for _ in source.iterate_audit()) != sum(1 for _ in target.iterate_audit()):
        problems.append("the audit log has a different length")
    return problems
