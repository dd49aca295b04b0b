"""coprod-plain: reports as short lines of plain text, one fact to a line."""

from __future__ import annotations

from typing import Any

from coprod_core import hookimpl


def render(report: Any, options: Any) -> bytes:
    from coprod_core.reports import Chart, Metrics, Paragraph, Table
    from coprod_core.reports.text import show

    lines = [report.title.upper(), report.organisation, report.period, ""]
    if report.summary:
        lines += [report.summary, ""]
    lines += ["About the numbers: " + report.disclosure.note, ""]
    for section in report.sections:
        lines += [section.title.upper(), ""]
        for block in section.blocks:
            if isinstance(block, Paragraph):
                lines.append(block.fill(show))
            elif isinstance(block, Metrics):
                lines += [f"{m.label}: {show(m.value, m.type)}." for m in block.items]
            elif isinstance(block, Table):
                lines.append(block.title + ".")
                rows = list(block.rows)
                if not rows:
                    lines.append(block.empty)
                if block.totals is not None:
                    rows.append(block.totals)
                for first, *rest in rows:
                    facts = [f"{column.label}: {show(value, column.type)}"
                             for value, column in zip(rest, block.columns[1:], strict=True)]
                    lines.append(f"{show(first, block.columns[0].type)}. "
                                 + ". ".join(facts) + ".")
            elif isinstance(block, Chart):
                lines.append(block.title + ".")
                for i, label in enumerate(block.labels):
                    lines.append(f"{label}: " + ", ".join(
                        show(series.values[i], block.type) for series in block.series) + ".")
            lines.append("")
    return "\n".join(lines).encode("utf-8")


@hookimpl
def coprod_register_report_formats(register: Any) -> None:
    from coprod_core.reports import ReportFormat

    register("plain", ReportFormat(
        name="plain", extension="txt", render=render,
        description="Short lines of plain text, one fact to a line.",
    ))
