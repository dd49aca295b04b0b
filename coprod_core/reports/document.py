"""The report document: what a report says, before any format writes it.

A report kind builds a :class:`Report` of sections; each section holds
blocks: paragraphs, headline figures, tables and charts. Counts of people are
declared as such (:attr:`ValueType.PEOPLE`), percentages as a
:class:`Ratio` of their numerator and denominator, and means or medians over
people as a :class:`Mean` with the number of people behind them, so that
:mod:`coprod_core.reports.disclosure` can apply small-number suppression to
the whole document once. A format only ever sees the result: plain numbers,
text, dates and :class:`Hidden` cells.

Each count of people also says *which* people it counts: a :class:`Count`
carries an :class:`Of`, a population ("people who took part") narrowed by
breakdowns ("role is staff"). With that, the disclosure step knows that the
"All roles" total is the sum of the role rows and the same number as the
"People who took part" figure, and hides whatever would let a hidden count
be worked out by adding or subtracting figures anywhere in the report. A
sum of money paid to a few people is an :class:`Amount`, hidden with them.

One piece: this is the vocabulary every kind writes and every format reads;
a plugin author reads it top to bottom, and the value types refer to each
other (a :class:`Table` holds :class:`Count` cells that hold an :class:`Of`).
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


def _tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(value)


def _parts(value: str | Iterable[str]) -> frozenset[str]:
    return frozenset((value,) if isinstance(value, str) else value)


@frozen
class Of:
    """Which people a figure counts: a population, narrowed by breakdowns.

    ``population`` names the set of people (``"took_part"``: everyone who came
    to a session in the period); it only has to be the same string for the
    same people within one report. ``where`` maps each breakdown to the parts
    counted: ``(("role", {"staff"}),)`` counts the staff among them, and
    ``(("role", {"lived_experience", "peer_researcher"}),)`` the two roles
    together. Every person of a population sits in exactly one part of each
    breakdown. Build one with :func:`of`.
    """

    population: str
    where: tuple[tuple[str, frozenset[str]], ...] = ()

    def narrowed(self, **parts: str | Iterable[str]) -> Of:
        """The same population, narrowed further: ``took_part.narrowed(role="staff")``."""
        where = dict(self.where)
        for name, value in parts.items():
            chosen = _parts(value)
            where[name] = where[name] & chosen if name in where else chosen
        return Of(population=self.population, where=tuple(sorted(where.items())))

    def __str__(self) -> str:
        if not self.where:
            return self.population
        narrowed = ", ".join(f"{k} in {{{', '.join(sorted(v))}}}" for k, v in self.where)
        return f"{self.population} ({narrowed})"


def of(population: str, **parts: str | Iterable[str]) -> Of:
    """``of("took_part", role="staff")``: the staff among the people who took part.

    A part may be one string or several (``role=("lived_experience",
    "peer_researcher")``), counted together.
    """
    return Of(population=population).narrowed(**parts)


@frozen(kw_only=True)
class Breakdown:
    """Declares that ``parts`` are *all* the parts of a breakdown of a population.

    Without it, the disclosure step assumes people may also sit in parts no
    figure names, which is the cautious reading for a total. With it, a
    reader who sees a figure for every part but one can work out the last
    one from the total, and the disclosure step knows it too.
    """

    population: str
    name: str
    parts: tuple[str, ...] = field(converter=_tuple)


@frozen
class Count:
    """A count of people, and which people it counts (see :class:`Of`).

    ``of`` may also be a tuple of :class:`Of`: a count of people from several
    populations added up (first-time visitors plus returning visits).
    """

    value: int
    of: Of | tuple[Of, ...]


@frozen
class Amount:
    """A sum of money (or any figure) about a few people, such as the fees paid to them.

    ``of`` says what it adds up, as an :class:`Of` over a population of its
    own (``of("money", item="fee", state="paid")``): amounts add up like
    counts do, so a hidden amount cannot be worked out from a total of
    amounts either. ``people`` is how many people it is about: it is hidden
    when they are few. ``counted`` is the count of those people the report
    shows beside it, if any: it is hidden wherever that count is hidden.
    ``value`` is what is shown: a number or text (``"£50.00"``).
    """

    value: str | int | float
    of: Of
    people: int
    counted: Of | None = None


@frozen
class Ratio:
    """A percentage as the counts it comes from, before suppression.

    ``people`` says whether the counts are counts of people (a share of
    panel members) or of things (a share of promises kept).
    """

    numerator: int
    denominator: int
    people: bool = True
    #: Which people the numerator and the denominator count, when they are
    #: counts of people also published elsewhere in the report.
    numerator_of: Of | None = None
    denominator_of: Of | None = None

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
    #: Which people ``basis`` counts, when that count is published elsewhere:
    #: the mean is hidden wherever that count is.
    basis_of: Of | None = None


@frozen
class Hidden:
    """A published cell withheld by small-number suppression; written ``*``.

    ``reason`` is ``small`` (the count itself is small), ``derived`` (a
    percentage or mean whose counts are small) or ``secondary`` (hidden so a
    small count cannot be worked out from a total).
    """

    reason: str = "small"


Cell = str | int | float | dt.date | Ratio | Mean | Hidden | Count | Amount | None


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
    #: Counts of people the text tells without writing them as numbers: a list
    #: of the names of those who came tells how many of them were named. They
    #: are always shown (the text is), so other figures are hidden instead when
    #: they would give a hidden count away. Dropped by the disclosure step.
    tells: tuple[Count, ...] = field(default=(), converter=_tuple)

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
    #: Every declared figure and what was published for it, for
    #: :func:`coprod_core.reports.disclosure.verify`; formats ignore it.
    ledger: tuple[Any, ...] = field(default=(), converter=_tuple, repr=False, eq=False)
    #: Whether names were taken out of the report's free text
    #: (:mod:`coprod_core.protection.redaction`).
    names_redacted: bool = False


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
    #: Breakdowns whose parts are all named (see :class:`Breakdown`).
    breakdowns: tuple[Breakdown, ...] = field(default=(), converter=_tuple)
    #: Counts the report does not print but which must not be worked out from
    #: it when they are small: the people at a session who are not named.
    private: tuple[Count, ...] = field(default=(), converter=_tuple)
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
