"""The four things coprod models: participants, sessions, tensions, commitments.

Plain attrs value objects: frozen, keyword-only, validated on construction.
They know nothing of storage, files or the command line. Change one with the
methods that return a new object (``moved``, ``with_attendance``...) or with
:func:`attrs.evolve`.

One piece: the records and the parts they are made of (consent records,
attendance, transitions, progress updates) refer to one another and share
the field validators at the top; apart, each module would import the others.
The vocabularies are in :mod:`coprod_core.vocabulary` and the date range in
:mod:`coprod_core.dates`.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable, Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from attrs import evolve, field, frozen
from attrs import validators as v

from . import lifecycle
from .errors import InvalidValue, ValidationFailed
from .text import TextRefused, check_email, check_phone, check_text

# Re-exported: these are imported from here.
from .vocabulary import CONSENT_PURPOSES as CONSENT_PURPOSES
from .vocabulary import DEFAULT_ROLES as DEFAULT_ROLES
from .vocabulary import SPECIAL_CATEGORIES as SPECIAL_CATEGORIES

# The vocabularies live in coprod_core.vocabulary, light enough for the CLI's help.
from .vocabulary import (
    AttendanceStatus,
    Authority,
    CommitmentStatus,
    ConsentMethod,
    Rung,
    TensionKind,
    TensionStatus,
    check_category,
    check_purpose,
)


def parse_choice(enum: type[StrEnum], value: object, what: str) -> Any:
    """``enum(value)`` with an error that lists the allowed values.

    Written as people type it, a value is also accepted with hyphens or
    spaces for underscores and in any case: ``co-production`` and
    ``Co production`` are ``co_production``. Anything else is refused with
    the allowed values and the closest one.
    """
    text = str(value)
    for candidate in (text, "_".join(text.replace("-", " ").split()).lower()):
        try:
            return enum(candidate)
        except ValueError:
            continue
    raise InvalidValue(what, value, [m.value for m in enum])


# The one range of dates people may give lives in coprod_core.dates; re-exported here.
from .dates import DATES as DATES  # noqa: E402
from .dates import MAX_RETENTION_YEARS as MAX_RETENTION_YEARS  # noqa: E402
from .dates import DateRange as DateRange  # noqa: E402
from .dates import date_in_range as date_in_range  # noqa: E402

# ---------------------------------------------------------------- validators


def _utc(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    return value.astimezone(dt.UTC)


def _text(_inst: object, attribute: Any, value: str) -> None:
    if not value.strip():
        raise ValidationFailed(f"{attribute.name} must not be empty")


def _strip(value: str) -> str:
    return _one_newline(value).strip()


def _optional_text(value: str | None) -> str | None:
    if value is None:
        return None
    value = _one_newline(value).strip()
    return value or None


def _one_newline(value: Any) -> Any:
    # A line break typed or pasted as \r\n (or \r) is stored as \n.
    if isinstance(value, str) and "\r" in value:
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def _checked(check: Callable[[str, str], object]) -> Any:
    """An attrs validator running ``check(value, field name)`` on text (None passes)."""

    def validator(_inst: object, attribute: Any, value: str | None) -> None:
        if value is None:
            return
        try:
            check(value, attribute.name)
        except TextRefused as exc:
            raise ValidationFailed(str(exc)) from None

    return validator


#: Text on one line (names, titles, versions); text that may hold new lines
#: and tabs (descriptions, notes); contact details.
_line = _checked(check_text)
_lines = _checked(lambda value, what: check_text(value, what, lines=True))
_email = _checked(lambda value, _what: check_email(value))
_phone = _checked(lambda value, _what: check_phone(value))


def _namespaced(_inst: object, _attribute: Any, value: dict[str, Any]) -> None:
    for key in value:
        if "." not in key or key.startswith(".") or key.endswith("."):
            raise ValidationFailed(
                f"extra key {key!r} must be namespaced as '<plugin>.<name>'"
            )


_ids = v.deep_iterable(v.instance_of(str), v.instance_of(tuple))


def _tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(value)


# ---------------------------------------------------------------- participants


@frozen(kw_only=True)
class ConsentRecord:
    """One giving or withdrawal of consent for one purpose."""

    purpose: str = field(validator=check_purpose)
    given: bool
    #: The version of the statement shown: a version label or a hash of its text.
    statement_version: str = field(converter=_strip, validator=[_text, _line])
    method: ConsentMethod = field(converter=ConsentMethod)
    recorded_by: str = field(converter=_strip, validator=[_text, _line])
    at: dt.datetime = field(converter=_utc)


@frozen(kw_only=True)
class Demographic:
    """An answer about who someone is; ``category`` names a special category."""

    key: str
    value: Any
    #: Set from the definition of ``key`` on writing (``protection.definitions``).
    category: str | None = field(default=None, validator=check_category)


@frozen(kw_only=True)
class Participant:
    id: str
    #: The name the person chose to be known by.
    name: str = field(converter=_strip, validator=[_text, _line])
    role: str = field(validator=_line)
    pseudonym: str | None = field(default=None, converter=_optional_text, validator=_line)
    email: str | None = field(default=None, converter=_optional_text, validator=_email)
    phone: str | None = field(default=None, converter=_optional_text, validator=_phone)
    consents: tuple[ConsentRecord, ...] = field(default=(), converter=_tuple)
    demographics: tuple[Demographic, ...] = field(default=(), converter=_tuple)
    #: Plugin data, keyed ``<plugin>.<name>``.
    extra: dict[str, Any] = field(factory=dict, validator=_namespaced)
    created_at: dt.datetime = field(converter=_utc)
    #: Set when the person was erased: the record is then a tombstone.
    erased_at: dt.datetime | None = None

    @property
    def is_erased(self) -> bool:
        """Whether this record is the tombstone of an erased person."""
        return self.erased_at is not None

    @property
    def display_name(self) -> str:
        return self.pseudonym or self.name

    def consent(self, purpose: str) -> ConsentRecord | None:
        """The latest consent record for ``purpose``, or None."""
        for record in reversed(self.consents):
            if record.purpose == purpose:
                return record
        return None

    def has_consent(self, purpose: str) -> bool:
        record = self.consent(purpose)
        return record is not None and record.given

    def consent_state(self, purpose: str) -> str | None:
        """``given``, ``withdrawn``, ``declined`` or None (never asked)."""
        return consent_state(self.consents, purpose)


def consent_state(records: Iterable[ConsentRecord], purpose: str) -> str | None:
    """``given``, ``withdrawn`` (a no after a yes), ``declined`` (a no, never a yes)
    or None (never asked), after ``records`` (oldest first)."""
    state = None
    for record in records:
        if record.purpose != purpose:
            continue
        if record.given:
            state = "given"
        elif state in ("given", "withdrawn"):
            state = "withdrawn"
        else:
            state = "declined"
    return state


# ---------------------------------------------------------------- sessions


@frozen(kw_only=True)
class Attendance:
    participant_id: str
    status: AttendanceStatus = field(converter=AttendanceStatus)


@frozen(kw_only=True)
class Rating:
    """Where one attendee felt a session sat on the ladder of co-production."""

    participant_id: str
    rung: Rung = field(converter=Rung)


@frozen(kw_only=True)
class Feedback:
    """A short "how did today feel" from one attendee."""

    participant_id: str
    text: str = field(converter=_strip, validator=_lines)


@frozen(kw_only=True)
class Session:
    id: str
    title: str = field(converter=_strip, validator=[_text, _line])
    date: dt.date = field(validator=date_in_range)
    #: What the session was for.
    purpose: str | None = field(default=None, converter=_optional_text, validator=_lines)
    facilitators: tuple[str, ...] = field(default=(), converter=_tuple, validator=_ids)
    attendance: tuple[Attendance, ...] = field(default=(), converter=_tuple)
    ratings: tuple[Rating, ...] = field(default=(), converter=_tuple)
    feedback: tuple[Feedback, ...] = field(default=(), converter=_tuple)
    #: What was agreed would happen next.
    agreed_next: str | None = field(default=None, converter=_optional_text, validator=_lines)
    created_at: dt.datetime = field(converter=_utc)

    def status_of(self, participant_id: str) -> AttendanceStatus | None:
        for a in self.attendance:
            if a.participant_id == participant_id:
                return a.status
        return None

    def with_attendance(self, participant_id: str, status: AttendanceStatus) -> Session:
        kept = tuple(a for a in self.attendance if a.participant_id != participant_id)
        record = Attendance(participant_id=participant_id, status=status)
        ratings = self.ratings
        if status != AttendanceStatus.ATTENDED:
            ratings = tuple(r for r in ratings if r.participant_id != participant_id)
        return evolve(self, attendance=(*kept, record), ratings=ratings)

    def with_rating(self, participant_id: str, rung: Rung) -> Session:
        if self.status_of(participant_id) != AttendanceStatus.ATTENDED:
            raise ValidationFailed(
                f"{participant_id} is not recorded as having attended {self.id}; "
                f"record attendance first with: coprod session attend {self.id} {participant_id}"
            )
        kept = tuple(r for r in self.ratings if r.participant_id != participant_id)
        return evolve(self, ratings=(*kept, Rating(participant_id=participant_id, rung=rung)))

    @property
    def attended(self) -> tuple[str, ...]:
        return tuple(
            a.participant_id for a in self.attendance if a.status == AttendanceStatus.ATTENDED
        )


# ---------------------------------------------------------------- lifecycles


@frozen(kw_only=True)
class Transition:
    """One step in a record's history: the status it moved to, when, by whom, why."""

    status: str
    at: dt.datetime = field(converter=_utc)
    actor: str = field(validator=_line)
    note: str | None = field(default=None, converter=_optional_text, validator=_lines)


