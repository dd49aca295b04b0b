"""Storing a submission: one checked answer set, one operation.

The answers go where the form says: a participant's name, contact details,
consent records, demographics and ``extra``; or one attendee's attendance,
ladder rating and "how did today feel" on a session. A special-category
answer is stored only when the participant's consent for
``special:<category>`` covers it (consent given in the same submission
counts); otherwise it is dropped and the outcome says so. A
:class:`~coprod_core.model.Submission` records the form's name, the hash of
its definition, who and what it was about, when, and who recorded it.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator, Mapping
from typing import Any

from attrs import evolve, frozen

from .. import ids, serialise
from ..errors import CoprodError, InvalidValue, ValidationFailed
from ..model import (
    AttendanceStatus,
    ConsentMethod,
    ConsentRecord,
    Demographic,
    Feedback,
    Participant,
    Session,
    Submission,
    consent_state,
    parse_choice,
)
from . import AnswersInvalid, FormDefinition, statement_version
from .catalogue import Catalogue, load


@frozen(kw_only=True)
class Outcome:
    """What a submission stored."""

    submission: Submission
    participant: Participant | None = None
    session: Session | None = None
    created: bool = False
    #: ``(field, reason)`` for each answer that was not stored.
    not_stored: tuple[tuple[str, str], ...] = ()


def catalogue(ws: Any) -> Catalogue:
    """The forms and field types of an open workspace."""
    return load(ws.config, ws.plugins)


def submissions(ws: Any, *, form: str | None = None,
                participant_id: str | None = None) -> Iterator[Submission]:
    """Stored submissions, oldest first, of one form or about one participant."""
    where: dict[str, Any] = {}
    if form is not None:
        where["form"] = form
    if participant_id is not None:
        where["participant_id"] = ids.parse_id("participants", participant_id)
    for doc in ws.storage.iterate("submissions", where or None):
        yield serialise.structure("submissions", doc)


def consent_method(form: FormDefinition, answers: Mapping[str, Any],
                   given: str | None) -> ConsentMethod | None:
    """How consent was given, for every consent question: ``given`` (the command line).

    None means each consent question's own ``method``; an error when an
    answered consent question has none and ``given`` is None.
    """
    if given is not None:
        return parse_choice(ConsentMethod, given, "consent method")
    for fld in form.fields:
        if fld.type == "consent" and fld.name in answers and not fld.options.get("method"):
            raise CoprodError(
                "say how consent was given: --consent-method written, verbal or electronic "
                f"(or set method = \"...\" on consent field {fld.name!r} of the form)"
            )
    return None


_PLANS: dict[int, tuple[FormDefinition, Any]] = {}


def _plan(form: FormDefinition) -> tuple[list[tuple[str, str, str, str | None]],
                                         list[tuple[str, str | None, str, str, bool]]]:
    """What each question of a participant form does, worked out once per form."""
    cached = _PLANS.get(id(form))
    if cached is not None and cached[0] is form:
        return cached[1]  # type: ignore[no-any-return,unused-ignore]
    consents = [(f.name, f.options["purpose"], statement_version(f.options["statement"]),
                 f.options.get("method"))
                for f in form.fields if f.type == "consent"]
    answers: list[tuple[str, str | None, str, str, bool]] = []
    for f in form.fields:
        if f.type == "consent":
            continue
        if f.fills is None:
            answers.append((f.name, f.special, "kept", f.name, f.is_contact))
        elif f.demographic_key is not None:
            answers.append((f.name, f.special, "demographic", f.demographic_key, f.is_contact))
        elif f.extra_key is not None:
            answers.append((f.name, f.special, "extra", f.extra_key, f.is_contact))
        else:
            answers.append((f.name, f.special, "attribute", f.fills, f.is_contact))
    if len(_PLANS) > 64:
        _PLANS.clear()
    _PLANS[id(form)] = (form, (consents, answers))
    return consents, answers


@functools.lru_cache(maxsize=256)
def _consent(purpose: str, given: bool, version: str, method: ConsentMethod, actor: str,
             at: dt.datetime) -> ConsentRecord:
    # Records are immutable: a bulk import shares one per distinct answer.
    return ConsentRecord(purpose=purpose, given=given, statement_version=version,
                         method=method, recorded_by=actor, at=at)


def _demographic(key: str, value: Any, category: str | None) -> Demographic:
    if isinstance(value, str | int | float | bool):
        # bool, int and float compare equal (True == 1 == 1.0): the type keeps them apart.
        return _shared_demographic(key, type(value).__name__, value, category)
    return Demographic(key=key, value=value, category=category)


@functools.lru_cache(maxsize=4096)
def _shared_demographic(key: str, _kind: str, value: Any, category: str | None
                        ) -> Demographic:
    return Demographic(key=key, value=value, category=category)


def build_participant(
    form: FormDefinition,
    answers: Mapping[str, Any],
    *,
    record_id: str,
    before: Participant | None,
    now: dt.datetime,
    actor: str,
    method: ConsentMethod | None,
    roles: tuple[str, ...],
) -> tuple[Participant, dict[str, Any], tuple[tuple[str, str], ...]]:
    """The participant after these answers, the answers kept with the submission,
    and the answers not stored."""
    consent_steps, answer_steps = _plan(form)
    attrs: dict[str, Any] = {}
    consents = list(before.consents) if before else []
    demographics = {d.key: d for d in before.demographics} if before else {}
    extra = dict(before.extra) if before else {}
    kept: dict[str, Any] = {}
    dropped: list[tuple[str, str]] = []
    for name, purpose, version, own_method in consent_steps:
        if name in answers:
            how = method or ConsentMethod(own_method or ConsentMethod.WRITTEN)
            consents.append(_consent(purpose, bool(answers[name]), version, how, actor, now))
    latest = {c.purpose: c.given for c in consents}
    refused: list[tuple[str, str]] = []
    for name, special, kind, key, contact in answer_steps:
        if name not in answers:
            continue
        value = answers[name]
        if contact and latest.get("contact") is False:
            refused.append((name, contact_refusal(consents)))
            continue
        if special and not latest.get(f"special:{special}", False):
            dropped.append((name, f"no consent for special:{special}"))
            continue
        if kind == "kept":
            kept[name] = value
        elif kind == "demographic":
            demographics[key] = _demographic(key, value, special)
        elif kind == "extra":
            extra[key] = value
        else:
            attrs[key] = value
    if refused:
        raise AnswersInvalid(refused)
    role = attrs.get("role", before.role if before else form.role)
    if role not in roles:
        raise InvalidValue("role", role, roles)
    if before is None:
        if "name" not in attrs:
            raise ValidationFailed(
                f"form {form.name!r} has no answered question filling a name, so it can "
                "only update an existing participant; name one with --participant ID"
            )
        person = Participant(
            id=record_id, role=role, consents=tuple(consents),
            demographics=tuple(demographics.values()), extra=extra, created_at=now,
            **{k: v for k, v in attrs.items() if k != "role"},
        )
    else:
        person = evolve(before, **{**attrs, "role": role}, consents=tuple(consents),
                        demographics=tuple(demographics.values()), extra=extra)
    return person, kept, tuple(dropped)


def contact_refusal(consents: Any) -> str:
    """Why a contact detail cannot be stored: consent to contact was declined or withdrawn."""
    state = consent_state(consents, "contact")
    return (f"consent to be contacted was {state}, so a contact detail cannot be stored; "
            "leave it empty, or record their consent for contact first")


def apply_feedback(
    form: FormDefinition, answers: Mapping[str, Any], session: Session, participant_id: str
) -> tuple[Session, dict[str, Any]]:
    """The session after one attendee's feedback, and the answers kept with the submission."""
    by_target = {f.fills: f for f in form.fields if f.fills}
    kept = {f.name: answers[f.name] for f in form.fields if f.fills is None and f.name in answers}
    status = AttendanceStatus.ATTENDED
    if "attendance" in by_target and by_target["attendance"].name in answers:
        status = AttendanceStatus(answers[by_target["attendance"].name])
    session = session.with_attendance(participant_id, status)
    rating = by_target.get("rating")
    if rating is not None and rating.name in answers:
        if status != AttendanceStatus.ATTENDED:
            raise AnswersInvalid([(rating.name, f"only people who attended rate a session; "
                                   f"this answer says {status.value}")])
        session = session.with_rating(participant_id, answers[rating.name])
    text = by_target.get("feedback")
    if text is not None and text.name in answers:
        kept_feedback = tuple(f for f in session.feedback if f.participant_id != participant_id)
        session = evolve(session, feedback=(
            *kept_feedback, Feedback(participant_id=participant_id, text=answers[text.name])
        ))
    return session, kept


