"""Intake forms: data, declared in ``coprod.toml`` or registered by plugins.

A :class:`FormDefinition` has a title, an introduction, what a submission
creates or updates (a participant, or one attendee's feedback on a session)
and an ordered tuple of :class:`Field`. Each field names a :class:`FieldType`,
which knows how to read an answer typed at the keyboard or given as a value
in a file, how to hint at what it expects, and which options it takes in TOML.

Built-in field types are registered by the built-in plugin
:mod:`coprod_core.builtin_forms`, through the same hook a plugin uses.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from attrs import field, frozen

from ..errors import ValidationFailed

__all__ = [
    "CREATES",
    "AnswerError",
    "AnswersInvalid",
    "Field",
    "FieldType",
    "FormDefinition",
    "Option",
    "OptionProblem",
    "statement_version",
]

#: What a submission can create or update.
CREATES: tuple[str, ...] = ("participant", "session_feedback")

#: Participant attributes a field may fill (besides ``demographic.<key>`` and
#: ``extra.<namespace>.<key>``).
PARTICIPANT_TARGETS: tuple[str, ...] = ("name", "pseudonym", "email", "phone", "role")

#: What a field of a session feedback form may fill.
FEEDBACK_TARGETS: tuple[str, ...] = ("attendance", "rating", "feedback")

#: Names a field may not take: they are the keys that say who or what an
#: answer set is about (``participant = "P-3"`` in an answers file or a CSV).
RESERVED_NAMES: tuple[str, ...] = ("participant", "session")

NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
FORM_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")


class AnswerError(ValueError):
    """An answer a field type cannot accept; the message says what it expects."""


class OptionProblem(ValueError):
    """A field's options in TOML do not make sense together."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key
        self.message = message


class AnswersInvalid(ValidationFailed):
    """One or more answers of a submission were refused; nothing was stored."""

    def __init__(self, problems: Iterable[tuple[str, str]]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(f"{name}: {message}" for name, message in self.problems))


@frozen(kw_only=True)
class Option:
    """One key a field type reads from a field's table in TOML."""

    key: str
    type: type | tuple[type, ...]
    required: bool = False
    help: str = ""


def _options(values: Iterable[Option]) -> tuple[Option, ...]:
    return tuple(values)


@frozen(kw_only=True)
class FieldType:
    """How one kind of question is answered.

    ``parse(text, field)`` reads an answer typed at the keyboard or found in
    a CSV cell; ``accept(value, field)`` reads a value from a TOML or JSON
    answers file (when omitted, text is parsed and anything else refused).
    Both return the value to store (JSON-ready: text, numbers, booleans,
    lists of text) or raise :class:`AnswerError` saying what is expected.
    ``check_options(options)`` raises :class:`OptionProblem` when a field's
    options in TOML do not fit together. ``hint(field)`` is shown beside the
    question; ``show(value, field)`` writes a stored value for people.
    """

    description: str
    parse: Callable[[str, Field], Any]
    accept: Callable[[Any, Field], Any] | None = None
    options: tuple[Option, ...] = field(default=(), converter=_options)
    check_options: Callable[[Mapping[str, Any]], None] | None = None
    hint: Callable[[Field], str] | None = None
    show: Callable[[Any, Field], str] | None = None

    def read_text(self, text: str, fld: Field) -> Any:
        return self.parse(text, fld)

    def read_value(self, value: Any, fld: Field) -> Any:
        if self.accept is not None:
            return self.accept(value, fld)
        if isinstance(value, str):
            return self.parse(value, fld)
        raise AnswerError("must be text")

    def hint_for(self, fld: Field) -> str:
        return self.hint(fld) if self.hint is not None else ""

    def display(self, value: Any, fld: Field) -> str:
        if self.show is not None:
            return self.show(value, fld)
        if isinstance(value, list | tuple):
            return ", ".join(str(v) for v in value)
        return str(value)


def _dict(value: Mapping[str, Any]) -> dict[str, Any]:
    return dict(value)


