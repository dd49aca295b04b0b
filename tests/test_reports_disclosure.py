"""Small-number suppression: the rule, secondary suppression, and its configuration."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coprod_core.config import Config
from coprod_core.errors import ConfigError
from coprod_core.reports import (
    Chart,
    Column,
    Count,
    Figure,
    Hidden,
    LazyRows,
    Mean,
    Metric,
    Metrics,
    Paragraph,
    Ratio,
    Report,
    Section,
    Series,
    Table,
    ValueType,
    of,
)
from coprod_core.reports.disclosure import Rule, apply, verify

PEOPLE, NUMBER, PERCENT = ValueType.PEOPLE, ValueType.NUMBER, ValueType.PERCENT
NOW = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
RULE = Rule()


@pytest.mark.parametrize(("n", "shown"), [
    (0, 0), (1, Hidden()), (7, Hidden()), (8, 10), (12, 10), (13, 15), (22, 20),
    (23, 25), (100, 100), (1234, 1235),
])
def test_counts_of_people(n, shown):
    assert RULE.count(n) == shown


def test_counts_with_a_configured_rule():
    assert Rule(threshold=9, rounding=10).count(9) == Hidden()
    assert Rule(threshold=9, rounding=10).count(14) == 10
    assert Rule(rounding=1).count(13) == 13
    assert Rule(off=True).count(3) == 3


def test_percentages_need_unsuppressed_counts():
    assert RULE.ratio(Ratio(5, 40)) == Hidden("derived")   # numerator small
    assert RULE.ratio(Ratio(6, 6)) == Hidden("derived")    # denominator small
    assert RULE.ratio(Ratio(95, 100)) == Hidden("derived")  # 5 left out
    assert RULE.ratio(Ratio(20, 40)) == 50.0
    assert RULE.ratio(Ratio(11, 30)) == 37.0  # a whole number only
    assert RULE.ratio(Ratio(0, 0)) is None
    assert RULE.ratio(Ratio(1, 3, people=False)) == 33.0  # promises, not people
    assert Rule(off=True).ratio(Ratio(1, 3)) == 33.3


def test_means_need_enough_people():
    assert RULE.mean(Mean(4.25, 7)) == Hidden("derived")
    assert RULE.mean(Mean(4.25, 8)) == 4.2
    assert RULE.mean(Mean(12.0, 2, people=False)) == 12.0
    assert RULE.mean(Mean(None, 0)) is None


def test_a_percentage_must_be_a_ratio():
    with pytest.raises(TypeError, match="Ratio"):
        RULE.cell(42.0, PERCENT)
    with pytest.raises(TypeError, match="int"):
        RULE.cell(Mean(1.0, 9), PEOPLE)


def _table(rows, totals=None, columns=None):
    columns = columns or (Column(key="group", label="Group"),
                          Column(key="a", label="A", type=PEOPLE),
                          Column(key="b", label="B", type=PEOPLE))
    return Table(title="t", columns=columns, rows=rows, totals=totals)


def test_secondary_suppression_down_a_column():
    table = RULE.table(_table([("x", 3, 40), ("y", 30, 40), ("z", 20, 40)],
                              totals=("all", 53, 120)))
    rows = [tuple(r) for r in table.rows]
    # 3 is hidden; alone it could be worked out from the total, so 20 goes too.
    assert rows == [("x", Hidden("small"), 40), ("y", 30, 40),
                    ("z", Hidden("secondary"), 40)]
    assert table.totals == ("all", 55, 120)


def test_secondary_suppression_hides_the_total_when_nothing_else_can_go():
    table = RULE.table(_table([("x", 3, 40), ("y", 0, 40)], totals=("all", 3, 80)))
    assert table.totals[1] == Hidden("small")
    table = RULE.table(_table([("x", 3, 40), ("y", 0, 40), ("w", 0, 0)],
                              totals=("all", 9, 80)))
    assert table.totals[1] == Hidden("secondary")


def test_secondary_suppression_along_a_row():
    columns = (Column(key="s", label="Session"),
               Column(key="new", label="New", type=PEOPLE),
               Column(key="back", label="Back", type=PEOPLE),
               Column(key="all", label="All", type=PEOPLE, total_of=("new", "back")))
    table = RULE.table(_table([("s1", 3, 20, 23), ("s2", 10, 20, 30)], columns=columns))
    assert [tuple(r) for r in table.rows] == [
        ("s1", Hidden("small"), Hidden("secondary"), 25), ("s2", 10, 20, 30)]


def test_always_suppressed_tables_ignore_off():
    table = Table(title="t", columns=(Column(key="v", label="V"),
                                      Column(key="n", label="N", type=PEOPLE)),
                  rows=[("a", 2), ("b", 30)], totals=("all", 32), always_suppress=True)
    for lax in (Rule(off=True), Rule(threshold=0, rounding=1)):
        out = lax.table(table)
        assert [tuple(r) for r in out.rows] == [("a", Hidden("small")),
                                                ("b", Hidden("secondary"))]
        assert out.totals == ("all", 30)


def test_chart_colours_meet_wcag_aa_on_white():
    from coprod_reports.html import COLOURS

    def luminance(colour):
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
                   for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    for colour in COLOURS:
        assert (1.05) / (luminance(colour) + 0.05) >= 4.5, colour


def test_lazy_rows_stay_lazy():
    made = []

    def rows():
        made.append(1)
        yield ("a", 3)

    table = Table(title="t", columns=(Column(key="v", label="V"),
                                      Column(key="n", label="N", type=PEOPLE)),
                  rows=LazyRows(rows))
    out = RULE.table(table)
    assert made == []
    assert list(out.rows) == [("a", Hidden("small"))]


def _report(*blocks):
    return Report(kind="k", title="T", generated_at=NOW,
                  sections=[Section(title="S", blocks=blocks)])


def test_apply_covers_every_block_and_says_so():
    report = apply(_report(
        Paragraph(text="{n} people came", figures={"n": Figure(value=Count(4, of("a")))}),
        Metrics(items=[Metric(label="m", value=Count(12, of("b")))]),
        Chart(title="c", labels=["a"], series=[Series(name="s", values=[Count(5, of("c"))])],
              alt="a"),
    ))
    paragraph, figures, chart = report.sections[0].blocks
    assert paragraph.fill(lambda v, k: "*" if isinstance(v, Hidden) else str(v)) == \
        "* people came"
    assert figures.items[0].value == 10
    assert chart.series[0].values == (Hidden(),)
    assert report.disclosure.applied
    assert "from 1 to 7 are shown as *" in report.disclosure.note
    with pytest.raises(ValueError, match="already been applied"):
        apply(report)


def test_a_count_that_does_not_say_whom_it_counts_is_shown_only_when_nothing_is_hidden():
    plain = apply(_report(Metrics(items=[Metric(label="m", value=12),
                                         Metric(label="n", value=20)])))
    assert [m.value for m in plain.sections[0].blocks[0].items] == [10, 20]
    mixed = apply(_report(
        Metrics(items=[Metric(label="m", value=12), Metric(label="n", value=Count(3, of("x")))]),
    ))
    assert [m.value for m in mixed.sections[0].blocks[0].items] == [
        Hidden("secondary"), Hidden("small")]
    assert verify(mixed) == []


def test_off_says_internal_use_on_its_face():
    report = apply(_report(Metrics(items=[Metric(label="m", value=3)])), Rule(off=True))
    assert report.sections[0].blocks[0].items[0].value == 3
    assert not report.disclosure.applied
    assert "internal use only" in report.disclosure.note


def test_config_reading_and_checking():
    config = Config.from_dict({"reports": {"disclosure": {"threshold": 9, "rounding": 10}}})
    assert Rule.from_config(config) == Rule(threshold=9, rounding=10)
    assert Rule.from_config(Config.from_dict({})) == Rule()
    with pytest.raises(ConfigError, match=r"reports.disclosure.threshold.*must be an integer"):
        Config.from_dict({"reports": {"disclosure": {"threshold": "7"}}})
    with pytest.raises(ConfigError, match=r"rounding.*must be 1"):
        Config.from_dict({"reports": {"disclosure": {"rounding": 0}}})
    with pytest.raises(ConfigError, match=r"unknown key.*allowed here: off, rounding"):
        Config.from_dict({"reports": {"disclosure": {"of": True}}})
    with pytest.raises(ConfigError, match=r"reports\.colour"):
        Config.from_dict({"reports": {"colour": "red"}})
    with pytest.raises(ConfigError, match=r"reports\.demographics"):
        Config.from_dict({"reports": {"demographics": [1]}})


# ---------------------------------------------------------------- properties

counts = st.integers(min_value=0, max_value=60)


@st.composite
def tables(draw):
    width = draw(st.integers(min_value=1, max_value=4))
    height = draw(st.integers(min_value=0, max_value=6))
    data = [[draw(counts) for _ in range(width)] for _ in range(height)]
    columns = (Column(key="g", label="G"),
               *(Column(key=f"c{i}", label=f"C{i}", type=PEOPLE) for i in range(width)),
               Column(key="all", label="All", type=PEOPLE,
                      total_of=tuple(f"c{i}" for i in range(width))))
    rows = [(f"r{j}", *row, sum(row)) for j, row in enumerate(data)]
    sums = [sum(row[i] for row in data) for i in range(width)]
    totals = ("all", *sums, sum(sums))
    return Table(title="t", columns=columns, rows=rows, totals=totals)


def _published(cell):
    return not isinstance(cell, Hidden) and cell is not None


@settings(max_examples=200, deadline=None)
@given(tables())
def test_no_small_count_is_published_or_recoverable(table):
    out = RULE.table(table)
    grid = [list(r) for r in out.rows]
    totals = list(out.totals)
    for row in [*grid, totals]:
        for cell in row[1:]:
            assert isinstance(cell, Hidden) or cell == 0 or (cell >= 10 and cell % 5 == 0)
    # No shown total has exactly one hidden part (across a row, or down a column).
    for row in [*grid, totals]:
        if _published(row[-1]):
            assert sum(isinstance(c, Hidden) for c in row[1:-1]) != 1
    for col in range(1, len(totals)):
        if _published(totals[col]):
            assert sum(isinstance(r[col], Hidden) for r in grid) != 1


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 500), st.integers(0, 500))
def test_no_percentage_rests_on_a_small_count(a, b):
    numerator, denominator = min(a, b), max(a, b)
    shown = RULE.ratio(Ratio(numerator, denominator))
    if isinstance(shown, float):
        for n in (numerator, denominator, denominator - numerator):
            assert n == 0 or n > 7
