"""What consent allows: the data stored about a person, and naming them.

:func:`check_participant` runs before every participant write, whoever
makes it (the core, an intake form, an import), and refuses data that the
person's consent does not cover.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import ValidationFailed
from ..model import SPECIAL_CATEGORIES, Participant
from .definitions import Definitions
from .settings import require_contact_consent

if TYPE_CHECKING:
    from ..workspace import Workspace

__all__ = ["check_participant", "may_name"]


def check_participant(ws: Workspace, person: Participant,
                      defs: Definitions | None = None) -> None:
    """Refuse to store data about ``person`` that their consent does not cover.

    An answer's category is its key's definition (a form's ``special``), not
    only what the answer carries; a contact detail is email, phone, or any
    key a form declared ``contact = true``. ``defs`` are the workspace's
    definitions (:func:`coprod_core.forms.definitions.definitions`; the
    operation passes them); without them only what the answers carry counts.
    """
    if person.is_erased:
        return
    defs = defs or Definitions()
    for answer in person.demographics:
        category = defs.category_of(answer)
        if category and not person.has_consent(f"special:{category}"):
            label = ws.config.categories.get(category, category)
            kind = "special" if category in SPECIAL_CATEGORIES else "protected"
            raise ValidationFailed(
                f"{person.id}: the answer {answer.key!r} is about {label.lower()}, a "
                f"{kind} category; it cannot be stored without consent for "
                f"special:{category}. Record it first: coprod participant consent {person.id} "
                f"special:{category} --give --statement-version V --method M"
            )
    details = [*(["email"] if person.email else []), *(["phone"] if person.phone else []),
               *defs.contact_details(person)]
    if details:
        state = person.consent_state("contact")
        contact = person.consent("contact")
        if contact is not None and state != "given":
            verb = "withdrew" if state == "withdrawn" else "declined"
            raise ValidationFailed(
                f"{person.id} {verb} consent to be contacted on {contact.at:%Y-%m-%d}; "
                f"{_listing(details)} cannot be stored unless they give it"
                f"{' again' if state == 'withdrawn' else ''}"
            )
        if contact is None and require_contact_consent(ws):
            raise ValidationFailed(
                f"{person.id}: {_listing(details)} {'needs' if len(details) == 1 else 'need'} "
                "consent for contact "
                "([privacy] require_contact_consent is true in coprod.toml)"
            )


def _listing(details: list[str]) -> str:
    if len(details) == 1:
        return details[0]
    return ", ".join(details[:-1]) + " and " + details[-1]


def may_name(person: Participant) -> bool:
    """Whether a report may name ``person``: consent for naming given, not erased."""
    return not person.is_erased and person.has_consent("naming")
