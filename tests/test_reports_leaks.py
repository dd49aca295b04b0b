"""For any data set, no published cell of any report, in any format, shows a count of
people from 1 to 7, nor a percentage or mean resting on one."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from html.parser import HTMLParser
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coprod_core.model import Demographic
from coprod_core.reports import (
    Chart,
    Files,
    Hidden,
    Mean,
    Metrics,
    Paragraph,
    Params,
    Ratio,
    Table,
    ValueType,
    format_named,
    kind_named,
    render,
)
from coprod_core.reports.disclosure import Rule, apply
from coprod_core.testing import FakeClock, use_plugin_manager
from coprod_core.workspace import Workspace

ROLES = ("lived_experience", "peer_researcher", "staff", "commissioner", "partner",
         "volunteer")
RUNGS = ("coercion", "educating", "informing", "consultation", "engagement", "co_design",
         "co_production")
KINDS = ("summary", "commitments", "tensions", "participation", "ladder", "session")
PEOPLE = ValueType.PEOPLE


@st.composite
def programmes(draw: Any) -> dict[str, Any]:
    people = draw(st.lists(st.tuples(st.sampled_from(ROLES), st.booleans(),
                                     st.sampled_from(("A", "B", "C"))),
                           min_size=1, max_size=30))
    n = len(people)
    sessions = draw(st.lists(st.tuples(
        st.integers(0, 120),
        st.lists(st.integers(0, n - 1), unique=True, max_size=n),
        st.lists(st.tuples(st.integers(0, n - 1), st.sampled_from(RUNGS)), max_size=n),
    ), min_size=1, max_size=5))
    tensions = draw(st.lists(st.tuples(st.integers(0, 4), st.sampled_from(
        (("acknowledged",), ("acknowledged", "resolved"), ("held",), ()))), max_size=4))
    commitments = draw(st.lists(st.tuples(st.integers(0, n - 1), st.sampled_from(
        ("can_decide", "can_influence", "can_only_raise")), st.sampled_from(
        ((), ("agreed",), ("agreed", "delivered"), ("agreed", "not_delivered")))),
        max_size=4))
    return {"people": people, "sessions": sessions, "tensions": tensions,
            "commitments": commitments}


def make(pm: Any, data: dict[str, Any]) -> Workspace:
    clock = FakeClock()
    ws = Workspace.in_memory(org="Org", plugins=pm, clock=clock, actor="t",
                             data={"reports": {"demographics": ["ethnicity"]}})
    ids = []
    for i, (role, consent, answer) in enumerate(data["people"]):
        person = ws.add_participant(f"Person {i}", role=role)
        ids.append(person.id)
        if consent:  # without consent the answer cannot be stored at all
            ws.record_consent(person.id, "special:ethnicity", given=True, statement_version="v",
                              method="written")
            ws.update_participant(person.id, demographics=(
                Demographic(key="ethnicity", value=answer, category="ethnicity"),))
    sessions = []
    for offset, came, ratings in data["sessions"]:
        day = dt.date(2026, 1, 1) + dt.timedelta(days=offset)
        session = ws.new_session("Session", date=day)
        if came:
            ws.attend(session.id, [ids[i] for i in came])
            for i, rung in ratings:
                if i in came:
                    ws.rate(session.id, ids[i], rung)
        sessions.append(session.id)
    for index, moves in data["tensions"]:
        tension = ws.raise_tension("T", kind="power",
                                   session_id=sessions[index % len(sessions)])
        for move in moves:
            clock.advance(days=3)
            ws.move_tension(tension.id, move)
    for who, authority, moves in data["commitments"]:
        commitment = ws.make_commitment("C", made_by=ids[who], authority=authority,
                                        session_id=sessions[0])
        for move in moves:
            clock.advance(days=5)
            ws.move_commitment(commitment.id, move, note="n")
    return ws


def safe_count(value: Any) -> bool:
    return isinstance(value, Hidden) or value is None or value == 0 or (
        isinstance(value, int) and value >= 10 and value % 5 == 0)


def safe_text(text: str) -> bool:
    text = text.replace("\\*", "*").replace(",", "").strip()
    return text in ("*", "0", "–", "") or (text.isdigit() and int(text) >= 10
                                            and int(text) % 5 == 0)


def small(n: int) -> bool:
    return 1 <= n <= 7


def check_document(raw: Any, published: Any) -> None:
    """Every people cell is safe; every ratio or mean on few people is hidden."""
    for raw_section, section in zip(raw.sections, published.sections, strict=True):
        for raw_block, block in zip(raw_section.blocks, section.blocks, strict=True):
            pairs: list[tuple[Any, Any, ValueType]] = []
            if isinstance(block, Metrics):
                pairs = [(r.value, m.value, m.type)
                         for r, m in zip(raw_block.items, block.items, strict=True)]
            elif isinstance(block, Table):
                kinds = [c.type for c in block.columns]
                for r_row, row in zip(raw_block.rows, block.rows, strict=True):
                    pairs += list(zip(r_row, row, kinds, strict=True))
                if block.totals is not None:
                    pairs += list(zip(raw_block.totals, block.totals, kinds, strict=True))
            elif isinstance(block, Chart):
                for r_s, s in zip(raw_block.series, block.series, strict=True):
                    pairs += [(a, b, block.type) for a, b in zip(r_s.values, s.values,
                                                                  strict=True)]
            elif isinstance(block, Paragraph):
                pairs = [(raw_block.figures[k].value, f.value, f.type)
                         for k, f in block.figures.items()]
            for before, after, kind in pairs:
                if kind is PEOPLE:
                    assert safe_count(after), (block, after)
                if isinstance(before, Ratio) and before.people and (
                        small(before.numerator) or small(before.denominator)
                        or small(before.denominator - before.numerator)):
                    assert isinstance(after, Hidden)
                if isinstance(before, Mean) and before.people and small(before.basis):
                    assert isinstance(after, Hidden)


def people_positions(block: Any) -> tuple[list[int], str]:
    if isinstance(block, Table):
        return [i for i, c in enumerate(block.columns) if c.type is PEOPLE], "table"
    if isinstance(block, Chart):
        return (list(range(1, len(block.series) + 1)) if block.type is PEOPLE else []), "chart"
    return [], "other"


class Cells(HTMLParser):
    """The page's tables (rows of cell texts) and headline figures, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.metrics: list[str] = []
        self._cell: list[str] | None = None
        self._metric: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th") and self.tables:
            self._cell = []
        elif tag == "span" and ("class", "value") in attrs:
            self._metric = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell))
            self._cell = None
        elif tag == "span" and self._metric is not None:
            self.metrics.append("".join(self._metric))
            self._metric = None

    def handle_data(self, data: str) -> None:
        for part in (self._cell, self._metric):
            if part is not None:
                part.append(data)


