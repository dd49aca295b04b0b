"""The command line records when things happened, refuses impossible dates and keeps
corrections with their history."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from coprod_core.testing import FakeClock

TODAY = dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock() -> FakeClock:
    c = FakeClock()
    c.set(TODAY)
    return c


@pytest.fixture
def cli(run, clock):
    def invoke(*args: str, **kwargs):
        return run(*args, clock=clock, **kwargs)

    return invoke


def ok(result) -> str:
    assert result.exit_code == 0, result.stderr
    return result.stdout


@pytest.fixture
def panel(cli):
    ok(cli("config", "set", "series.panel", "Lived-experience panel"))
    ok(cli("participant", "add", "Aisha", "--role", "lived_experience", "--on", "2026-05-01"))
    ok(cli("participant", "add", "Cleo", "--role", "commissioner"))
    ok(cli("session", "new", "Panel: June", "--date", "2026-06-11", "--series", "panel"))
    ok(cli("tension", "raise", "Decisions made before we meet", "--kind", "power",
           "--session", "S-1", "--on", "2026-06-11"))
    ok(cli("commitment", "make", "Share papers a week ahead", "--by", "P-2",
           "--authority", "can_decide", "--due", "2026-07-01", "--session", "S-1",
           "--on", "2026-06-11"))
    ok(cli("commitment", "move", "C-1", "agreed", "--on", "2026-06-12"))
    return cli


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


# ------------------------------------------------------------ recording last June today


def test_a_meeting_recorded_the_day_after_is_dated_when_it_happened(panel):
    shown = json.loads(ok(panel("commitment", "show", "C-1", "--json")))
    assert [s["at"][:10] for s in shown["history"]] == ["2026-06-11", "2026-06-12"]
    assert shown["history"][1]["recorded_at"].startswith("2026-12-01")
    text = ok(panel("commitment", "show", "C-1"))
    assert "2026-06-12 12:00  agreed" in text and "(recorded 2026-12-01 15:00)" in text
    assert "due:         2026-07-01 (overdue)" in text
    person = json.loads(ok(panel("participant", "show", "P-1", "--json")))
    assert person["joined_at"].startswith("2026-05-01")


def test_attendance_and_ratings_on_the_session_date_are_accepted(panel):
    ok(panel("session", "attend", "S-1", "P-1", "--on", "2026-06-11"))
    ok(panel("session", "rate", "S-1", "P-1", "co_design", "--on", "2026-06-11"))


def test_list_overdue_uses_the_one_definition(panel):
    ok(panel("commitment", "make", "Fix the lift", "--by", "P-2", "--authority", "can_decide",
             "--due", "2026-07-01", "--on", "2026-06-11"))
    ok(panel("commitment", "move", "C-2", "agreed", "--on", "2026-06-11"))
    ok(panel("commitment", "move", "C-2", "partly_delivered", "--note", "One floor of two",
             "--on", "2026-08-01"))
    late = json.loads(ok(panel("commitment", "list", "--overdue", "--json")))
    assert [c["id"] for c in late] == ["C-1"]


# ------------------------------------------------------------ refusals: one line, nothing written


REFUSED = [
    (("tension", "move", "T-1", "acknowledged", "--on", "2026-12-02"),
     "error: --on 2026-12-02 is after today (2026-12-01); record things once they have "
     "happened\n"),
    (("commitment", "move", "C-1", "in_progress", "--on", "2026-06-01"),
     "error: --on 2026-06-01 is before the step it follows, agreed (2026-06-12); give a date "
     "on or after it\n"),
    (("tension", "move", "T-1", "acknowledged", "--on", "2026-06-10"),
     "error: --on 2026-06-10 is before the step it follows, raised (2026-06-11); give a date "
     "on or after it\n"),
    (("session", "attend", "S-1", "P-1", "--on", "2026-06-12"),
     "error: --on 2026-06-12 is not the date of S-1 (2026-06-11); attendance is dated by its "
     "session (correct the session's date with `coprod session update S-1 --date`)\n"),
    (("participant", "add", "Ben", "--role", "staff", "--on", "2027-01-01"),
     "error: --on (when they joined) 2027-01-01 is after today (2026-12-01); record things "
     "once they have happened\n"),
    (("commitment", "make", "X", "--by", "P-2", "--authority", "can_decide",
      "--on", "2026-12-01T16:30"),
     "error: --on 2026-12-01T16:30 is later than now; record things once they have "
     "happened\n"),
    (("commitment", "progress", "C-1", "Asked", "--on", "2026-06-01"),
     "error: --on 2026-06-01 is before the day the promise was made (2026-06-11); give a "
     "date on or after it\n"),
    (("commitment", "update", "C-1", "--due", "2026-09-01"),
     "error: moving a due date needs a reason, for the promise's history: give one with "
     "--reason\n"),
    (("session", "new", "Board", "--date", "2026-06-01", "--series", "board"),
     "error: unknown series 'board'; allowed: panel\n"),
]


@pytest.mark.parametrize(("args", "message"), REFUSED, ids=[" ".join(a[:2]) for a, _ in REFUSED])
def test_each_refusal_is_one_line_and_writes_nothing(panel, workspace_dir, args, message):
    before = files(workspace_dir)
    result = panel(*args)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == message
    assert files(workspace_dir) == before


def test_a_rating_on_another_day_is_refused(panel, workspace_dir):
    ok(panel("session", "attend", "S-1", "P-1"))
    before = files(workspace_dir)
    result = panel("session", "rate", "S-1", "P-1", "co_design", "--on", "2026-06-10")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: --on 2026-06-10 is not the date of S-1")
    assert result.stderr.count("\n") == 1
    assert files(workspace_dir) == before


def test_a_date_that_is_not_a_date_is_a_usage_error(panel):
    result = panel("tension", "move", "T-1", "acknowledged", "--on", "12/06/2026")
    assert result.exit_code == 2
    assert "'12/06/2026' is not a date; give YYYY-MM-DD or YYYY-MM-DDTHH:MM" in result.stderr


# ------------------------------------------------------------ corrections with history


def test_a_moved_due_date_stays_in_the_history(panel):
    out = ok(panel("commitment", "update", "C-1", "--due", "2026-09-01", "--reason",
                   "the board meets later"))
    assert out == "C-1: corrected due\n"
    shown = json.loads(ok(panel("commitment", "show", "C-1", "--json")))
    assert shown["due"] == "2026-09-01"
    assert shown["corrections"][0] | {"at": None} == {
        "name": "due", "before": "2026-07-01", "after": "2026-09-01", "at": None,
        "actor": "tester", "reason": "the board meets later", "recorded_at": None}
    text = ok(panel("commitment", "show", "C-1"))
    assert "due: 2026-07-01 → 2026-09-01 by tester — the board meets later" in text


def test_a_session_correction_keeps_the_earlier_value(panel):
    out = ok(panel("session", "update", "S-1", "--agreed-next", "Meet the board in July",
                   "--title", "Panel: 11 June"))
    assert out == "S-1: corrected agreed_next, title\n"
    text = ok(panel("session", "show", "S-1"))
    assert "title: Panel: June → Panel: 11 June" in text
    assert "agreed_next: (none) → Meet the board in July" in text
    report = ok(panel("report", "session", "S-1"))
    assert "Meet the board in July" in report
    assert "corrected on 1 Dec 2026" in report


def test_a_tension_correction_keeps_the_earlier_wording(panel):
    ok(panel("tension", "update", "T-1", "--description", "Decisions made before the panel meets"))
    text = ok(panel("tension", "show", "T-1"))
    assert "description: Decisions made before we meet → Decisions made before the panel meets" \
        in text


def test_the_old_update_form_still_adds_progress_with_a_warning(panel):
    result = panel("commitment", "update", "C-1", "Asked the clerk")
    assert result.exit_code == 0
    assert result.stdout == "C-1: 1 progress update(s)\n"
    assert result.stderr == ("warning: `coprod commitment update ID TEXT` is deprecated; use "
                             "`coprod commitment progress ID TEXT`\n")
    ok(panel("commitment", "progress", "C-1", "Clerk said yes", "--on", "2026-07-02"))
    shown = json.loads(ok(panel("commitment", "show", "C-1", "--json")))
    # Kept in the order things happened, whatever order they were typed in.
    assert [u["note"] for u in shown["updates"]] == ["Clerk said yes", "Asked the clerk"]


def test_support_is_recorded_and_shown(panel):
    ok(panel("participant", "add", "Dev", "--role", "lived_experience", "--support", "proxy",
             "--supporter", "his advocate"))
    text = ok(panel("participant", "show", "P-3"))
    assert "takes part: through someone speaking for them" in text
    assert "supporter:  his advocate" in text
    ok(panel("participant", "update", "P-3", "--support", "supporter"))
    assert json.loads(ok(panel("participant", "show", "P-3", "--json")))["support"] == "supporter"
    result = panel("participant", "add", "Eve", "--role", "staff", "--support", "friend")
    assert result.exit_code == 1
    assert result.stderr == ("error: unknown way of taking part 'friend'; allowed: self, "
                             "supporter, proxy\n")


def test_report_since_reads_out_what_changed(panel):
    ok(panel("session", "new", "Panel: July", "--date", "2026-07-09", "--series", "panel"))
    ok(panel("tension", "move", "T-1", "acknowledged", "--note", "Heard at the board",
             "--on", "2026-06-20"))
    text = ok(panel("report", "since", "S-2"))
    assert "Overdue since 1 Jul 2026" in text
    assert "Heard at the board" in text
    result = panel("report", "since", "S-2", "--format", "json")
    assert json.loads(result.stdout)["kind"] == "since"


# ------------------------------------------------------------ intake: joined, support, session date

JOINING = """
[forms.joining]
title = "Joining the panel"

