"""Published values as text people read, shared by the formats."""

from __future__ import annotations

import datetime as dt
import re

from .document import Cell, Hidden, ValueType

__all__ = [
    "HIDDEN", "MISSING", "is_number", "show", "slug",
]

HIDDEN = "*"
MISSING = "–"


def show(value: Cell, kind: ValueType) -> str:
    """A published cell as text: ``*`` for hidden, an en dash for no value."""
    if isinstance(value, Hidden):
        return HIDDEN
    if value is None:
        return MISSING
    if isinstance(value, dt.datetime):
        return f"{value.day} {value:%b %Y %H:%M}"
    if isinstance(value, dt.date):
        return f"{value.day} {value:%b %Y}"
    if kind is ValueType.PERCENT and isinstance(value, int | float):
        return f"{value:.0f}%" if float(value).is_integer() else f"{value:.1f}%"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() and kind is ValueType.PEOPLE \
            else f"{value:,.1f}"
    return str(value)


def is_number(kind: ValueType) -> bool:
    return kind in (ValueType.PEOPLE, ValueType.NUMBER, ValueType.PERCENT)


def slug(text: str, limit: int = 48) -> str:
    """A file-name-safe version of ``text``: lower case, letters, digits and hyphens."""
    words = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return words[:limit].rstrip("-") or "table"