def existing(ws: Any, collection: str, record_id: str) -> Any:
    """The stored record named by ``record_id`` (any spelling), not erased."""
    canonical = ws.collections.parse_id(collection, record_id)
    doc = ws.storage.get(collection, canonical)
    if doc is None:
        raise ws.collections.not_found(collection, canonical)
    record = serialise.structure(collection, doc, ws.collections[collection].record_type)
    if getattr(record, "erased_at", None) is not None:
        raise CoprodError(f"{canonical} was erased and cannot be changed")
    return record


def submit(
    ws: Any,
    form: FormDefinition,
    answers: Mapping[str, Any],
    *,
    participant_id: str | None = None,
    session_id: str | None = None,
    method: str | None = None,
    cat: Catalogue | None = None,
    text: bool = False,
) -> Outcome:
    """Check ``answers`` whole, then store them in one operation.

    ``answers`` are raw (typed text when ``text``, else values from a file);
    every problem is reported at once by :class:`AnswersInvalid` and nothing
    is stored. When a participant form updates an existing participant,
    only the questions answered change; required ones may be left out.
    """
    cat = cat or catalogue(ws)
    updating = form.creates == "participant" and participant_id is not None
    checked = cat.read(form, answers, text=text, partial=updating)
    how = consent_method(form, checked, method)
    with ws.operation(f"intake.{form.name}") as op:
        return store(ws, op, form, checked, participant_id=participant_id,
                     session_id=session_id, method=how)


