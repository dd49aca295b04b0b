"""Hypothesis strategies for intake forms: definitions, valid answers, invalid ones.

``forms()`` builds a participant form whose first field fills the name;
``answer_sets(form)`` draws a valid answer set with, for each answer, the
value that must be stored; ``invalid_answer(fld)`` draws an answer the
field's type must refuse.

A plugin's field type takes part by giving its strategies::

    AGE_BAND = AnswerStrategies(
        valid=lambda fld, text: st.sampled_from(["18-24", "25-34"]).map(lambda v: (v, v)),
        invalid=lambda fld: st.just("ancient"),
    )
    form = data.draw(forms(types=("short_text", "age_band")))
    given, stored = data.draw(answer_sets(form, plugin_types={"age_band": AGE_BAND}))
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from hypothesis import strategies as st

from coprod_core.forms import Field, FormDefinition
from coprod_core.model import SPECIAL_CATEGORIES

WORD = st.text(alphabet=string.ascii_lowercase, min_size=1, max_size=8)
TEXT = st.text(alphabet=string.ascii_letters + string.digits + " .'", min_size=1,
               max_size=30).filter(lambda s: s.strip())

__all__ = ["TYPES", "AnswerStrategies", "answer", "answer_sets", "field_options", "forms",
           "invalid_answer"]


class AnswerStrategies(NamedTuple):
    """How to answer a plugin's field type, for :func:`answer_sets` and :func:`invalid_answer`."""

    #: ``valid(field, text)``: a strategy of ``(answer as given, value stored)``;
    #: ``text`` is True for answers typed at the keyboard or read from CSV.
    valid: Callable[[Field, bool], st.SearchStrategy[tuple[Any, Any]]]
    #: ``invalid(field)``: a strategy of answers the type must refuse (None: none known).
    invalid: Callable[[Field], st.SearchStrategy[Any]] | None = None
    #: ``options(type_name)``: a strategy of the field's options in TOML (default: none).
    options: Callable[[str], st.SearchStrategy[dict[str, Any]]] | None = None


PluginTypes = Mapping[str, AnswerStrategies]

TYPES = ("short_text", "long_text", "single_choice", "multiple_choice", "yes_no", "number",
         "date", "email", "phone", "consent")


@st.composite
def choice_lists(draw: Any) -> list[Any]:
    values = draw(st.lists(WORD.map(lambda w: "c_" + w), min_size=1, max_size=5,
                           unique_by=str.casefold))
    labelled = draw(st.booleans())
    if labelled:
        return [{"value": v, "label": f"Choice {v.upper()}!"} for v in values]
    return values


def _unknown(type_name: str, what: str) -> LookupError:
    return LookupError(
        f"no {what} for field type {type_name!r}: a plugin's field type needs "
        f"plugin_types={{{type_name!r}: AnswerStrategies(...)}}")


@st.composite
def field_options(draw: Any, type_name: str, plugin_types: PluginTypes | None = None
                  ) -> dict[str, Any]:
    if plugin_types and type_name in plugin_types:
        made = plugin_types[type_name].options
        return draw(made(type_name)) if made is not None else {}
    if type_name in ("short_text", "long_text"):
        return {"max_length": draw(st.integers(5, 60))} if draw(st.booleans()) else {}
    if type_name == "single_choice":
        return {"choices": draw(choice_lists())}
    if type_name == "multiple_choice":
        choices = draw(choice_lists())
        options: dict[str, Any] = {"choices": choices}
        if draw(st.booleans()):
            options["max_choices"] = draw(st.integers(1, len(choices)))
        return options
    if type_name == "number":
        options = {}
        low = draw(st.none() | st.integers(-100, 100))
        high = draw(st.none() | st.integers(-100, 100))
        if low is not None and high is not None and low > high:
            low, high = high, low
        if low is not None:
            options["min"] = low
        if high is not None:
            options["max"] = high
        if draw(st.booleans()):
            options["integer"] = True
        return options
    if type_name == "date":
        return {"earliest": dt.date(2000, 1, 1)} if draw(st.booleans()) else {}
    if type_name == "consent":
        return {"statement": draw(TEXT), "purpose": "contact", "method": "verbal"}
    return {}


@st.composite
def forms(draw: Any, types: tuple[str, ...] = TYPES,
          plugin_types: PluginTypes | None = None) -> FormDefinition:
    """A participant form: a required name, then up to six questions of ``types``."""
    fields = [Field(name="name", type="short_text", label="Name", required=True, fills="name")]
    names = draw(st.lists(WORD.map(lambda w: "q_" + w), max_size=6, unique=True))
    consent_used = False
    for i, name in enumerate(names):
        type_name = draw(st.sampled_from(types))
        if type_name == "consent":
            if consent_used:
                type_name = "yes_no"
            consent_used = True
        options = draw(field_options(type_name, plugin_types))
        special = None
        fills = None
        if type_name != "consent":
            where = draw(st.sampled_from(("none", "demographic", "extra", "special")))
            if where == "demographic":
                fills = f"demographic.{name}"
            elif where == "extra":
                fills = f"extra.test.{name}"
            elif where == "special":
                fills = f"demographic.{name}"
                special = draw(st.sampled_from(SPECIAL_CATEGORIES))
        fields.append(Field(
            name=name, type=type_name, label=f"Question {i}", help=f"Help for {name}",
            required=draw(st.booleans()), fills=fills, special=special, options=options,
        ))
    if draw(st.booleans()):
        categories = sorted({f.special for f in fields if f.special})
        for category in categories[:1]:
            fields.append(Field(
                name=f"consent_{category}", type="consent", label="Special consent",
                options={"statement": f"We may keep your {category} answer.",
                         "purpose": f"special:{category}", "method": "written"},
            ))
    return FormDefinition(name=draw(WORD.map(lambda w: "form_" + w)), title="A form",
                          introduction="Hello", fields=fields)


