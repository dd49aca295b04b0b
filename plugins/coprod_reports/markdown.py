"""The ``markdown`` format: reads well as plain text and on a code-hosting site."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from coprod_core.reports import Chart, Figure, Hidden, Metrics, Paragraph, Report, Table, ValueType
from coprod_core.reports.text import is_number, show

GAPS = ("* marks a figure hidden to protect privacy. A blank or * in a chart means too "
        "few people were counted to show it.")

_SPACE = re.compile(r"\s+")
_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~])")


def escape(text: str) -> str:
    """``text`` on one line, with Markdown's special characters taken literally."""
    return _SPECIAL.sub(r"\\\1", _SPACE.sub(" ", str(text)))


def cell(value: Any, kind: ValueType) -> str:
    return escape(show(value, kind))


def render(report: Report, options: Mapping[str, Any]) -> Iterator[bytes]:
    for text in _lines(report):
        yield (text + "\n").encode("utf-8")


def _lines(report: Report) -> Iterator[str]:
    yield f"# {escape(report.title)}"
    yield ""
    org = f"**{escape(report.organisation)}** · " if report.organisation else ""
    yield f"{org}{escape(report.period)}"
    yield ""
    if report.summary:
        yield escape(report.summary)
        yield ""
    if report.disclosure:
        label = "About the numbers" if report.disclosure.applied else "Internal use only"
        yield f"> **{label}.** {escape(report.disclosure.note)}"
        yield ""
    for section in report.sections:
        yield f"## {escape(section.title)}"
        yield ""
        for block in section.blocks:
            yield from _block(block)
    stamp = report.generated_at
    yield "---"
    yield ""
    yield f"Made with coprod on {stamp.day} {stamp:%B %Y at %H:%M} UTC."


def _block(block: Any) -> Iterator[str]:
    if isinstance(block, Paragraph):
        text = "".join(cell(p.value, p.type) if isinstance(p, Figure) else escape(p)
                       for p in block.parts())
        yield f"*{text}*" if block.style != "text" else text
        yield ""
    elif isinstance(block, Metrics):
        if block.title:
            yield f"### {escape(block.title)}"
            yield ""
        for m in block.items:
            note = f" ({escape(m.note)})" if m.note else ""
            yield f"- **{escape(m.label)}:** {cell(m.value, m.type)}{note}"
        yield ""
    elif isinstance(block, Table):
        yield from _table(block)
    elif isinstance(block, Chart):
        yield from _chart(block)


def _table(table: Table) -> Iterator[str]:
    yield f"### {escape(table.title)}"
    yield ""
    if table.description:
        yield escape(table.description)
        yield ""
    rows = iter(table.rows)
    first = next(rows, None)
    if first is None:
        yield f"*{escape(table.empty)}*"
        yield ""
        return
    kinds = [c.type for c in table.columns]
    yield "| " + " | ".join(escape(c.label) for c in table.columns) + " |"
    yield "|" + "|".join("---:" if is_number(k) else "---" for k in kinds) + "|"

    def line(row: Any, bold: bool = False) -> str:
        cells = [cell(v, k) for v, k in zip(row, kinds, strict=True)]
        if bold:
            cells = [f"**{c}**" if c else c for c in cells]
        return "| " + " | ".join(cells) + " |"

    yield line(first)
    for row in rows:
        yield line(row)
    if table.totals is not None:
        yield line(table.totals, bold=True)
    yield ""


def _chart(chart: Chart) -> Iterator[str]:
    yield f"### {escape(chart.title)}"
    yield ""
    yield f"*Chart: {escape(chart.alt)}*"
    yield ""
    yield "| | " + " | ".join(escape(s.name) for s in chart.series) + " |"
    yield "|---|" + "|".join("---:" for _ in chart.series) + "|"
    for i, label in enumerate(chart.labels):
        values = " | ".join(cell(s.values[i], chart.type) for s in chart.series)
        yield f"| {escape(label)} | {values} |"
    yield ""
    if any(isinstance(v, Hidden) for s in chart.series for v in s.values):
        yield f"*{escape(GAPS)}*"
        yield ""
