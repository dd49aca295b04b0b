"""Finding a person in free text: their name, pseudonym, email, phone or id."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from ..model import Participant

__all__ = ["MARKER", "Matcher", "refers_to"]

#: What replaces a name, pseudonym, email or phone in free text after erasure.
MARKER = "[removed]"


def _variants(text: str, *, folded: bool = True) -> set[str]:
    """The forms ``text`` may be written in: either Unicode normal form, as
    given, in capitals, and (``folded``) case-folded: ``ß`` in capitals is
    ``SS``, which a case-insensitive match alone does not find."""
    forms = {text, text.upper(), *([text.casefold()] if folded else [])}
    return {unicodedata.normalize(nf, f) for f in forms for nf in ("NFC", "NFD")}


class Matcher:
    """Finds the ways a person is written in free text: name, pseudonym, contact, id.

    Several-word names, emails and phones are matched whatever their case (or
    spacing, for phones); single words (a first name alone, a pseudonym such
    as "River") only as written or in capitals, so that "river" in a
    sentence is left alone. Each part of a name of three letters or more
    is matched too: people are often written by their first name.
    ``any_case`` matches a one-word name or pseudonym whatever its case too
    (reports take no chances: "river" goes with "River"); a part of a longer
    name is still matched only as written or in capitals.
    """

    def __init__(self, person: Participant, *, names: bool = True, with_id: bool = False,
                 any_case: bool = False) -> None:
        loose: set[str] = set()
        exact: set[str] = set()
        for name in (person.name, person.pseudonym):
            if not name or not names or person.is_erased:
                continue
            words = name.split()
            if len(words) > 1 or any_case:
                loose.update(_variants(name))
            else:
                exact.update(_variants(name, folded=False))
            for word in words:
                if len(word) >= 3:
                    exact.update(_variants(word, folded=False))
        if person.email:
            loose.update(_variants(person.email))
        parts = [rf"(?<!\w)(?:{'|'.join(self._sorted(loose))})(?!\w)"] if loose else []
        if person.phone and sum(c.isdigit() for c in person.phone) >= 6:
            digits = [c for c in person.phone if c.isdigit()]
            parts.append(r"(?<!\d)\+?" + r"[\s\-.()]*".join(digits) + r"(?!\d)")
        if with_id:
            parts.append(rf"(?<![\w-]){re.escape(person.id)}(?!\d)")
        self._loose = re.compile("|".join(parts), re.IGNORECASE) if parts else None
        self._exact = (re.compile(rf"(?<!\w)(?:{'|'.join(self._sorted(exact))})(?!\w)")
                       if exact else None)

    @staticmethod
    def _sorted(phrases: Iterable[str]) -> list[str]:
        return [re.escape(p) for p in sorted(phrases, key=lambda p: (-len(p), p))]

    def mentions(self, text: str | None) -> bool:
        if not text:
            return False
        return any(r is not None and r.search(text) for r in (self._loose, self._exact))

    def scrub(self, text: str, marker: str = MARKER) -> str:
        for regex in (self._loose, self._exact):
            if regex is not None:
                text = regex.sub(marker, text)
        return text

    def scrub_optional(self, text: str | None) -> str | None:
        return None if text is None else self.scrub(text)

    def scrub_value(self, value: Any) -> Any:
        """Any JSON-like value with every string scrubbed."""
        if isinstance(value, str):
            return self.scrub(value)
        if isinstance(value, dict):
            return {k: self.scrub_value(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return type(value)(self.scrub_value(v) for v in value)
        return value

    def finds_in(self, value: Any) -> bool:
        """Whether any string inside a JSON-like value mentions the person."""
        if isinstance(value, str):
            return self.mentions(value)
        if isinstance(value, dict):
            return any(self.finds_in(v) for v in value.values())
        if isinstance(value, list | tuple):
            return any(self.finds_in(v) for v in value)
        return False


def refers_to(value: Any, participant_id: str) -> bool:
    """Whether a JSON-like value holds ``participant_id`` as a value anywhere."""
    if isinstance(value, str):
        return value == participant_id
    if isinstance(value, dict):
        return any(refers_to(v, participant_id) for v in value.values())
    if isinstance(value, list | tuple):
        return any(refers_to(v, participant_id) for v in value)
    return False
