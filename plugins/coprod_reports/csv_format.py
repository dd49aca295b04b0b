"""The ``csv`` format: spreadsheet-safe files in a folder, one per table.

OWASP's rule against formula injection: a text cell starting with ``=``,
``+``, ``-``, ``@``, a tab, a carriage return or a line feed is prefixed
with a single quote, and every field is quoted. Numbers stay numbers. Each
file starts with a UTF-8 byte order mark so that Excel reads names in any
alphabet correctly.

The folder holds ``00-about.csv`` (the title, organisation, period, when it
was made and how small numbers were treated), then one numbered file per
headline-figures block, table and chart, in the order the report shows them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from coprod_core.reports import Chart, Files, Hidden, Metrics, Paragraph, Report, Table, ValueType
from coprod_core.reports.text import HIDDEN, slug

BOM = "\ufeff".encode()
DANGEROUS = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_text(text: str) -> str:
    """``text`` as a spreadsheet will show it, never as a formula."""
    return "'" + text if text.startswith(DANGEROUS) else text


def value(cell: Any, kind: ValueType = ValueType.TEXT) -> Any:
    if isinstance(cell, Hidden):
        return HIDDEN
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "yes" if cell else "no"
    if isinstance(cell, int | float):
        return cell
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return safe_text(str(cell))


def _lines(rows: Iterable[Iterable[Any]]) -> Iterator[bytes]:
    yield BOM
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    for row in rows:
        writer.writerow(row)
        if buffer.tell() > 65536:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def _about(report: Report) -> Iterator[list[Any]]:
    yield ["About", "Value"]
    yield ["Report", value(report.title)]
    yield ["Organisation", value(report.organisation)]
    yield ["Period", value(report.period)]
    yield ["Made", report.generated_at.isoformat(timespec="seconds")]
    for key, shown in report.parameters.items():
        yield [value(f"Asked for: {key}"), value(shown)]
    if report.disclosure is not None:
        yield ["Small numbers", value(report.disclosure.note)]
    yield ["Hidden cells", HIDDEN]
    for section in report.sections:
        for block in section.blocks:
            if isinstance(block, Paragraph):
                yield [value(section.title), value(block.fill(lambda v, k: _plain(v, k)))]


def _plain(cell: Any, kind: ValueType) -> str:
    from coprod_core.reports.text import show

    return show(cell, kind)


def _table(table: Table) -> Iterator[list[Any]]:
    kinds = [c.type for c in table.columns]
    yield [value(_label(c.label, c.type)) for c in table.columns]
    for row in table.rows:
        yield [value(v, k) for v, k in zip(row, kinds, strict=True)]
    if table.totals is not None:
        yield [value(v, k) for v, k in zip(table.totals, kinds, strict=True)]


def _label(label: str, kind: ValueType) -> str:
    return f"{label} (%)" if kind is ValueType.PERCENT else label


def _metrics(block: Metrics) -> Iterator[list[Any]]:
    yield ["Figure", "Value", "Note"]
    for m in block.items:
        yield [value(_label(m.label, m.type)), value(m.value, m.type), value(m.note)]


def _chart(chart: Chart) -> Iterator[list[Any]]:
    yield ["", *(value(_label(s.name, chart.type)) for s in chart.series)]
    for i, label in enumerate(chart.labels):
        yield [value(label), *(value(s.values[i], chart.type) for s in chart.series)]


def render(report: Report, options: Mapping[str, Any]) -> Files:
    files: list[tuple[str, Iterable[bytes]]] = [("00-about.csv", _lines(_about(report)))]
    n = 0
    for section in report.sections:
        for block in section.blocks:
            if isinstance(block, Metrics):
                title, rows = block.title or section.title, _metrics(block)
            elif isinstance(block, Table):
                title, rows = block.title, _table(block)
            elif isinstance(block, Chart):
                title, rows = block.title, _chart(block)
            else:
                continue
            n += 1
            files.append((f"{n:02d}-{slug(title)}.csv", _lines(rows)))
    return Files(files)
