"""The built-in report kinds and formats.

Registered through the ``coprod`` entry-point group like any plugin. Each
kind and format module is imported only when a report is built or written.
"""

from __future__ import annotations

import importlib
from typing import Any

from coprod_core import hookimpl

__version__ = "0.1.0"


def _lazy(module: str, attribute: str = "build") -> Any:
    def call(*args: Any) -> Any:
        return getattr(importlib.import_module(f"{__name__}.{module}"), attribute)(*args)

    call.__name__ = f"{module}.{attribute}"
    return call


@hookimpl
def coprod_register_report_kinds(register: Any) -> None:
    from coprod_core.reports import ReportKind

    kinds = (
        ("summary", "Summary",
         "The main figures of a period: who took part, sessions, tensions and promises."),
        ("commitments", "You said, we did",
         "Every promise: what it answered, who made it, their power, and whether it was "
         "kept; how often promises are kept at each level of power."),
        ("tensions", "Tensions",
         "Tensions by kind and where they stand, how quickly they were heard, and those "
         "being held, with their history."),
        ("participation", "Who takes part",
         "Who took part and who came back; breakdowns by the answers people agreed to give."),
        ("ladder", "The ladder of co-production",
         "Where lived-experience members and staff placed each session on the ladder, "
         "and the gap between them."),
    )
    for name, title, description in kinds:
        register(name, ReportKind(name=name, title=title, description=description,
                                  build=_lazy(name)))
    register("session", ReportKind(
        name="session", title="Session record", arguments=("SESSION_ID",),
        description="One session's record to share back: who came, what was raised, what "
                    "was promised and what was agreed next.",
        build=_lazy("session"),
    ))


@hookimpl
def coprod_register_report_formats(register: Any) -> None:
    from coprod_core.reports import ReportFormat

    register("markdown", ReportFormat(
        name="markdown", extension="md", render=_lazy("markdown", "render"),
        description="Plain text that reads well as it is and on a code-hosting site."))
    register("html", ReportFormat(
        name="html", extension="html", render=_lazy("html", "render"),
        description="One self-contained web page with charts; prints well."))
    register("csv", ReportFormat(
        name="csv", extension="csv", render=_lazy("csv_format", "render"), folder=True,
        text=False,
        description="A folder of spreadsheet-safe CSV files, one per table."))
    register("json", ReportFormat(
        name="json", extension="json", render=_lazy("json_format", "render"),
        description="The report document as JSON (schema: docs/report-schema.json)."))
