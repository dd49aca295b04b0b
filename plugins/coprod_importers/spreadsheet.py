"""Spreadsheets an organisation kept itself: sessions, attendance, tensions, promises, progress.

One CSV file holds one kind of record, told by its columns (or ``--kind``).
``coprod import-from csv --template KIND`` writes a header to fill in. Every
row says when it happened; the ``ref`` column is the spreadsheet's own id for
the row (any text, unique in the file), which makes a second import update
rather than duplicate. Without one, a row's ref is made from what it says.
Other columns refer to records by coprod id (``P-3``, ``S-2``) or by the ref of
a row imported before (``csv:sessions/<ref>``, or just ``<ref>``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import ClassVar, overload

from coprod_core.errors import CoprodError
from coprod_core.importing import (
    ImportOptions,
    Incoming,
    IncomingAttendance,
    IncomingCommitment,
    IncomingProgress,
    IncomingSession,
    IncomingTension,
    Problem,
)
from coprod_core.importing.readers import CsvImporter, parse_date, parse_when

__all__ = ["COLUMNS", "Spreadsheet"]

#: Kind -> (required columns, optional columns), in template order.
COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "sessions": (("title", "date"), ("ref", "purpose", "series")),
    "attendance": (("session", "participant"), ("ref", "status")),
    "tensions": (("description", "kind", "raised_on"),
                 ("ref", "raised_by", "session", "status", "status_on", "note")),
    "commitments": (("description", "made_by", "authority", "made_on"),
                    ("ref", "scope", "agreed_on", "due", "status", "status_on", "reason",
                     "session", "answers")),
    "progress": (("commitment", "note", "on"), ("ref",)),
}

#: The collection each kind's own references point into.
_COLLECTION = {"sessions": "sessions", "attendance": "sessions", "tensions": "tensions",
               "commitments": "commitments", "progress": "commitments"}


class Spreadsheet(CsvImporter):
    """A CSV file of one kind of record, in the column sets of :data:`COLUMNS`."""

    name: ClassVar[str] = "csv"
    summary: ClassVar[str] = ("Your own spreadsheet (CSV) of sessions, attendance, tensions, "
                              "commitments or progress updates, each with its dates.")

    def templates(self) -> Mapping[str, str]:
        return {kind: ",".join((*required, *optional)) + "\r\n"
                for kind, (required, optional) in COLUMNS.items()}

    def check_header(self, path: Path, header: list[str]) -> None:
        kind = self._wanted
        if kind is None:
            fits = [k for k, (required, _o) in COLUMNS.items()
                    if set(required) <= set(header)]
            if len(fits) != 1:
                raise CoprodError(
                    f"{path.name}: cannot tell which kind of records it holds from its columns; "
                    f"say with --kind ({', '.join(COLUMNS)}); "
                    "`coprod import-from csv --template KIND` writes the columns")
            kind = fits[0]
        required, optional = COLUMNS[kind]
        missing = [c for c in required if c not in header]
        if missing:
            raise CoprodError(f"{path.name}: missing column{'s' if len(missing) > 1 else ''} "
                              f"{', '.join(missing)} for {kind}; the columns are "
                              f"{', '.join((*required, *optional))}")
        unknown = [h for h in header if h and h not in (*required, *optional, "problems")]
        if unknown:
            raise CoprodError(f"{path.name}: unknown column{'s' if len(unknown) > 1 else ''} "
                              f"{', '.join(unknown)} for {kind}; the columns are "
                              f"{', '.join((*required, *optional))}")
        self._kind = kind

    def read(self, path: Path, options: ImportOptions) -> Iterator[Incoming | Problem]:
        if options.kind is not None and options.kind not in COLUMNS:
            raise CoprodError(f"{options.kind!r} is not a kind of spreadsheet; allowed: "
                              f"{', '.join(COLUMNS)}")
        self._wanted = options.kind
        for row, cells in self.rows(path):
            build: Callable[[int, dict[str, str]], Incoming] = getattr(self, f"_{self._kind}")
            try:
                yield build(row, {k: v for k, v in cells.items() if v != ""})
            except _Bad as bad:
                yield Problem(row=row, column=bad.column, message=bad.message)

    # ------------------------------------------------------------ one row of each kind

    def _ref(self, kind: str, cells: dict[str, str], *identity: str) -> str:
        own = cells.get("ref")
        if own is None:
            own = "~" + hashlib.sha256("\x1f".join(identity).encode()).hexdigest()[:16]
        return f"csv:{kind}/{own}"

    def _sessions(self, row: int, cells: dict[str, str]) -> Incoming:
        date = _date(cells, "date", required=True)
        assert date is not None
        return IncomingSession(
            ref=self._ref("sessions", cells, cells["title"], str(date)), row=row,
            title=cells["title"], date=date, purpose=cells.get("purpose"),
            series=cells.get("series"),
        )

    def _attendance(self, row: int, cells: dict[str, str]) -> Incoming:
        session, person = (_refer("sessions", cells["session"], "session"),
                           _refer("participants", cells["participant"], "participant"))
        return IncomingAttendance(
            ref=self._ref("attendance", cells, session, person), row=row,
            session_ref=session, participant_ref=person,
            status=cells.get("status", "attended"),
        )

    def _tensions(self, row: int, cells: dict[str, str]) -> Incoming:
        raised = _when(cells, "raised_on", required=True)
        return IncomingTension(
            ref=self._ref("tensions", cells, cells["description"], str(raised)), row=row,
            description=cells["description"], kind=cells["kind"], raised_on=raised,
            raised_by_ref=_refer("participants", cells.get("raised_by"), "raised_by"),
            session_ref=_refer("sessions", cells.get("session"), "session"),
            status=cells.get("status", "raised"), status_on=_when(cells, "status_on"),
            note=cells.get("note"),
        )

    def _commitments(self, row: int, cells: dict[str, str]) -> Incoming:
        made = _when(cells, "made_on", required=True)
        answers = tuple(_refer("tensions", a.strip(), "answers") or ""
                        for a in cells.get("answers", "").split(",") if a.strip())
        return IncomingCommitment(
            ref=self._ref("commitments", cells, cells["description"], str(made)), row=row,
            description=cells["description"], scope=cells.get("scope"),
            made_by=_refer("participants", cells["made_by"], "made_by"),
            authority=cells["authority"],
            made_on=made, agreed_on=_when(cells, "agreed_on"), due=_date(cells, "due"),
            status=cells.get("status", "agreed" if cells.get("agreed_on") else "proposed"),
            status_on=_when(cells, "status_on"), reason=cells.get("reason"),
            session_ref=_refer("sessions", cells.get("session"), "session"), answers_refs=answers,
        )

    def _progress(self, row: int, cells: dict[str, str]) -> Incoming:
        on = _when(cells, "on", required=True)
        commitment = _refer("commitments", cells["commitment"], "commitment")
        assert commitment is not None
        return IncomingProgress(
            ref=self._ref("progress", cells, commitment, cells["note"], str(on)), row=row,
            commitment_ref=commitment, note=cells["note"], on=on,
        )


class _Bad(Exception):
    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


_PREFIXES = {"participants": "P", "sessions": "S", "tensions": "T", "commitments": "C"}


@overload
def _refer(collection: str, value: str, column: str) -> str: ...
@overload
def _refer(collection: str, value: str | None, column: str) -> str | None: ...


def _refer(collection: str, value: str | None, column: str) -> str | None:
    """A coprod id as it is, a full ref as it is, or a bare ref made full."""
    if value is None:
        return None
    text = value.strip()
    head = text.split("-", 1)[0].upper()
    if head == _PREFIXES[collection] and text.split("-", 1)[-1].isdigit():
        return text
    if ":" in text:
        return text
    if collection == "participants":
        raise _Bad(column, f"{text!r} is not a participant id; write it like P-3 "
                           "(`coprod participant list` shows them)")
    return f"csv:{collection}/{text}"


def _date(cells: dict[str, str], column: str, *, required: bool = False) -> dt.date | None:
    try:
        value = parse_date(cells.get(column))
    except ValueError:
        raise _Bad(column, f"{cells[column]!r} is not a date; write it as YYYY-MM-DD") from None
    if value is None and required:
        raise _Bad(column, "this column must be filled in")
    return value


def _when(cells: dict[str, str], column: str, *,
          required: bool = False) -> dt.datetime | None:
    try:
        value = parse_when(cells.get(column))
    except ValueError:
        raise _Bad(column, f"{cells[column]!r} is not a date; write it as YYYY-MM-DD "
                           "(or YYYY-MM-DDTHH:MM)") from None
    if value is None and required:
        raise _Bad(column, "this column must be filled in")
    return value
