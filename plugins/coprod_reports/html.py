"""The ``html`` format: one self-contained page, accessible and print-friendly.

No network: styles are inline, charts are inline SVG, and a Content Security
Policy forbids loading anything else. Every piece of text from the record is
escaped. An organisation can replace the page around the report with its own
template (``[reports] html_template = "path"``, a :class:`string.Template`
using ``$title``, ``$organisation``, ``$lang``, ``$css``, ``$header``,
``$body``, ``$footer``, ``$period`` and ``$generated``).

One piece: the page, its styles and the rendering of each block make one
format; they change together.
"""

from __future__ import annotations

import html
import math
import string
from collections.abc import Iterator, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from coprod_core.errors import ConfigError
from coprod_core.inputs import UnreadableFile, read_small_text
from coprod_core.reports import Chart, Figure, Hidden, Metrics, Paragraph, Report, Table, ValueType
from coprod_core.reports.text import is_number, show

PLACEHOLDERS = ("title", "organisation", "lang", "css", "header", "body", "footer", "period",
                "generated")
#: Series colours (with white, at least 4.5:1) and shapes, so colour is never the only cue.
COLOURS = ("#00594f", "#a3461a", "#3b4cc0", "#6b2c91")
HIDDEN_TITLE = "Hidden to protect privacy"
GAPS = ("* marks a figure hidden to protect privacy. Where a point is missing, too few "
        "people were counted to show it.")


def esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def cell(value: Any, kind: ValueType) -> str:
    if isinstance(value, Hidden):
        return f'<abbr class="hidden-cell" title="{HIDDEN_TITLE}">*</abbr>'
    return esc(show(value, kind))


def scroll_region(label: str) -> str:
    """The opening of a box a wide table scrolls in, sideways, on a narrow screen.

    It is a labelled region people can reach with the keyboard (Tab, then the
    arrow keys), as WCAG asks of anything that scrolls (axe-core's
    ``scrollable-region-focusable``).
    """
    return f'<div class="table-wrap" role="region" tabindex="0" aria-label="{esc(label)}">'


def chart_figure(chart: Chart, n: int) -> str:
    """One chart as a ``<figure>``: inline SVG, its description, and its figures as a table.

    ``n`` makes the SVG's ids unique on the page. Used by the web front too.
    """
    return "".join(_chart(chart, n))


