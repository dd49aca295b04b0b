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

import datetime as dt
import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attrs import evolve, frozen

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
    Of,
    Paragraph,
    Ratio,
    Report,
    Row,
    Section,
    Series,
    Table,
    ValueType,
)
from .linear import Basis, Space, Spec, Vector, components, determined_dense

if TYPE_CHECKING:
    from coprod_core.config import Config, Context

DEFAULT_THRESHOLD = 7

_PLAIN = frozenset({ValueType.TEXT, ValueType.DATE})
_PLAIN_VALUES = frozenset({str, int, float, dt.date, type(None)})
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
    decision = _Decision(report, rule)
    sections = decision.publish()
    disclosure = Disclosure(applied=not rule.off, threshold=rule.threshold,
                            rounding=rule.rounding, note=rule.note(),
                            ledger=decision.ledger())
    return evolve(report, sections=sections, disclosure=disclosure, private=())


# A place in the document: (section, block, what, *indices).
Place = tuple[Any, ...]


class _Figure:
    """One declared figure (one vector), wherever it appears in the report."""

    __slots__ = ("fixed", "hidden", "how", "key", "links", "number", "places", "private",
                 "raw", "reason", "rule", "spec")

    def __init__(self, number: int, key: Any, spec: Spec, how: str, raw: int,
                 rule: Rule) -> None:
        self.number = number
        self.key = key
        self.spec = spec
        self.how = how            # count, amount or ratio
        self.raw = raw
        self.rule = rule
        self.hidden = False
        self.reason = "small"
        self.fixed = False        # told by the text: cannot be hidden
        self.private = False      # never printed
        self.places: list[Place] = []
        self.links: list[Any] = []  # counts this figure must be hidden with

    def hide(self, reason: str) -> bool:
        if self.hidden or self.fixed:
            return False
        self.hidden, self.reason = True, reason
        return True


class _Ref:
    """A cell waiting for the decision: which figure it shows, and how."""

    __slots__ = ("figure", "how", "rule", "value")

    def __init__(self, how: str, value: Any, rule: Rule, figure: _Figure | None = None
                 ) -> None:
        self.how, self.value, self.rule, self.figure = how, value, rule, figure


def _spec(counted: Of | tuple[Of, ...]) -> Spec:
    terms = (counted,) if isinstance(counted, Of) else tuple(counted)
    if not terms or not all(isinstance(t, Of) for t in terms):
        raise TypeError(f"a Count's `of` must be an Of or a tuple of them, not {counted!r}")
    return tuple((1, t) for t in terms)


