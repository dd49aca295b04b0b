"""Reports: what a report says (a kind) apart from how it is written (a format).

A :class:`ReportKind` builds a :class:`Report` document from a workspace; the
disclosure rule (:mod:`.disclosure`) is applied to the document once; a
:class:`ReportFormat` writes the result. Kinds and formats are registered by
plugins (``coprod_register_report_kinds``, ``coprod_register_report_formats``),
so a new kind works in every format and a new format writes every kind.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from attrs import evolve, field, frozen

from coprod_core.errors import CoprodError

from .document import (
    Amount,
    Breakdown,
    Cell,
    Chart,
    Column,
    Count,
    Disclosure,
    Figure,
    Hidden,
    LazyRows,
    Mean,
    Metric,
    Metrics,
    Of,
    Paragraph,
    Ratio,
    Report,
    Row,
    Section,
    Series,
    Table,
    ValueType,
    of,
)

if TYPE_CHECKING:
    from coprod_core.plugins import CoprodPluginManager
    from coprod_core.workspace import Workspace

__all__ = [
    "Amount",
    "Breakdown",
    "Cell",
    "Chart",
    "Column",
    "Count",
    "Disclosure",
    "Figure",
    "Files",
    "Hidden",
    "LazyRows",
    "Mean",
    "Metric",
    "Metrics",
    "Of",
    "Paragraph",
    "Params",
    "Ratio",
    "Report",
    "ReportFormat",
    "ReportKind",
    "Row",
    "Section",
    "Series",
    "Table",
    "ValueType",
    "build",
    "format_named",
    "formats",
    "kind_named",
    "kinds",
    "of",
    "publish",
    "render",
    "render_bytes",
]


def _tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(value)


@frozen(kw_only=True)
class Params:
    """What a report was asked for: the period, naming, and the kind's own arguments."""

    period_from: dt.date | None = None
    period_to: dt.date | None = None
    #: Name participants whose consent covers it (``--names``).
    names: bool = False
    #: The kind's positional arguments (``coprod report session S-3`` gives ``("S-3",)``).
    args: tuple[str, ...] = field(default=(), converter=_tuple)

    def __attrs_post_init__(self) -> None:
        if self.period_from and self.period_to and self.period_from > self.period_to:
            raise CoprodError(
                f"--from {self.period_from} is after --to {self.period_to}; "
                "give the earlier date first"
            )

    def covers(self, day: dt.date | None) -> bool:
        """Whether ``day`` falls inside the period (an unknown day never does)."""
        if day is None:
            return False
        if self.period_from and day < self.period_from:
            return False
        return not (self.period_to and day > self.period_to)

    def shown(self) -> dict[str, str]:
        """The parameters as text, for the report's face and its JSON."""
        shown: dict[str, str] = {}
        if self.period_from:
            shown["from"] = self.period_from.isoformat()
        if self.period_to:
            shown["to"] = self.period_to.isoformat()
        if self.names:
            shown["names"] = "yes"
        if self.args:
            shown["arguments"] = " ".join(self.args)
        return shown


@frozen(kw_only=True)
class ReportKind:
    """What a report says.

    ``build(workspace, params)`` returns a :class:`Report` whose counts of
    people are declared as such (``ValueType.PEOPLE``, :class:`Ratio`,
    :class:`Mean`); the core applies the disclosure rule afterwards.
    ``arguments`` names the positional arguments the kind takes, for help
    and ``--list`` (``("SESSION_ID",)``).
    """

    name: str
    title: str
    description: str
    build: Callable[[Workspace, Params], Report]
    arguments: tuple[str, ...] = field(default=(), converter=_tuple)


class Files:
    """What a format returns when it writes a folder: file name -> content.

    Content is bytes or an iterable of byte chunks (streamed to the file).
    """

    def __init__(self, files: Iterable[tuple[str, bytes | Iterable[bytes]]]) -> None:
        self.files = list(files)

    def __iter__(self) -> Iterator[tuple[str, bytes | Iterable[bytes]]]:
        return iter(self.files)


