"""The records data protection keeps: rights requests and subject access exports.

Rights requests are records in the ``rights_requests`` collection (ids
``R-1``...), due one calendar month after they were received; every subject
access export written is recorded in ``exports`` (ids ``X-1``...) so that
erasing the person deletes the file too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from attrs import field, frozen
from attrs import validators as v

from ..model import _optional_text, date_in_range  # one converter for optional text
from ..vocabulary import REQUEST_TYPES
from .settings import add_months

__all__ = [
    "EXPORTS", "OWN_COLLECTIONS", "REQUESTS", "REQUEST_TYPES", "ExportRecord", "RightsRequest",
    "due_date",
]

REQUESTS = "rights_requests"
EXPORTS = "exports"
#: Collections data protection owns; the generic sweeps treat them on their own.
OWN_COLLECTIONS = (REQUESTS, EXPORTS)


@frozen(kw_only=True)
class RightsRequest:
    """A request from a person to exercise a right over their data."""

    id: str
    type: str = field(validator=v.in_(REQUEST_TYPES))
    #: The participant it is about, when they are in the records.
    participant_id: str | None = None
    received: dt.date = field(validator=date_in_range)
    #: One calendar month after it was received (ICO guidance).
    due: dt.date
    done: dt.date | None = field(default=None, validator=date_in_range)
    note: str | None = field(default=None, converter=_optional_text)
    created_at: dt.datetime

    def status(self, today: dt.date) -> str:
        if self.done is not None:
            return "done late" if self.done > self.due else "done"
        return "overdue" if today > self.due else "open"

    def to_json(self, today: dt.date) -> dict[str, Any]:
        return {"id": self.id, "type": self.type, "participant_id": self.participant_id,
                "received": self.received.isoformat(), "due": self.due.isoformat(),
                "done": self.done and self.done.isoformat(), "note": self.note,
                "status": self.status(today)}


@frozen(kw_only=True)
class ExportRecord:
    """That a subject access export of a person was written, and where."""

    id: str
    participant_id: str
    #: The absolute path written, so that an erasure can delete the file.
    path: str
    format: str
    at: dt.datetime
    #: The hash of what was written (``sha256:<hex>``): erasure deletes the file
    #: only while it still holds exactly that. None for exports made before
    #: coprod kept it.
    content_hash: str | None = None


def due_date(received: dt.date) -> dt.date:
    """One calendar month after ``received``: 3 March -> 3 April, 31 January -> 28/29 February."""
    return add_months(received, 1)

