"""Names out of a report's free text: descriptions, notes, news, reasons, titles.

A report is built from what people wrote: tension descriptions, promises,
progress notes, what was agreed next, reasons for withdrawing a promise.
People write each other's names there ("Hồng Nhung will present to the
board"). Before any format sees a report, every string in it is searched for
the names, pseudonyms, email addresses and phone numbers of participants who
may not be named in it, and each is replaced by ``[a participant]``.

Who may not be named: without ``--names``, every participant (reports name
nobody unless asked); with it, everyone whose consent does not cover naming
(:func:`coprod_core.protection.consent.may_name`). The search is the one erasure
uses (:class:`coprod_core.protection.matcher.Matcher`: either Unicode normal form, any case,
accents kept), here matching a one-word name or pseudonym in any case too. An erased person's
name is already gone from the record.

Searching ten thousand people's names in every line of a long report would be
slow, so each text is first cut into words, and only the people whose whole
name, pseudonym or email could be in it (all its words are), or a part of
whose name is in it as the search would find it, are searched for properly.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from attrs import evolve

from ..reports.document import (
    Amount,
    Chart,
    Column,
    LazyRows,
    Metric,
    Metrics,
    Paragraph,
    Report,
    Section,
    Table,
)

if TYPE_CHECKING:
    from coprod_core.model import Participant
    from coprod_core.workspace import Workspace

#: What a name is replaced with.
PLACEHOLDER = "[a participant]"
#: What erasure leaves where a name was: a name too, as far as a reader goes.
_ERASED = "[removed]"

_WORD = re.compile(r"\w+")
_DIGITS = re.compile(r"\+?\d[\d\s\-.()]{4,}\d")
_PHONE_KEY = 6
_REMEMBER = 50_000


def _words(text: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFC", text).casefold())


class Redactor:
    """Takes the names of the given people out of any text.

    ``people`` yields ``(key, name, pseudonym, email, phone)``; ``person(key)``
    gives the :class:`Participant` when one of their words is found, or None
    when they may be named after all (so the full search is only built for
    the few that matter).
    """

    def __init__(self, people: Iterable[tuple[str, str | None, str | None, str | None,
                                              str | None]],
                 person: Any) -> None:
        self._person = person
        # Whole names, pseudonyms and emails (any case), by their first word.
        self._whole: dict[str, list[tuple[str, frozenset[str]]]] = defaultdict(list)
        # Parts of names (three letters or more), as written or in capitals.
        self._parts: dict[str, set[str]] = defaultdict(set)
        self._phones: dict[str, set[str]] = defaultdict(set)
        whole, parts, phones = self._whole, self._parts, self._phones
        for key, name, pseudonym, email, phone in people:
            for text in (name, pseudonym):
                if not text:
                    continue
                normal = text if text.isascii() else unicodedata.normalize("NFC", text)
                written = _WORD.findall(normal)
                # Cut as a text is cut (case-folding first), so that both agree.
                words = _WORD.findall(normal.casefold())
                if words:
                    whole[words[0]].append((key, frozenset(words)))
                for word in written:
                    # A number alone ("Person 100") is not how anyone is named.
                    if len(word) >= 3 and not word.isdigit():
                        parts[word].add(key)
                        parts[word.upper()].add(key)
            if email:
                words = _words(email)
                if words:
                    whole[words[0]].append((key, frozenset(words)))
            if phone:
                digits = "".join(c for c in phone if c.isdigit())
                if len(digits) >= _PHONE_KEY:
                    phones[digits[:_PHONE_KEY]].add(key)
        self._matchers: dict[str, Any] = {}
        # Reports repeat their labels ("Agreed", "Member of staff") on every row.
        self._done: dict[str, str] = {}

    @classmethod
    def for_workspace(cls, ws: Workspace, *, names: bool) -> Redactor:
        """Everyone in ``ws`` who may not be named (everyone, unless ``names``)."""
        from .. import serialise
        from .consent import may_name

        def rows() -> Iterator[tuple[str, str | None, str | None, str | None, str | None]]:
            for doc in ws.storage.iterate("participants"):
                if doc.get("erased_at"):
                    continue
                yield (doc["id"], doc.get("name"), doc.get("pseudonym"), doc.get("email"),
                       doc.get("phone"))

        def person(key: str) -> Participant | None:
            doc = ws.storage.get("participants", key)
            if doc is None:
                return None
            found: Participant = serialise.structure("participants", doc)
            if found.is_erased or (names and may_name(found)):
                return None
            return found

        return cls(rows(), person)

    def _matcher(self, key: str) -> Any:
        if key not in self._matchers:
            from .matcher import Matcher

            person = self._person(key)
            self._matchers[key] = None if person is None else Matcher(person, any_case=True)
        return self._matchers[key]

    def text(self, text: str) -> str:
        """``text`` with every name it holds of someone who may not be named replaced."""
        if not text:
            return text
        done = self._done.get(text)
        if done is None:
            done = self._redact(text)
            if len(self._done) < _REMEMBER:
                self._done[text] = done
        return done

    def _redact(self, text: str) -> str:
        found: set[str] = set()
        normal = unicodedata.normalize("NFC", text)
        folded = set(_WORD.findall(normal.casefold()))
        for word in folded:
            for key, words in self._whole.get(word, ()):
                if words <= folded:
                    found.add(key)
        for word in set(_WORD.findall(normal)):
            keys = self._parts.get(word)
            if keys:
                found |= keys
        if self._phones:
            for run in _DIGITS.findall(text):
                digits = "".join(c for c in run if c.isdigit())
                for i in range(len(digits) - _PHONE_KEY + 1):
                    found |= self._phones.get(digits[i:i + _PHONE_KEY], set())
        if not found and _ERASED not in text:
            return text
        text = unicodedata.normalize("NFC", text)
        for key in sorted(found):
            matcher = self._matcher(key)
            if matcher is not None:
                text = matcher.scrub(text, PLACEHOLDER)
        return text.replace(_ERASED, PLACEHOLDER)

    # ---------------------------------------------------------- documents

    def value(self, value: Any) -> Any:
        return self.text(value) if isinstance(value, str) else value

    def _optional(self, text: str | None) -> str | None:
        return None if text is None else self.text(text)

    def report(self, report: Report) -> Report:
        """``report`` with names taken out of every string in it, in every block."""
        text = self.text
        return evolve(
            report, title=text(report.title), summary=self._optional(report.summary),
            parameters={k: text(v) for k, v in report.parameters.items()},
            sections=tuple(Section(title=text(s.title),
                                   blocks=tuple(self._block(b) for b in s.blocks))
                           for s in report.sections))

    def _block(self, block: Any) -> Any:
        text, optional, value = self.text, self._optional, self.value
        if isinstance(block, Paragraph):
            return evolve(block, text=text(block.text), figures={
                k: evolve(f, value=value(f.value)) for k, f in block.figures.items()})
        if isinstance(block, Metrics):
            return evolve(block, title=optional(block.title), items=tuple(
                self._block(m) for m in block.items))
        if isinstance(block, Metric):
            return evolve(block, label=text(block.label), note=optional(block.note),
                          value=self._cell(block.value))
        if isinstance(block, Table):
            cell = self._cell

            def row(cells: Any) -> tuple[Any, ...]:
                return tuple(cell(c) for c in cells)

            rows = block.rows.mapped(row) if isinstance(block.rows, LazyRows) else tuple(
                row(r) for r in block.rows)
            return evolve(block, title=text(block.title), description=optional(
                block.description), empty=text(block.empty), rows=rows,
                totals=None if block.totals is None else row(block.totals),
                columns=tuple(Column(key=c.key, label=text(c.label), type=c.type,
                                     total_of=c.total_of) for c in block.columns))
        if isinstance(block, Chart):
            return evolve(block, title=text(block.title), alt=text(block.alt),
                          axis=optional(block.axis),
                          labels=tuple(text(label) for label in block.labels),
                          series=tuple(evolve(s, name=text(s.name),
                                              values=tuple(self._cell(v) for v in s.values))
                                       for s in block.series))
        return block

    def _cell(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Amount) and isinstance(value.value, str):
            return evolve(value, value=self.text(value.value))
        return value
