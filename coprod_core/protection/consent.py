"""What consent allows: the data stored about a person, and naming them.

:func:`check_participant` runs before every participant write, whoever
makes it (the core, an intake form, an import), and refuses data that the
person's consent does not cover.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import ValidationFailed
from ..model import Participant
from .settings import require_contact_consent

if TYPE_CHECKING:
    from ..workspace import Workspace

__all__ = ["check_participant", "may_name"]


def check_participant(ws: Workspace, person: Participant) -> None:
    """Refuse to store data about ``person`` that their consent does not cover."""
    if person.is_erased:
        return
    for answer in person.demographics:
        if answer.category and not person.has_consent(f"special:{answer.category}"):
            raise ValidationFailed(
                f"{person.id}: the answer {answer.key!r} is about {answer.category}, a special "
                f"category; it cannot be stored without consent for special:{answer.category}. "
                f"Record it first: coprod participant consent {person.id} "
                f"special:{answer.category} --give --statement-version V --method M"
            )
    if person.email or person.phone:
        contact = person.consent("contact")
        if contact is not None and not contact.given:
            raise ValidationFailed(
                f"{person.id} withdrew consent to be contacted on {contact.at:%Y-%m-%d}; "
                "email and phone cannot be stored unless they give it again"
            )
        if contact is None and require_contact_consent(ws):
            raise ValidationFailed(
                f"{person.id}: email and phone need consent for contact "
                "([privacy] require_contact_consent is true in coprod.toml)"
            )


def may_name(person: Participant) -> bool:
    """Whether a report may name ``person``: consent for naming given, not erased."""
    return not person.is_erased and person.has_consent("naming")
