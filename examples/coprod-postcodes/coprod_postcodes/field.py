"""The ``uk_postcode`` question: a UK postcode, stored in capitals with one space.

Based on the worked example in coprod's intake forms guide (docs/forms.md).
"""

from __future__ import annotations

import re

from coprod_core.forms import AnswerError, Field, FieldType, Option

#: A postcode without spaces: the outward code (district) and the inward code.
POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")


def parse_postcode(text: str, field: Field) -> str:
    """``"sw1a1aa"`` -> ``"SW1A 1AA"`` (or ``"SW1A"`` with ``district_only``)."""
    compact = "".join(text.upper().split())
    match = POSTCODE.match(compact)
    if match is None:
        raise AnswerError(f"{text.strip()!r} is not a UK postcode such as SW1A 1AA")
    district, unit = match.groups()
    if field.options.get("district_only", False):
        return district
    return f"{district} {unit}"


def _hint(field: Field) -> str:
    if field.options.get("district_only", False):
        return "a postcode such as SW1A 1AA (only SW1A is kept)"
    return "a postcode such as SW1A 1AA"


UK_POSTCODE = FieldType(
    description="A UK postcode, stored in capitals with one space (SW1A 1AA).",
    parse=parse_postcode,
    options=(
        Option(key="district_only", type=bool,
               help="true to keep only the district (SW1A), which identifies nobody."),
    ),
    hint=_hint,
)
