"""Decidim: accountability results, and meeting registrations.

Decidim's CSV exports are ``;``-separated, with nested keys flattened with
``/`` (``title/en``, ``status/key``, ``parent/id``), one column per language,
HTML in descriptions, and a ``'`` before any cell a spreadsheet would run as
a formula. docs/moving-to-coprod.md says what is carried over and what is not.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

from coprod_core.errors import CoprodError
from coprod_core.importing import (
    ImportOptions,
    Incoming,
    IncomingAttendance,
    IncomingCommitment,
    IncomingParticipant,
    IncomingProgress,
    IncomingSession,
    Problem,
)
from coprod_core.importing.readers import (
    CsvImporter,
    html_to_text,
    parse_date,
    parse_number,
    parse_when,
)

__all__ = ["DEFAULT_BY_PROGRESS", "DecidimRegistrations", "DecidimResults"]

#: With no ``[import.decidim.statuses]`` mapping, a result's status comes from its progress.
DEFAULT_BY_PROGRESS = (
    "no progress, or 0: agreed; between 0 and 100: in_progress; 100: delivered"
)

_STATUSES = ("proposed", "agreed", "in_progress", "partly_delivered", "delivered",
             "not_delivered", "withdrawn")


def _by_progress(progress: float | None) -> str:
    if progress is None or progress <= 0:
        return "agreed"
    return "delivered" if progress >= 100 else "in_progress"


def _locales(header: list[str], key: str) -> list[str]:
    prefix = f"{key}/"
    return sorted(h[len(prefix):] for h in header
                  if h.startswith(prefix) and "/" not in h[len(prefix):])


class DecidimResults(CsvImporter):
    """Decidim's accountability results: each result becomes a promise."""

    name: ClassVar[str] = "decidim-results"
    summary: ClassVar[str] = ("Decidim accountability results (the results export, CSV): "
                              "each result becomes a promise, its progress an update.")
    delimiters: ClassVar[tuple[str, ...]] = (";", ",")

    def check_header(self, path: Path, header: list[str]) -> None:
        if "id" not in header or not _locales(header, "title"):
            raise CoprodError(
                f"{path.name} is not a Decidim results export: it needs the columns id and "
                "title/<language> (export the results from the accountability component as CSV)"
            )
        self._header = header

    def read(self, path: Path, options: ImportOptions) -> Iterator[Incoming | Problem]:
        table = options.mapping.get("decidim", {})
        statuses = dict(table.get("statuses", {}))
        for key, value in statuses.items():
            if value not in _STATUSES:
                raise CoprodError(f"[import.decidim.statuses] {key} = {value!r}: not a "
                                  f"commitment status; allowed: {', '.join(_STATUSES)}")
        by_column = table.get("by_column")
        authority_column = table.get("authority_column")
        by = table.get("by") or options.by
        authority = table.get("authority") or options.authority
        if by is None and by_column is None:
            raise CoprodError("Decidim results do not say who made each promise: say who with "
                              "--by P-N (or by_column in the mapping's [import.decidim])")
        if authority is None and authority_column is None:
            raise CoprodError("Decidim results do not say what power the promiser has: say "
                              "with --authority can_decide|can_influence|can_only_raise (or "
                              "authority_column in the mapping's [import.decidim])")
        locale = options.locale
        for row, cells in self.rows(path):
            header = self._header
            if f"title/{locale}" not in header:
                raise CoprodError(f"{path.name} has no title/{locale} column; its languages: "
                                  f"{', '.join(_locales(header, 'title'))} (choose with --locale)")
            try:
                yield from self._result(row, cells, locale, statuses, by, by_column,
                                        authority, authority_column)
            except _Bad as bad:
                yield Problem(row=row, column=bad.column, message=bad.message)

    def _result(self, row: int, cells: dict[str, str], locale: str, statuses: dict[str, str],
                by: str | None, by_column: str | None, authority: str | None,
                authority_column: str | None) -> Iterator[Incoming]:
        result_id = cells.get("id", "")
        if not result_id:
            raise _Bad("id", "every result needs its Decidim id")
        title = html_to_text(cells.get(f"title/{locale}"))
        if not title:
            raise _Bad(f"title/{locale}", "this result has no title in this language")
        progress = _get(cells, "progress", parse_number)
        key = cells.get("status/key") or ""
        status = statuses.get(key) if key else None
        if status is None:
            status = _by_progress(progress)
        ref = f"decidim:results/{result_id}"
        updated = _get(cells, "updated_at", parse_when) or _get(cells, "created_at", parse_when)
        name = html_to_text(cells.get(f"status/name/{locale}")) or key
        reason = None
        if status in ("withdrawn", "not_delivered", "partly_delivered"):
            reason = f"Decidim status: {name}" if name else None
        parent = cells.get("parent/id") or None
        yield IncomingCommitment(
            ref=ref, row=row, description=title,
            scope=html_to_text(cells.get(f"description/{locale}")),
            made_by=(cells.get(by_column) or None) if by_column else by,
            authority=(cells.get(authority_column) or None) if authority_column else authority,
            made_on=_get(cells, "created_at", parse_when),
            agreed_on=_get(cells, "start_date", parse_date),
            due=_get(cells, "end_date", parse_date),
            status=status, status_on=updated, reason=reason,
            parent_ref=f"decidim:results/{parent}" if parent else None,
            url=cells.get("url") or None,
        )
        if progress is not None and progress > 0:
            shown = f"{progress:g}"
            yield IncomingProgress(
                ref=f"{ref}/progress/{shown}", row=row, commitment_ref=ref,
                note=f"Progress recorded in Decidim: {shown}%", on=updated,
            )


