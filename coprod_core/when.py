"""When it happened, as opposed to when it was recorded.

Records are often written up after the fact: minutes typed the day after a
meeting, last year's history brought in from a spreadsheet. Every event a
person records therefore carries the time it *happened*, given as ``--on``
(``on=`` in the Python API); the audit log keeps the time it was *typed*.

What people type is read in the workspace's time zone (``[workspace]
timezone``, default ``Europe/London``) and stored as UTC. A day on its own
(``2026-06-12``) is placed at midday that day: midday stays the same
calendar day in UTC for every zone within eleven hours of it, so a June
meeting reads as June whichever way it is looked at. A day given for today
is placed no later than now; a day given for the day of the step it follows
is placed just after that step.

Refused, each with one line saying what is allowed: a time after now (a
day after today), and a step dated before the step it follows.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import TYPE_CHECKING

from .dates import DATES
from .errors import CoprodError, ValidationFailed

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

__all__ = [
    "DEFAULT_TIMEZONE", "EARLIEST", "On", "event_time", "local_day", "parse_on", "short_date",
    "zone",
]

#: The time zone of what people type when ``[workspace] timezone`` is not set.
DEFAULT_TIMEZONE = "Europe/London"

#: No event recorded in coprod happened before this day (a mistyped year, say 0026):
#: the start of the one range of dates coprod accepts.
EARLIEST = DATES.earliest

_ON = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}))?$")

#: What an ``on`` may be: text as typed, a day, or a time (naive: the workspace's zone).
On = str | dt.date | dt.datetime | None


@lru_cache(maxsize=16)
def zone(name: str) -> ZoneInfo:
    """The time zone called ``name`` (an IANA name such as ``Europe/London``)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise CoprodError(
            f"unknown time zone {name!r}; give an IANA name such as Europe/London"
        ) from None


def parse_on(text: str, what: str = "--on") -> dt.date | dt.datetime:
    """``YYYY-MM-DD`` as a day, ``YYYY-MM-DDTHH:MM`` as a naive time; else one clear error."""
    match = _ON.match(text.strip())
    try:
        if match is None:
            raise ValueError(text)
        day = dt.date.fromisoformat(match.group(1))
        if match.group(2) is None:
            return day
        return dt.datetime.combine(day, dt.time.fromisoformat(match.group(2)))
    except ValueError:
        raise CoprodError(
            f"{what} {text!r} is not a date; give YYYY-MM-DD or YYYY-MM-DDTHH:MM"
        ) from None


def short_date(day: dt.date) -> str:
    """``1 Apr 2026``: a day as people read it."""
    return f"{day.day} {day:%b %Y}"


def local_day(at: dt.datetime, tz: dt.tzinfo) -> dt.date:
    """The calendar day ``at`` fell on in ``tz``."""
    return at.astimezone(tz).date()


def event_time(on: On, *, now: dt.datetime, tz: dt.tzinfo,
               after: dt.datetime | None = None, what: str = "--on",
               follows: str = "the step it follows") -> dt.datetime:
    """The UTC time an event happened, from what was given for it.

    ``on`` None means now. ``after`` is the time of the step this one
    follows, if any; the event may not come before it. Raises
    :class:`ValidationFailed` for a time after now or before ``after``.
    """
    now = now.astimezone(dt.UTC)
    today = local_day(now, tz)
    if on is None:
        return max(now, after) if after is not None else now
    value = parse_on(on, what) if isinstance(on, str) else on
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=tz)
        day = local_day(value, tz)
        _check_day(day, today, what)
        at = value.astimezone(dt.UTC)
        if at > now:
            raise ValidationFailed(
                f"{what} {_shown(value, tz)} is later than now; "
                "record things once they have happened"
            )
        if after is not None and at < after:
            raise ValidationFailed(
                f"{what} {_shown(value, tz)} is before {follows} ({_shown(after, tz)}); "
                "give a time on or after it"
            )
        return at
    day = value
    _check_day(day, today, what)
    if after is not None and day < local_day(after, tz):
        raise ValidationFailed(
            f"{what} {day.isoformat()} is before {follows} "
            f"({local_day(after, tz).isoformat()}); give a date on or after it"
        )
    at = min(dt.datetime.combine(day, dt.time(12), tzinfo=tz).astimezone(dt.UTC), now)
    return max(at, after) if after is not None else at


def _check_day(day: dt.date, today: dt.date, what: str) -> None:
    if day > today:
        raise ValidationFailed(
            f"{what} {day.isoformat()} is after today ({today.isoformat()}); "
            "record things once they have happened"
        )
    if day < EARLIEST:
        raise ValidationFailed(
            f"{what} {day.isoformat()} is before {EARLIEST.isoformat()}; check the year"
        )


def _shown(at: dt.datetime, tz: dt.tzinfo) -> str:
    return at.astimezone(tz).strftime("%Y-%m-%dT%H:%M")
