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
from collections.abc import Mapping
from typing import Any

from attrs import evolve, frozen

from .. import ids
from ..errors import CoprodError, InvalidValue, NotFound, ValidationFailed
from ..model import (
    AttendanceStatus,
    ConsentMethod,
    ConsentRecord,
    Demographic,
    Feedback,
    Participant,
    Session,
    Submission,
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


def consent_method(form: FormDefinition, answers: Mapping[str, Any],
                   given: str | None) -> ConsentMethod | None:
    """How consent was given: ``given`` (the command line), else the fields' own ``method``.

    None when no consent question was answered; an error when one was and
    nothing says how.
    """
    answered = [f for f in form.fields if f.type == "consent" and f.name in answers]
    if not answered:
        return None
    if given is not None:
        return parse_choice(ConsentMethod, given, "consent method")
    methods = {f.options.get("method") for f in answered}
    if None in methods or len(methods) != 1:
        raise CoprodError(
            "say how consent was given: --consent-method written, verbal or electronic "
            "(or set method = \"...\" on the form's consent fields)"
        )
    return ConsentMethod(str(methods.pop()))


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
    attrs: dict[str, Any] = {}
    consents = list(before.consents) if before else []
    demographics = {d.key: d for d in before.demographics} if before else {}
    extra = dict(before.extra) if before else {}
    kept: dict[str, Any] = {}
    dropped: list[tuple[str, str]] = []
    for fld in form.fields:
        if fld.name not in answers or fld.type != "consent":
            continue
        consents.append(ConsentRecord(
            purpose=fld.options["purpose"], given=bool(answers[fld.name]),
            statement_version=statement_version(fld.options["statement"]),
            method=method or ConsentMethod.WRITTEN, recorded_by=actor, at=now,
        ))
    latest = {c.purpose: c.given for c in consents}
    for fld in form.fields:
        if fld.name not in answers or fld.type == "consent":
            continue
        value = answers[fld.name]
        if fld.special and not latest.get(f"special:{fld.special}", False):
            dropped.append((fld.name, f"no consent for special:{fld.special}"))
            continue
        if fld.fills is None:
            kept[fld.name] = value
        elif (key := fld.demographic_key) is not None:
            demographics[key] = Demographic(key=key, value=value, category=fld.special)
        elif (key := fld.extra_key) is not None:
            extra[key] = value
        else:
            attrs[fld.fills] = value
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
    canonical = ids.parse_id(collection, record_id)
    doc = ws.storage.get(collection, canonical)
    if doc is None:
        raise NotFound(ids.KINDS[collection][1], canonical)
    from .. import serialise

    record = serialise.structure(collection, doc)
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
    is stored.
    """
    cat = cat or catalogue(ws)
    checked = cat.read(form, answers, text=text)
    how = consent_method(form, checked, method)
    with ws.operation(f"intake.{form.name}") as op:
        return store(ws, op, form, checked, participant_id=participant_id,
                     session_id=session_id, method=how)


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
        op.write("sessions", session, before_session)
        submission = Submission(
            id=op.new_id("submissions"), form=form.name, form_hash=form.definition_hash,
            participant_id=person.id, session_id=session.id, at=now, recorded_by=actor,
            answers=kept,
        )
        op.write("submissions", submission)
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
    op.write("participants", person, before)
    submission = Submission(
        id=op.new_id("submissions"), form=form.name, form_hash=form.definition_hash,
        participant_id=person.id, at=now, recorded_by=actor, answers=kept,
        not_stored=tuple(name for name, _ in dropped),
    )
    op.write("submissions", submission)
    op.emit("participant.added" if before is None else "participant.updated", person)
    op.emit("intake.submitted", submission, person.id)
    return Outcome(submission=submission, participant=person, created=before is None,
                   not_stored=dropped)
