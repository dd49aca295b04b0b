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
from ..forms.definitions import definitions
from ..model import ConsentMethod, ConsentRecord, Participant, parse_choice
from ..protection.definitions import Definitions
from ..protection.matcher import Matcher
from .base import call_plugins, commit

if TYPE_CHECKING:
    from ..workspace import Operation, Workspace

__all__ = ["apply_withdrawal", "check", "erases", "record"]


def check(ws: Workspace, participant_id: str, purpose: str) -> Participant:
    """The person ``participant_id``, if consent for ``purpose`` can be recorded for them.

    ``purpose`` must be one of the workspace's purposes
    (``Config.consent_purposes``: record, contact, naming and one per special
    or protected category) and the person not erased. A front end calls it
    before asking "are you sure?" (see :func:`erases`); :func:`record` calls
    it too.
    """
    purposes = ws.config.consent_purposes
    if purpose not in purposes:
        raise InvalidValue("consent purpose", purpose, purposes)
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
    defs = definitions(ws)
    if purpose == "contact":
        if person.email or person.phone:
            # Contact details written into notes are covered by the same consent.
            sweep(ws, op, Matcher(person, names=False), person=person)
        person = defs.without_contact(person)
        _drop_contact_answers(ws, op, person.id, defs)
    elif purpose.startswith("special:"):
        category = purpose.split(":", 1)[1]
        person = evolve(person, demographics=tuple(
            d for d in person.demographics if defs.category_of(d) != category))
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


def _drop_contact_answers(ws: Workspace, op: Operation, participant_id: str,
                          defs: Definitions) -> None:
    """Contact details a form kept with the person's submissions go too."""
    if not defs.contact_answers:
        return
    from ..forms.submit import submissions

    for before in list(submissions(ws, participant_id=participant_id)):
        names = defs.contact_answers.get(before.form, frozenset())
        if names & set(before.answers):
            after = evolve(before, answers={k: v for k, v in before.answers.items()
                                            if k not in names})
            commit(op, "submissions", after, before, event=None)