[[forms.joining.fields]]
name = "name"
type = "short_text"
label = "Name"
required = true
fills = "name"

[[forms.joining.fields]]
name = "joined"
type = "date"
label = "When did they join?"
fills = "joined"

[[forms.joining.fields]]
name = "support"
type = "single_choice"
label = "How do they take part?"
fills = "support"

[[forms.joining.fields]]
name = "supporter"
type = "short_text"
label = "Who supports them?"
fills = "supporter"

[forms.today]
title = "How was today?"
creates = "session_feedback"

[[forms.today.fields]]
name = "held_on"
type = "date"
label = "The day of the session"
fills = "session_date"

[[forms.today.fields]]
name = "rung"
type = "single_choice"
label = "Where did today sit on the ladder?"
fills = "rating"
"""


@pytest.fixture
def intake(cli, workspace_dir):
    config = workspace_dir / "coprod.toml"
    config.write_text(config.read_text(encoding="utf-8") + JOINING, encoding="utf-8")
    return cli


def test_a_spreadsheet_brings_in_when_people_joined_and_how_they_take_part(intake, tmp_path):
    sheet = tmp_path / "members.csv"
    sheet.write_text("name,joined,support,supporter\n"
                     "Aisha,2025-06-12,self,\n"
                     "Dev,2025-09-01,proxy,his advocate\n", encoding="utf-8")
    ok(intake("intake", "import", "joining", str(sheet)))
    dev = json.loads(ok(intake("participant", "show", "P-2", "--json")))
    assert dev["joined_at"].startswith("2025-09-01")
    assert (dev["support"], dev["supporter"]) == ("proxy", "his advocate")
    assert dev["created_at"].startswith("2026-12-01")


def test_a_joined_date_after_today_is_refused_and_nothing_imported(intake, tmp_path,
                                                                    workspace_dir):
    sheet = tmp_path / "members.csv"
    sheet.write_text("name,joined\nAisha,2027-06-12\n", encoding="utf-8")
    before = files(workspace_dir)
    result = intake("intake", "import", "joining", str(sheet))
    assert result.exit_code == 1
    # The row is named, as for any invalid row, then the one error line.
    assert result.stderr == (
        "row 2: the day they joined 2027-06-12 is after today (2026-12-01); record things "
        "once they have happened\nerror: 1 of 1 rows in members.csv is invalid; nothing was "
        "imported (fix them, or use --skip-invalid to import the valid rows)\n")
    assert files(workspace_dir) == before


def test_session_feedback_must_carry_the_session_date(intake, tmp_path):
    ok(intake("participant", "add", "Aisha", "--role", "lived_experience"))
    ok(intake("session", "new", "Panel", "--date", "2026-06-11"))
    good = tmp_path / "good.csv"
    good.write_text("session,participant,held_on,rung\nS-1,P-1,2026-06-11,co_design\n",
                    encoding="utf-8")
    ok(intake("intake", "import", "today", str(good)))
    bad = tmp_path / "bad.csv"
    bad.write_text("session,participant,held_on,rung\nS-1,P-1,2026-06-12,co_design\n",
                   encoding="utf-8")
    result = intake("intake", "import", "today", str(bad))
    assert result.exit_code == 1
    assert "S-1 was held on 2026-06-11, not 2026-06-12" in (result.stderr + result.stdout)


def test_a_due_date_moved_at_a_past_meeting_counts_from_that_day(panel):
    ok(panel("commitment", "update", "C-1", "--due", "2026-09-01", "--reason",
             "the board meets later", "--on", "2026-06-20"))
    text = ok(panel("commitment", "show", "C-1"))
    assert ("2026-06-20 12:00  due: 2026-07-01 → 2026-09-01 by tester — the board meets later "
            "(recorded 2026-12-01 15:00)") in text
    # In a report for July the promise was not overdue: its due date had moved in June.
    july = ok(panel("report", "commitments", "--to", "2026-07-15"))
    assert "Overdue since" not in july
    assert "Due date moved from 1 Jul to 1 Sep 2026 on 20 Jun 2026: the board meets later" in july
    assert "Overdue since 1 Sep 2026" in ok(panel("report", "commitments"))
    result = panel("commitment", "update", "C-1", "--due", "2026-10-01", "--reason", "again",
                   "--on", "2026-06-19")
    assert result.exit_code == 1
    assert result.stderr == ("error: --on 2026-06-19 is before the due date's last move "
                             "(2026-06-20); give a date on or after it\n")
