"""The words coprod records things in: statuses, kinds, rungs, roles, purposes.

Only the standard library, so that a command line's help can list the
allowed values from here (:func:`one_of`) without loading the model. The
model (:mod:`coprod_core.model`) uses and re-exports every name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum
from typing import Any

__all__ = [
    "AUTHORITY_MEANINGS",
    "BASIC_PURPOSES",
    "CONSENT_PURPOSES",
    "DEFAULT_ROLES",
    "REQUEST_TYPES",
    "SPECIAL_CATEGORIES",
    "AttendanceStatus",
    "Authority",
    "CommitmentStatus",
    "ConsentMethod",
    "Rung",
    "TensionKind",
    "TensionStatus",
    "check_category",
    "check_purpose",
    "is_category_name",
    "one_of",
]



class AttendanceStatus(StrEnum):
    ATTENDED = "attended"
    APOLOGIES = "apologies"
    ABSENT = "absent"


class Rung(StrEnum):
    """The ladder of co-production (TLAP / NCAG), bottom to top."""

    COERCION = "coercion"
    EDUCATING = "educating"
    INFORMING = "informing"
    CONSULTATION = "consultation"
    ENGAGEMENT = "engagement"
    CO_DESIGN = "co_design"
    CO_PRODUCTION = "co_production"

    @property
    def step(self) -> int:
        """Position on the ladder, 1 (coercion) to 7 (co-production)."""
        return list(Rung).index(self) + 1

    @property
    def group(self) -> str:
        """``doing_to``, ``doing_for`` or ``doing_with``."""
        return "doing_to" if self.step <= 2 else "doing_for" if self.step <= 5 else "doing_with"


class TensionKind(StrEnum):
    POWER = "power"
    IDENTITY = "identity"
    LIVED_VS_PROFESSIONAL = "lived_vs_professional"
    ORGANISATIONAL_AGENDA = "organisational_agenda"
    PHILOSOPHY_OF_SUPPORT = "philosophy_of_support"
    RESOURCES = "resources"
    COMMUNICATION = "communication"
    OTHER = "other"


class TensionStatus(StrEnum):
    """Where a tension is; the allowed moves are in :data:`lifecycle.TENSION`."""

    RAISED = "raised"
    ACKNOWLEDGED = "acknowledged"
    EXPLORED = "explored"
    ESCALATED = "escalated"
    HELD = "held"
    RESOLVED = "resolved"
    REOPENED = "reopened"


class CommitmentStatus(StrEnum):
    """Where a commitment is; the allowed moves are in :data:`lifecycle.COMMITMENT`."""

    PROPOSED = "proposed"
    AGREED = "agreed"
    IN_PROGRESS = "in_progress"
    PARTLY_DELIVERED = "partly_delivered"
    DELIVERED = "delivered"
    NOT_DELIVERED = "not_delivered"
    WITHDRAWN = "withdrawn"


class Authority(StrEnum):
    """The power the person making a commitment declares they have."""

    CAN_DECIDE = "can_decide"
    CAN_INFLUENCE = "can_influence"
    CAN_ONLY_RAISE = "can_only_raise"


#: What each authority means, as the help and the docs say it.
AUTHORITY_MEANINGS: dict[Authority, str] = {
    Authority.CAN_DECIDE: "has the budget or mandate",
    Authority.CAN_INFLUENCE: "can argue for it where it is decided",
    Authority.CAN_ONLY_RAISE: "can pass it on",
}


class ConsentMethod(StrEnum):
    WRITTEN = "written"
    VERBAL = "verbal"
    ELECTRONIC = "electronic"


DEFAULT_ROLES: tuple[str, ...] = (
    "lived_experience",
    "peer_researcher",
    "staff",
    "commissioner",
    "partner",
    "volunteer",
)

#: UK GDPR special categories (and criminal-offence data) coprod knows by name.
#: Organisations add their own in ``[privacy] protected`` (:mod:`coprod_core.categories`).
SPECIAL_CATEGORIES: tuple[str, ...] = (
    "ethnicity",
    "religion",
    "health",
    "sexuality",
    "criminal_history",
)

#: The consent purposes every workspace has, besides one per category.
BASIC_PURPOSES: tuple[str, ...] = ("record", "contact", "naming")

#: Consent purposes of a workspace that declares no categories of its own;
#: ``special:<category>`` is one purpose per special category. A workspace's
#: own list is ``Config.consent_purposes``.
CONSENT_PURPOSES: tuple[str, ...] = (
    *BASIC_PURPOSES,
    *(f"special:{c}" for c in SPECIAL_CATEGORIES),
)

#: The rights a person can exercise under UK GDPR that coprod records.
REQUEST_TYPES: tuple[str, ...] = (
    "access", "erasure", "rectification", "restriction", "objection", "portability",
)


_CATEGORY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def is_category_name(name: object) -> bool:
    """Whether ``name`` is written as a category is (``gender_identity``)."""
    return isinstance(name, str) and _CATEGORY.match(name) is not None


def check_purpose(_inst: object, _attribute: Any, value: str) -> None:
    """An attrs validator: ``value`` is written as a consent purpose is.

    Which categories exist is the workspace's to say (``Config.consent_purposes``).
    """
    kind, colon, category = value.partition(":")
    if value in BASIC_PURPOSES or (colon and kind == "special" and is_category_name(category)):
        return
    raise ValueError(f"{value!r} is not a consent purpose; purposes are "
                     f"{', '.join(BASIC_PURPOSES)} or special:<category>")


def check_category(_inst: object, _attribute: Any, value: str | None) -> None:
    """An attrs validator: ``value`` is None or written as a category name is."""
    if value is not None and not is_category_name(value):
        raise ValueError(f"{value!r} is not a category name (lower-case letters, digits "
                         "and underscores)")



def one_of(values: Iterable[str]) -> str:
    """The values in order, for a sentence: ``"attended, apologies or absent"``."""
    words = [str(v) for v in values]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"