class _Decision:
    """Everything :func:`apply` needs between reading the document and publishing it."""

    def __init__(self, report: Report, rule: Rule) -> None:
        self.report = report
        self.rule = rule
        self.figures: dict[Any, _Figure] = {}
        self.undeclared: list[_Ref] = []
        self.fixed_specs: list[Spec] = []
        self._system: Any = None
        self.blocks: list[list[Any]] = []
        for s, section in enumerate(report.sections):
            self.blocks.append([self._read(block, (s, b)) for b, block in
                                enumerate(section.blocks)])
        for count in report.private:
            figure = self._figure(count, self.rule.strict, ("private",))
            figure.private = True
        self._decide()

    # ------------------------------------------------------------ reading

    def _figure(self, count: Count, rule: Rule, place: Place) -> _Figure:
        if isinstance(count.value, bool) or not isinstance(count.value, int):
            raise TypeError(f"a Count's value must be an int, not {count.value!r}")
        spec = _spec(count.of)
        key = ("count", tuple(sorted(spec, key=repr)))
        return self._register(key, spec, "count", count.value, rule, place)

    def _register(self, key: Any, spec: Spec, how: str, raw: int, rule: Rule,
                  place: Place) -> _Figure:
        figure = self.figures.get(key)
        if figure is None:
            figure = self.figures[key] = _Figure(len(self.figures), key, spec, how, raw, rule)
        elif figure.raw != raw and how == "count":
            raise ValueError(
                f"two figures say they count {_describe(spec)} but hold {figure.raw} and "
                f"{raw}: give each different set of people its own Of")
        if rule.threshold > figure.rule.threshold or rule.rounding > figure.rule.rounding \
                or (figure.rule.off and not rule.off):
            figure.rule = rule  # the strictest rule of its places decides for all
        figure.places.append(place)
        return figure

    def _cell(self, value: Any, kind: ValueType, rule: Rule, place: Place) -> Any:
        if isinstance(value, Count):
            if kind is not ValueType.PEOPLE:
                raise TypeError(f"a Count belongs where people are counted, not in a {kind} "
                                "place")
            return _Ref("count", value, rule, self._figure(value, rule, place))
        if isinstance(value, Amount):
            spec = ((1, value.of),)
            figure = self._register(("amount", spec), spec, "amount", value.people, rule,
                                    place)
            if value.counted is not None:
                figure.links.append(("count", ((1, value.counted),)))
            return _Ref("amount", value, rule, figure)
        if value is None or isinstance(value, Hidden):
            return value
        if kind is ValueType.PEOPLE:
            if isinstance(value, Ratio | Mean):
                raise TypeError("a count-of-people cell must hold an int")
            rule.count(value)  # refuses what is not a count
            ref = _Ref("undeclared", value, rule)
            self.undeclared.append(ref)
            return ref
        if isinstance(value, Ratio) and kind is ValueType.PERCENT:
            return self._ratio(value, rule, place)
        if isinstance(value, Mean) and kind is ValueType.NUMBER:
            if value.basis_of is not None:
                return _Ref("mean", value, rule)
            return rule.mean(value)
        return rule.cell(value, kind)

    def _ratio(self, value: Ratio, rule: Rule, place: Place) -> Any:
        if not value.people:
            return rule.ratio(value)
        if value.numerator_of is None or value.denominator_of is None:
            ref = _Ref("undeclared-ratio", value, rule)
            self.undeclared.append(ref)
            return ref
        n, d = value.numerator, value.denominator
        if d == 0:
            return None
        # Shown with its denominator, a percentage tells the numerator: d*num - n*den = 0.
        spec: Spec = ((d, value.numerator_of), (-n, value.denominator_of))
        figure = self._register(("ratio", spec, n, d), spec, "ratio", min(n, d - n), rule,
                                place)
        figure.links += [("count", ((1, value.numerator_of),)),
                         ("count", ((1, value.denominator_of),))]
        if isinstance(rule.ratio(value), Hidden):
            figure.hide("derived")
        return _Ref("ratio", value, rule, figure)

    def _read(self, block: Any, at: Place) -> Any:
        rule = self.rule.strict if getattr(block, "always_suppress", False) else self.rule
        if isinstance(block, Metrics):
            return [self._cell(m.value, m.type, rule, (*at, "metric", i))
                    for i, m in enumerate(block.items)]
        if isinstance(block, Metric):
            return self._cell(block.value, block.type, rule, (*at, "metric", 0))
        if isinstance(block, Paragraph):
            for count in block.tells:
                self._figure(count, rule, (*at, "tells")).fixed = True
            return {k: self._cell(f.value, f.type, rule, (*at, "figure", k))
                    for k, f in block.figures.items()}
        if isinstance(block, Chart):
            return [[self._cell(v, block.type, rule, (*at, "series", i, j))
                     for j, v in enumerate(series.values)]
                    for i, series in enumerate(block.series)]
        if isinstance(block, Table):
            return self._table(block, rule, at)
        raise TypeError(f"a report section cannot hold {type(block).__name__}")

    def _table(self, table: Table, rule: Rule, at: Place) -> Any:
        columns = table.columns
        if isinstance(table.rows, LazyRows) and not any(
                c.type in (ValueType.PEOPLE, ValueType.PERCENT) for c in columns):
            # A long table of text, dates and other numbers streams past.
            return None
        index = {c.key: i for i, c in enumerate(columns)}
        rows = []
        for r, row in enumerate(table.rows):
            cells = [self._cell(v, c.type, rule, (*at, "row", r, i))
                     for i, (v, c) in enumerate(zip(row, columns, strict=True))]
            rows.append(self._total_of(cells, columns, index, rule, (*at, "row", r)))
        totals = None
        if table.totals is not None:
            totals = [self._cell(v, c.type, rule, (*at, "totals", i))
                      for i, (v, c) in enumerate(zip(table.totals, columns, strict=True))]
            totals = self._total_of(totals, columns, index, rule, (*at, "totals"))
            # A reader takes a totals row to be the sum of the rows above it;
            # where it is, that is a fact of the table even when cells are hidden.
            for i, column in enumerate(columns):
                parts = [row[i] for row in rows]
                total = totals[i]
                if rows and all(isinstance(x, _Ref) and x.how == "amount"
                                for x in (*parts, total)):
                    # Amounts of money add up: a reader takes the total as their sum.
                    self.fixed_specs.append(total.figure.spec + tuple(
                        (-c, t) for x in parts for c, t in x.figure.spec))
                    continue
                if column.type is not ValueType.PEOPLE:
                    continue
                if all(isinstance(x, _Ref) and x.figure is not None and x.how == "count"
                       for x in (*parts, total)) and \
                        sum(x.value.value for x in parts) == total.value.value:
                    spec = total.figure.spec + tuple(
                        (-c, t) for x in parts for c, t in x.figure.spec)
                    self.fixed_specs.append(spec)
        return rows, totals

    def _total_of(self, cells: list[Any], columns: Sequence[Column], index: dict[str, int],
                  rule: Rule, place: Place) -> list[Any]:
        """A column adding up others in its row is their sum: declared from theirs."""
        for i, column in enumerate(columns):
            ref = cells[i]
            if not column.total_of or not isinstance(ref, _Ref) or ref.how != "undeclared":
                continue
            parts = [cells[index[k]] for k in column.total_of]
            if all(isinstance(p, _Ref) and p.how == "count" for p in parts):
                counted = tuple(t for p in parts for _c, t in p.figure.spec)
                if sum(p.value.value for p in parts) == ref.value:
                    self.undeclared.remove(ref)
                    cells[i] = self._cell(Count(ref.value, counted), column.type, rule,
                                          (*place, i))
        return cells

    # ----------------------------------------------------------- deciding

    def _decide(self) -> None:
        figures = sorted(self.figures.values(), key=lambda f: f.number)
        for figure in figures:
            if figure.how in ("count", "amount") and figure.rule.small(figure.raw):
                figure.hide("small")
        changed = True
        space = None
        while changed:
            changed = self._follow_links()
            if space is None and any(f.hidden for f in figures):
                space = Space([f.spec for f in figures] + self.fixed_specs,
                              self._complete())
            if space is not None:
                changed |= self._secondary(space, figures)
        if any(f.hidden for f in figures) or any(
                r.how == "undeclared" and r.rule.small(r.value) for r in self.undeclared) or any(
                r.how == "undeclared-ratio" and isinstance(r.rule.ratio(r.value), Hidden)
                for r in self.undeclared):
            self.undeclared_hidden = True
        else:
            self.undeclared_hidden = False

    def _complete(self) -> dict[tuple[str, str], tuple[str, ...]]:
        return {(b.population, b.name): b.parts for b in self.report.breakdowns}

    def _follow_links(self) -> bool:
        changed = False
        for figure in self.figures.values():
            for how, spec in figure.links:
                other = self.figures.get((how, tuple(sorted(spec, key=repr))))
                if other is not None and other.hidden and figure.hide(
                        "derived" if figure.how == "ratio" else "secondary"):
                    changed = True
        return changed

    def _secondary(self, space: Space, figures: list[_Figure]) -> bool:
        """Hide published figures until no hidden one is a sum of published ones."""
        if self._system is None:
            vectors = [space.vector(f.spec) for f in figures]
            fixed = [space.vector(s) for s in self.fixed_specs] + space.fixed
            pins = [(pin, None) for spec in self.fixed_specs for pin in space.pins(spec)]
            zeros = {i: space.pins(f.spec) for i, f in enumerate(figures)
                     if f.how == "count" and f.raw == 0}
            self._system = (vectors, fixed, pins, zeros, components([*vectors, *fixed]))
        vectors, fixed, pins, zeros, groups = self._system
        wanted = {groups[i] for i, f in enumerate(figures) if f.hidden and f.how != "ratio"}
        basis = Basis()
        rows: list[tuple[Vector, int | None]] = [
            (vector, None) for j, vector in enumerate(fixed)
            if groups[len(figures) + j] in wanted]
        rows += pins
        for i, f in enumerate(figures):
            if groups[i] in wanted and not f.hidden and not f.private:
                rows.append((vectors[i], i))
                rows += [(pin, i) for pin in zeros.get(i, ())]
        # Short rows first: long ones (a population's total as the sum of its
        # cells) then reduce against them without filling in.
        rows.sort(key=lambda row: len(row[0]))
        for vector, number in rows:
            basis.add(vector, number)
        changed = False
        for i, figure in enumerate(figures):
            # A percentage is a relation between counts, always true: hiding it
            # keeps the relation from the reader; there is no value to protect.
            if not figure.hidden or figure.how == "ratio":
                continue
            used = basis.derivation(vectors[i])
            if used is None:
                continue
            if any(figures[k].hidden for k in used):
                changed = True  # already broken in this round; looked at again next
                continue
            candidates = [figures[k] for k in used if not figures[k].fixed]
            if not candidates:
                raise ValueError(
                    f"the report tells {_describe(figure.spec)} in words (a list of names, "
                    "say) while the figure is hidden; tell fewer counts in the text")
            chosen = min(candidates, key=lambda f: (f.how != "ratio", f.raw == 0, f.raw,
                                                    -f.number))
            chosen.hide("secondary")
            changed = True
        return changed

    # ----------------------------------------------------------- publishing

    def _value(self, ref: Any) -> Any:
        if not isinstance(ref, _Ref):
            return ref
        figure: Any = ref.figure
        if ref.how == "count":
            if figure.hidden:
                return Hidden(figure.reason)
            # Hidden or not is decided once for the figure, by the strictest rule
            # of its places; each place rounds as its own block does.
            return ref.rule.count(ref.value.value)
        if ref.how == "amount":
            return Hidden(figure.reason) if figure.hidden else ref.value.value
        if ref.how == "ratio":
            return Hidden("derived") if figure.hidden else ref.rule.ratio(ref.value)
        if ref.how == "mean":
            basis = self.figures.get(("count", ((1, ref.value.basis_of),)))
            if basis is not None and basis.hidden:
                return Hidden("derived")
            return ref.rule.mean(ref.value)
        if ref.how == "undeclared":
            return Hidden("secondary") if self.undeclared_hidden else ref.rule.count(ref.value)
        if ref.how == "undeclared-ratio":
            return Hidden("derived") if self.undeclared_hidden else ref.rule.ratio(ref.value)
        raise AssertionError(ref.how)

    def publish(self) -> tuple[Section, ...]:
        sections = []
        for section, cells_of in zip(self.report.sections, self.blocks, strict=True):
            blocks = [self._publish(block, cells)
                      for block, cells in zip(section.blocks, cells_of, strict=True)]
            sections.append(Section(title=section.title, blocks=tuple(blocks)))
        return tuple(sections)

    def _publish(self, block: Any, cells: Any) -> Any:
        value = self._value
        if isinstance(block, Metrics):
            return evolve(block, items=tuple(evolve(m, value=value(c))
                                             for m, c in zip(block.items, cells, strict=True)))
        if isinstance(block, Metric):
            return evolve(block, value=value(cells))
        if isinstance(block, Paragraph):
            return evolve(block, tells=(), figures={
                k: Figure(value=value(cells[k]), type=f.type) for k, f in block.figures.items()})
        if isinstance(block, Chart):
            return evolve(block, series=tuple(
                Series(name=s.name, values=tuple(value(c) for c in row))
                for s, row in zip(block.series, cells, strict=True)))
        if isinstance(block, Table):
            if cells is None:
                rule = self.rule.strict if block.always_suppress else self.rule
                columns = block.columns
                assert isinstance(block.rows, LazyRows)
                totals = None if block.totals is None else tuple(
                    _streamed(v, c.type, rule) for v, c in zip(block.totals, columns,
                                                                strict=True))
                return evolve(block, rows=block.rows.mapped(
                    lambda r: tuple(_streamed(v, c.type, rule)
                                    for v, c in zip(r, columns, strict=True))),
                    totals=totals)
            rows, totals = cells
            return evolve(block, rows=tuple(tuple(value(c) for c in row) for row in rows),
                          totals=None if totals is None else tuple(value(c) for c in totals))
        raise TypeError(f"a report section cannot hold {type(block).__name__}")

    def ledger(self) -> tuple[Entry, ...]:
        entries = [Entry(spec=f.spec, state="fixed" if f.fixed else
                         "hidden" if f.hidden else "private" if f.private else "published",
                         places=tuple(f.places), what=f.how,
                         zero=f.how == "count" and f.raw == 0 and not f.hidden)
                   for f in sorted(self.figures.values(), key=lambda f: f.number)
                   if not (f.private and not f.hidden)]
        entries += [Entry(spec=s, state="fixed", places=(), what="sum", zero=True)
                    for s in self.fixed_specs]
        undeclared = "hidden" if self.undeclared_hidden else "published"
        entries += [Entry(spec=(), state=undeclared, places=(), what=r.how)
                    for r in self.undeclared]
        return tuple(entries)


