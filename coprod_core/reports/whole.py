"""The disclosure decision for a whole report: which figures to hide, everywhere.

:func:`coprod_core.reports.disclosure.apply` reads the document into
figures (each declared count, amount and percentage once, with every place
it appears), judges each on its own, then hides more until no hidden count
is in the span of the published ones (:mod:`coprod_core.reports.linear`),
and writes the document back with the result.

One piece: reading, deciding and publishing share the figures and the
places they were read from; split, each half would hand the other its
private state.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from attrs import evolve

from .checker import Entry, Place, describe
from .document import (
    Amount,
    Chart,
    Column,
    Count,
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
    Section,
    Series,
    Table,
    ValueType,
)
from .linear import Basis, Space, Spec, Vector, components

if TYPE_CHECKING:
    from .disclosure import Rule

#: Cells that pass through a row as they are.
PLAIN = frozenset({ValueType.TEXT, ValueType.DATE})
PLAIN_VALUES = frozenset({str, int, float, dt.date, type(None)})


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


class Decision:
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
                f"two figures say they count {describe(spec)} but hold {figure.raw} and "
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
                    f"the report tells {describe(figure.spec)} in words (a list of names, "
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
    if value.__class__ in PLAIN_VALUES and kind in PLAIN:
        return value
    return rule.cell(value, kind)
