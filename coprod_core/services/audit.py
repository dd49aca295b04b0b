"""Reading the audit log: when, who, which operation, which records; never values."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ..errors import CoprodError
from ..finder import audit_names as names

if TYPE_CHECKING:
    from ..workspace import Workspace

__all__ = ["entries", "names", "record_id"]


def record_id(ws: Workspace, text: str) -> str:
    """``text`` as the canonical id of a record of any of the workspace's collections
    (``p12`` -> ``P-12``)."""
    collection = ws.collections.collection_of(text)
    if collection is None:
        prefixes = ", ".join(f"{c.prefix}-12" for c in ws.collections.values())
        raise CoprodError(f"{text!r} is not a record id; ids look like {prefixes}")
    return ws.collections.parse_id(collection, text)


def entries(ws: Workspace, *, since: dt.date | None = None, about: str | None = None
            ) -> Iterator[dict[str, Any]]:
    """The audit log, oldest first, streamed: changes on or after ``since`` (a UTC
    day) that name the record ``about`` (any id form, see :func:`record_id`).

    A wrong ``about`` is refused at once, before anything is read.
    """
    wanted = None if about is None else record_id(ws, about)
    return _entries(ws, since, wanted)


def _entries(ws: Workspace, since: dt.date | None, wanted: str | None
             ) -> Iterator[dict[str, Any]]:
    for entry in ws.audit():
        if since and dt.datetime.fromisoformat(entry["at"]).astimezone(dt.UTC).date() < since:
            continue
        if wanted and not names(entry.get("ids"), wanted):
            continue
        yield entry
