"""Special and protected categories of answers, and the consent purposes they make.

UK GDPR names the special categories; coprod knows five of them by name
(:data:`~coprod_core.model.SPECIAL_CATEGORIES`). Organisations protect more
than the law lists (gender identity, immigration status, care experience),
each with its own consent, apart from the others. They declare them in
``coprod.toml``::

    [privacy]
    protected = { gender_identity = "Gender identity", care_experience = "Care experience" }

Each category, built-in or declared, is one consent purpose,
``special:<category>``. An answer in a category is stored only while that
consent is given; which category an answer is in comes from the form field
that declares its key (``special = "gender_identity"``), never from the
caller.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .vocabulary import BASIC_PURPOSES, SPECIAL_CATEGORIES

if TYPE_CHECKING:
    from .config import Context

__all__ = ["LABELS", "categories", "check_protected", "consent_purposes"]

#: How the built-in special categories read to people.
LABELS: dict[str, str] = {
    "ethnicity": "Ethnicity",
    "religion": "Religion or belief",
    "health": "Health",
    "sexuality": "Sexuality",
    "criminal_history": "Criminal history",
}

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def check_protected(table: Mapping[str, Any], ctx: Context) -> None:
    """Check ``[privacy] protected``: category name -> the label people read."""
    where = "privacy.protected"
    protected = ctx.expect(table, "protected", dict, where, {})
    for name, label in protected.items():
        dotted = f"{where}.{name}"
        if not _NAME.match(str(name)):
            raise ctx.error(dotted, "a category name is lower-case letters, digits and "
                            "underscores, starting with a letter (at most 40), such as "
                            "gender_identity")
        if name in SPECIAL_CATEGORIES:
            raise ctx.error(dotted, f"{name!r} is already a special category; the built-in "
                            f"ones are {', '.join(SPECIAL_CATEGORIES)}: declare only others")
        ctx.expect(protected, name, str, dotted)
        if not label.strip():
            raise ctx.error(dotted, "needs a label people can read, such as "
                            "\"Gender identity\"")


def categories(data: Mapping[str, Any] | None) -> dict[str, str]:
    """Every category of a configuration (its whole document): name -> label.

    The built-in special categories first, then ``[privacy] protected`` in
    the order written.
    """
    found = dict(LABELS)
    privacy = (data or {}).get("privacy")
    protected = privacy.get("protected") if isinstance(privacy, Mapping) else None
    if isinstance(protected, Mapping):
        for name, label in protected.items():
            if isinstance(label, str) and name not in found:
                found[str(name)] = label.strip()
    return found


def consent_purposes(data: Mapping[str, Any] | None) -> tuple[str, ...]:
    """``record``, ``contact``, ``naming`` and ``special:<c>`` for every category."""
    return (*BASIC_PURPOSES, *(f"special:{c}" for c in categories(data)))