@frozen(kw_only=True)
class Field:
    """One question of a form."""

    name: str
    #: The registered name of its :class:`FieldType`.
    type: str
    #: The question as people read it.
    label: str
    #: Shown when someone types ``?``.
    help: str = ""
    required: bool = False
    #: Where the answer goes: a participant attribute (``name``, ``pseudonym``,
    #: ``email``, ``phone``, ``role``), ``demographic.<key>``,
    #: ``extra.<namespace>.<key>``, or for session feedback ``attendance``,
    #: ``rating`` or ``feedback``. None keeps it with the submission.
    fills: str | None = None
    #: The special or protected category the answer belongs to: one of
    #: ``model.SPECIAL_CATEGORIES`` or a category declared in ``[privacy] protected``.
    special: str | None = None
    #: The answer is a way of contacting the person (a contact route, a
    #: postcode): stored only under ``contact`` consent and removed when it
    #: is withdrawn. Fields filling ``email`` or ``phone`` are contact fields
    #: whatever this says.
    contact: bool = False
    #: The field type's own options (``choices``, ``min``, ``statement``...).
    options: dict[str, Any] = field(factory=dict, converter=_dict)
    _choices: tuple[tuple[str, str], ...] = field(init=False, eq=False, repr=False, hash=False)
    _lookup: dict[str, str] = field(init=False, eq=False, repr=False, hash=False)

    def __attrs_post_init__(self) -> None:
        try:
            pairs = tuple(parse_choices(self.options.get("choices", ())))
        except (TypeError, KeyError, AttributeError):  # malformed; the checker reports it
            pairs = ()
        lookup: dict[str, str] = {}
        for number, (value, label) in reversed(list(enumerate(pairs, 1))):
            lookup[str(number)] = value
            lookup[label.casefold()] = value
            lookup[value.casefold()] = value
        for value, _label in pairs:
            lookup[value] = value
        object.__setattr__(self, "_choices", pairs)
        object.__setattr__(self, "_lookup", lookup)

    @property
    def choices(self) -> list[tuple[str, str]]:
        """``(value, label)`` pairs for types answered by choosing."""
        return list(self._choices)

    def choice(self, text: str) -> str | None:
        """The value of the choice ``text`` names: by value, label or number; else None."""
        found = self._lookup.get(text)
        return found if found is not None else self._lookup.get(text.casefold())

    @property
    def is_contact(self) -> bool:
        """Whether the answer is covered by ``contact`` consent."""
        return self.contact or self.fills in ("email", "phone")

    @property
    def demographic_key(self) -> str | None:
        if self.fills and self.fills.startswith("demographic."):
            return self.fills.partition(".")[2]
        return None

    @property
    def extra_key(self) -> str | None:
        if self.fills and self.fills.startswith("extra."):
            return self.fills.partition(".")[2]
        return None


def parse_choices(raw: Any) -> list[tuple[str, str]]:
    pairs = []
    for item in raw or ():
        if isinstance(item, Mapping):
            value = str(item["value"])
            pairs.append((value, str(item.get("label", value))))
        else:
            pairs.append((str(item), str(item)))
    return pairs


def _fields(values: Iterable[Field]) -> tuple[Field, ...]:
    return tuple(values)


@frozen(kw_only=True)
class FormDefinition:
    """An intake form: what it asks, in order, and what a submission does."""

    name: str
    title: str
    introduction: str = ""
    #: ``participant`` (create one, or update one named by id) or
    #: ``session_feedback`` (one attendee's attendance, rating and feedback).
    creates: str = "participant"
    #: The role a new participant gets when no field fills ``role``.
    role: str = "lived_experience"
    fields: tuple[Field, ...] = field(converter=_fields)

    def field_named(self, name: str) -> Field:
        for fld in self.fields:
            if fld.name == name:
                return fld
        raise KeyError(name)

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def to_table(self) -> dict[str, Any]:
        """The ``[forms.<name>]`` table that declares this form in TOML."""
        table: dict[str, Any] = {"title": self.title}
        if self.introduction:
            table["introduction"] = self.introduction
        table["creates"] = self.creates
        if self.creates == "participant":
            table["role"] = self.role
        fields = []
        for fld in self.fields:
            row: dict[str, Any] = {"name": fld.name, "type": fld.type, "label": fld.label}
            if fld.help:
                row["help"] = fld.help
            row["required"] = fld.required
            if fld.fills:
                row["fills"] = fld.fills
            if fld.special:
                row["special"] = fld.special
            if fld.contact:
                row["contact"] = True
            row.update(fld.options)
            fields.append(row)
        table["fields"] = fields
        return table

    @property
    def definition_hash(self) -> str:
        """A short hash of everything the form asks, so reports know which version was used."""
        text = json.dumps({"name": self.name, **self.to_table()}, sort_keys=True,
                          default=str, ensure_ascii=False)
        return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def statement_version(statement: str) -> str:
    """The version recorded for a consent statement: a hash of its exact text."""
    return "sha256:" + hashlib.sha256(statement.encode("utf-8")).hexdigest()[:16]