def _resource(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def load_template(options: Mapping[str, Any]) -> string.Template:
    """The page template: the organisation's own if configured, else the built-in one."""
    workspace = options.get("workspace")
    configured = None
    if workspace is not None:
        configured = workspace.config.table("reports").get("html_template")
    if not configured or workspace is None:
        return string.Template(_resource("template.html"))
    path = Path(configured).expanduser()
    if not path.is_absolute() and workspace.root is not None:
        path = workspace.root / path
    where = workspace.config.path
    try:
        text = read_small_text(path)
    except FileNotFoundError:
        raise ConfigError(f"the HTML template {path} cannot be read (no such file)",
                          path=where, key="reports.html_template") from None
    except UnreadableFile as exc:
        raise ConfigError(f"the HTML template {path} {exc}",
                          path=where, key="reports.html_template") from None
    template = string.Template(text)
    names = set()
    for match in template.pattern.finditer(text):
        if match.group("invalid") is not None:
            raise ConfigError(f"the HTML template {path} has a stray $; write $$ for a dollar "
                              "sign", path=where, key="reports.html_template")
        name = match.group("named") or match.group("braced")
        if name:
            names.add(name)
    unknown = sorted(names - set(PLACEHOLDERS))
    if unknown:
        raise ConfigError(
            f"the HTML template {path} uses ${unknown[0]}; allowed: "
            + ", ".join(f"${p}" for p in PLACEHOLDERS), path=where, key="reports.html_template")
    if "body" not in names:
        raise ConfigError(f"the HTML template {path} has no $body, where the report goes",
                          path=where, key="reports.html_template")
    return template


def render(report: Report, options: Mapping[str, Any]) -> Iterator[bytes]:
    template = load_template(options)
    marker = "\x00coprod-body\x00"
    page = template.substitute(
        title=esc(report.title), organisation=esc(report.organisation or "coprod"),
        lang="en-GB", css=_resource("style.css"), header=_header(report), body=marker,
        footer=_footer(report), period=esc(report.period),
        generated=esc(f"{report.generated_at:%Y-%m-%d %H:%M} UTC"),
    )
    before, _, after = page.partition(marker)
    yield before.encode("utf-8")
    for chunk in _body(report):
        yield chunk.encode("utf-8")
    yield after.encode("utf-8")


def esc_fill(paragraph: Paragraph) -> str:
    """A paragraph's text escaped, with its (published) figures filled in."""
    return "".join(cell(p.value, p.type) if isinstance(p, Figure) else esc(p)
                   for p in paragraph.parts())


def _header(report: Report) -> str:
    org = f'<p class="org">{esc(report.organisation)}</p>\n' if report.organisation else ""
    return (f"{org}<h1>{esc(report.title)}</h1>\n"
            f'<p class="period">{esc(report.period)}</p>')


def _footer(report: Report) -> str:
    stamp = report.generated_at
    lines = [f"<p>Made with coprod on {stamp.day} {stamp:%B %Y at %H:%M} UTC.</p>"]
    if report.parameters:
        shown = "; ".join(f"{esc(k)}: {esc(v)}" for k, v in report.parameters.items())
        lines.append(f"<p>Asked for: {shown}.</p>")
    return "\n".join(lines)


def _body(report: Report) -> Iterator[str]:
    if report.summary:
        yield f'<p class="lede">{esc(report.summary)}</p>\n'
    if report.disclosure is not None:
        internal = "" if report.disclosure.applied else " internal"
        label = "About the numbers" if report.disclosure.applied else "Internal use only"
        yield (f'<aside class="notice{internal}" aria-label="{label}"><p><strong>{label}.'
               f"</strong> {esc(report.disclosure.note)}</p></aside>\n")
    counter = 0
    for section in report.sections:
        yield f"<section>\n<h2>{esc(section.title)}</h2>\n"
        for block in section.blocks:
            counter += 1
            yield from _block(block, counter)
        yield "</section>\n"


def _block(block: Any, n: int) -> Iterator[str]:
    if isinstance(block, Paragraph):
        style = "" if block.style == "text" else f' class="{esc(block.style)}"'
        yield f"<p{style}>{esc_fill(block)}</p>\n"
    elif isinstance(block, Metrics):
        if block.title:
            yield f"<h3>{esc(block.title)}</h3>\n"
        yield '<ul class="metrics">\n'
        for m in block.items:
            note = f'<span class="note">{esc(m.note)}</span>' if m.note else ""
            yield (f'<li class="metric"><span class="value">{cell(m.value, m.type)}</span>'
                   f'<span class="label">{esc(m.label)}</span>{note}</li>\n')
        yield "</ul>\n"
    elif isinstance(block, Table):
        yield from _table(block)
    elif isinstance(block, Chart):
        yield from _chart(block, n)


def _table(table: Table) -> Iterator[str]:
    rows = iter(table.rows)
    first = next(rows, None)
    if first is None:
        yield f"<h3>{esc(table.title)}</h3>\n<p class=\"empty\">{esc(table.empty)}</p>\n"
        return
    kinds = [c.type for c in table.columns]
    refs = [c.key == "ref" for c in table.columns]
    caption = f"<strong>{esc(table.title)}</strong>"
    if table.description:
        caption += f"<span>{esc(table.description)}</span>"
    num = ' class="num"'
    head = "".join(
        f'<th scope="col"{num if is_number(k) else ""}>{esc(c.label)}</th>'
        for c, k in zip(table.columns, kinds, strict=True))
    yield (f'{scroll_region(table.title)}<table>\n<caption>{caption}</caption>\n'
           f"<thead><tr>{head}</tr></thead>\n<tbody>\n")

    opens, closes = [], []
    for i, kind in enumerate(kinds):
        classes = " ".join(c for c in ("num" if is_number(kind) else "",
                                        "ref" if refs[i] else "") if c)
        attr = f' class="{classes}"' if classes else ""
        opens.append(f'<th scope="row"{attr}>' if i == 0 else f"<td{attr}>")
        closes.append("</th>" if i == 0 else "</td>")
    columns = list(zip(kinds, opens, closes, strict=True))

    def line(row: Any) -> str:
        parts = ["<tr>"]
        for value, (kind, start, end) in zip(row, columns, strict=True):
            text = html.escape(value) if value.__class__ is str else cell(value, kind)
            parts += (start, text, end)
        parts.append("</tr>\n")
        return "".join(parts)

    yield line(first)
    for row in rows:
        yield line(row)
    yield "</tbody>\n"
    if table.totals is not None:
        yield f"<tfoot>{line(table.totals)}</tfoot>\n"
    yield "</table></div>\n"


# ------------------------------------------------------------ charts

def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _nice_top(largest: float) -> tuple[float, float]:
    """A round top for the value axis, and the step between grid lines."""
    if largest <= 0:
        return 1.0, 1.0
    raw = largest / 4
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    return step * math.ceil(largest / step), step


def _scale(chart: Chart) -> tuple[float, float]:
    known = [v for s in chart.series for v in map(_number, s.values) if v is not None]
    if chart.maximum is not None:
        top = float(chart.maximum)
        return top, 1.0 if top <= 10 else _nice_top(top)[1]
    return _nice_top(max(known, default=0))


def _svg_open(chart: Chart, n: int, width: int, height: int) -> list[str]:
    title_id, desc_id = f"chart-{n}-title", f"chart-{n}-desc"
    return [f'<svg viewBox="0 0 {width} {height}" role="img" '
            f'aria-labelledby="{title_id} {desc_id}" xmlns="http://www.w3.org/2000/svg">',
            f'<title id="{title_id}">{esc(chart.title)}</title>',
            f'<desc id="{desc_id}">{esc(chart.alt)} {esc(_figures_text(chart))}</desc>']


def _unit(chart: Chart) -> str:
    return "%" if chart.type is ValueType.PERCENT else ""


def _across(chart: Chart, n: int) -> list[str]:
    """Bars lying down, one per label: for long labels, read without tilting the head."""
    top, step = _scale(chart)
    row, left, right, above = 34, 300, 48, 10
    width = 760
    plot_w = width - left - right
    height = above + row * len(chart.labels) + 30
    parts = _svg_open(chart, n, width, height)
    ticks = round(top / step) if step else 0
    base_y = above + row * len(chart.labels)
    for i in range(ticks + 1):
        x = left + plot_w * (i * step) / top
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{above}" y2="{base_y}" '
                     f'stroke="{"#1b1b1f" if i == 0 else "#d5d9df"}" stroke-width="1"/>')
        parts.append(f'<text x="{x:.1f}" y="{base_y + 18}" text-anchor="middle" '
                     f'font-size="12" fill="#4a4f57">{esc(f"{i * step:g}{_unit(chart)}")}'
                     "</text>")
    series = chart.series[0]
    for i, (label, value) in enumerate(zip(chart.labels, series.values, strict=True)):
        y = above + row * i
        parts.append(f'<text x="{left - 10}" y="{y + row / 2 + 4:.1f}" text-anchor="end" '
                     f'font-size="13" fill="#1b1b1f">{esc(_short(label, 44))}</text>')
        number = _number(value)
        text = show(value, chart.type)
        length = 0.0 if number is None else plot_w * number / top if top else 0.0
        if number is not None and length > 0:
            parts.append(f'<rect x="{left}" y="{y + 6}" width="{length:.1f}" '
                         f'height="{row - 12}" fill="{COLOURS[0]}"><title>{esc(label)}: '
                         f"{esc(text)}</title></rect>")
        parts.append(f'<text x="{left + length + 6:.1f}" y="{y + row / 2 + 4:.1f}" '
                     f'font-size="12" fill="#1b1b1f">{esc(text)}</text>')
    parts.append("</svg>")
    return parts


