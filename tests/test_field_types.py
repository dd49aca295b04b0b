"""The built-in field types: what each accepts (typed or from a file) and refuses."""

from __future__ import annotations

import datetime as dt

import pytest

from coprod_core.forms import AnswerError, Field
from coprod_core.forms.types import BUILTIN_TYPES


def _field(type_name, **options):
    return Field(name="q", type=type_name, label="Q", options=options)


CHOICES = [{"value": "phone", "label": "Phone or text"}, "email"]


@pytest.mark.parametrize(("type_name", "options", "typed", "stored"), [
    ("short_text", {}, "  Sam   Smith ", "Sam Smith"),
    ("long_text", {}, " Line one.\nLine two. ", "Line one.\nLine two."),
    ("single_choice", {"choices": CHOICES}, "1", "phone"),
    ("single_choice", {"choices": CHOICES}, "phone or TEXT", "phone"),
    ("single_choice", {"choices": CHOICES}, "email", "email"),
    ("multiple_choice", {"choices": CHOICES}, "2, 1", ["phone", "email"]),
    ("multiple_choice", {"choices": CHOICES}, "email,email", ["email"]),
    ("yes_no", {}, "Yes", True),
    ("yes_no", {}, "n", False),
    ("number", {}, "42", 42),
    ("number", {}, "-3.5", -3.5),
    ("number", {}, "12,500", 12500),
    ("number", {"min": 0, "max": 10, "integer": True}, "10", 10),
    ("date", {}, "2026-03-31", "2026-03-31"),
    ("date", {}, "5/3/2026", "2026-03-05"),
    ("email", {}, " Sam@Example.ORG ", "Sam@example.org"),
    ("phone", {}, "+44 (0)7700  900123", "+44 (0)7700 900123"),
    ("consent", {"statement": "S", "purpose": "record"}, "yes", True),
])
def test_typed_answers(type_name, options, typed, stored):
    assert BUILTIN_TYPES[type_name].read_text(typed, _field(type_name, **options)) == stored


@pytest.mark.parametrize(("type_name", "options", "typed", "words"), [
    ("short_text", {"max_length": 3}, "Samuel", "is 6 characters long; at most 3"),
    ("single_choice", {"choices": CHOICES}, "3", "'3' is not one of the choices; choose "
                                                 "one of: phone, email"),
    ("multiple_choice", {"choices": CHOICES, "max_choices": 1}, "1,2", "choose at most 1"),
    ("multiple_choice", {"choices": CHOICES, "min_choices": 2}, "1", "choose at least 2"),
    ("yes_no", {}, "maybe", "'maybe' is not yes or no"),
    ("number", {}, "1,5", "'1,5' is not a number"),
    ("number", {}, "nan", "'nan' is not a number"),
    ("number", {"integer": True}, "2.5", "2.5 is not a whole number"),
    ("number", {"min": 16}, "15", "15 is below the lowest allowed, 16"),
    ("date", {}, "31/02/2026", "is not a date"),
    ("date", {"latest": dt.date(2026, 1, 1)}, "2026-01-02", "after the latest allowed"),
    ("email", {}, "sam@", "is not an email address"),
    ("phone", {}, "123", "is not a phone number"),
])
def test_refused_answers(type_name, options, typed, words):
    with pytest.raises(AnswerError, match=words.replace("(", r"\(")):
        BUILTIN_TYPES[type_name].read_text(typed, _field(type_name, **options))


@pytest.mark.parametrize(("type_name", "options", "value", "stored"), [
    ("number", {}, 3, 3),
    ("number", {}, "3", 3),
    ("yes_no", {}, True, True),
    ("date", {}, dt.date(2026, 3, 31), "2026-03-31"),
    ("multiple_choice", {"choices": CHOICES}, ["email", "Phone or text"], ["phone", "email"]),
    ("single_choice", {"choices": CHOICES}, "Phone or text", "phone"),
])
def test_values_from_files(type_name, options, value, stored):
    assert BUILTIN_TYPES[type_name].read_value(value, _field(type_name, **options)) == stored


@pytest.mark.parametrize(("type_name", "value", "words"), [
    ("number", True, "must be a number"),
    ("yes_no", 1, "must be true or false"),
    ("short_text", 5, "must be text"),
    ("date", dt.datetime(2026, 1, 1, tzinfo=dt.UTC), "must be a date"),
    ("multiple_choice", [1, 2], "must be a list of choices"),
])
def test_wrong_kinds_of_value_from_files(type_name, value, words):
    with pytest.raises(AnswerError, match=words):
        BUILTIN_TYPES[type_name].read_value(value, _field(type_name, choices=CHOICES))
