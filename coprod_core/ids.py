"""Short, typable identifiers with a kind prefix: ``P-12``, ``S-3``, ``T-7``, ``C-21``.

People may type ``p12``, ``P-12`` or ``p-12``; all mean ``P-12``.
"""

from __future__ import annotations

import re

from .errors import CoprodError

#: Collection name -> (id prefix, the word for one record).
KINDS: dict[str, tuple[str, str]] = {
    "participants": ("P", "participant"),
    "sessions": ("S", "session"),
    "tensions": ("T", "tension"),
    "commitments": ("C", "commitment"),
    "rights_requests": ("R", "rights request"),
    "exports": ("X", "subject access export"),
    "submissions": ("F", "form submission"),
}

_ID = re.compile(r"^\s*([A-Za-z]{1,3})-?(\d{1,12})\s*$")


def _kind(collection: str) -> tuple[str, str]:
    try:
        return KINDS[collection]
    except KeyError:
        raise CoprodError(
            f"no collection named {collection!r}; a plugin declares its own with "
            "coprod_register_collections"
        ) from None


def format_id(collection: str, number: int) -> str:
    return f"{_kind(collection)[0]}-{number}"


def parse_id(collection: str, text: str) -> str:
    """Normalise ``text`` to the canonical id of a record in ``collection``."""
    prefix, word = _kind(collection)
    match = _ID.match(str(text))
    if match is None or match.group(1).upper() != prefix:
        raise CoprodError(
            f"{text!r} is not a {word} id; {word} ids look like {prefix}-12"
        )
    return f"{prefix}-{int(match.group(2))}"


def number_of(record_id: str) -> int:
    """The number part of an id (``P-12`` -> 12)."""
    return int(record_id.rsplit("-", 1)[1])


def collection_of(record_id: str) -> str | None:
    """The collection an id belongs to, or None if it has no known prefix."""
    match = _ID.match(record_id)
    if match is None:
        return None
    for collection, (prefix, _word) in KINDS.items():
        if match.group(1).upper() == prefix:
            return collection
    return None
