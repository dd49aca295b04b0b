"""The report document: what a report says, before any format writes it.

A report kind builds a :class:`Report` of sections; each section holds
blocks: paragraphs, headline figures, tables and charts. Counts of people are
declared as such (:attr:`ValueType.PEOPLE`), percentages as a
:class:`Ratio` of their numerator and denominator, and means or medians over
people as a :class:`Mean` with the number of people behind them, so that
:mod:`coprod_core.reports.disclosure` can apply small-number suppression to
the whole document once. A format only ever sees the result: plain numbers,
text, dates and :class:`Hidden` cells.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from enum import StrEnum
from typing import Any

from attrs import field, frozen


class ValueType(StrEnum):
    """What a cell, figure or chart value is; decides suppression and layout."""

    TEXT = "text"
    #: A count of people: suppressed and rounded under the disclosure rule.
    PEOPLE = "people"
    #: Any other number: counts of things (tensions, promises), days, ratings.
    NUMBER = "number"
    #: A percentage, 0 to 100; built from a :class:`Ratio`.
    PERCENT = "percent"
    DATE = "date"


@frozen
class Ratio:
    """A percentage as the counts it comes from, before suppression.

    ``people`` says whether the counts are counts of people (a share of
    panel members) or of things (a share of promises kept).
    """

    numerator: int
    denominator: int
    people: bool = True

    @property
    def percent(self) -> float | None:
        return None if not self.denominator else 100 * self.numerator / self.denominator


@frozen
class Mean:
    """A mean or median over ``basis`` people (or things), before suppression.

    ``people`` says whether ``basis`` counts people; a mean over few people
    is hidden.
    """

    value: float | None
    basis: int
    people: bool = True


@frozen
class Hidden:
    """A published cell withheld by small-number suppression; written ``*``.

    ``reason`` is ``small`` (the count itself is small), ``derived`` (a
    percentage or mean whose counts are small) or ``secondary`` (hidden so a
    small count cannot be worked out from a total).
    """

    reason: str = "small"


Cell = str | int | float | dt.date | Ratio | Mean | Hidden | None


def _tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(value)


@frozen(kw_only=True)
class Figure:
    """A value inside a paragraph's text, suppressed like any cell."""

    value: Cell
    type: ValueType = field(default=ValueType.PEOPLE, converter=ValueType)


_SLOT = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


@frozen(kw_only=True)
class Paragraph:
    """Plain text. ``{name}`` slots are filled from ``figures`` after suppression.

    Never put a count into ``text`` directly: put it in ``figures`` so the
    disclosure rule sees it.
    """

    text: str
    figures: Mapping[str, Figure] = field(factory=dict)
    #: ``text`` for ordinary prose, ``note`` for an aside, ``warning`` for a caution.
    style: str = "text"

    def parts(self) -> Iterator[str | Figure]:
        """The text in pieces: plain strings and the figures between them."""
        at = 0
        for match in _SLOT.finditer(self.text):
            figure = self.figures.get(match.group(1))
            if figure is None:
                continue
            if match.start() > at:
                yield self.text[at:match.start()]
            yield figure
            at = match.end()
        if at < len(self.text):
            yield self.text[at:]

    def fill(self, show: Callable[[Cell, ValueType], str]) -> str:
        """The text with each slot replaced by ``show(value, type)``."""

        def one(match: re.Match[str]) -> str:
            figure = self.figures.get(match.group(1))
            return match.group(0) if figure is None else show(figure.value, figure.type)

        return _SLOT.sub(one, self.text)


@frozen(kw_only=True)
class Metric:
    """One headline figure: a label and its value."""

    label: str
    value: Cell
    type: ValueType = field(default=ValueType.PEOPLE, converter=ValueType)
    #: A short explanation shown under the figure.
    note: str | None = None


@frozen(kw_only=True)
class Metrics:
    """A row of headline figures."""

    items: tuple[Metric, ...] = field(converter=_tuple)
    title: str | None = None


@frozen(kw_only=True)
class Column:
    key: str
    label: str
    type: ValueType = field(default=ValueType.TEXT, converter=ValueType)
    #: Keys of the columns this one adds up, for a row total; used to stop a
    #: hidden cell being worked out from the total.
    total_of: tuple[str, ...] = field(default=(), converter=_tuple)


Row = tuple[Cell, ...]