def _chart(chart: Chart, n: int) -> Iterator[str]:
    if chart.kind == "bar" and len(chart.series) == 1 and \
            max((len(label) for label in chart.labels), default=0) > 14:
        parts = _across(chart, n)
    else:
        parts = _upright(chart, n)
    legend = ""
    if len(chart.series) > 1:
        keys = "".join(
            f'<li><span class="key" style="background:{COLOURS[i % len(COLOURS)]}"></span>'
            f"{esc(s.name)}</li>" for i, s in enumerate(chart.series))
        legend = f'<ul class="legend">{keys}</ul>'
    gaps = ""
    if any(isinstance(v, Hidden) for s in chart.series for v in s.values):
        gaps = (f'<p class="note">{esc(GAPS)}</p>')
    yield (f'<figure class="chart"><figcaption>{esc(chart.title)}'
           f'<span class="alt">{esc(chart.alt)}</span></figcaption>{legend}'
           + "".join(parts) + gaps + _figures_table(chart) + "</figure>\n")


def _upright(chart: Chart, n: int) -> list[str]:
    """Bars standing up, or lines, with the labels along the bottom."""
    top, step = _scale(chart)
    width, height = 760, 320
    left, right, above, below = 56, 16, 16, 70
    plot_w, plot_h = width - left - right, height - above - below

    def y(value: float) -> float:
        return above + plot_h - (value / top) * plot_h if top else above + plot_h

    parts = _svg_open(chart, n, width, height)
    ticks = round(top / step) if step else 0
    for i in range(ticks + 1):
        value = i * step
        ty = y(value)
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{ty:.1f}" y2="{ty:.1f}" '
                     f'stroke="{"#1b1b1f" if i == 0 else "#d5d9df"}" stroke-width="1"/>')
        label = f"{value:g}{_unit(chart)}"
        parts.append(f'<text x="{left - 8}" y="{ty + 4:.1f}" text-anchor="end" '
                     f'font-size="12" fill="#4a4f57">{esc(label)}</text>')
    if chart.axis:
        parts.append(f'<text x="14" y="{above + plot_h / 2:.1f}" font-size="12" '
                     f'fill="#4a4f57" text-anchor="middle" '
                     f'transform="rotate(-90 14 {above + plot_h / 2:.1f})">'
                     f"{esc(chart.axis)}</text>")
    count = max(len(chart.labels), 1)
    slot = plot_w / count
    rotate = count > 8 or max((len(label) for label in chart.labels), default=0) * 7 > slot
    for i, label in enumerate(chart.labels):
        cx = left + slot * (i + 0.5)
        if rotate:
            parts.append(f'<text x="{cx:.1f}" y="{above + plot_h + 14}" font-size="11" '
                         f'fill="#1b1b1f" text-anchor="end" '
                         f'transform="rotate(-35 {cx:.1f} {above + plot_h + 14})">'
                         f"{esc(_short(label, 22))}</text>")
        else:
            parts.append(f'<text x="{cx:.1f}" y="{above + plot_h + 18}" font-size="12" '
                         f'fill="#1b1b1f" text-anchor="middle">{esc(label)}</text>')
    if chart.kind == "bar":
        parts.extend(_bars(chart, left, slot, y, above + plot_h))
    else:
        parts.extend(_lines(chart, left, slot, y))
    parts.append("</svg>")
    return parts


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _bars(chart: Chart, left: float, slot: float, y: Any, base: float) -> Iterator[str]:
    groups = len(chart.series)
    bar = min(slot * 0.8 / groups, 56)
    for s_index, series in enumerate(chart.series):
        colour = COLOURS[s_index % len(COLOURS)]
        for i, value in enumerate(series.values):
            x = left + slot * (i + 0.5) - bar * groups / 2 + bar * s_index
            number = _number(value)
            text = show(value, chart.type)
            if number is None:
                yield (f'<text x="{x + bar / 2:.1f}" y="{base - 6:.1f}" font-size="12" '
                       f'text-anchor="middle" fill="#1b1b1f">{esc(text)}</text>')
                continue
            top = y(number)
            yield (f'<rect x="{x + 1:.1f}" y="{top:.1f}" width="{max(bar - 2, 1):.1f}" '
                   f'height="{max(base - top, 0):.1f}" fill="{colour}">'
                   f"<title>{esc(series.name)}, {esc(chart.labels[i])}: {esc(text)}</title>"
                   "</rect>")
            if bar >= 18:
                yield (f'<text x="{x + bar / 2:.1f}" y="{top - 5:.1f}" font-size="11" '
                       f'text-anchor="middle" fill="#1b1b1f">{esc(text)}</text>')


