"""Bringing history in from other platforms: the importer kit and the one import service.

An *importer* (registered through ``coprod_register_importers``) reads a file
in another platform's shape and yields :class:`Incoming` records: a
participant, a session, an attendance, a tension, a commitment or a progress
update, each with a *source reference* (``decidim-results:291``) and the row
it came from. It knows nothing of storage. :func:`run_import` does the rest,
the same way for every source:

- **All or nothing.** Every incoming record is checked; a problem is reported
  by row and column, and unless ``skip_invalid`` is set nothing is written.
  With it, the rows with problems are written beside the input (owner-only,
  UTF-8 with a byte-order mark) and the others are imported.
- **Idempotent.** Each record's source reference and a digest of what the
  source said are kept in the ``sources`` collection. Importing the same file
  again leaves unchanged records alone and updates changed ones; it never
  creates a second copy.
- **One operation.** The whole import is one audited operation; nothing is
  half-written.
- **Consent rules apply** exactly as everywhere else: records are written
  through the workspace's validation, which refuses what consent does not
  cover.
- ``dry_run`` reports what would be created, updated and left alone, and
  writes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from attrs import define, field, frozen

from ..errors import CoprodError, ValidationFailed

if TYPE_CHECKING:
    from ..workspace import Workspace

__all__ = [
    "SOURCES",
    "ImportInvalid",
    "ImportOptions",
    "ImportResult",
    "Importer",
    "Incoming",
    "IncomingAttendance",
    "IncomingCommitment",
    "IncomingParticipant",
    "IncomingProgress",
    "IncomingSession",
    "IncomingTension",
    "Problem",
    "SourceLink",
    "importers",
    "links_for",
    "read_mapping",
    "run_import",
]

#: The collection where each imported record's source reference is kept.
SOURCES = "sources"


# ---------------------------------------------------------------- what importers yield


@frozen(kw_only=True)
class Problem:
    """Something wrong with one row: where, and what to do about it."""

    row: int
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@frozen(kw_only=True)
class Incoming:
    """One record as another platform gave it, before it is matched or written."""

    KIND: ClassVar[str] = ""

    #: ``<source>:<table>/<id>``: unique within the source, stable across exports.
    ref: str
    #: The row (CSV) or line (newline-delimited JSON) it came from, for messages.
    row: int

    def digest(self) -> str:
        """A digest of what the source said: a changed digest means the record changed."""
        data = {k: _plain(v) for k, v in _fields(self).items() if k not in ("row",)}
        blob = json.dumps(data, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode()).hexdigest()[:32]


def _fields(record: Any) -> dict[str, Any]:
    import attrs

    return attrs.asdict(record, recurse=False)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


@frozen(kw_only=True)
class IncomingParticipant(Incoming):
    KIND = "participant"

    name: str
    role: str | None = None
    pseudonym: str | None = None
    #: Used to match an existing participant; stored only with contact consent.
    email: str | None = None
    joined: dt.date | None = None


@frozen(kw_only=True)
class IncomingSession(Incoming):
    KIND = "session"

    title: str
    date: dt.date
    purpose: str | None = None
    series: str | None = None
    url: str | None = None


@frozen(kw_only=True)
class IncomingAttendance(Incoming):
    KIND = "attendance"

    session_ref: str
    participant_ref: str
    status: str = "attended"


@frozen(kw_only=True)
class IncomingTension(Incoming):
    KIND = "tension"

    description: str
    kind: str = "other"
    raised_on: dt.datetime | None = None
    raised_by_ref: str | None = None
    session_ref: str | None = None
    status: str = "raised"
    status_on: dt.datetime | None = None
    note: str | None = None
    url: str | None = None


@frozen(kw_only=True)
class IncomingCommitment(Incoming):
    KIND = "commitment"

    description: str
    scope: str | None = None
    #: A participant id (``P-3``) or the source reference of an incoming participant.
    made_by: str | None = None
    authority: str | None = None
    #: When it was made (proposed), and when it was agreed, if it was; a date
    #: alone is taken as midday in the workspace's time zone.
    made_on: dt.datetime | dt.date | None = None
    agreed_on: dt.datetime | dt.date | None = None
    due: dt.date | None = None
    status: str = "agreed"
    #: When the current status was reached, and the reason given, in the person's words.
    status_on: dt.datetime | None = None
    reason: str | None = None
    parent_ref: str | None = None
    session_ref: str | None = None
    answers_refs: tuple[str, ...] = ()
    url: str | None = None


@frozen(kw_only=True)
class IncomingProgress(Incoming):
    KIND = "progress"

    commitment_ref: str
    note: str
    on: dt.datetime | None = None


# ---------------------------------------------------------------- what importers are


@frozen(kw_only=True)
class ImportOptions:
    """What the person said on the command line, and the mapping file's tables."""

    #: Who made the promises, when the source does not say (``--by P-3``).
    by: str | None = None
    #: The power they declared, when the source does not say (``--authority``).
    authority: str | None = None
    #: Which language's columns to read (``title/en``); default the workspace's.
    locale: str = "en"
    #: The session that attendance belongs to, when the source has none (``--session``).
    session: str | None = None
    #: The mapping file's contents (``--map MAPPING.toml``), or empty.
    mapping: Mapping[str, Any] = field(factory=dict)
    #: The role of participants the source creates, when it does not say.
    role: str | None = None
    #: The kind of CSV (``--kind commitments``) for sources with several.
    kind: str | None = None