@st.composite
def answer(draw: Any, fld: Field, *, text: bool,
           plugin_types: PluginTypes | None = None) -> tuple[Any, Any]:
    """A valid answer to ``fld`` (as typed when ``text``) and the value to be stored."""
    t, o = fld.type, fld.options
    if plugin_types and t in plugin_types:
        given: tuple[Any, Any] = draw(plugin_types[t].valid(fld, text))
        return given
    if t in ("short_text", "long_text"):
        limit = o.get("max_length", 200 if t == "short_text" else 5000)
        raw = draw(TEXT.filter(lambda s: len(s.strip()) <= limit))
        stored = " ".join(raw.split()) if t == "short_text" else raw.strip()
        return raw, stored
    if t == "single_choice":
        index = draw(st.integers(0, len(fld.choices) - 1))
        value, label = fld.choices[index]
        raw = draw(st.sampled_from([value, label, str(index + 1)] if text else [value, label]))
        return raw, value
    if t == "multiple_choice":
        high = o.get("max_choices", len(fld.choices))
        indexes = draw(st.lists(st.integers(0, len(fld.choices) - 1), min_size=1,
                                max_size=high, unique=True))
        values = [fld.choices[i][0] for i in indexes]
        stored = [v for v, _ in fld.choices if v in values]
        return (",".join(str(i + 1) for i in indexes) if text else values), stored
    if t in ("yes_no", "consent"):
        value = draw(st.booleans())
        if text:
            return draw(st.sampled_from(["y", "yes", "Yes"] if value else ["n", "no", "NO"])), value
        return value, value
    if t == "number":
        low, high = o.get("min", -1000), o.get("max", 1000)
        number = draw(st.integers(low, high))
        return (str(number) if text else number), number
    if t == "date":
        day = draw(st.dates(dt.date(2000, 1, 1), dt.date(2030, 12, 31)))
        if text:
            return draw(st.sampled_from([day.isoformat(), f"{day.day}/{day.month}/{day.year}"])
                        ), day.isoformat()
        return draw(st.sampled_from([day, day.isoformat()])), day.isoformat()
    if t == "email":
        local, domain = draw(WORD), draw(WORD)
        return f"{local}@{domain}.org", f"{local}@{domain}.org"
    if t == "phone":
        digits = draw(st.text(alphabet=string.digits, min_size=10, max_size=11))
        return f"0{digits}", f"0{digits}"
    raise _unknown(t, "answer strategy")


@st.composite
def answer_sets(draw: Any, form: FormDefinition, *, text: bool = False,
                plugin_types: PluginTypes | None = None
                ) -> tuple[dict[str, Any], dict[str, Any]]:
    """(answers as given, values to be stored) for a valid submission of ``form``."""
    given: dict[str, Any] = {}
    stored: dict[str, Any] = {}
    for fld in form.fields:
        if fld.required or draw(st.booleans()):
            raw, value = draw(answer(fld, text=text, plugin_types=plugin_types))
            given[fld.name], stored[fld.name] = raw, value
    return given, stored


def invalid_answer(fld: Field, plugin_types: PluginTypes | None = None
                   ) -> st.SearchStrategy[Any]:
    """Answers ``fld`` must refuse (given as text or as a file value)."""
    t, o = fld.type, fld.options
    if plugin_types and t in plugin_types:
        made = plugin_types[t].invalid
        if made is None:
            raise _unknown(t, "invalid-answer strategy")
        return made(fld)
    if t in ("short_text", "long_text"):
        limit = o.get("max_length", 200 if t == "short_text" else 5000)
        return st.just("x" * (limit + 1))
    if t == "single_choice":
        return st.sampled_from(["no_such_choice", "0", str(len(fld.choices) + 1)])
    if t == "multiple_choice":
        return st.sampled_from(["no_such_choice", ["no_such_choice"]])
    if t in ("yes_no", "consent"):
        return st.sampled_from(["maybe", "perhaps"])
    if t == "number":
        bad = ["a lot", "1e5x"]
        if "min" in o:
            bad.append(o["min"] - 1)
        if "max" in o:
            bad.append(o["max"] + 1)
        return st.sampled_from(bad)
    if t == "date":
        return st.sampled_from(["2026-13-45", "next tuesday", "31/02/2026"])
    if t == "email":
        return st.sampled_from(["not-an-email", "a@b", "two@@example.org"])
    if t == "phone":
        return st.sampled_from(["12", "call me", "+44 (0) abc"])
    raise _unknown(t, "invalid-answer strategy")
