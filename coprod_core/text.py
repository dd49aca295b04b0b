"""Text coprod stores and text it shows: the two rules, each in one place.

- :func:`check_text` is what stored text may hold. No NUL, no control
  characters other than newline and tab, and those only in fields that
  allow several lines; no lone surrogates (half a character, which no file
  or database can hold). The model's validators call it, so every front end
  inherits it.
- :func:`visible` is how text reaches a terminal: control, escape and
  direction-changing characters are shown as Python escapes (``\\x1b``), so a
  stored name can never move the cursor, recolour the screen or hide what
  follows it.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["TextRefused", "check_email", "check_phone", "check_text", "visible"]

#: Invisible characters that join letters in some scripts and in emoji.
_JOINERS = frozenset("\u200c\u200d")

#: Categories shown as escapes: controls, formatting (bidi overrides...),
#: surrogates and the Unicode line and paragraph separators.
_HIDDEN = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


class TextRefused(ValueError):
    """A value that stored text may not hold; the message says why and what is allowed."""


def _escape(char: str) -> str:
    # Python's own escapes: \n, \t, \x1b, \u202e, \udcff.
    return char.encode("unicode_escape").decode("ascii")


def _hidden(char: str) -> bool:
    return char not in _JOINERS and unicodedata.category(char) in _HIDDEN


def visible(value: object, *, lines: bool = False) -> str:
    """``value`` as text safe to print: hidden characters as escapes.

    With ``lines``, newlines and tabs are kept (for a multi-line note shown
    on its own); otherwise they are escaped too.
    """
    text = "" if value is None else str(value)
    if text.isprintable():
        return text
    return "".join(
        char if (lines and char in "\n\t") or not _hidden(char) else _escape(char)
        for char in text
    )


def check_text(value: str, what: str, *, lines: bool = False) -> str:
    """``value`` if stored text may hold it, else :class:`TextRefused` naming ``what``.

    ``lines`` allows newlines and tabs (notes, descriptions); a name or a
    title is one line. A line break written as ``\\r\\n`` should be turned
    into ``\\n`` before this check (the model's converters do).
    """
    for char in value:
        if lines and char in "\n\t":
            continue
        category = unicodedata.category(char)
        if category == "Cs":
            raise TextRefused(
                f"{what} holds {_escape(char)}, half of a character (the text was not "
                "valid UTF-8); type it again as plain text"
            )
        if category == "Cc" or (not lines and category in ("Zl", "Zp")):
            allowed = ("text, new lines and tabs" if lines
                       else "text on one line, without tabs or new lines")
            raise TextRefused(
                f"{what} holds the control character {_escape(char)}; allowed: {allowed}"
            )
    return value


# ---------------------------------------------------------------- contact details

# Light checks, not RFC 5322: they catch a note typed where an address or a
# number belongs ("call me"), and accept what people actually write.
_EMAIL = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;.]{2,}$")
_PHONE = re.compile(r"^\+?[\d\s().-]+$")


def check_email(value: str) -> str:
    """``value`` if it looks like an email address, else :class:`TextRefused`."""
    if not _EMAIL.match(value) or len(value) > 254:
        raise TextRefused(f"{visible(value)!r} is not an email address like name@example.org")
    return value


def check_phone(value: str) -> str:
    """``value`` if it looks like a phone number, else :class:`TextRefused`."""
    digits = sum(map(str.isdigit, value))
    if not _PHONE.match(value) or not 7 <= digits <= 15:
        raise TextRefused(
            f"{visible(value)!r} is not a phone number; use digits, spaces and an optional "
            "+ at the start"
        )
    return value