def _check_history(lc: lifecycle.Lifecycle, inst: Any) -> None:
    history = inst.history
    if not history:
        raise ValidationFailed(f"a {lc.name} needs at least one history entry")
    if history[0].status != lc.initial:
        raise ValidationFailed(f"a {lc.name}'s history starts at {lc.initial}")
    for before, after in itertools.pairwise(history):
        if after.at < before.at:
            raise ValidationFailed(f"a {lc.name}'s history must be in time order")
        if after.status not in lc.allowed(before.status):
            raise ValidationFailed(
                f"a {lc.name}'s history moves from {before.status} to {after.status}, "
                "which is not allowed"
            )
    if history[-1].status != inst.status:
        raise ValidationFailed(f"a {lc.name}'s status must be the last one in its history")


class _Lifecycled:
    """Shared behaviour of records that move through a lifecycle."""

    LIFECYCLE: lifecycle.Lifecycle
    status: Any
    history: tuple[Transition, ...]

    @property
    def created_at(self) -> dt.datetime:
        return self.history[0].at

    def moved(self, status: str, *, at: dt.datetime, actor: str, note: str | None = None) -> Any:
        """This record moved to ``status``; raises if the lifecycle forbids it."""
        self.LIFECYCLE.check(self.status, status, note)
        at = _utc(at)
        if at < self.history[-1].at:
            at = self.history[-1].at
        step = Transition(status=str(status), at=at, actor=actor, note=note)
        return evolve(self, status=step.status, history=(*self.history, step))  # type: ignore[misc]

    def entered(self, status: str) -> dt.datetime | None:
        """When the record first entered ``status``, if it did."""
        for step in self.history:
            if step.status == status:
                return step.at
        return None


