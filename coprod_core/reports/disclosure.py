"""Small-number suppression, applied once to a whole report document.

The default is NHS England's rule for published counts of people: 0 stays 0;
counts from 1 to 7 are shown as ``*``; other counts are rounded to the
nearest 5; no percentage or mean is shown whose numerator or denominator is
hidden; totals are worked out from the unsuppressed data and then rounded
the same way. On top of it:

- a percentage is also hidden when the people it leaves out are few (95%
  of 100 would reveal that 5 did not), and is shown to a whole number;
- secondary suppression: where a table shows a total (a totals row, or a
  column that adds up others) and only one of the cells it adds up is
  hidden, the smallest other non-zero cell is hidden too (or the total,
  when there is none), so the hidden one cannot be worked out.

``[reports.disclosure]`` in ``coprod.toml`` sets the threshold and the
rounding base, or turns the rule off for an internal audience; the report
then says so on its face. Tables and charts marked ``always_suppress``
(breakdowns by special-category data) keep the rule even then, and never
use a threshold or rounding laxer than NHS England's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attrs import evolve, frozen

from .checker import Entry, verify
from .document import (
    Amount,
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
    Paragraph,
    Ratio,
    Report,
    Row,
    Series,
    Table,
    ValueType,
)
from .whole import PLAIN as _PLAIN
from .whole import PLAIN_VALUES as _PLAIN_VALUES
from .whole import Decision

if TYPE_CHECKING:
    from coprod_core.config import Config, Context

__all__ = ["DEFAULT_ROUNDING", "DEFAULT_THRESHOLD", "Entry", "Rule", "apply", "check_section",
           "verify"]

DEFAULT_THRESHOLD = 7

DEFAULT_ROUNDING = 5


@frozen(kw_only=True)
class Rule:
    """The disclosure rule a workspace uses."""

    threshold: int = DEFAULT_THRESHOLD
    rounding: int = DEFAULT_ROUNDING
    off: bool = False

    @classmethod
    def from_config(cls, config: Config | None) -> Rule:
        if config is None:
            return cls()
        table = config.table("reports").get("disclosure", {})
        return cls(
            threshold=int(table.get("threshold", DEFAULT_THRESHOLD)),
            rounding=int(table.get("rounding", DEFAULT_ROUNDING)),
            off=bool(table.get("off", False)),
        )

    @property
    def strict(self) -> Rule:
        """The rule for always-suppressed tables: on, and never laxer than NHS England's."""
        return Rule(threshold=max(self.threshold, DEFAULT_THRESHOLD),
                    rounding=max(self.rounding, DEFAULT_ROUNDING))

    # -------------------------------------------------------- single values

    def small(self, n: int) -> bool:
        """Whether ``n`` people is a count that must not be shown."""
        return not self.off and 1 <= n <= self.threshold

    def count(self, n: int) -> int | Hidden:
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError(f"a count of people must be an int, not {n!r}")
        if self.off or n == 0:
            return n
        if n < 0:
            raise ValueError(f"a count of people cannot be negative ({n})")
        if n <= self.threshold:
            return Hidden("small")
        base = self.rounding
        return base * math.floor(n / base + 0.5) if base > 1 else n

    def ratio(self, r: Ratio) -> float | Hidden | None:
        if r.denominator == 0:
            return None
        if r.people and (self.small(r.numerator) or self.small(r.denominator)
                         or self.small(r.denominator - r.numerator)):
            return Hidden("derived")
        percent = 100 * r.numerator / r.denominator
        return round(percent, 1) if self.off else float(round(percent))

    def mean(self, m: Mean) -> float | Hidden | None:
        if m.basis == 0 or m.value is None:
            return None
        if m.people and self.small(m.basis):
            return Hidden("derived")
        return round(float(m.value), 1)

    def cell(self, value: Cell, kind: ValueType) -> Cell:
        """One published cell of type ``kind``, judged on its own.

        :func:`apply` judges the whole report; this is for one value.
        """
        if value is None or isinstance(value, Hidden):
            return value
        if isinstance(value, Count):
            value = value.value
        if isinstance(value, Amount):
            return Hidden("small") if self.small(value.people) else value.value
        if kind is ValueType.PEOPLE:
            if isinstance(value, Ratio | Mean):
                raise TypeError("a count-of-people cell must hold an int")
            return self.count(value)  # type: ignore[arg-type]
        if kind is ValueType.PERCENT:
            if not isinstance(value, Ratio):
                raise TypeError(
                    "give a percentage as Ratio(numerator, denominator) so the disclosure "
                    f"rule can check it, not {value!r}"
                )
            return self.ratio(value)
        if isinstance(value, Ratio):
            raise TypeError(f"a Ratio belongs in a percent column, not a {kind} one")
        if isinstance(value, Mean):
            if kind is not ValueType.NUMBER:
                raise TypeError(f"a Mean belongs in a number column, not a {kind} one")
            return self.mean(value)
        return value

    # -------------------------------------------------------- blocks

    def row(self, row: Row, columns: Sequence[Column]) -> Row:
        if len(row) != len(columns):
            raise ValueError(f"a row has {len(row)} cells for {len(columns)} columns")
        cell = self.cell
        # Long tables are mostly text: a plain text or date cell passes as it
        # is, without the full check (which would refuse a Ratio or a Mean).
        return tuple(
            v if c.type in _PLAIN and v.__class__ in _PLAIN_VALUES else cell(v, c.type)
            for v, c in zip(row, columns, strict=True)
        )

    def table(self, table: Table) -> Table:
        rule = self.strict if table.always_suppress else self
        columns = table.columns
        totals = None if table.totals is None else rule.row(table.totals, columns)
        needs_secondary = not rule.off and (
            totals is not None or any(c.total_of for c in columns)
        )
        if isinstance(table.rows, LazyRows) and not needs_secondary:
            return evolve(table, rows=table.rows.mapped(lambda r: rule.row(r, columns)),
                          totals=totals)
        raw = [tuple(r) for r in table.rows]
        published = [list(rule.row(r, columns)) for r in raw]
        if needs_secondary:
            totals_list = None if totals is None else list(totals)
            _secondary(raw, published, totals_list, table.totals, columns)
            totals = None if totals_list is None else tuple(totals_list)
        return evolve(table, rows=tuple(tuple(r) for r in published), totals=totals)

    def chart(self, chart: Chart) -> Chart:
        rule = self.strict if chart.always_suppress else self
        series = tuple(
            Series(name=s.name, values=tuple(rule.cell(v, chart.type) for v in s.values))
            for s in chart.series
        )
        return evolve(chart, series=series)

    def block(self, block: Any) -> Any:
        if isinstance(block, Table):
            return self.table(block)
        if isinstance(block, Chart):
            return self.chart(block)
        if isinstance(block, Metrics):
            return evolve(block, items=tuple(
                evolve(m, value=self.cell(m.value, m.type)) for m in block.items
            ))
        if isinstance(block, Metric):
            return evolve(block, value=self.cell(block.value, block.type))
        if isinstance(block, Paragraph):
            return evolve(block, figures={
                k: Figure(value=self.cell(f.value, f.type), type=f.type)
                for k, f in block.figures.items()
            })
        raise TypeError(f"a report section cannot hold {type(block).__name__}")

    def note(self) -> str:
        if self.off:
            return (
                "Small numbers are not hidden in this report: it shows exact counts of "
                "people and is for internal use only. Do not publish it or share it "
                "outside the organisation. (Breakdowns by personal characteristics are "
                "still protected.)"
            )
        rounding = (f" Other counts of people are rounded to the nearest {self.rounding}."
                    if self.rounding > 1 else "")
        return (
            f"To protect people's privacy, counts of people from 1 to {self.threshold} "
            f"are shown as *.{rounding} Percentages and averages based on small counts "
            "are not shown, and some other figures are hidden so that a small number "
            "cannot be worked out from a total. Totals are worked out before rounding, "
            "so figures may not add up exactly."
        )


