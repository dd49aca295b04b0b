"""Checking any disclosed report: can a reader work out what it hides?

:func:`verify` is independent of how :func:`coprod_core.reports.disclosure.apply`
decided: it rebuilds the linear system from the report's ledger over the
fully crossed unknowns and solves it by plain elimination, so the tests
compare two methods (see :mod:`coprod_core.reports.linear`).
"""

from __future__ import annotations

from typing import Any

from attrs import frozen

from .document import Hidden, Metrics, Report
from .linear import Space, Spec, Vector, determined_dense

__all__ = ["Entry", "Place", "describe", "verify"]

# A place in the document: (section, block, what, *indices).
Place = tuple[Any, ...]


def describe(spec: Spec) -> str:
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
                problems.append(f"hidden {entry.what} {describe(entry.spec)} can be worked "
                                "out from published figures")
    rows: dict[tuple[int, int], list[Any]] = {}
    for entry in declared:
        for place in entry.places:
            cell = _at(report, place, rows)
            if cell is _NOWHERE:
                continue
            if (entry.state == "hidden") != isinstance(cell, Hidden):
                problems.append(f"{describe(entry.spec)} is {entry.state} but shows {cell!r} "
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