@frozen(kw_only=True)
class Tension(_Lifecycled):
    LIFECYCLE = lifecycle.TENSION

    id: str
    kind: TensionKind = field(converter=TensionKind)
    description: str = field(converter=_strip, validator=[_text, _lines])
    raised_by: str | None = None
    session_id: str | None = None
    #: The participants (ids) or roles between whom the tension sits.
    between: tuple[str, ...] = field(default=(), converter=_tuple, validator=_ids)
    status: TensionStatus = field(converter=TensionStatus)
    history: tuple[Transition, ...] = field(converter=_tuple)

    def __attrs_post_init__(self) -> None:
        _check_history(self.LIFECYCLE, self)


@frozen(kw_only=True)
class ProgressUpdate:
    at: dt.datetime = field(converter=_utc)
    actor: str = field(validator=_line)
    note: str = field(converter=_strip, validator=[_text, _lines])


@frozen(kw_only=True)
class Commitment(_Lifecycled):
    LIFECYCLE = lifecycle.COMMITMENT

    id: str
    description: str = field(converter=_strip, validator=[_text, _lines])
    #: The participant who made the promise.
    made_by: str
    authority: Authority = field(converter=Authority)
    #: What they can realistically do, in their own words.
    scope: str | None = field(default=None, converter=_optional_text, validator=_lines)
    due: dt.date | None = field(default=None, validator=date_in_range)
    session_id: str | None = None
    #: The tensions this commitment answers.
    answers: tuple[str, ...] = field(default=(), converter=_tuple, validator=_ids)
    status: CommitmentStatus = field(converter=CommitmentStatus)
    history: tuple[Transition, ...] = field(converter=_tuple)
    updates: tuple[ProgressUpdate, ...] = field(default=(), converter=_tuple)

    def __attrs_post_init__(self) -> None:
        _check_history(self.LIFECYCLE, self)

    def is_overdue(self, today: dt.date) -> bool:
        """Past its due date and neither delivered nor closed."""
        open_ = self.status in ("proposed", "agreed", "in_progress", "partly_delivered")
        return self.due is not None and self.due < today and open_

    def with_update(self, update: ProgressUpdate) -> Commitment:
        return evolve(self, updates=(*self.updates, update))


@frozen(kw_only=True)
class Submission:
    """One filled-in intake form: which form, which version of it, about whom, by whom.

    The answers themselves go where the form says (the participant's record,
    a session's attendance, rating and feedback). ``answers`` keeps only the
    answers to questions that fill nothing else; ``not_stored`` names the
    special-category questions whose answers were dropped for want of consent.
    """

    id: str
    form: str
    #: A hash of the form's definition: which questions were actually asked.
    form_hash: str
    participant_id: str | None = None
    session_id: str | None = None
    at: dt.datetime = field(converter=_utc)
    recorded_by: str = field(validator=_line)
    answers: dict[str, Any] = field(factory=dict)
    not_stored: tuple[str, ...] = field(default=(), converter=_tuple)


#: The record class of each core collection the model defines (read-only; a
#: workspace's whole table, plugins' collections included, is ``ws.collections``).
CORE_RECORD_TYPES: Mapping[str, type] = MappingProxyType({
    "participants": Participant,
    "sessions": Session,
    "tensions": Tension,
    "commitments": Commitment,
    "submissions": Submission,
})
