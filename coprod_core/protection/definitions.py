"""What the forms say each answer is: its category, and whether it is a contact detail.

The category of an answer comes from the definition of its key, never from
whoever writes it: a form field that fills ``demographic.<key>`` with
``special = "<category>"`` puts every answer kept under ``<key>`` in that
category, whether it arrives through that form, an import, the command line
or the Python API. A key no form declares keeps the category it was given
(that can only add protection, never take it away). Two forms that put one
key in different categories are refused when the forms are loaded.

Likewise a field marked ``contact = true`` (or filling ``email`` or
``phone``) makes its key a contact detail: stored only under ``contact``
consent, and removed, from the record and from the person's submissions,
when that consent is withdrawn.

A workspace's definitions are loaded from its forms by
:func:`coprod_core.forms.definitions.definitions`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from attrs import evolve, field, frozen

from ..errors import ConfigError
from ..model import Demographic, Participant

if TYPE_CHECKING:
    from ..forms import FormDefinition

__all__ = ["Definitions", "categorised", "from_forms"]


def _frozen(values: Iterable[str]) -> frozenset[str]:
    return frozenset(values)


@frozen(kw_only=True)
class Definitions:
    """Every declared answer key's category and contact role, from all the forms."""

    #: Demographic key -> its category.
    categories: dict[str, str] = field(factory=dict)
    #: Demographic keys that are contact details.
    contact_demographics: frozenset[str] = field(factory=frozenset, converter=_frozen)
    #: ``extra`` keys (``panel.route``) that are contact details.
    contact_extra: frozenset[str] = field(factory=frozenset, converter=_frozen)
    #: Form name -> the names of its contact questions kept with the submission.
    contact_answers: dict[str, frozenset[str]] = field(factory=dict)

    def category_of(self, answer: Demographic) -> str | None:
        """The answer's category: its key's definition, else what it carries."""
        return self.categories.get(answer.key, answer.category)

    def contact_details(self, person: Participant) -> list[str]:
        """The contact details ``person``'s record holds beyond email and phone."""
        found = [f"demographic.{d.key}" for d in person.demographics
                 if d.key in self.contact_demographics]
        found += [f"extra.{k}" for k in person.extra if k in self.contact_extra]
        return found

    def without_contact(self, person: Participant) -> Participant:
        """``person`` without email, phone or any declared contact detail."""
        return evolve(
            person, email=None, phone=None,
            demographics=tuple(d for d in person.demographics
                               if d.key not in self.contact_demographics),
            extra={k: v for k, v in person.extra.items() if k not in self.contact_extra})


def from_forms(forms: Iterable[FormDefinition]) -> Definitions:
    """The definitions the forms make; :class:`ConfigError` when two of them disagree."""
    categories: dict[str, tuple[str, str]] = {}
    demographics: set[str] = set()
    extra: set[str] = set()
    answers: dict[str, set[str]] = {}
    for form in forms:
        for fld in form.fields:
            key = fld.demographic_key
            if key is not None and fld.special:
                seen = categories.get(key)
                if seen is not None and seen[0] != fld.special:
                    raise ConfigError(
                        f"form {form.name!r} puts demographic.{key} in the category "
                        f"{fld.special}, but form {seen[1]!r} puts it in {seen[0]}; an answer "
                        "has one category: use one, or another key")
                categories[key] = (fld.special, form.name)
            if fld.contact:
                if key is not None:
                    demographics.add(key)
                elif fld.extra_key is not None:
                    extra.add(fld.extra_key)
                elif fld.fills is None:
                    answers.setdefault(form.name, set()).add(fld.name)
    return Definitions(categories={k: c for k, (c, _) in categories.items()},
                       contact_demographics=demographics, contact_extra=extra,
                       contact_answers={k: frozenset(v) for k, v in answers.items()})


def categorised(defs: Definitions, person: Any) -> Any:
    """``person`` with each answer's category taken from its key's definition."""
    if not defs.categories or not person.demographics:
        return person
    answers = tuple(d if defs.category_of(d) == d.category else
                    Demographic(key=d.key, value=d.value, category=defs.category_of(d))
                    for d in person.demographics)
    if all(a is b for a, b in zip(answers, person.demographics, strict=True)):
        return person
    return evolve(person, demographics=answers)
