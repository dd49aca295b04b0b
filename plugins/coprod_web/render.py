"""What templates may call: showing report cells and charts, dates, form keys.

A report document (:class:`coprod_core.reports.Report`) is shown in a page
by ``coprod/report.html``'s macros, block by block; the figures come from
the document after disclosure, so a page never shows what a report hides.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from markupsafe import Markup

from coprod_core.reports import Chart, Column, Hidden, Metrics, Paragraph, Table, ValueType
from coprod_core.reports.text import is_number, show

HIDDEN_TITLE = "Hidden to protect privacy"


def cell(value: Any, kind: ValueType | str = ValueType.TEXT) -> Markup:
    """A report cell as escaped HTML; a hidden figure is an ``*`` that says why."""
    if isinstance(value, Hidden):
        return Markup(f'<abbr class="hidden-cell" title="{HIDDEN_TITLE}">*</abbr>')
    return Markup.escape(show(value, ValueType(kind)))


def block_kind(block: Any) -> str:
    for kind, name in ((Paragraph, "paragraph"), (Metrics, "metrics"), (Table, "table"),
                       (Chart, "chart")):
        if isinstance(block, kind):
            return name
    return "other"


def paragraph(block: Paragraph) -> Markup:
    from coprod_core.reports import Figure

    return Markup("").join(cell(p.value, p.type) if isinstance(p, Figure) else Markup.escape(p)
                           for p in block.parts())


def chart(block: Chart, n: int) -> Markup:
    """The chart as the HTML report draws it (its text is escaped there), and, for a
    single series of bars, a drawing made for a phone's width, shown there instead."""
    from coprod_reports.html import chart_figure

    figure = chart_figure(block, n)
    narrow = _narrow_bars(block, n)
    if narrow:
        figure = figure.replace("<svg ", '<svg class="wide" ', 1)
        figure = figure.replace("<details>", narrow + "<details>", 1)
    return Markup(figure)


def _narrow_bars(block: Chart, n: int) -> str:
    """Bars lying down, each label above its bar: legible 360 px wide, words at 15 px."""
    from html import escape

    if block.kind != "bar" or len(block.series) != 1:
        return ""
    values = block.series[0].values
    numbers = [float(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    top = float(block.maximum) if block.maximum is not None else max(numbers, default=0.0)
    width, row, bar = 360, 54, 290
    parts = [f'<svg class="narrow" viewBox="0 0 {width} {row * len(block.labels) + 8}" '
             f'role="img" aria-labelledby="chart-{n}-title chart-{n}-desc" '
             'xmlns="http://www.w3.org/2000/svg">']
    for i, (label, value) in enumerate(zip(block.labels, values, strict=True)):
        y = i * row
        parts.append(f'<text x="0" y="{y + 18}" font-size="15" fill="#1b1b1f">'
                     f"{escape(label)}</text>")
        parts.append(f'<rect x="0" y="{y + 26}" width="{bar}" height="18" fill="#e8ebef"/>')
        if isinstance(value, int | float) and not isinstance(value, bool) and top > 0:
            length = max(0.0, min(1.0, float(value) / top)) * bar
            parts.append(f'<rect x="0" y="{y + 26}" width="{length:.1f}" height="18" '
                         'fill="#00594f"/>')
        parts.append(f'<text x="{bar + 8}" y="{y + 40}" font-size="15" font-weight="700" '
                     f'fill="#1b1b1f">{escape(show(value, block.type))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def rows(table: Table) -> list[tuple[Any, ...]]:
    return list(table.rows)


def numeric(column: Column) -> bool:
    return is_number(column.type)


def day(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return f"{value.day} {value:%B %Y, %H:%M}"
    return f"{value.day} {value:%B %Y}"


def once_key() -> str:
    """A fresh idempotency key for a form: submitted twice, it is recorded once."""
    return secrets.token_urlsafe(16)


def words(value: str) -> str:
    """``partly_delivered`` -> ``partly delivered``."""
    return str(value).replace("_", " ")


def _label(table: str) -> Any:
    def label(value: Any) -> str:
        from coprod_reports import common

        return str(getattr(common, table).get(str(value), words(str(value)).capitalize()))

    return label


#: The words reports use for statuses, powers and kinds, so every page says the same.
commitment_status = _label("COMMITMENT_STATUS")
tension_status = _label("TENSION_STATUS")
authority = _label("AUTHORITY_LABELS")
tension_kind = _label("TENSION_KIND")

GLOBALS = {"block_kind": block_kind, "once_key": once_key, "rows": rows, "numeric": numeric,
           "chart": chart, "paragraph": paragraph}
FILTERS = {"cell": cell, "day": day, "words": words, "commitment_status": commitment_status,
           "tension_status": tension_status, "authority": authority, "tension_kind": tension_kind}
