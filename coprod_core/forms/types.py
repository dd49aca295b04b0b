"""The built-in field types: text, choices, yes/no, number, date, email, phone, consent.

Every value a type returns is JSON-ready (text, a number, true/false, a list
of text; a date is its ISO text), so it is stored and read back unchanged.

One piece: the built-in types are one table of small classes that share
the same helpers; apart, they would be harder to compare and to keep alike.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from typing import Any

from ..model import DATES
from ..text import TextRefused, check_email, check_phone
from ..vocabulary import BASIC_PURPOSES, CONSENT_PURPOSES, ConsentMethod, is_category_name
from . import AnswerError, Field, FieldType, Option, OptionProblem, parse_choices

# ---------------------------------------------------------------- text


def _max_length(fld: Field, default: int) -> int:
    return int(fld.options.get("max_length", default))


def _text_type(default_max: int, description: str, *, one_line: bool) -> FieldType:
    def parse(text: str, fld: Field) -> str:
        value = text.strip()
        if one_line:
            value = " ".join(value.split())
        limit = _max_length(fld, default_max)
        if len(value) > limit:
            raise AnswerError(f"is {len(value)} characters long; at most {limit} are allowed")
        return value

    def check(options: Mapping[str, Any]) -> None:
        if "max_length" in options and options["max_length"] < 1:
            raise OptionProblem("max_length", "must be at least 1")

    return FieldType(
        description=description, parse=parse, check_options=check,
        options=(Option(key="max_length", type=int, help="The longest answer allowed, in "
                        f"characters (default {default_max})."),),
    )


SHORT_TEXT = _text_type(200, "A short answer on one line.", one_line=True)
LONG_TEXT = _text_type(5000, "A longer answer in the person's own words.", one_line=False)

# ---------------------------------------------------------------- choices


def _choice_of(text: str, fld: Field) -> str:
    wanted = text.strip()
    found = fld.choice(wanted)
    if found is not None:
        return found
    allowed = ", ".join(value for value, _ in fld.choices)
    raise AnswerError(f"{wanted!r} is not one of the choices; choose one of: {allowed}")


def _check_choices(options: Mapping[str, Any]) -> None:
    raw = options.get("choices")
    if raw is None:
        return
    if not raw:
        raise OptionProblem("choices", "must list at least one choice")
    seen: set[str] = set()
    for i, item in enumerate(raw):
        if isinstance(item, Mapping):
            unknown = set(item) - {"value", "label"}
            if unknown or not isinstance(item.get("value"), str) or not isinstance(
                item.get("label", ""), str
            ):
                raise OptionProblem(
                    f"choices[{i}]",
                    "must be text or a table { value = \"...\", label = \"...\" }",
                )
            value = item["value"]
        elif isinstance(item, str):
            value = item
        else:
            raise OptionProblem(
                f"choices[{i}]", "must be text or a table { value = \"...\", label = \"...\" }"
            )
        if not value.strip():
            raise OptionProblem(f"choices[{i}]", "must not be empty")
        if value.strip() != value or "," in value:
            raise OptionProblem(
                f"choices[{i}]", "a choice's value has no commas and no spaces at either end"
            )
        if value.isdigit():
            raise OptionProblem(
                f"choices[{i}]", "a choice's value is not a bare number (numbers pick choices)"
            )
        if value.casefold() in seen:
            raise OptionProblem(f"choices[{i}]", f"repeats the choice {value!r}")
        seen.add(value.casefold())


def _choices_hint(fld: Field) -> str:
    return "type the number of your choice"


def _single_accept(value: Any, fld: Field) -> str:
    if not isinstance(value, str):
        raise AnswerError("must be the text of one of the choices")
    return _choice_of(value, fld)


SINGLE_CHOICE = FieldType(
    description="One of a list of choices, picked by number or by name.",
    parse=_choice_of, accept=_single_accept, check_options=_check_choices, hint=_choices_hint,
    options=(Option(key="choices", type=list, required=True,
                    help='The choices, as text or as tables { value = "...", label = "..." }.'),),
    show=lambda value, fld: dict(fld.choices).get(value, value),
)


def _many(values: list[str], fld: Field) -> list[str]:
    chosen = {_choice_of(v, fld) for v in values if v.strip()}
    ordered = [value for value, _ in fld.choices if value in chosen]
    low, high = fld.options.get("min_choices", 0), fld.options.get("max_choices")
    if len(ordered) < low:
        raise AnswerError(f"choose at least {low}")
    if high is not None and len(ordered) > high:
        raise AnswerError(f"choose at most {high}")
    return ordered


def _check_many(options: Mapping[str, Any]) -> None:
    _check_choices(options)
    n = len(options.get("choices") or ())
    low, high = options.get("min_choices", 0), options.get("max_choices")
    if low < 0:
        raise OptionProblem("min_choices", "must be 0 or more")
    if high is not None and not 1 <= high <= n:
        raise OptionProblem("max_choices", f"must be between 1 and the number of choices ({n})")
    if high is not None and low > high:
        raise OptionProblem("min_choices", "must not be more than max_choices")
    if low > n:
        raise OptionProblem("min_choices", f"must not be more than the number of choices ({n})")


def _many_accept(value: Any, fld: Field) -> list[str]:
    if isinstance(value, str):
        return _many(value.split(","), fld)
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return _many(list(value), fld)
    raise AnswerError("must be a list of choices")


MULTIPLE_CHOICE = FieldType(
    description="Any number of a list of choices, numbers or names separated by commas.",
    parse=lambda text, fld: _many(text.split(","), fld), accept=_many_accept,
    check_options=_check_many,
    hint=lambda fld: "type the numbers of all that apply, separated by commas",
    options=(
        Option(key="choices", type=list, required=True,
               help='The choices, as text or as tables { value = "...", label = "..." }.'),
        Option(key="min_choices", type=int, help="The fewest choices a complete answer has."),
        Option(key="max_choices", type=int, help="The most choices allowed."),
    ),
    show=lambda value, fld: ", ".join(dict(fld.choices).get(v, v) for v in value),
)

# ---------------------------------------------------------------- yes / no

_YES = {"y", "yes", "true", "1", "agree", "i agree"}
_NO = {"n", "no", "false", "0", "disagree"}


def _yes_no(text: str, fld: Field) -> bool:
    word = text.strip().casefold()
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise AnswerError(f"{text.strip()!r} is not yes or no; answer y or n")


def _bool_accept(value: Any, fld: Field) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return _yes_no(value, fld)
    raise AnswerError("must be true or false")


YES_NO = FieldType(
    description="Yes or no.", parse=_yes_no, accept=_bool_accept, hint=lambda fld: "y/n",
    show=lambda value, fld: "yes" if value else "no",
)

# ---------------------------------------------------------------- numbers

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
#: 1,000 or 12,500.5: commas only between groups of three digits (1,5 is not 1.5 or 15).
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")


def _number(value: Any, fld: Field) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise AnswerError("must be a number")
    if isinstance(value, float) and not math.isfinite(value):
        raise AnswerError("must be a number")
    if fld.options.get("integer"):
        if value != int(value):
            raise AnswerError(f"{value} is not a whole number")
        value = int(value)
    low, high = fld.options.get("min"), fld.options.get("max")
    if low is not None and value < low:
        raise AnswerError(f"{value} is below the lowest allowed, {low}")
    if high is not None and value > high:
        raise AnswerError(f"{value} is above the highest allowed, {high}")
    return value


def _parse_number(text: str, fld: Field) -> int | float:
    cleaned = text.strip()
    if _THOUSANDS.match(cleaned):
        cleaned = cleaned.replace(",", "")
    if not _NUMBER.match(cleaned):
        raise AnswerError(f"{text.strip()!r} is not a number")
    number = float(cleaned) if any(c in cleaned for c in ".") else int(cleaned)
    return _number(number, fld)


def _check_number(options: Mapping[str, Any]) -> None:
    for key in ("min", "max"):
        if key in options and isinstance(options[key], float) and not math.isfinite(options[key]):
            raise OptionProblem(key, "must be a finite number")
    low, high = options.get("min"), options.get("max")
    if low is not None and high is not None and low > high:
        raise OptionProblem("min", "must not be more than max")


def _number_hint(fld: Field) -> str:
    low, high = fld.options.get("min"), fld.options.get("max")
    kind = "a whole number" if fld.options.get("integer") else "a number"
    if low is not None and high is not None:
        return f"{kind} from {low} to {high}"
    if low is not None:
        return f"{kind}, at least {low}"
    if high is not None:
        return f"{kind}, at most {high}"
    return kind


NUMBER = FieldType(
    description="A number, optionally whole and between bounds.",
    parse=_parse_number, accept=lambda value, fld: (
        _parse_number(value, fld) if isinstance(value, str) else _number(value, fld)
    ),
    check_options=_check_number, hint=_number_hint,
    options=(
        Option(key="min", type=(int, float), help="The lowest number allowed."),
        Option(key="max", type=(int, float), help="The highest number allowed."),
        Option(key="integer", type=bool, help="true to allow whole numbers only."),
    ),
)

# ---------------------------------------------------------------- dates

_DMY = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _to_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        raise ValueError("a date without a time")
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    match = _DMY.match(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
        return dt.date(year, month, day)
    if not _ISO.match(text):
        raise ValueError("not a date")
    return dt.date.fromisoformat(text)




def _date(value: Any, fld: Field) -> str:
    try:
        day = _to_date(value)
    except ValueError:
        raise AnswerError(
            f"{value!s} is not a date; write it as YYYY-MM-DD (2026-03-31) or DD/MM/YYYY"
        ) from None
    if day not in DATES:
        raise AnswerError(DATES.refusal(day))
    earliest, latest = fld.options.get("earliest"), fld.options.get("latest")
    if earliest is not None and day < _to_date(earliest):
        raise AnswerError(f"{day} is before the earliest allowed, {_to_date(earliest)}")
    if latest is not None and day > _to_date(latest):
        raise AnswerError(f"{day} is after the latest allowed, {_to_date(latest)}")
    return day.isoformat()


def _check_dates(options: Mapping[str, Any]) -> None:
    bounds = {}
    for key in ("earliest", "latest"):
        if key in options:
            try:
                bounds[key] = _to_date(options[key])
            except ValueError:
                raise OptionProblem(key, "must be a date such as 2026-03-31") from None
            if bounds[key] not in DATES:
                raise OptionProblem(key, DATES.refusal(bounds[key]))
    if len(bounds) == 2 and bounds["earliest"] > bounds["latest"]:
        raise OptionProblem("earliest", "must not be after latest")


def _date_accept(value: Any, fld: Field) -> str:
    if isinstance(value, dt.date | str) and not isinstance(value, dt.datetime):
        return _date(value, fld)
    raise AnswerError("must be a date such as 2026-03-31")


DATE = FieldType(
    description="A calendar date, typed as YYYY-MM-DD or DD/MM/YYYY.",
    parse=_date, accept=_date_accept, check_options=_check_dates,
    hint=lambda fld: "YYYY-MM-DD or DD/MM/YYYY",
    options=(
        Option(key="earliest", type=(dt.date, str), help="The earliest date allowed."),
        Option(key="latest", type=(dt.date, str), help="The latest date allowed."),
    ),
)

# ---------------------------------------------------------------- email, phone

def _email(text: str, fld: Field) -> str:
    value = text.strip()
    try:
        check_email(value)
    except TextRefused as exc:
        raise AnswerError(str(exc)) from None
    local, _, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}"


EMAIL = FieldType(description="An email address.", parse=_email,
                  hint=lambda fld: "like name@example.org")

def _phone(text: str, fld: Field) -> str:
    value = " ".join(text.split())
    try:
        return check_phone(value)
    except TextRefused as exc:
        raise AnswerError(str(exc)) from None


PHONE = FieldType(description="A phone number: digits, spaces, an optional leading +.",
                  parse=_phone, hint=lambda fld: "digits, e.g. 07700 900123")

# ---------------------------------------------------------------- consent


def _check_consent(options: Mapping[str, Any]) -> None:
    statement = options.get("statement", "")
    if not str(statement).strip():
        raise OptionProblem("statement", "must be the exact words the person agrees to")
    purpose = options.get("purpose")
    kind, colon, category = str(purpose).partition(":")
    if purpose not in BASIC_PURPOSES and not (
            colon and kind == "special" and is_category_name(category)):
        raise OptionProblem("purpose", f"must be one of: {', '.join(CONSENT_PURPOSES)} "
                            "or special:<a category declared in [privacy] protected>")
    method = options.get("method")
    if method is not None and method not in {m.value for m in ConsentMethod}:
        raise OptionProblem(
            "method", f"must be one of: {', '.join(m.value for m in ConsentMethod)}"
        )


CONSENT = FieldType(
    description="Agreement to a statement shown in full; recorded with its version, "
                "how it was given and who recorded it.",
    parse=_yes_no, accept=_bool_accept, check_options=_check_consent,
    hint=lambda fld: "y if they agree, n if not",
    show=lambda value, fld: "agrees" if value else "does not agree",
    options=(
        Option(key="statement", type=str, required=True,
               help="The exact words shown; their hash is recorded as the version."),
        Option(key="purpose", type=str, required=True,
               help="What the consent is for: record, contact, naming or special:<category>."),
        Option(key="method", type=str,
               help="How consent is given with this form: written, verbal or electronic."),
    ),
)

BUILTIN_TYPES: dict[str, FieldType] = {
    "short_text": SHORT_TEXT,
    "long_text": LONG_TEXT,
    "single_choice": SINGLE_CHOICE,
    "multiple_choice": MULTIPLE_CHOICE,
    "yes_no": YES_NO,
    "number": NUMBER,
    "date": DATE,
    "email": EMAIL,
    "phone": PHONE,
    "consent": CONSENT,
}

__all__ = ["BUILTIN_TYPES", "parse_choices"]