#: The id a submission has while it is checked, before it is given its own.
_STAND_IN = ids.format_id("submissions", 0)


def _check_first(op: Any, *writes: tuple[Any, ...]) -> None:
    """Check every record a submission writes before writing any, so that a
    refusal of the second leaves nothing of the first (an import goes on
    with its other rows inside the same operation)."""
    if len(writes) > 1 and op.workspace.plugins.hook.coprod_validate.get_hookimpls():
        for collection, record, *previous in writes:
            op.validate(collection, record, *previous)


def store(
    ws: Any, op: Any, form: FormDefinition, checked: Mapping[str, Any], *,
    participant_id: str | None, session_id: str | None, method: ConsentMethod | None,
) -> Outcome:
    """Store checked answers inside the operation ``op``."""
    now, actor = ws.now(), ws.actor
    if form.creates == "session_feedback":
        if not participant_id or not session_id:
            raise CoprodError(f"form {form.name!r} records session feedback: name the "
                              "session and the participant (--session S-3 --participant P-12)")
        person = existing(ws, "participants", participant_id)
        before_session = existing(ws, "sessions", session_id)
        session, kept = apply_feedback(form, checked, before_session, person.id)
        submission = Submission(
            id=_STAND_IN, form=form.name, form_hash=form.definition_hash,
            participant_id=person.id, session_id=session.id, at=now, recorded_by=actor,
            answers=kept,
        )
        _check_first(op, ("sessions", session, before_session), ("submissions", submission))
        op.write("sessions", session, before_session)
        submission = op.write("submissions", evolve(submission, id=op.new_id("submissions")))
        op.emit("intake.submitted", submission, person.id, session.id)
        return Outcome(submission=submission, session=session)
    if session_id:
        raise CoprodError(f"form {form.name!r} is about a participant, not a session; "
                          "leave out --session")
    before = existing(ws, "participants", participant_id) if participant_id else None
    record_id = before.id if before else op.new_id("participants")
    person, kept, dropped = build_participant(
        form, checked, record_id=record_id, before=before, now=now, actor=actor,
        method=method, roles=ws.config.roles,
    )
    submission = Submission(
        id=_STAND_IN, form=form.name, form_hash=form.definition_hash,
        participant_id=person.id, at=now, recorded_by=actor, answers=kept,
        not_stored=tuple(name for name, _ in dropped),
    )
    _check_first(op, ("participants", person, before), ("submissions", submission))
    op.write("participants", person, before)
    submission = op.write("submissions", evolve(submission, id=op.new_id("submissions")))
    op.emit("participant.added" if before is None else "participant.updated", person)
    op.emit("intake.submitted", submission, person.id)
    return Outcome(submission=submission, participant=person, created=before is None,
                   not_stored=dropped)