def _streamed(value: Any, kind: ValueType, rule: Rule) -> Any:
    """A cell of a long streamed table (no counts of people in it)."""
    if isinstance(value, Amount):
        return Hidden("small") if rule.small(value.people) else value.value
    if value.__class__ in _PLAIN_VALUES and kind in _PLAIN:
        return value
    return rule.cell(value, kind)


def _describe(spec: Spec) -> str:
    return " + ".join(str(t) if c == 1 else f"{c} x {t}" for c, t in spec)


@frozen(kw_only=True)
class Entry:
    """One line of a disclosed report's ledger: a declared figure and its fate.

    ``state`` is ``published``, ``hidden``, ``fixed`` (told by the text, or a
    fact of the report's shape such as a total being the sum of its rows) or
    ``private`` (never printed, and small). An entry with an empty ``spec`` is
    a count that did not say which people it counts.
    """

    spec: Spec
    state: str
    places: tuple[Place, ...]
    what: str
    #: Known to be 0 (a published count of 0, or a total less its rows).
    zero: bool = False


def verify(report: Report) -> list[str]:
    """What a reader could work out that the report hides: empty when nothing.

    Runs on any disclosed report, whatever built it. For every population,
    it sets up the linear system of the report's published figures (every
    place a figure is shown, the counts paragraphs tell, percentages with
    their counts, totals as sums of their rows) over the fully crossed
    unknowns of :mod:`coprod_core.reports.linear`, and checks by plain
    Gaussian elimination over the rationals that no hidden figure lies in
    the span of the published ones: a hidden figure in that span could be
    worked out by adding and subtracting published figures; one outside it
    could take more than one value, whatever the published figures say.
    It also checks that each place of a figure shows what the ledger says
    (``*`` where hidden), and that no count without a declared population
    is shown while any count is hidden.
    """
    if report.disclosure is None:
        return ["the disclosure rule was not applied"]
    entries: list[Entry] = list(report.disclosure.ledger)
    problems = []
    declared = [e for e in entries if e.spec]
    complete = {(b.population, b.name): b.parts for b in report.breakdowns}
    space = Space([e.spec for e in declared], complete, factored=False)
    shown = [e for e in declared if e.state in ("published", "fixed")]
    published = [space.vector(e.spec) for e in shown]
    published += [pin for e in shown if e.zero for pin in space.pins(e.spec)]
    published += space.fixed
    for entry in declared:
        if entry.state in ("hidden", "private") and entry.what != "ratio":
            vector = space.vector(entry.spec)
            relevant = [v for v in published if set(v) & _reach(vector, published)]
            if determined_dense(relevant, vector):
                problems.append(f"hidden {entry.what} {_describe(entry.spec)} can be worked "
                                "out from published figures")
    rows: dict[tuple[int, int], list[Any]] = {}
    for entry in declared:
        for place in entry.places:
            cell = _at(report, place, rows)
            if cell is _NOWHERE:
                continue
            if (entry.state == "hidden") != isinstance(cell, Hidden):
                problems.append(f"{_describe(entry.spec)} is {entry.state} but shows {cell!r} "
                                f"at {place}")
    if any(e.state == "hidden" for e in entries) and any(
            not e.spec and e.state == "published" for e in entries):
        problems.append("a count with no declared population is shown while a count is hidden")
    return problems


def _reach(vector: Vector, others: list[Vector]) -> set[Any]:
    """The unknowns connected to ``vector`` through ``others``."""
    reach = set(vector)
    grown = True
    while grown:
        grown = False
        for v in others:
            if set(v) & reach and not set(v) <= reach:
                reach |= set(v)
                grown = True
    return reach


_NOWHERE = object()


def _at(report: Report, place: Place, rows: dict[tuple[int, int], list[Any]]) -> Any:
    if len(place) < 3 or not isinstance(place[0], int):
        return _NOWHERE
    block: Any = report.sections[place[0]].blocks[place[1]]
    what, rest = place[2], place[3:]
    if what == "metric":
        return block.items[rest[0]].value if isinstance(block, Metrics) else block.value
    if what == "figure":
        return block.figures[rest[0]].value
    if what == "series":
        return block.series[rest[0]].values[rest[1]]
    if what == "row":
        if (place[0], place[1]) not in rows:
            rows[(place[0], place[1])] = list(block.rows)
        return rows[(place[0], place[1])][rest[0]][rest[1]]
    if what == "totals":
        return block.totals[rest[0]]
    return _NOWHERE


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
