"""Consent given or withdrawn, and what a withdrawal removes at once.

Withdrawal is immediate: ``contact`` removes email and phone (and the
contact details written into notes), ``special:<category>`` removes the
answers in that category, ``record`` erases the person. Plugins drop what
they hold through ``coprod_consent_withdrawn``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from attrs import evolve

from ..errors import CoprodError, InvalidValue
from ..model import CONSENT_PURPOSES, ConsentMethod, ConsentRecord, Participant, parse_choice
from ..protection.matcher import Matcher
from .base import call_plugins, commit

if TYPE_CHECKING:
    from ..workspace import Operation, Workspace

__all__ = ["apply_withdrawal", "check", "erases", "record"]


def check(ws: Workspace, participant_id: str, purpose: str) -> Participant:
    """The person ``participant_id``, if consent for ``purpose`` can be recorded for them.

    ``purpose`` must be one of :data:`~coprod_core.model.CONSENT_PURPOSES`
    and the person not erased. A front end calls it before asking "are you
    sure?" (see :func:`erases`); :func:`record` calls it too.
    """
    if purpose not in CONSENT_PURPOSES:
        raise InvalidValue("consent purpose", purpose, CONSENT_PURPOSES)
    person = ws.participant(participant_id)
    if person.is_erased:
        raise CoprodError(f"{person.id} was erased; consent cannot be recorded")
    return person


def erases(purpose: str, *, given: bool) -> bool:
    """Whether recording this answer erases the person (withdrawing ``record``)."""
    return purpose == "record" and not given


def record(
    ws: Workspace,
    participant_id: str,
    purpose: str,
    *,
    given: bool,
    statement_version: str,
    method: str,
    recorded_by: str | None = None,
) -> Participant:
    """Record that consent for ``purpose`` was given or withdrawn, now."""
    if purpose not in CONSENT_PURPOSES:
        raise InvalidValue("consent purpose", purpose, CONSENT_PURPOSES)
    how = parse_choice(ConsentMethod, method, "consent method")
    with ws.operation("participant.consent") as op:
        before = check(ws, participant_id, purpose)
        entry = ConsentRecord(
            purpose=purpose, given=given, statement_version=statement_version,
            method=how, recorded_by=recorded_by or ws.actor, at=ws.now(),
        )
        after = evolve(before, consents=(*before.consents, entry))
        if not given:
            after = apply_withdrawal(ws, op, after, purpose)
        commit(op, "participants", after, before, event="participant.consent")
    return after


def apply_withdrawal(ws: Workspace, op: Operation, person: Participant,
                     purpose: str) -> Participant:
    """``person`` (already holding the withdrawal) without the data it covered.

    Called by :func:`record` inside its operation. Plugins drop what they
    hold through ``coprod_consent_withdrawn``. Withdrawing ``record`` erases
    the person: nothing may be kept.
    """
    from .erasure import erase_in, sweep

    if erases(purpose, given=False):
        return erase_in(ws, op, person).tombstone
    if purpose == "contact":
        if person.email or person.phone:
            # Contact details written into notes are covered by the same consent.
            sweep(ws, op, Matcher(person, names=False), person=person)
        person = evolve(person, email=None, phone=None)
    elif purpose.startswith("special:"):
        category = purpose.split(":", 1)[1]
        person = evolve(person, demographics=tuple(
            d for d in person.demographics if d.category != category))
    if ws.plugins.hook.coprod_consent_withdrawn.get_hookimpls():
        # Stored first, so a plugin that drops what it keeps on the record
        # itself (its ``extra`` keys) writes on top of it; read back after.
        op.write("participants", person, ws.participant(person.id))
        call_plugins(ws, "coprod_consent_withdrawn",
                     "dropping data after a withdrawal of consent",
                     participant=person, purpose=purpose)
        person = ws.participant(person.id)
    op.needs_purge = True
    return person