def _lines(chart: Chart, left: float, slot: float, y: Any) -> Iterator[str]:
    for s_index, series in enumerate(chart.series):
        colour = COLOURS[s_index % len(COLOURS)]
        dash = "" if s_index == 0 else ' stroke-dasharray="7 4"'
        run: list[str] = []
        points: list[str] = []
        for i, value in enumerate(series.values):
            number = _number(value)
            x = left + slot * (i + 0.5)
            if number is None:
                if len(run) > 1:
                    points.append(" ".join(run))
                run = []
                continue
            run.append(f"{x:.1f},{y(number):.1f}")
        if len(run) > 1:
            points.append(" ".join(run))
        for line in points:
            yield (f'<polyline points="{line}" fill="none" stroke="{colour}" '
                   f'stroke-width="3"{dash}/>')
        for i, value in enumerate(series.values):
            number = _number(value)
            if number is None:
                continue
            x, py = left + slot * (i + 0.5), y(number)
            label = (f"<title>{esc(series.name)}, {esc(chart.labels[i])}: "
                     f"{esc(show(value, chart.type))}</title>")
            if s_index % 2 == 0:
                yield f'<circle cx="{x:.1f}" cy="{py:.1f}" r="5" fill="{colour}">{label}</circle>'
            else:
                yield (f'<rect x="{x - 5:.1f}" y="{py - 5:.1f}" width="10" height="10" '
                       f'fill="{colour}">{label}</rect>')


def _figures_text(chart: Chart) -> str:
    parts = []
    for series in chart.series:
        values = ", ".join(f"{label} {show(v, chart.type)}"
                           for label, v in zip(chart.labels, series.values, strict=True))
        parts.append(f"{series.name}: {values}.")
    return " ".join(parts)


def _figures_table(chart: Chart) -> str:
    head = "".join(f'<th scope="col" class="num">{esc(s.name)}</th>' for s in chart.series)
    body = "".join(
        f'<tr><th scope="row">{esc(label)}</th>'
        + "".join(f'<td class="num">{cell(s.values[i], chart.type)}</td>' for s in chart.series)
        + "</tr>"
        for i, label in enumerate(chart.labels))
    return (f"<details><summary>Show the figures</summary>{scroll_region(chart.title)}<table>"
            f"<caption><strong>{esc(chart.title)}</strong></caption>"
            f"<thead><tr><th scope=\"col\">Group</th>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table></div></details>")
