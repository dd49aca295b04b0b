"""The words coprod records things in: statuses, kinds, rungs, roles, purposes.

Only the standard library, so that a command line's help can list the
allowed values from here (:func:`one_of`) without loading the model. The
model (:mod:`coprod_core.model`) uses and re-exports every name.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

__all__ = [
    "AUTHORITY_MEANINGS", "CONSENT_PURPOSES", "DEFAULT_ROLES", "REQUEST_TYPES",
    "SPECIAL_CATEGORIES", "AttendanceStatus", "Authority", "CommitmentStatus", "ConsentMethod",
    "Rung", "TensionKind", "TensionStatus", "one_of",
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
SPECIAL_CATEGORIES: tuple[str, ...] = (
    "ethnicity",
    "religion",
    "health",
    "sexuality",
    "criminal_history",
)

#: Consent purposes; ``special:<category>`` is one purpose per special category.
CONSENT_PURPOSES: tuple[str, ...] = (
    "record",
    "contact",
    "naming",
    *(f"special:{c}" for c in SPECIAL_CATEGORIES),
)

#: The rights a person can exercise under UK GDPR that coprod records.
REQUEST_TYPES: tuple[str, ...] = (
    "access", "erasure", "rectification", "restriction", "objection", "portability",
)


def one_of(values: Iterable[str]) -> str:
    """The values in order, for a sentence: ``"attended, apologies or absent"``."""
    words = [str(v) for v in values]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"