class LazyRows:
    """Rows produced on demand, so a long table streams from the workspace.

    ``factory`` returns a fresh iterator each time; a row transform (the
    disclosure rule) may be attached and is applied as rows stream past.
    """

    def __init__(self, factory: Callable[[], Iterator[Row]],
                 transform: Callable[[Row], Row] | None = None) -> None:
        self.factory = factory
        self.transform = transform

    def __iter__(self) -> Iterator[Row]:
        if self.transform is None:
            yield from self.factory()
        else:
            for row in self.factory():
                yield self.transform(row)

    def mapped(self, transform: Callable[[Row], Row]) -> LazyRows:
        inner = self.transform
        if inner is None:
            return LazyRows(self.factory, transform)
        return LazyRows(self.factory, lambda row: transform(inner(row)))


def _rows(value: Iterable[Row] | LazyRows) -> tuple[Row, ...] | LazyRows:
    if isinstance(value, LazyRows):
        return value
    return tuple(tuple(row) for row in value)


def _optional_row(value: Iterable[Cell] | None) -> Row | None:
    return None if value is None else tuple(value)


@frozen(kw_only=True)
class Table:
    """A table with typed columns.

    ``totals`` is a row of totals computed by the kind from the unsuppressed
    data (it is rounded, and may cause other cells to be hidden, by the
    disclosure rule). ``always_suppress`` keeps the rule on for this table
    even in a workspace that turned it off (breakdowns by special-category
    data).
    """

    title: str
    columns: tuple[Column, ...] = field(converter=_tuple)
    rows: tuple[Row, ...] | LazyRows = field(factory=tuple, converter=_rows)
    totals: Row | None = field(default=None, converter=_optional_row)
    #: One sentence saying what the table shows (the caption).
    description: str | None = None
    #: Shown instead of an empty table.
    empty: str = "Nothing to show for this period."
    always_suppress: bool = False


@frozen(kw_only=True)
class Series:
    name: str
    values: tuple[Cell, ...] = field(converter=_tuple)


@frozen(kw_only=True)
class Chart:
    """A bar or line chart.

    ``alt`` describes in words what the chart shows (its text alternative);
    write it without figures: formats add the suppressed figures themselves.
    """

    title: str
    kind: str = field(default="bar")
    labels: tuple[str, ...] = field(converter=_tuple)
    series: tuple[Series, ...] = field(converter=_tuple)
    type: ValueType = field(default=ValueType.PEOPLE, converter=ValueType)
    alt: str
    #: The top of the value axis (e.g. 7 for the ladder); None: from the data.
    maximum: float | None = None
    #: What the value axis measures, in words.
    axis: str | None = None
    always_suppress: bool = False

    @kind.validator
    def _kind(self, _attribute: Any, value: str) -> None:
        if value not in ("bar", "line"):
            raise ValueError(f"chart kind must be bar or line, not {value!r}")


Block = Paragraph | Metrics | Table | Chart


@frozen(kw_only=True)
class Section:
    title: str
    blocks: tuple[Block, ...] = field(default=(), converter=_tuple)


@frozen(kw_only=True)
class Disclosure:
    """How small numbers were treated; set on a document by the disclosure rule."""

    applied: bool
    threshold: int
    rounding: int
    #: What a reader needs to know, in plain words; shown on the report's face.
    note: str


@frozen(kw_only=True)
class Report:
    """A report document, as a kind builds it and (after suppression) as formats read it."""

    kind: str
    title: str
    organisation: str = ""
    period_from: dt.date | None = None
    period_to: dt.date | None = None
    #: The parameters the report was built with, as text (shown and kept in JSON).
    parameters: Mapping[str, str] = field(factory=dict)
    generated_at: dt.datetime
    #: A sentence under the title saying what the report is for.
    summary: str | None = None
    sections: tuple[Section, ...] = field(default=(), converter=_tuple)
    #: None until the disclosure rule has been applied.
    disclosure: Disclosure | None = None

    @property
    def disclosed(self) -> bool:
        return self.disclosure is not None

    def tables(self) -> Iterator[Table]:
        for section in self.sections:
            for block in section.blocks:
                if isinstance(block, Table):
                    yield block

    @property
    def period(self) -> str:
        """The period in words: "1 April 2026 to 30 June 2026", "up to ...", "all time"."""
        return describe_period(self.period_from, self.period_to)


def long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def describe_period(start: dt.date | None, end: dt.date | None) -> str:
    if start and end:
        if start == end:
            return long_date(start)
        return f"{long_date(start)} to {long_date(end)}"
    if start:
        return f"From {long_date(start)}"
    if end:
        return f"Up to {long_date(end)}"
    return "All dates on record"
