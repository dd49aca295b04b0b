"""Which hidden counts a reader could work out from the published ones.

Every declared figure of a report is a linear form over unknown counts of
people: "the staff among those who took part" is the sum of the people in
every cell of the population whose role is staff. A reader who sees some
figures exactly knows every linear combination of them, and nothing else
for certain. So a hidden figure can be worked out (by adding and
subtracting published ones) exactly when its form lies in the span of the
published forms: when adding it to them does not raise the rank. That is
what this module decides, with exact rational arithmetic (no floating
point), so "determined" never depends on rounding error.

The unknowns (the *atoms*) come from the figures' declarations. A population
is cut by each of its breakdowns into parts; two parts that no figure tells
apart are one unknown, and people in parts no figure names are one more
unknown ("other"), unless a :class:`~coprod_core.reports.document.Breakdown`
says the named parts are all there are. Breakdowns that some figure uses
together (role and number of sessions) are crossed; breakdowns that no
figure uses together are kept apart, tied only through the population's
total. That is exact: a linear form in the crossed unknowns that is a sum of
forms in separate groups of breakdowns can only share the constant (the
total) between groups, so the span is the same, and the systems stay small
(thousands of sessions times a handful of roles would otherwise be tens of
thousands of unknowns).

Published figures are treated as exact even where they are rounded: a reader
with the exact values knows more, so this is the cautious reading.

Two solvers are here. :class:`Basis` is incremental and sparse, remembers
which published figures each derivation used (so the disclosure step can
hide one of them), and uses the factored unknowns. :func:`determined_dense`
is the plain textbook method on the fully crossed unknowns, for
:func:`coprod_core.reports.disclosure.verify` and the tests: two methods that
must agree.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Any

from .document import Of

#: A figure as a linear form over populations: ``((coefficient, Of), ...)``.
Spec = tuple[tuple[int, Of], ...]
Column = tuple[object, ...]
#: Coefficients are whole numbers: figures are sums of counts, and a
#: percentage d*num - n*den = 0 has whole coefficients too.
Vector = dict[Column, int]

OTHER = "\x00other"


class Space:
    """The unknowns of a set of figures, and each figure as a vector over them."""

    def __init__(self, specs: Iterable[Spec], complete: Mapping[tuple[str, str], Iterable[str]]
                 | None = None, *, factored: bool = True) -> None:
        self.complete = {k: frozenset(v) for k, v in (complete or {}).items()}
        self.factored = factored
        terms: dict[str, set[Of]] = defaultdict(set)
        for spec in specs:
            for _coefficient, term in spec:
                terms[term.population].add(term)
        self._terms = terms
        self._cache: dict[Of, Vector] = {}
        self._groups: dict[str, list[Vector]] = {}
        self.fixed: list[Vector] = []
        self._built: dict[str, None] = {}
        for population in terms:
            self._build(population)

    # ------------------------------------------------------------ the unknowns

    def _build(self, population: str) -> None:
        terms = sorted(self._terms[population], key=repr)
        breakdowns = sorted({name for term in terms for name, _parts in term.where})
        # Classes of parts, per breakdown: parts no figure tells apart are one.
        classes: dict[str, list[frozenset[int]]] = {}
        for name in breakdowns:
            parts: dict[str, set[int]] = defaultdict(set)
            for i, term in enumerate(terms):
                chosen = dict(term.where).get(name)
                if chosen is None:
                    continue
                for part in chosen:
                    parts[part].add(i)
            declared = self.complete.get((population, name))
            if declared is not None:
                for part in declared:
                    parts.setdefault(part, set())
                unknown = set(parts) - declared
                if unknown:
                    raise ValueError(
                        f"breakdown {name!r} of {population!r} is declared complete with parts "
                        f"{sorted(declared)}, but a figure counts {sorted(unknown)}")
            signatures = {frozenset(members) for members in parts.values()}
            if declared is None:
                signatures.add(frozenset())  # people in parts no figure names
            classes[name] = sorted(signatures, key=sorted)
        # Groups of breakdowns that figures use together.
        group_of = {name: name for name in breakdowns}

        def find(name: str) -> str:
            while group_of[name] != name:
                group_of[name] = group_of[group_of[name]]
                name = group_of[name]
            return name

        if self.factored:
            for term in terms:
                names = [name for name, _parts in term.where]
                for a, b in itertools.pairwise(names):
                    group_of[find(a)] = find(b)
        else:
            for a, b in itertools.pairwise(breakdowns):
                group_of[find(a)] = find(b)
        groups: dict[str, list[str]] = defaultdict(list)
        for name in breakdowns:
            groups[find(name)].append(name)
        total: Column = (population, "total")
        vectors: dict[int, Vector] = {i: {} for i in range(len(terms))}
        self._groups[population] = []
        for index, (_root, names) in enumerate(sorted(groups.items())):
            # Every cell of the crossed breakdowns, merged by which terms count it:
            # a term counts a cell when, for each breakdown it names, the cell's
            # part is one it counts.
            users = {i for i, t in enumerate(terms) if any(n in dict(t.where) for n in names)}
            free = {n: {i for i in users if n not in dict(terms[i].where)} for n in names}
            columns: dict[frozenset[int], int] = {}
            for cell in itertools.product(*(classes[n] for n in names)):
                counted = set(cell[0] | free[names[0]])
                for name, members in zip(names[1:], cell[1:], strict=True):
                    counted &= members | free[name]
                columns.setdefault(frozenset(counted), len(columns))
            whole: Vector = {}
            for terms_counting, number in columns.items():
                column: Column = (population, index, number)
                whole[column] = 1
                for i in terms_counting:
                    vectors[i][column] = 1
            # The cells of each group of breakdowns add up to the population.
            self._groups[population].append(dict(whole))
            whole[total] = -1
            self.fixed.append(whole)
        for i, term in enumerate(terms):
            self._cache[term] = vectors[i] if term.where else {total: 1}

    def pins(self, spec: Spec) -> list[Vector]:
        """The unknowns a figure pins to zero when it is known to be 0.

        Counts are never negative, so a sum of them that is 0 makes each of
        them 0: a table whose rows add up to its total tells that nobody is
        in the parts it leaves out. Only a figure that is such a sum (every
        coefficient positive, once a population total is written as the sum
        of its cells) pins anything; others stay linear facts.
        """
        vector = self.vector(spec)
        expanded: Vector = defaultdict(int)
        for column, value in vector.items():
            population = column[0]
            if column[1] != "total":
                expanded[column] += value
                continue
            groups = self._groups.get(str(population), [])
            used = [g for g in groups if any(c in g for c in vector)]
            if not groups:
                expanded[column] += value
            elif len(used) <= 1:
                for c, one in (used or groups)[0].items():
                    expanded[c] += value * one
                if not used:  # the whole population is 0: every group with it
                    for group in groups[1:]:
                        for c in group:
                            expanded[c] += value
                    expanded[column] += value
            else:
                return []
        expanded = {c: v for c, v in expanded.items() if v}
        if not expanded or any(v < 0 for v in expanded.values()):
            return []
        return [{c: 1} for c in expanded]

    def vector(self, spec: Spec) -> Vector:
        out: Vector = defaultdict(int)
        for coefficient, term in spec:
            for column, value in self._cache[term].items():
                out[column] += coefficient * value
        return {c: v for c, v in out.items() if v}


# ------------------------------------------------------------- sparse solver


class Basis:
    """A basis of published vectors, kept fully reduced, with their derivations.

    Whole numbers throughout (fraction-free elimination): each row ``r`` is
    stored with ``combos[pivot]``, the published figures (by number) it is
    made of, so that ``r = sum(combo[f] * figure f)`` plus facts of the
    report's shape. Reducing a hidden figure to nothing names the published
    figures that give it away.
    """

    def __init__(self) -> None:
        self.rows: dict[Column, Vector] = {}
        self.combos: dict[Column, dict[int, int]] = {}
        self.holding: dict[Column, set[Column]] = defaultdict(set)

    def reduce(self, vector: Vector) -> tuple[Vector, dict[int, int], int]:
        """``(v, combo, scale)`` with ``v = scale * vector + sum(combo * figures)``."""
        v: Vector = dict(vector)
        combo: dict[int, int] = {}
        scale = 1
        for pivot in [c for c in v if c in self.rows]:
            a = v.get(pivot)
            if not a:
                continue
            row = self.rows[pivot]
            cp = row[pivot]
            if cp != 1:
                v = {c: x * cp for c, x in v.items()}
                combo = {k: x * cp for k, x in combo.items()}
                scale *= cp
            _axpy(v, -a, row)
            _axpy(combo, -a, self.combos[pivot])
        return v, combo, scale

    def add(self, vector: Vector, figure: int | None) -> bool:
        """Add a published vector; False when it was already in the span."""
        v, combo, scale = self.reduce(vector)
        if not v:
            return False
        # A fixed row (a fact of the report's shape, no figure) is left out of
        # the combination: it is never hidden.
        if figure is not None:
            combo[figure] = combo.get(figure, 0) + scale
        v, combo = _normal(v, combo)
        pivot = next((c for c, x in v.items() if x in (1, -1)), next(iter(v)))
        if v[pivot] < 0:
            v = {c: -x for c, x in v.items()}
            combo = {k: -x for k, x in combo.items()}
        cp = v[pivot]
        # Keep the basis fully reduced: no row holds another row's pivot.
        for other in list(self.holding.get(pivot, ())):
            row, other_combo = self.rows[other], self.combos[other]
            a = row[pivot]
            if cp != 1:
                for c in row:
                    row[c] *= cp
                for k in other_combo:
                    other_combo[k] *= cp
            for column, value in v.items():
                new = row.get(column, 0) - a * value
                if new:
                    if column not in row:
                        self.holding[column].add(other)
                    row[column] = new
                else:
                    row.pop(column, None)
                    self.holding[column].discard(other)
            _axpy(other_combo, -a, combo)
            if cp != 1:
                self.rows[other], self.combos[other] = _normal(row, other_combo)
        self.holding.pop(pivot, None)
        self.rows[pivot] = v
        self.combos[pivot] = combo
        for column in v:
            if column != pivot:
                self.holding[column].add(pivot)
        return True

    def derivation(self, vector: Vector) -> dict[int, int] | None:
        """The published figures that give ``vector`` away, or None if they cannot."""
        v, combo, _scale = self.reduce(vector)
        if v:
            return None
        # ``scale * vector + sum(combo * figures) = 0``.
        return {k: c for k, c in combo.items() if c}


def _axpy(target: dict[Any, int], a: int, source: Mapping[Any, int]) -> None:
    """``target += a * source``, dropping zeros."""
    for key, value in source.items():
        new = target.get(key, 0) + a * value
        if new:
            target[key] = new
        else:
            target.pop(key, None)


def _normal(v: Vector, combo: dict[int, int]) -> tuple[Vector, dict[int, int]]:
    """``v`` and ``combo`` divided by their common factor, to keep numbers small."""
    g = 0
    for x in itertools.chain(v.values(), combo.values()):
        g = math.gcd(g, x)
        if g == 1:
            return v, combo
    if g > 1:
        v = {c: x // g for c, x in v.items()}
        combo = {k: x // g for k, x in combo.items()}
    return v, combo


def components(vectors: Sequence[Vector]) -> list[int]:
    """For each vector, the number of its connected group (vectors sharing unknowns)."""
    parent = list(range(len(vectors)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[Column, int] = {}
    for i, vector in enumerate(vectors):
        for column in vector:
            if column in owner:
                a, b = find(i), find(owner[column])
                if a != b:
                    parent[a] = b
            else:
                owner[column] = i
    return [find(i) for i in range(len(vectors))]


# -------------------------------------------------------------- dense check


def rank(rows: Sequence[Sequence[Fraction]]) -> int:
    """The rank of a matrix, by Gaussian elimination over the rationals."""
    matrix = [list(r) for r in rows if any(r)]
    if not matrix:
        return 0
    width = len(matrix[0])
    r = 0
    for c in range(width):
        pivot = next((i for i in range(r, len(matrix)) if matrix[i][c]), None)
        if pivot is None:
            continue
        matrix[r], matrix[pivot] = matrix[pivot], matrix[r]
        for i in range(len(matrix)):
            if i != r and matrix[i][c]:
                factor = matrix[i][c] / matrix[r][c]
                matrix[i] = [x - factor * y for x, y in zip(matrix[i], matrix[r], strict=True)]
        r += 1
        if r == len(matrix):
            break
    return r


def determined_dense(published: Sequence[Vector], hidden: Vector) -> bool:
    """Whether ``hidden`` is a linear combination of ``published`` (plain elimination)."""
    columns = sorted({c for v in (*published, hidden) for c in v}, key=repr)
    if not columns:
        return True
    matrix = [[Fraction(v.get(c, 0)) for c in columns] for v in published]
    return rank(matrix) == rank([*matrix, [Fraction(hidden.get(c, 0)) for c in columns]])