def _visible(value: Cell) -> bool:
    return value is not None and not isinstance(value, Hidden)


def _secondary(raw: list[Row], published: list[list[Cell]], totals: list[Cell] | None,
               raw_totals: Row | None, columns: Sequence[Column]) -> None:
    """Hide more cells until no hidden count can be worked out from a shown total."""
    index = {c.key: i for i, c in enumerate(columns)}
    people = [i for i, c in enumerate(columns) if c.type is ValueType.PEOPLE]
    groups: list[tuple[list[tuple[list[Cell], int, int]], tuple[list[Cell], int, int]]] = []
    # Row totals: a column adding up others, in every row and in the totals row.
    for c in columns:
        if not c.total_of:
            continue
        parts = [index[k] for k in c.total_of]
        target = index[c.key]
        rows = [(published[r], r, 0) for r in range(len(published))]
        for cells, r, _ in rows:
            groups.append(([(cells, r, p) for p in parts], (cells, r, target)))
        if totals is not None:
            groups.append(([(totals, -1, p) for p in parts], (totals, -1, target)))
    # Column totals: the totals row adds up every row.
    if totals is not None:
        for col in people:
            members = [(published[r], r, col) for r in range(len(published))]
            groups.append((members, (totals, -1, col)))

    def raw_value(r: int, col: int) -> int:
        row = raw_totals if r == -1 else raw[r]
        value = row[col] if row is not None else 0
        return value if isinstance(value, int) and not isinstance(value, bool) else 0

    changed = True
    while changed:
        changed = False
        for members, (tcells, _tr, tcol) in groups:
            if not _visible(tcells[tcol]):
                continue
            hidden = [m for m in members if isinstance(m[0][m[2]], Hidden)]
            if len(hidden) != 1:
                continue
            shown = [m for m in members if _visible(m[0][m[2]]) and raw_value(m[1], m[2]) > 0]
            if shown:
                cells, _r, col = min(shown, key=lambda m: raw_value(m[1], m[2]))
                cells[col] = Hidden("secondary")
            else:
                tcells[tcol] = Hidden("secondary")
            changed = True


