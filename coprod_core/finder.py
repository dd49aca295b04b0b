"""Everything held about one person: one finder for subject access and erasure.

:func:`find` walks every document of every collection (the core's, coprod's
own and every plugin's) and the audit log once, and says where the person
is, field by field:

- a record, or a part of one, is **theirs** when it holds their id in one of
  its own fields: their participant record, their attendance, rating or
  feedback on a session, a tension they raised, a commitment they made, a
  submission about them, a plugin record with ``participant_id`` set to
  them. Every field of that part is listed;
- a list item that is their id (a session's facilitators, a tension's
  ``between``) is listed on its own;
- any other string that mentions them by name, pseudonym, email, phone or
  id (a note, a description, who recorded a change) is listed on its own;
- audit entries naming their id, or with them as the actor.

The subject access export shows every place found; erasure changes nothing
else. The test ``tests/test_privacy_finder.py`` checks this both ways on every
backend: whatever an erasure changes, the export listed first.

:class:`Others` redacts other people from what the export shows: their
names, pseudonyms, emails, phones and ids become :data:`REDACTED`, as the
ICO expects of an access response.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import partial
from typing import TYPE_CHECKING, Any

from attrs import field, frozen

from . import ids
from .model import Participant
from .protection.matcher import Matcher

if TYPE_CHECKING:
    from .workspace import Workspace

__all__ = ["REDACTED", "Found", "Others", "Place", "audit_names", "find"]

#: What replaces another person's name, contact details or id in an export.
REDACTED = "[another person]"


@frozen(kw_only=True)
class Place:
    """One record that holds something about the person, and where in it."""

    collection: str
    record_id: str
    #: Paths of the fields that hold it: ``attendance[2].status``, ``description``.
    fields: tuple[str, ...]
    #: The whole record is theirs (their own record, a record made about them).
    whole: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"collection": self.collection, "record": self.record_id,
                "fields": list(self.fields), "whole": self.whole}


@frozen(kw_only=True)
class Found:
    """Where one person is held: records and the audit entries naming them."""

    person: Participant
    places: tuple[Place, ...] = ()
    #: Audit entries naming their id (ranges included) or with them as the actor.
    audit: tuple[dict[str, Any], ...] = ()
    #: The documents of the places, as stored, by (collection, id).
    docs: dict[tuple[str, str], dict[str, Any]] = field(factory=dict, eq=False, repr=False)

    def in_collection(self, collection: str) -> Iterator[Place]:
        return (p for p in self.places if p.collection == collection)


def audit_names(entry_ids: Any, record: str) -> bool:
    """Whether an audit entry's ids name ``record``, ranges (``P-1..P-90``) included."""
    for item in entry_ids or ():
        if item == record:
            return True
        if ".." in str(item):
            first, _, last = str(item).partition("..")
            prefix = record.rsplit("-", 1)[0]
            if first.rsplit("-", 1)[0] == prefix == last.rsplit("-", 1)[0]:
                number = ids.number_of(record)
                if ids.number_of(first) <= number <= ids.number_of(last):
                    return True
    return False


def find(ws: Workspace, person: Participant) -> Found:
    """Every place ``person`` is held in ``ws``: one walk of every collection."""
    pid = person.id
    matcher = Matcher(person, with_id=True)
    places: list[Place] = []
    docs: dict[tuple[str, str], dict[str, Any]] = {}
    for collection in ws.storage.collections():
        for doc in ws.storage.iterate(collection):
            paths: list[str] = []
            if collection == "participants" and doc.get("id") != pid:
                # Another person's own name and contact details are theirs, not a
                # mention of this person ("Ann" is not about every other Ann).
                whole = _walk({k: v for k, v in doc.items() if k not in _IDENTITY}, "", pid,
                              matcher, paths)
            else:
                whole = _walk(doc, "", pid, matcher, paths)
            if paths:
                record_id = str(doc.get("id", ""))
                places.append(Place(collection=collection, record_id=record_id,
                                    fields=tuple(paths), whole=whole))
                docs[(collection, record_id)] = doc
    audit = tuple(e for e in ws.audit()
                  if audit_names(e.get("ids"), pid) or matcher.mentions(e.get("actor")))
    return Found(person=person, places=tuple(places), audit=audit, docs=docs)


_SKIP = frozenset({"schema_version"})
_IDENTITY = frozenset({"name", "pseudonym", "email", "phone"})


def _walk(value: Any, path: str, pid: str, matcher: Matcher, out: list[str]) -> bool:
    """Add to ``out`` the paths under ``value`` that hold the person; True if all of it."""
    if isinstance(value, dict):
        if any(v == pid for k, v in value.items() if isinstance(v, str) and k not in _SKIP):
            out.extend(_leaves(value, path))
            return True
        for key, item in value.items():
            if key not in _SKIP:
                _walk(item, f"{path}.{key}" if path else key, pid, matcher, out)
        return False
    if isinstance(value, list | tuple):
        for i, item in enumerate(value):
            if isinstance(item, str) and item == pid:
                out.append(f"{path}[{i}]")
            else:
                _walk(item, f"{path}[{i}]", pid, matcher, out)
        return False
    if isinstance(value, str) and matcher.mentions(value):
        out.append(path)
    return False


