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
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, ClassVar

from attrs import field, frozen

from ..errors import CoprodError

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


# The service that uses the kit; imported last, as it reads the classes above.
from .run import (  # noqa: E402
    ImportInvalid,
    ImportResult,
    importers,
    links_for,
    read_mapping,
    run_import,
)