def apply(report: Report, rule: Rule | None = None) -> Report:
    """The report as it may be published: every figure decided once, for the whole report.

    Each figure is first judged on its own by ``rule`` (small counts hidden,
    others rounded; tables and charts marked ``always_suppress`` by the
    strict rule). Then, population by population, while some hidden count
    could be worked out by adding and subtracting published figures from
    anywhere in the report (metrics, table cells and totals, chart values,
    counts a paragraph tells, percentages with their counts), one of the
    figures that gives it away is hidden too, everywhere it appears (see
    :mod:`coprod_core.reports.linear`). Amounts tied to a hidden count, and
    percentages and means resting on one, are hidden with it.

    A count of people that does not say which people it counts (a plain
    ``int`` in a people column, rather than a :class:`Count`) cannot be
    placed in that reckoning, so it is treated with caution: it is shown
    only when no count of people anywhere in the report is hidden.

    Applying it twice is refused: a format is given the result, never the
    raw document.
    """
    if report.disclosure is not None:
        raise ValueError("the disclosure rule has already been applied to this report")
    rule = rule or Rule()
    decision = Decision(report, rule)
    sections = decision.publish()
    disclosure = Disclosure(applied=not rule.off, threshold=rule.threshold,
                            rounding=rule.rounding, note=rule.note(),
                            ledger=decision.ledger())
    return evolve(report, sections=sections, disclosure=disclosure, private=())


# ------------------------------------------------------------ configuration

REPORT_KEYS = ("disclosure", "html_template", "lived_experience_roles", "staff_roles",
               "demographics")


def check_section(table: dict[str, Any], ctx: Context) -> None:
    """Check the ``[reports]`` table of ``coprod.toml``."""
    ctx.no_unknown(table, REPORT_KEYS, "reports")
    template = ctx.expect(table, "html_template", str, "reports.html_template")
    if template is not None:
        from ..storage import path_problem

        root = ctx.path.parent if ctx.path is not None else None
        problem = path_problem(template, root)
        where = Path(template).expanduser()
        if root is not None and not where.is_absolute():
            where = root / where
        if not problem and where.exists() and not where.is_file():
            problem = "is not a regular file; name an HTML file"
        if problem:
            raise ctx.error("reports.html_template", problem)
    for key in ("lived_experience_roles", "staff_roles", "demographics"):
        values = ctx.expect(table, key, list, f"reports.{key}", [])
        for value in values:
            if not isinstance(value, str) or not value.strip():
                raise ctx.error(f"reports.{key}", "must be a list of names (strings)")
    disclosure = ctx.expect(table, "disclosure", dict, "reports.disclosure", {})
    ctx.no_unknown(disclosure, ("threshold", "rounding", "off"), "reports.disclosure")
    threshold = ctx.expect(disclosure, "threshold", int, "reports.disclosure.threshold", 7)
    if threshold < 0:
        raise ctx.error("reports.disclosure.threshold", "must be 0 or more")
    rounding = ctx.expect(disclosure, "rounding", int, "reports.disclosure.rounding", 5)
    if rounding < 1:
        raise ctx.error("reports.disclosure.rounding", "must be 1 (no rounding) or more")
    ctx.expect(disclosure, "off", bool, "reports.disclosure.off", False)