def _leaves(value: Any, path: str) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key not in _SKIP:
                yield from _leaves(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list | tuple) and value:
        for i, item in enumerate(value):
            yield from _leaves(item, f"{path}[{i}]")
    else:
        yield path or "."


# ---------------------------------------------------------------- other people


_WORD = re.compile(r"\w+")
_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"\+?\d[\d\s\-.()]{4,}\d")
#: A participant id in text (``P-12``), as people write it.
_PARTICIPANT_ID = re.compile(r"(?<![\w-])[Pp]-?(\d{1,12})(?!\d)")


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


class Others:
    """Redacts everyone but one person from text: names, pseudonyms, contact, ids.

    Other participants are found as :class:`~coprod_core.privacy.Matcher`
    finds a person (a name of several words whatever its case, a single word
    as written or in capitals), from one index of everyone, so a text costs
    one pass however many people the workspace holds. Every participant id
    but the person's own is redacted, and so is every email address and any
    phone number of another participant. A word that is also part of the
    person's own name is left: it may be them.
    """

    def __init__(self, people: Iterable[Any], person: Participant) -> None:
        self.pid = person.id
        own = {_nfc(w) for n in (person.name, person.pseudonym) if n for w in n.split()}
        own |= {w.upper() for w in own}
        self.own_email = (person.email or "").casefold()
        self.own_phone = "".join(c for c in person.phone or "" if c.isdigit())
        self.exact: set[str] = set()
        self.phrases: set[str] = set()
        self.phones: set[str] = set()
        self.longest = 1
        for other in people:  # participant records or their stored documents
            get = other.get if isinstance(other, dict) else partial(getattr, other)
            if get("id") == person.id or get("erased_at") is not None:
                continue
            for name in (get("name"), get("pseudonym")):
                if not name:
                    continue
                words = [_nfc(w) for w in name.split()]
                if len(words) > 1:
                    self.phrases.add(" ".join(words).casefold())
                    self.longest = max(self.longest, len(words))
                    parts = [w for w in words if len(w) >= 3]
                else:
                    parts = words
                for word in parts:
                    if word not in own:
                        self.exact.update((word, word.upper()))
            digits = "".join(c for c in get("phone") or "" if c.isdigit())
            if len(digits) >= 6 and digits != self.own_phone:
                self.phones.add(digits)

    def redact(self, text: str) -> str:
        """``text`` with everyone else in it replaced by :data:`REDACTED`."""
        if not text:
            return text
        text = _nfc(text)
        text = _PARTICIPANT_ID.sub(self._id, text)
        text = _EMAIL.sub(self._email, text)
        if self.phones:
            text = _PHONE.sub(self._phone, text)
        if self.exact or self.phrases:
            text = self._names(text)
        return text

    def redact_id(self, text: str) -> str:
        """An id as an export shows it: another participant's reads :data:`REDACTED`."""
        return _PARTICIPANT_ID.sub(self._id, text)

    def redact_value(self, value: Any) -> Any:
        """Any JSON-like value with every string redacted."""
        if isinstance(value, str):
            return self.redact(value)
        if isinstance(value, dict):
            return {k: self.redact_value(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.redact_value(v) for v in value]
        return value

    def _id(self, match: re.Match[str]) -> str:
        same = ids.format_id("participants", int(match.group(1))) == self.pid
        return match.group(0) if same else REDACTED

    def _email(self, match: re.Match[str]) -> str:
        return match.group(0) if match.group(0).casefold() == self.own_email else REDACTED

    def _phone(self, match: re.Match[str]) -> str:
        digits = "".join(c for c in match.group(0) if c.isdigit())
        return REDACTED if digits in self.phones else match.group(0)

    def _names(self, text: str) -> str:
        words = list(_WORD.finditer(text))
        spans: list[tuple[int, int]] = []
        i = 0
        while i < len(words):
            taken = 0
            for n in range(min(self.longest, len(words) - i), 1, -1):
                run = words[i:i + n]
                if all(text[a.end():b.start()].isspace() for a, b in itertools.pairwise(run)):
                    phrase = " ".join(w.group(0) for w in run).casefold()
                    if phrase in self.phrases:
                        taken = n
                        break
            if not taken and words[i].group(0) in self.exact:
                taken = 1
            if taken:
                spans.append((words[i].start(), words[i + taken - 1].end()))
                i += taken
            else:
                i += 1
        for start, end in reversed(spans):
            text = text[:start] + REDACTED + text[end:]
        return text
