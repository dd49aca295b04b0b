"""The one range of calendar dates people may give coprod (:data:`DATES`).

Every date option, every date in ``coprod.toml`` or an import, and every date
field of the model is checked against it, so date arithmetic inside coprod
can never leave the dates Python can hold.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from attrs import frozen

from .errors import ValidationFailed

__all__ = ["DATES", "MAX_RETENTION_YEARS", "DateRange", "date_in_range"]


@frozen
class DateRange:
    """The calendar dates people may give coprod, both ends included."""

    earliest: dt.date
    latest: dt.date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.earliest <= _as_date(day) <= self.latest

    def __str__(self) -> str:
        return f"{self.earliest.isoformat()} to {self.latest.isoformat()}"

    def refusal(self, day: dt.date) -> str:
        """Why ``day`` is refused: what it is and what is allowed."""
        return f"{day.isoformat()} is outside the dates coprod accepts ({self})"


def _as_date(day: dt.date) -> dt.date:
    return day.date() if isinstance(day, dt.datetime) else day


#: The one range of dates people may give: sessions, due dates, rights
#: requests, report periods, form answers, every date option and every date
#: in coprod.toml or an import. Wide enough for any real programme, narrow
#: enough that date arithmetic inside coprod (a retention period of at most
#: :data:`MAX_RETENTION_YEARS`, a due date a month on) can never leave the
#: dates Python can hold.
DATES = DateRange(dt.date(1900, 1, 1), dt.date(2999, 12, 31))

#: The longest retention period ``[privacy] retention`` may set.
MAX_RETENTION_YEARS = 100


def date_in_range(_inst: object, attribute: Any, value: Any) -> None:
    """An attrs validator: ``value`` (a date or None) lies in :data:`DATES`."""
    if value is not None and value not in DATES:
        raise ValidationFailed(f"{attribute.name}: {DATES.refusal(value)}")
