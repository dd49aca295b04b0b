"""Hypothesis strategies for intake forms: definitions, valid answers, invalid ones.

``forms()`` builds a participant form whose first field fills the name;
``answer_sets(form)`` draws a valid answer set with, for each answer, the
value that must be stored; ``invalid_answer(fld)`` draws an answer the
field's type must refuse.
"""

from __future__ import annotations

import datetime as dt
import string
from typing import Any

from hypothesis import strategies as st

from coprod_core.forms import Field, FormDefinition
from coprod_core.model import SPECIAL_CATEGORIES

WORD = st.text(alphabet=string.ascii_lowercase, min_size=1, max_size=8)
TEXT = st.text(alphabet=string.ascii_letters + string.digits + " .'", min_size=1,
               max_size=30).filter(lambda s: s.strip())

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


@st.composite
def field_options(draw: Any, type_name: str) -> dict[str, Any]:
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
def forms(draw: Any, types: tuple[str, ...] = TYPES) -> FormDefinition:
    """A participant form: a required name, then up to six questions of any type."""
    fields = [Field(name="name", type="short_text", label="Name", required=True, fills="name")]
    names = draw(st.lists(WORD.map(lambda w: "q_" + w), max_size=6, unique=True))
    consent_used = False
    for i, name in enumerate(names):
        type_name = draw(st.sampled_from(types))
        if type_name == "consent":
            if consent_used:
                type_name = "yes_no"
            consent_used = True
        options = draw(field_options(type_name))
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
def answer(draw: Any, fld: Field, *, text: bool) -> tuple[Any, Any]:
    """A valid answer to ``fld`` (as typed when ``text``) and the value to be stored."""
    t, o = fld.type, fld.options
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
    raise AssertionError(t)


@st.composite
def answer_sets(draw: Any, form: FormDefinition, *, text: bool = False
                ) -> tuple[dict[str, Any], dict[str, Any]]:
    """(answers as given, values to be stored) for a valid submission of ``form``."""
    given: dict[str, Any] = {}
    stored: dict[str, Any] = {}
    for fld in form.fields:
        if fld.required or draw(st.booleans()):
            raw, value = draw(answer(fld, text=text))
            given[fld.name], stored[fld.name] = raw, value
    return given, stored


def invalid_answer(fld: Field) -> st.SearchStrategy[Any]:
    """Answers ``fld`` must refuse (given as text or as a file value)."""
    t, o = fld.type, fld.options
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
    raise AssertionError(t)