class Importer:
    """A source coprod can import from. Subclass it and register an instance.

    ``name`` is what ``coprod import-from NAME`` selects; ``summary`` is its one
    line in ``coprod import-from --list``.
    """

    name: ClassVar[str] = ""
    summary: ClassVar[str] = ""

    def read(self, path: Path, options: ImportOptions) -> Iterator[Incoming | Problem]:
        """Yield the file's records in order, and a :class:`Problem` for each bad row.

        Raise :class:`~coprod_core.errors.CoprodError` for a file that can't be
        read at all (wrong format, wrong encoding): one line saying what to do.
        """
        raise NotImplementedError

    def templates(self) -> Mapping[str, str]:
        """Blank files people can fill in, by kind (``--template KIND``); none by default."""
        return {}

    def notes(self) -> list[str]:
        """What the person should know about the last :meth:`read` (said after the import)."""
        return []

    def rejected(self, path: Path, rejected: Mapping[int, list[Problem]]
                 ) -> tuple[Path, Iterator[str]]:
        """Where to write the rejected rows of ``path``, and their text, in its own shape.

        :class:`~coprod_core.importing.readers.CsvImporter` and
        :class:`~coprod_core.importing.readers.JsonLinesImporter` provide this.
        """
        raise CoprodError(f"the {self.name} importer cannot write rejected rows; fix the "
                          "file and import it again without --skip-invalid")


# ---------------------------------------------------------------- where things came from


@frozen(kw_only=True)
class SourceLink:
    """Which imported source record a coprod record came from."""

    id: str
    #: ``<source>:<table>/<id>``, as the importer gave it.
    ref: str
    #: The coprod record (``C-4``) it became, or that it changed (an attendance, a
    #: progress update).
    record_id: str
    #: What the source record was: ``commitment``, ``progress``, ``participant``...
    kind: str
    digest: str
    #: The source record's own address, if it has one.
    url: str | None = None
    #: The coprod record of its parent in the source (a Decidim parent result).
    parent_id: str | None = None
    imported_at: dt.datetime


def links_for(ws: Workspace, record_id: str) -> list[SourceLink]:
    """The source links of one record (what ``show`` prints as "imported from").

    Empty when no importer is installed (the collection is then unknown).
    """
    try:
        return list(ws.records(SOURCES, record_id=record_id))
    except (CoprodError, KeyError):
        return []


# ---------------------------------------------------------------- the import


class ImportInvalid(ValidationFailed):
    """Rows of a file were refused; nothing was imported."""

    def __init__(self, path: Path, problems: list[Problem], rows: int) -> None:
        self.problems = problems
        bad = len({p.row for p in problems})
        shown = "; ".join(str(p) for p in problems[:3])
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        super().__init__(
            f"{bad} of {rows} rows in {path.name} {'is' if bad == 1 else 'are'} invalid; "
            f"nothing was imported: {shown}{more}. Fix them, or use --skip-invalid to "
            "import the valid rows"
        )


