"""Properties of the public board over generated workspaces.

- It never shows the name of someone whose consent does not cover naming.
- Every promise it shows is a row of the commitments report document, cell for
  cell (one suppression and one redaction, never a second implementation).
"""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("starlette", reason='the web front needs coprod[web]')

from starlette.testclient import TestClient

from coprod_core.plugins import get_plugin_manager
from coprod_core.reports import Params, build
from coprod_core.testing import FakeClock
from coprod_core.workspace import Workspace

NAMES = st.text(alphabet="bcdfghjklmnpqrstvwxz", min_size=6, max_size=10).map(
    lambda s: "Zy" + s)
PEOPLE = st.lists(st.tuples(NAMES, st.booleans(), st.sampled_from(
    ("lived_experience", "staff", "commissioner"))), min_size=1, max_size=5,
    unique_by=lambda p: p[0])
PROMISES = st.lists(st.tuples(st.integers(0, 4), st.sampled_from(
    ("can_decide", "can_influence", "can_only_raise")), st.sampled_from(
    ("proposed", "agreed", "in_progress", "delivered")), st.booleans()), max_size=6)
SETTINGS = settings(max_examples=15, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.function_scoped_fixture])
PATHS = {"proposed": (), "agreed": ("agreed",), "in_progress": ("agreed", "in_progress"),
         "delivered": ("agreed", "delivered")}


def _workspace(people, promises):
    ws = Workspace.in_memory(plugins=get_plugin_manager(fresh=True), clock=FakeClock(),
                             actor="tester")
    ids = []
    for name, consents, role in people:
        person = ws.add_participant(name, role=role)
        if consents:
            ws.record_consent(person.id, "naming", given=True, statement_version="v1",
                              method="written")
        ids.append(person.id)
    for n, (who, authority, status, news) in enumerate(promises):
        c = ws.make_commitment(f"Promise number {n}", made_by=ids[who % len(ids)],
                               authority=authority)
        for step in PATHS[status]:
            ws.move_commitment(c.id, step)
        if news and status != "delivered":
            ws.update_commitment(c.id, f"News for number {n}")
    return ws


def _board(ws) -> str:
    from coprod_web import create_app

    return TestClient(create_app(ws, secret=b"x" * 32)).get("/").text


@SETTINGS
@given(PEOPLE, PROMISES)
def test_the_board_never_names_someone_without_consent_for_naming(people, promises):
    ws = _workspace(people, promises)
    page = _board(ws)
    for name, consents, _role in people:
        if not consents:
            assert name not in page


@SETTINGS
@given(PEOPLE, PROMISES)
def test_every_card_is_a_row_of_the_report_document(people, promises):
    from coprod_web.render import cell

    ws = _workspace(people, promises)
    page = _board(ws)
    report = build(ws, "commitments", Params())
    ledger = next(b for s in report.sections for b in s.blocks
                  if hasattr(b, "columns") and "promise" in {c.key for c in b.columns})
    cards = re.findall(r'<li class="promise">(.*?)</li>', page, re.DOTALL)
    rows = list(ledger.rows)
    assert len(cards) == len(rows)
    for card, row in zip(cards, rows, strict=True):
        for value, column in zip(row, ledger.columns, strict=True):
            if value is None:
                continue
            shown = str(cell(value, column.type))
            assert shown in card or html.escape(str(value)) in card, (column.key, value)
