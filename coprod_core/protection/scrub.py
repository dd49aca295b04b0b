"""What erasure leaves of a record: the tombstone, and text without the person.

Each function returns a changed copy; the services write it
(:mod:`coprod_core.services.erasure`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from attrs import evolve

from ..model import Participant
from .matcher import MARKER, Matcher

__all__ = [
    "ERASED_NAME", "scrub_actor", "scrub_commitment", "scrub_history", "scrub_participant",
    "scrub_session", "scrub_tension", "tombstone",
]

#: The name a tombstone carries (a participant's name may not be empty).
ERASED_NAME = "[erased]"


def tombstone(person: Participant, when: dt.datetime) -> Participant:
    """What is kept of an erased person: id, role, the day they were added, when erased."""
    created = dt.datetime.combine(person.created_at.date(), dt.time(), tzinfo=dt.UTC)
    return Participant(id=person.id, name=ERASED_NAME, role=person.role, created_at=created,
                       erased_at=when)


def scrub_actor(actor: str, matcher: Matcher) -> str:
    return MARKER if matcher.mentions(actor) else actor


def scrub_participant(p: Participant, m: Matcher) -> Participant:
    consents = tuple(evolve(c, recorded_by=scrub_actor(c.recorded_by, m)) for c in p.consents)
    demographics = tuple(evolve(d, value=m.scrub_value(d.value)) for d in p.demographics)
    return evolve(p, consents=consents, demographics=demographics, extra=m.scrub_value(p.extra))


def scrub_session(s: Any, m: Matcher, author: str | None) -> Any:
    feedback = tuple(
        evolve(f, text=MARKER if f.participant_id == author else m.scrub(f.text))
        for f in s.feedback
    )
    return evolve(s, title=m.scrub(s.title), purpose=m.scrub_optional(s.purpose),
                  agreed_next=m.scrub_optional(s.agreed_next), feedback=feedback)


def scrub_history(history: Iterable[Any], m: Matcher) -> tuple[Any, ...]:
    return tuple(evolve(step, note=m.scrub_optional(step.note),
                        actor=scrub_actor(step.actor, m)) for step in history)


def scrub_tension(t: Any, m: Matcher) -> Any:
    return evolve(t, description=m.scrub(t.description), history=scrub_history(t.history, m))


def scrub_commitment(c: Any, m: Matcher) -> Any:
    updates = tuple(evolve(u, note=m.scrub(u.note), actor=scrub_actor(u.actor, m))
                    for u in c.updates)
    return evolve(c, description=m.scrub(c.description), scope=m.scrub_optional(c.scope),
                  history=scrub_history(c.history, m), updates=updates)