Output = bytes | Iterable[bytes] | Files


@frozen(kw_only=True)
class ReportFormat:
    """How any report document is written out.

    ``render(report, options)`` is given the document after suppression and
    returns the file's bytes, an iterable of byte chunks (for long reports,
    so memory stays flat), or :class:`Files` for a folder of files.
    ``options`` holds ``workspace`` (the open workspace, for settings such
    as a template) and may hold more in later versions.
    """

    name: str
    description: str
    #: The file name extension, without the dot (``html``).
    extension: str
    render: Callable[[Report, Mapping[str, Any]], Output]
    #: Whether it may write a folder of files instead of one file.
    folder: bool = False
    #: Whether its output is text people can read on a terminal (stdout allowed).
    text: bool = True


def kinds(pm: CoprodPluginManager) -> dict[str, ReportKind]:
    """Every registered report kind, by name."""
    return pm.registry.things("report_kinds")


def formats(pm: CoprodPluginManager) -> dict[str, ReportFormat]:
    """Every registered report format, by name."""
    return pm.registry.things("report_formats")


def kind_named(pm: CoprodPluginManager, name: str) -> ReportKind:
    """The kind registered as ``name``; otherwise an error naming those there are."""
    found: ReportKind = pm.registry.table("report_kinds").thing(name)
    return found


def format_named(pm: CoprodPluginManager, name: str) -> ReportFormat:
    """The format registered as ``name``; otherwise an error naming those there are."""
    found: ReportFormat = pm.registry.table("report_formats").thing(name)
    return found


def build(workspace: Workspace, kind: str | ReportKind, params: Params | None = None) -> Report:
    """The report ``kind`` for ``workspace``, ready to publish (see :func:`publish`)."""

    chosen = kind_named(workspace.plugins, kind) if isinstance(kind, str) else kind
    params = params or Params()
    expected = len(chosen.arguments)
    if len(params.args) != expected:
        wanted = " ".join(chosen.arguments) or "no arguments"
        raise CoprodError(
            f"report {chosen.name} takes {wanted}; got {len(params.args)} argument(s)"
        )
    report = chosen.build(workspace, params)
    if params.args and "arguments" in report.parameters:
        # Name each argument as the kind does: "session id: S-5", not "arguments: S-5".
        shown = {k: v for k, v in report.parameters.items() if k != "arguments"}
        for name, value in zip(chosen.arguments, params.args, strict=True):
            shown[name.replace("_", " ").lower()] = value
        report = evolve(report, parameters=shown)
    return publish(workspace, report, names=params.names)


def publish(workspace: Workspace, report: Report, *, names: bool = False) -> Report:
    """The one way a report document becomes publishable, whatever front end asks.

    Names are taken out of every free-text field
    (:mod:`coprod_core.protection.redaction`: everyone's without ``names``,
    else those whose consent does not cover naming), then
    the disclosure rule decides every figure of the whole document at once
    (:mod:`.disclosure`). Every format, the command line's and the web
    board's and any plugin's, is given only the result.
    """
    from .disclosure import Rule, apply

    report = workspace.redactor(names=names).report(report)
    report = apply(report, Rule.from_config(workspace.config))
    assert report.disclosure is not None
    return evolve(report, disclosure=evolve(report.disclosure, names_redacted=True))


def render(report: Report, report_format: ReportFormat,
           options: Mapping[str, Any] | None = None) -> Output:
    """``report_format`` applied to ``report``, which must have been suppressed."""
    if not report.disclosed:
        raise ValueError("apply the disclosure rule before rendering a report")
    return report_format.render(report, dict(options or {}))


def render_bytes(report: Report, report_format: ReportFormat,
                 options: Mapping[str, Any] | None = None) -> bytes:
    """A single-file format's whole output as bytes (tests, small reports)."""
    output = render(report, report_format, options)
    if isinstance(output, Files):
        raise ValueError(f"format {report_format.name} wrote a folder; use render()")
    return output if isinstance(output, bytes) else b"".join(output)