def check_tables(published: Any, tables: list[list[list[str]]], metrics: list[str],
                 empty_tables: bool = False) -> None:
    """Walk the document's blocks beside the tables and figures a format wrote."""
    t = m = 0
    for section in published.sections:
        for block in section.blocks:
            if isinstance(block, Metrics):
                for item in block.items:
                    if item.type is PEOPLE:
                        assert safe_text(metrics[m]), metrics[m]
                    m += 1
                continue
            columns, what = people_positions(block)
            if what == "other" or (what == "table" and not empty_tables
                                   and not list(block.rows)):
                continue
            rows = tables[t][1:]  # after the header
            t += 1
            for row in rows:
                for i in columns:
                    assert safe_text(row[i]), (block.title, row)
    assert t == len(tables) and m == len(metrics)


def markdown_tables(text: str) -> tuple[list[list[list[str]]], list[str]]:
    tables: list[list[list[str]]] = []
    metrics: list[str] = []
    previous = ""
    for line in text.splitlines():
        if line.startswith("|"):
            if not previous.startswith("|"):
                tables.append([])
            if not re.fullmatch(r"\|[-:|]+\|", line):
                cells = re.split(r"(?<!\\)\|", line.strip()[1:-1])
                tables[-1].append([re.sub(r"^\*\*(.*)\*\*$", r"\1", c.strip())
                                   for c in cells])
        elif line.startswith("- **"):
            metrics.append(line.split(":** ", 1)[1].split(" (", 1)[0])
        previous = line
    return tables, metrics


def check_outputs(ws: Workspace, published: Any) -> None:
    pm = ws.plugins
    document = json.loads(b"".join(render(published, format_named(pm, "json"), {})))
    tables = [[[], *([json.dumps(c) if isinstance(c, dict) else str(c) for c in row]
                     for row in b["rows"] + ([b["totals"]] if b["totals"] else []))]
              for s in document["sections"] for b in s["blocks"] if b["type"] == "table"
              and b["rows"]]
    metrics = [json.dumps(i["value"]) if isinstance(i["value"], dict) else str(i["value"])
               for s in document["sections"] for b in s["blocks"] if b["type"] == "metrics"
               for i in b["items"]]
    def text(value: Any) -> str:
        return json.dumps(value) if isinstance(value, dict) else str(value)

    charts = [[[], *([label, *(text(v) for v in values)] for label, *values in zip(
        b["labels"], *(s["values"] for s in b["series"]), strict=True))]
              for s in document["sections"] for b in s["blocks"] if b["type"] == "chart"]
    json_tables, json_charts = iter(tables), iter(charts)
    ordered = []
    for section in published.sections:
        for block in section.blocks:
            if isinstance(block, Table) and list(block.rows):
                ordered.append(next(json_tables))
            elif isinstance(block, Chart):
                ordered.append(next(json_charts))
    check_tables(published, [[[c.replace('{"hidden": true}', "*").replace("None", "")
                               for c in row] for row in t] for t in ordered],
                 [v.replace('{"hidden": true}', "*") for v in metrics])

    page = b"".join(render(published, format_named(pm, "html"), {})).decode()
    parser = Cells()
    parser.feed(page)
    check_tables(published, parser.tables, parser.metrics)

    text = b"".join(render(published, format_named(pm, "markdown"), {})).decode()
    check_tables(published, *markdown_tables(text))

    files = render(published, format_named(pm, "csv"), {})
    assert isinstance(files, Files)
    csv_tables, csv_metrics = [], []
    for _name, content in list(files)[1:]:
        data = b"".join((content,) if isinstance(content, bytes) else content)
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        if rows[0][:2] == ["Figure", "Value"]:
            csv_metrics += [r[1] for r in rows[1:]]
        else:
            csv_tables.append(rows)
    check_tables(published, csv_tables, csv_metrics, empty_tables=True)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(programmes())
def test_no_report_in_any_format_reveals_a_small_count(data):
    with use_plugin_manager() as pm:
        ws = make(pm, data)
        try:
            for name in KINDS:
                kind = kind_named(pm, name)
                params = Params(args=("S-1",) if name == "session" else ())
                raw = kind.build(ws, params)
                published = apply(kind.build(ws, params), Rule())
                check_document(raw, published)
                check_outputs(ws, published)
        finally:
            ws.close()