class DecidimRegistrations(CsvImporter):
    """Decidim meeting registrations: people, and attendance where it was validated."""

    name: ClassVar[str] = "decidim-registrations"
    summary: ClassVar[str] = ("Decidim meeting registrations (CSV): registrants become "
                              "participants; only validated registrations become attendance.")
    delimiters: ClassVar[tuple[str, ...]] = (";", ",")

    def check_header(self, path: Path, header: list[str]) -> None:
        if "user/name" not in header:
            raise CoprodError(f"{path.name} is not a Decidim registrations export: it needs "
                              "the column user/name (export a meeting's registrations as CSV)")
        self._validated = "validated_at" in header
        self._meeting = "meeting/start_time" in header

    def read(self, path: Path, options: ImportOptions) -> Iterator[Incoming | Problem]:
        table = options.mapping.get("decidim-registrations", {})
        role = table.get("role") or options.role
        if role is None:
            raise CoprodError("Decidim registrations do not say which perspective people "
                              "bring: say which role with --role ROLE")
        first = True
        self._counts = [0, 0]
        for row, cells in self.rows(path):
            if first:
                first = False
                if not self._meeting and options.session is None:
                    raise CoprodError("this export does not say which meeting it is for: "
                                      "name the session with --session S-N")
            try:
                yield from self._registration(row, cells, role, options)
            except _Bad as bad:
                yield Problem(row=row, column=bad.column, message=bad.message)

    def _registration(self, row: int, cells: dict[str, str], role: str,
                      options: ImportOptions) -> Iterator[Incoming]:
        name = cells.get("user/name", "")
        if not name:
            raise _Bad("user/name", "every registration needs the person's name")
        email = cells.get("user/email") or None
        person_ref = (f"decidim:users/{_hash(email)}" if email
                      else f"decidim:registrations/{cells.get('id') or cells.get('code')}")
        yield IncomingParticipant(ref=person_ref, row=row, name=name, role=role, email=email)
        session_ref = options.session
        if session_ref is None:
            title = html_to_text(cells.get(f"meeting/title/{options.locale}")
                                 or cells.get("meeting/title")) or "Decidim meeting"
            start = _get(cells, "meeting/start_time", parse_when)
            if start is None:
                raise _Bad("meeting/start_time", "the meeting's start time is missing")
            key = cells.get("meeting/reference") or f"{title}@{start.isoformat()}"
            session_ref = f"decidim:meetings/{_hash(key)}"
            yield IncomingSession(ref=session_ref, row=row, title=title, date=start.date())
        self._counts[0] += 1
        if self._validated and cells.get("validated_at"):
            self._counts[1] += 1
            yield IncomingAttendance(ref=f"{session_ref}/attended/{person_ref}", row=row,
                                     session_ref=session_ref, participant_ref=person_ref)


    def notes(self) -> list[str]:
        registered, validated = getattr(self, "_counts", (0, 0))
        if not self._validated:
            return [f"a registration is not attendance: this export does not say who came, so "
                    f"none of the {registered} registrations was recorded as attendance "
                    "(record who came with `coprod session attend`)"]
        return [f"a registration is not attendance: {validated} of {registered} registrations "
                "were validated at the meeting and recorded as attended"]


class _Bad(Exception):
    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


def _get(cells: dict[str, str], column: str, parse: Any) -> Any:
    try:
        return parse(cells.get(column))
    except ValueError:
        raise _Bad(column, f"{cells.get(column)!r} is not a date or number this import "
                           "can read") from None


def _hash(text: str) -> str:
    return hashlib.sha256(text.strip().casefold().encode()).hexdigest()[:16]
