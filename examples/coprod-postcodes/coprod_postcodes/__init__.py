"""coprod-postcodes: a UK postcode question, a contact details form, and consent.

A postcode says where someone lives, so it is contact data: this plugin keeps
it on the participant's record (the extra key ``postcodes.postcode``) only
while they agree to be contacted, and drops it the moment they withdraw that
consent, in the same operation that records the withdrawal.

Hooks used: ``coprod_register_field_types`` (the ``uk_postcode`` question,
:mod:`.field`), ``coprod_register_forms`` (the ``contact-details`` form,
:mod:`.form`) and ``coprod_consent_withdrawn`` (dropping the postcode).

This module is imported whenever coprod loads its plugins (``coprod --help``
included), so it imports nothing but the hook marker: the forms API is imported
inside the hooks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from coprod_core.model import Participant
    from coprod_core.workspace import Workspace

from coprod_core import hookimpl

__version__ = "0.1.0"

#: Where the contact details form keeps the postcode on a participant's record.
POSTCODE_KEY = "postcodes.postcode"


@hookimpl
def coprod_register_field_types(register: Any) -> None:
    from .field import UK_POSTCODE

    register("uk_postcode", UK_POSTCODE)


@hookimpl
def coprod_register_forms(register: Any) -> None:
    from .form import CONTACT_DETAILS

    register(CONTACT_DETAILS.name, CONTACT_DETAILS)


@hookimpl
def coprod_consent_withdrawn(workspace: Workspace, participant: Participant,
                             purpose: str) -> None:
    """Drop the postcode when someone withdraws consent to be contacted.

    ``participant`` is already written in the withdrawal's operation; writing
    it again here, without the postcode, joins that operation, so the
    withdrawal and the removal are kept together or not at all.
    """
    if purpose != "contact" or POSTCODE_KEY not in participant.extra:
        return
    from attrs import evolve

    extra = {key: value for key, value in participant.extra.items() if key != POSTCODE_KEY}
    with workspace.operation("postcodes.drop") as op:
        op.write("participants", evolve(participant, extra=extra), participant)
