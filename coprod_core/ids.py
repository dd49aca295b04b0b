"""Short, typable identifiers with a kind prefix: ``P-12``, ``S-3``, ``T-7``, ``C-21``.

People may type ``p12``, ``P-12`` or ``p-12``; all mean ``P-12``. One rule
(:func:`split`) reads every id; which prefix belongs to which collection is
the workspace's collections table (:class:`coprod_core.records.Collections`),
the core's and its plugins'.
"""

from __future__ import annotations

import re
from types import MappingProxyType

from .errors import CoprodError

__all__ = ["CORE_KINDS", "format_id", "is_canonical", "number_of", "parse_as", "parse_id",
           "split"]

#: The core's collections: name -> (id prefix, the word for one record). Read-only:
#: plugins add theirs through ``coprod_register_collections``.
CORE_KINDS = MappingProxyType({
    "participants": ("P", "participant"),
    "sessions": ("S", "session"),
    "tensions": ("T", "tension"),
    "commitments": ("C", "commitment"),
    "rights_requests": ("R", "rights request"),
    "exports": ("X", "subject access export"),
    "submissions": ("F", "form submission"),
    "accounts": ("A", "account"),
    "sources": ("SRC", "source link"),
})

_ID = re.compile(r"^\s*([A-Za-z]{1,3})-?(\d{1,12})\s*$")


def split(text: str) -> tuple[str, int] | None:
    """``"p-12"`` -> ``("P", 12)``; None when ``text`` is not shaped like an id."""
    match = _ID.match(str(text))
    if match is None:
        return None
    return match.group(1).upper(), int(match.group(2))


def is_canonical(text: str) -> bool:
    """Whether ``text`` is an id as stored: ``P-12``, not ``p12`` or ``P-012``."""
    parts = split(text)
    return parts is not None and text == f"{parts[0]}-{parts[1]}"


def parse_as(prefix: str, word: str, text: str) -> str:
    """The canonical id ``text`` names, which must have ``prefix``."""
    parts = split(text)
    if parts is None or parts[0] != prefix:
        raise CoprodError(f"{text!r} is not a {word} id; {word} ids look like {prefix}-12")
    return f"{prefix}-{parts[1]}"


def _core(collection: str) -> tuple[str, str]:
    try:
        return CORE_KINDS[collection]
    except KeyError:
        raise CoprodError(
            f"no core collection named {collection!r}; a plugin's collection is read "
            "through the workspace (ws.collections.parse_id)"
        ) from None


def format_id(collection: str, number: int) -> str:
    """The id of record ``number`` of a core collection."""
    return f"{_core(collection)[0]}-{number}"


def parse_id(collection: str, text: str) -> str:
    """Normalise ``text`` to the canonical id of a record in a core ``collection``."""
    return parse_as(*_core(collection), text)


def number_of(record_id: str) -> int:
    """The number part of an id (``P-12`` -> 12)."""
    return int(str(record_id).rsplit("-", 1)[1])
