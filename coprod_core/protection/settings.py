"""The ``[privacy]`` table of coprod.toml: retention, contact consent, protected categories."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import TYPE_CHECKING, Any

from attrs import frozen

from ..model import MAX_RETENTION_YEARS

if TYPE_CHECKING:
    from ..config import Context
    from ..workspace import Workspace

__all__ = ["Period", "add_months", "check_config", "require_contact_consent", "retention"]


@frozen
class Period:
    """A retention period: a whole number of days or calendar months."""

    count: int
    unit: str  # "days" or "months"

    _TEXT = re.compile(r"^\s*(\d{1,5})\s*(day|week|month|year)s?\s*$", re.IGNORECASE)

    @classmethod
    def parse(cls, value: object) -> Period:
        """``730`` (days), ``"30 days"``, ``"8 weeks"``, ``"24 months"``, ``"2 years"``.

        At most :data:`~coprod_core.model.MAX_RETENTION_YEARS` years, so that
        a period after any date in :data:`~coprod_core.model.DATES` is a date.
        """
        if isinstance(value, int) and not isinstance(value, bool):
            return cls(value, "days")._bounded()
        match = cls._TEXT.match(str(value))
        if match is None:
            raise ValueError(
                f"{value!r} is not a period; write a number of days, weeks, months or "
                "years, such as \"24 months\" or \"730 days\""
            )
        count, unit = int(match.group(1)), match.group(2).lower()
        if unit == "week":
            return cls(count * 7, "days")._bounded()
        if unit == "year":
            return cls(count * 12, "months")._bounded()
        return cls(count, unit + "s")._bounded()

    def _bounded(self) -> Period:
        if self.count < 1:
            raise ValueError("must be at least 1 day")
        limit = MAX_RETENTION_YEARS * (366 if self.unit == "days" else 12)
        if self.count > limit:
            raise ValueError(f"must be at most {MAX_RETENTION_YEARS} years")
        return self

    def after(self, day: dt.date) -> dt.date:
        """The date this period after ``day`` (months are calendar months)."""
        if self.unit == "days":
            return day + dt.timedelta(days=self.count)
        return add_months(day, self.count)

    def __str__(self) -> str:
        return f"{self.count} {self.unit if self.count != 1 else self.unit[:-1]}"


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved on by calendar months; the 31st becomes a shorter month's last day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def check_config(table: Any, ctx: Context) -> None:
    """Check ``[privacy]`` in coprod.toml (listed in ``config.SECTION_CHECKERS``)."""
    from ..categories import check_protected

    ctx.no_unknown(table, ("retention", "require_contact_consent", "protected"), "privacy")
    check_protected(table, ctx)
    if "retention" in table:
        value = ctx.expect(table, "retention", (str, int), "privacy.retention")
        try:
            Period.parse(value)
        except ValueError as exc:
            raise ctx.error("privacy.retention", str(exc)) from None
    ctx.expect(table, "require_contact_consent", bool, "privacy.require_contact_consent")


def retention(ws: Workspace) -> Period | None:
    """The workspace's ``[privacy] retention``, or None when it sets none."""
    value = ws.config.table("privacy").get("retention")
    return None if value is None else Period.parse(value)


def require_contact_consent(ws: Workspace) -> bool:
    """Whether email and phone need consent for contact before they are stored."""
    return bool(ws.config.table("privacy").get("require_contact_consent", False))
