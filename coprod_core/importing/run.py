"""Running an import: :func:`run_import`, the one service every source goes through.

See :mod:`coprod_core.importing` for what it guarantees (all or nothing,
idempotent, one operation, the consent rules, ``dry_run``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attrs import define, field

from ..errors import CoprodError, ValidationFailed
from . import SOURCES, Importer, ImportOptions, Incoming, Problem, SourceLink

if TYPE_CHECKING:
    from ..workspace import Workspace

__all__ = ["ImportInvalid", "ImportResult", "importers", "links_for", "read_mapping",
           "run_import"]


def links_for(ws: Workspace, record_id: str) -> list[SourceLink]:
    """The source links of one record (what ``show`` prints as "imported from").

    Empty when no importer is installed (the collection is then unknown).
    """
    try:
        return list(ws.records(SOURCES, record_id=record_id))
    except (CoprodError, KeyError):
        return []


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
    from .apply import Applier

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


# ---------------------------------------------------------------- rejected rows


def write_rejected(path: Path, importer: Importer, rejected: dict[int, list[Problem]]) -> Path:
    """Write the rejected rows beside ``path``, owner-only; return where.

    The file has the input's own shape, so it can be fixed and imported again;
    each row says what was wrong in a ``problems`` column (CSV) or key (JSON
    lines), which importers ignore.
    """
    from ..files import atomic_write

    target, chunks = importer.rejected(path, rejected)
    atomic_write(target, "".join(chunks).encode("utf-8-sig"))
    return target
