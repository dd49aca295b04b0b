""""You said, we did" and "since last time" tell the bad news plainly, in every format."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from coprod_core import reports
from coprod_core.errors import CoprodError
from coprod_core.reports import Params
from coprod_core.testing import FakeClock
from coprod_core.workspace import Workspace

TODAY = dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.UTC)
DATA = {"series": {"panel": "Lived-experience panel"},
        "reports": {"disclosure": {"off": True}}}


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@pytest.fixture
def panel(plugin_manager: Any) -> Any:
    """A year of a panel, all typed in on 1 Dec 2026, dated when it happened."""
    clock = FakeClock()
    clock.set(TODAY)
    ws = Workspace.in_memory(org="Riverside", plugins=plugin_manager, clock=clock,
                             actor="coordinator", data=DATA)
    ws.add_participant("Aisha", role="lived_experience", on="2026-03-01")
    ws.add_participant("Cleo", role="commissioner", on="2026-03-01")
    s1 = ws.new_session("Panel: March", date=day("2026-03-10"), series="panel")
    ws.new_session("Panel: June", date=day("2026-06-09"), series="panel")
    ws.new_session("Steering group", date=day("2026-05-01"))
    ws.attend(s1.id, ["P-1", "P-2"])
    ws.raise_tension("Decisions made before the panel meets", kind="power",
                     session_id=s1.id, on="2026-03-10")
    # C-1: agreed in March, due 1 Apr, never done: overdue.
    ws.make_commitment("Share board papers a week ahead", made_by="P-2",
                       authority="can_decide", due=day("2026-04-01"), session_id=s1.id,
                       answers=["T-1"], on="2026-03-10")
    ws.move_commitment("C-1", "agreed", on="2026-03-10")
    # C-2: withdrawn before it was agreed, with the reason in the person's words.
    ws.make_commitment("Pay for taxis home", made_by="P-2", authority="can_decide",
                       session_id=s1.id, on="2026-03-10")
    ws.move_commitment("C-2", "withdrawn", note="The travel budget was cut in April",
                       on="2026-04-20")
    # C-3: partly delivered, with its reason; its due date moved first.
    ws.make_commitment("Minutes in plain English", made_by="P-2", authority="can_influence",
                       due=day("2026-04-01"), session_id=s1.id, on="2026-03-10")
    ws.move_commitment("C-3", "agreed", on="2026-03-11")
    clock.set(dt.datetime(2026, 3, 20, 10, tzinfo=dt.UTC))
    ws.update_commitment("C-3", due=day("2026-06-01"), reason="the board meets later")
    clock.set(TODAY)
    ws.move_commitment("C-3", "partly_delivered", note="Only the summary is in plain English",
                       on="2026-05-20")
    ws.move_tension("T-1", "acknowledged", on="2026-04-02")
    ws.add_progress("C-1", "Asked the clerk", on="2026-05-02")
    yield ws
    ws.close()


def ledger(ws: Any, params: Params | None = None) -> dict[str, tuple[Any, ...]]:
    report = reports.build(ws, "commitments", params or Params())
    table = next(b for s in report.sections for b in s.blocks
                 if getattr(b, "title", "") == "You said, we did")
    return {row[0]: tuple(row) for row in table.rows}


def test_overdue_promises_say_so(panel):
    rows = ledger(panel)
    assert rows["C-1"][6] == "Agreed. Overdue since 1 Apr 2026"
    assert "Overdue" not in rows["C-3"][6]  # partly delivered is an outcome


def test_withdrawn_before_agreed_appears_with_its_reason(panel):
    rows = ledger(panel)
    assert rows["C-2"][6] == "Withdrawn"
    assert rows["C-2"][7] == "“The travel budget was cut in April”"


def test_partly_delivered_gives_its_reason_and_the_moved_due_date(panel):
    row = ledger(panel)["C-3"]
    assert row[5] == day("2026-06-01")
    assert row[7] == "“Only the summary is in plain English”"
    assert row[9] == ("Due date moved from 1 Apr to 1 Jun 2026 on 20 Mar 2026: "
                      "the board meets later")


def test_the_kept_table_has_withdrawn_and_says_how_kept_is_worked_out(panel):
    report = reports.build(panel, "commitments", Params())
    section = report.sections[0]
    table = next(b for b in section.blocks if getattr(b, "title", "").startswith("Promises kept"))
    assert [c.label for c in table.columns][5] == "Withdrawn"
    assert table.totals[:8] == ("All", 3, 0, 1, 0, 1, 1, 1)
    assert any("“Kept” is the number of promises done" in getattr(b, "text", "")
               for b in section.blocks)


def test_a_report_for_a_past_period_uses_where_things_stood_then(panel):
    # On 30 Apr C-3 was due 1 Jun (moved on 20 Mar) and under way: not overdue.
    rows = ledger(panel, Params(period_to=day("2026-04-30")))
    assert rows["C-3"][6] == "Agreed"
    assert rows["C-1"][6] == "Agreed. Overdue since 1 Apr 2026"
    assert rows["C-2"][6] == "Withdrawn"
    # On 15 Apr, C-2 had not yet been withdrawn.
    assert ledger(panel, Params(period_to=day("2026-04-15")))["C-2"][6] == (
        "Suggested, not yet agreed")


def test_periods_and_medians_use_when_things_happened(panel):
    report = reports.build(panel, "tensions", Params())
    figures = {m.label: m.value for s in report.sections for b in s.blocks
               for m in getattr(b, "items", ())}
    assert figures["Median days until acknowledged"] == 23.0  # 10 Mar to 2 Apr
    march = reports.build(panel, "summary", Params(period_from=day("2026-03-01"),
                                                   period_to=day("2026-03-31")))
    made = {m.label: m.value for s in march.sections for b in s.blocks
            for m in getattr(b, "items", ())}
    assert made["Promises made"] == 3 and made["Tensions raised"] == 1


def test_series_narrows_every_report(panel):
    summary = reports.build(panel, "summary", Params(series="panel"))
    figures = {m.label: m.value for s in summary.sections for b in s.blocks
               for m in getattr(b, "items", ())}
    assert figures["Sessions held"] == 2
    with pytest.raises(CoprodError, match="unknown series 'board'; allowed: panel"):
        reports.build(panel, "summary", Params(series="board"))


# ------------------------------------------------------------ since last time


def since(ws: Any, session_id: str) -> Any:
    return reports.build(ws, "since", Params(args=(session_id,)))


def table(report: Any, title: str) -> list[tuple[Any, ...]]:
    for s in report.sections:
        for b in s.blocks:
            if getattr(b, "title", "") == title:
                return [tuple(r) for r in b.rows]
    raise AssertionError(title)


def test_since_reads_out_what_changed_since_the_previous_session_of_the_series(panel):
    report = since(panel, "S-2")
    assert report.title == "Since last time: Lived-experience panel"
    moved = {r[0]: r for r in table(report, "Promises that moved")}
    assert set(moved) == {"C-1", "C-2", "C-3"}
    assert moved["C-2"][2] == "Withdrawn on 20 Apr 2026"
    assert moved["C-2"][3] == "“The travel budget was cut in April”"
    assert "Due date moved from 1 Apr to 1 Jun 2026 on 20 Mar 2026" in moved["C-3"][2]
    assert moved["C-1"][3] == "2 May 2026: Asked the clerk"
    assert table(report, "Promises that became overdue") == [
        ("C-1", "Share board papers a week ahead", "Agreed. Overdue since 1 Apr 2026")]
    assert table(report, "Promises still overdue") == []
    assert table(report, "Tensions that moved") == [
        ("T-1", "Decisions made before the panel meets", "Acknowledged on 2 Apr 2026")]
    assert table(report, "New promises") == []  # all made at the March session, heard then


def test_since_the_first_session_everything_is_new(panel):
    report = since(panel, "S-1")
    assert "first Lived-experience panel meeting on record" in report.sections[0].blocks[0].text


def test_since_a_session_in_no_series_uses_the_session_before_it(panel):
    # S-3 (1 May, no series) follows S-1 (10 Mar): C-2's withdrawal on 20 Apr is news.
    report = since(panel, "S-3")
    assert report.title == "Since last time"
    assert "since the last meeting, on 10 March 2026 (S-1)" in report.sections[0].blocks[0].text
    assert [r[0] for r in table(report, "Promises that moved")] == ["C-2", "C-3"]


@pytest.mark.parametrize("fmt", ["markdown", "html", "json"])
def test_since_and_the_bad_news_are_in_every_format(panel, fmt):
    chosen = reports.format_named(panel.plugins, fmt)
    for kind, args in (("since", ("S-2",)), ("commitments", ())):
        text = reports.render_bytes(reports.build(panel, kind, Params(args=args)), chosen,
                                    {"workspace": panel}).decode()
        if fmt == "json":
            text = json.dumps(json.loads(text), ensure_ascii=False)
        assert "Overdue since 1 Apr 2026" in text
        assert "The travel budget was cut in April" in text


def test_since_and_the_bad_news_are_in_the_csv_folder(panel, tmp_path):
    from coprod_core.reports.output import write

    chosen = reports.format_named(panel.plugins, "csv")
    for kind, args in (("since", ("S-2",)), ("commitments", ())):
        out = tmp_path / kind
        write(reports.render(reports.build(panel, kind, Params(args=args)), chosen,
                             {"workspace": panel}), out)
        text = "".join(p.read_text(encoding="utf-8") for p in sorted(out.iterdir()))
        assert "Overdue since 1 Apr 2026" in text
        assert "The travel budget was cut in April" in text


# ------------------------------------------------------------ taking part with support


def _support_workspace(plugin_manager: Any, data: dict[str, Any]) -> Any:
    clock = FakeClock()
    clock.set(TODAY)
    ws = Workspace.in_memory(plugins=plugin_manager, clock=clock, actor="coordinator",
                             data=data)
    ways = ["self"] * 12 + ["supporter"] * 9 + ["proxy"] * 2
    for n, way in enumerate(ways):
        ws.add_participant(f"Member {n}", role="lived_experience", support=way,
                           supporter=None if way == "self" else "a key worker")
    session = ws.new_session("Panel", date=day("2026-06-09"))
    ws.attend(session.id, [f"P-{n}" for n in range(1, len(ways) + 1)])
    return ws


def test_participation_counts_how_people_take_part(plugin_manager):
    with _support_workspace(plugin_manager, {"reports": {"disclosure": {"off": True}}}) as ws:
        rows = table(reports.build(ws, "participation", Params()), "How people take part")
    assert rows == [("On their own", 12), ("With a supporter", 9),
                    ("Through someone speaking for them", 2)]


def test_participation_hides_small_numbers_of_support(plugin_manager):
    from coprod_core.reports import Hidden

    with _support_workspace(plugin_manager, {}) as ws:
        report = reports.build(ws, "participation", Params())
        rows = table(report, "How people take part")
        # 2 proxies is small: hidden, and no other cell lets it be worked out.
        assert isinstance(rows[2][1], Hidden)
        assert all(not isinstance(v, int) or v % 5 == 0 for _label, v in rows)
        text = reports.render_bytes(report, reports.format_named(ws.plugins, "markdown"),
                                    {"workspace": ws}).decode()
        assert "| Through someone speaking for them | \\* |" in text
        assert isinstance(rows[1][1], Hidden)  # else 25 - 10 - 9 would give it away


def test_the_subject_access_export_shows_how_they_take_part(plugin_manager):
    from coprod_core.access_letter import parts, words_for
    from coprod_core.subject_access import collect

    with _support_workspace(plugin_manager, {}) as ws:
        data = collect(ws, "P-22")
        assert data["record"]["support"] == "proxy"
        assert data["record"]["supporter"] == "a key worker"
        lines = [line for p in parts(data, words_for(ws)) if p.kind == "ul"
                 for line in p.content]
        assert "How you take part: through someone who speaks for you" in lines
        assert "Who supports you or speaks for you: a key worker" in lines
