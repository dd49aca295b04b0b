"""Checks any report, in any format, for what it must never give away.

For a plugin's report kind or format as much as for the built-in ones::

    from coprod_core.testing.reports import check_report

    def test_my_report_keeps_small_numbers_safe(workspace):
        check_report(workspace, "my-kind")

:func:`check_report` builds the report, then asserts that

- no hidden count can be worked out from the published figures
  (:func:`coprod_core.reports.disclosure.verify`);
- the value behind a hidden figure appears nowhere in any format's output,
  unless the document shows that same number elsewhere;
- nobody who may not be named is named: no name, pseudonym or email of
  theirs appears in any format's output, in either Unicode normal form or
  any case.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from html.parser import HTMLParser
from typing import Any

from coprod_core.reports import (
    Amount,
    Chart,
    Count,
    Files,
    Hidden,
    LazyRows,
    Metric,
    Metrics,
    Paragraph,
    Params,
    Report,
    Table,
    ValueType,
    formats,
    kind_named,
    publish,
    render,
)
from coprod_core.reports.disclosure import verify
from coprod_core.reports.text import show

__all__ = ["check_report", "hidden_values", "names_in", "rendered", "unexplained_numbers"]

_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


def _numbers(text: str) -> set[str]:
    found = set()
    for token in _NUMBER.findall(text):
        token = token.replace(",", "").rstrip(".")
        if "." in token:
            whole, _dot, part = token.partition(".")
            found.add(f"{int(whole)}.{part}")
        else:
            found.add(str(int(token)))
    return found


class _Text(HTMLParser):
    """What a person (or a screen reader) gets from a page: text and labels, not geometry."""

    SKIP = frozenset({"style", "script"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0
        self._svg = 0
        self._label = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self._skip += 1
        if tag == "svg":
            self._svg += 1
        if tag in ("desc", "title"):
            self._label += 1
        for name, value in attrs:
            if name in ("aria-label", "title", "alt") and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self._skip -= 1
        if tag == "svg":
            self._svg -= 1
        if tag in ("desc", "title"):
            self._label -= 1

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._svg and not self._label:
            return  # axis ticks and coordinates are worked out from published values
        self.parts.append(data)


def _json_text(value: Any, key: str = "") -> Iterator[str]:
    if isinstance(value, dict):
        for k, v in value.items():
            if k in ("schema_version", "threshold", "rounding", "maximum", "$schema"):
                continue
            yield from _json_text(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from _json_text(v, key)
    elif isinstance(value, str | int | float) and not isinstance(value, bool):
        yield str(value)


def rendered(report: Report, pm: Any) -> dict[str, str]:
    """The report written in every registered format, as the text a reader gets."""
    out = {}
    for name, report_format in formats(pm).items():
        output = render(report, report_format, {})
        if isinstance(output, Files):
            chunks = []
            for _file, content in output:
                data = content if isinstance(content, bytes) else b"".join(content)
                rows = csv.reader(io.StringIO(data.decode("utf-8-sig")))
                chunks.append("\n".join(" | ".join(row) for row in rows))
            out[name] = "\n".join(chunks)
            continue
        data = output if isinstance(output, bytes) else b"".join(output)
        text = data.decode("utf-8")
        if name == "json":
            text = "\n".join(_json_text(json.loads(text)))
        elif name == "html":
            parser = _Text()
            parser.feed(text)
            text = "\n".join(parser.parts)
        elif name == "markdown":
            text = re.sub(r"\\(.)", r"\1", text)
        out[name] = html.unescape(text) if name != "html" else text
    return out


def _cells(block: Any) -> Iterator[tuple[Any, ValueType]]:
    if isinstance(block, Metrics):
        for m in block.items:
            yield m.value, m.type
    elif isinstance(block, Metric):
        yield block.value, block.type
    elif isinstance(block, Paragraph):
        for f in block.figures.values():
            yield f.value, f.type
    elif isinstance(block, Chart):
        for s in block.series:
            for v in s.values:
                yield v, block.type
    elif isinstance(block, Table):
        rows: Iterable[Any] = block.rows if not isinstance(block.rows, LazyRows) else list(
            block.rows)
        for row in [*rows, *([block.totals] if block.totals is not None else [])]:
            for v, c in zip(row, block.columns, strict=True):
                yield v, c.type


def _strings(report: Report) -> Iterator[str]:
    yield from (report.title, report.organisation, report.summary or "", report.period)
    yield from report.parameters.values()
    if report.disclosure is not None:
        yield report.disclosure.note
    stamp = report.generated_at
    yield stamp.isoformat()
    yield f"{stamp:%d %m %Y %H %M}"
    for day in (report.period_from, report.period_to):
        if day is not None:
            yield day.isoformat()
    for section in report.sections:
        yield section.title
        for block in section.blocks:
            for name in ("title", "text", "description", "empty", "alt", "axis", "label",
                         "note"):
                value = getattr(block, name, None)
                if isinstance(value, str):
                    yield value
            if isinstance(block, Metrics):
                for m in block.items:
                    yield m.label
                    yield m.note or ""
            if isinstance(block, Table):
                for c in block.columns:
                    yield c.label
            if isinstance(block, Chart):
                yield from block.labels
                yield from (s.name for s in block.series)
                if block.maximum is not None:
                    yield str(block.maximum)
            for value, kind in _cells(block):
                if isinstance(value, Hidden) or value is None:
                    continue
                yield show(value, kind)
                yield str(value)
                if hasattr(value, "isoformat"):
                    yield value.isoformat()


def hidden_values(raw: Report, published: Report) -> set[str]:
    """The numbers behind the figures ``published`` hides (as ``raw`` holds them)."""
    found: set[str] = set()
    for raw_section, section in zip(raw.sections, published.sections, strict=True):
        for raw_block, block in zip(raw_section.blocks, section.blocks, strict=True):
            for (before, _k), (after, _kind) in zip(_cells(raw_block), _cells(block),
                                                    strict=True):
                if not isinstance(after, Hidden):
                    continue
                value = before.value if isinstance(before, Count | Amount) else before
                if isinstance(value, bool):
                    continue
                if isinstance(value, int) and value > 0:
                    found.add(str(value))
                elif isinstance(value, str):
                    found |= _numbers(value)
    return found


def unexplained_numbers(published: Report, text: str) -> set[str]:
    """Numbers in ``text`` that the published document does not show anywhere."""
    shown: set[str] = set()
    for part in _strings(published):
        shown |= _numbers(part)
    return _numbers(text) - shown


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


def names_in(text: str, words: Iterable[str]) -> list[str]:
    """Which of ``words`` (names, pseudonyms, emails) ``text`` holds, in any form or case."""
    folded = _fold(text)
    return [w for w in words if re.search(rf"(?<!\w){re.escape(_fold(w))}(?!\w)", folded)]


def check_report(ws: Any, kind: str, params: Params | None = None, *,
                 unnamed: Iterable[str] = ()) -> Report:
    """Build ``kind`` and assert it gives nothing away in any format; returns it.

    ``unnamed``: names, pseudonyms and emails that must not appear. By
    default, those of every participant ``params`` may not name.
    """
    params = params or Params()
    chosen = kind_named(ws.plugins, kind)
    published = publish(ws, chosen.build(ws, params), names=params.names)
    raw = chosen.build(ws, params)
    problems = verify(published)
    assert not problems, problems
    hidden = hidden_values(raw, published)
    words = list(unnamed) or _unnamed(ws, params)
    for name, text in rendered(published, ws.plugins).items():
        leaked = hidden & unexplained_numbers(published, text)
        assert not leaked, f"{kind} in {name} shows hidden figures {sorted(leaked)}"
        found = names_in(text, words)
        assert not found, f"{kind} in {name} names {found}"
    return published


def _unnamed(ws: Any, params: Params) -> list[str]:
    from coprod_core.privacy import may_name

    words = []
    for person in ws.participants():
        if person.erased_at is not None or (params.names and may_name(person)):
            continue
        words += [w for w in (person.name, person.pseudonym, person.email) if w]
    return words