@define
class ImportResult:
    """What an import did (or, with ``dry_run``, would do), by kind of record."""

    created: dict[str, int] = field(factory=dict)
    updated: dict[str, int] = field(factory=dict)
    unchanged: dict[str, int] = field(factory=dict)
    rows: int = 0
    rejected: int = 0
    rejected_path: Path | None = None
    problems: list[Problem] = field(factory=list)
    #: What each record became, in order: (action, kind, ref, coprod id).
    actions: list[tuple[str, str, str, str]] = field(factory=list)
    notes: list[str] = field(factory=list)

    def count(self, action: str, kind: str) -> None:
        table = getattr(self, action)
        table[kind] = table.get(kind, 0) + 1

    def as_json(self) -> dict[str, Any]:
        return {
            "rows": self.rows, "created": self.created, "updated": self.updated,
            "unchanged": self.unchanged, "rejected": self.rejected,
            "rejected_file": None if self.rejected_path is None else str(self.rejected_path),
            "problems": [{"row": p.row, "column": p.column, "message": p.message}
                         for p in self.problems],
            "records": [{"action": a, "kind": k, "ref": r, "id": i}
                        for a, k, r, i in self.actions],
            "notes": self.notes,
        }


class _DryRun(Exception):
    """Raised inside the operation to roll a dry run back."""


def run_import(
    ws: Workspace,
    importer: Importer,
    path: Path,
    options: ImportOptions,
    *,
    dry_run: bool = False,
    skip_invalid: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Import ``path`` with ``importer`` in one operation; see the module docstring."""
    from .apply import Applier, write_rejected

    result = ImportResult()
    rejected_rows: dict[int, list[Problem]] = {}
    try:
        with ws.operation(f"import.{importer.name}") as op:
            applier = Applier(ws, op, options, result)
            for row, items, problems in _rows(importer.read(path, options)):
                result.rows = max(result.rows, row)
                if not problems:
                    problems = applier.take_row(items)
                if problems:
                    rejected_rows[row] = problems
                if progress is not None:
                    progress(row)
            result.notes.extend(applier.finish())
            result.notes.extend(importer.notes())
            changed = [i for action, _k, _r, i in result.actions
                       if action in ("created", "updated")]
            if changed:
                # One event for the whole import: a plugin reacting to each
                # change would otherwise run once per imported record.
                op.emit("import.done", None, *dict.fromkeys(changed))
            result.problems = [p for row in sorted(rejected_rows) for p in rejected_rows[row]]
            if result.problems and not skip_invalid:
                raise ImportInvalid(path, result.problems, result.rows)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    if result.problems and skip_invalid and not dry_run:
        result.rejected = len(rejected_rows)
        result.rejected_path = write_rejected(path, importer, rejected_rows)
    elif result.problems:
        result.rejected = len(rejected_rows)
    return result


def _rows(
    stream: Iterator[Incoming | Problem],
) -> Iterator[tuple[int, list[Incoming], list[Problem]]]:
    """Group what an importer yields by row: a row is imported whole or not at all."""
    row = -1
    items: list[Incoming] = []
    problems: list[Problem] = []
    for item in stream:
        if item.row != row:
            if row >= 0:
                yield row, items, problems
            row, items, problems = item.row, [], []
        if isinstance(item, Problem):
            problems.append(item)
        else:
            items.append(item)
    if row >= 0:
        yield row, items, problems


def importers(plugins: Any = None) -> dict[str, Importer]:
    """Every source ``coprod import-from`` can read, by name, as the plugins registered them."""
    from ..plugins import get_plugin_manager

    pm = plugins or get_plugin_manager()
    found: dict[str, Importer] = pm.registry.things("importers")
    return found


def read_mapping(path: Path) -> dict[str, Any]:
    """A ``--map`` file: TOML, read with the same bounds as coprod.toml."""
    import tomllib

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CoprodError(f"mapping file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CoprodError(f"cannot read mapping file {path}: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CoprodError(f"mapping file {path} is not valid TOML: {exc}") from None
    except RecursionError:
        raise CoprodError(f"mapping file {path} is nested too deeply") from None
    table = data.get("import", {})
    if not isinstance(table, dict):
        raise CoprodError(f"{path}: [import] must be a table")
    return table
