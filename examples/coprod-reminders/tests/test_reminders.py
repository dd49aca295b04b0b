"""coprod-reminders, tested the way coprod_core.testing lets any plugin be tested."""

import datetime as dt
import json

from coprod_reminders.digest import OPEN, select
from hypothesis import given
from hypothesis import strategies as st

from coprod_core.model import Commitment, Transition

# The fake clock stands at 2026-01-05.


def _promise(run, description, due, by="P-1"):
    result = run("commitment", "make", description, "--by", by,
                 "--authority", "can_influence", "--due", due)
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def _setup(run, clock):
    run("participant", "add", "Aisha", "--role", "lived_experience")
    run("participant", "add", "Sam Patel", "--role", "commissioner")
    return {
        "late": _promise(run, "Take the panel's evidence to the hostel board", "2025-12-20"),
        "soon": _promise(run, "Publish the curfew review", "2026-01-10", by="P-2"),
        "today": _promise(run, "Book an accessible room", "2026-01-05"),
        "later": _promise(run, "Review the whole policy", "2026-03-01"),
        "done": _promise(run, "Share the minutes", "2025-12-01"),
    }


def test_digest_lists_overdue_then_coming_due(run, clock):
    ids = _setup(run, clock)
    run("commitment", "move", ids["done"], "withdrawn", "--note", "No longer needed")
    result = run("reminders", "digest")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.splitlines() == [
        "Commitments to follow up, as of 2026-01-05 (Test Partnership)",
        "",
        "Overdue (1)",
        "  C-1  due 2025-12-20, 16 days ago  proposed, can_influence, made by Aisha (P-1)",
        "       Take the panel's evidence to the hostel board",
        "",
        "Due in the next 14 days (2)",
        "  C-3  due 2026-01-05, today  proposed, can_influence, made by Aisha (P-1)",
        "       Book an accessible room",
        "  C-2  due 2026-01-10, in 5 days  proposed, can_influence, made by Sam Patel (P-2)",
        "       Publish the curfew review",
    ]


def test_days_option_and_json(run, clock):
    _setup(run, clock)
    data = json.loads(run("reminders", "digest", "--days", "100", "--json").stdout)
    assert data["today"] == "2026-01-05"
    assert data["days_ahead"] == 100
    assert [d["id"] for d in data["overdue"]] == ["C-5", "C-1"]
    assert [(d["id"], d["days"]) for d in data["due_soon"]] == [("C-3", 0), ("C-2", 5),
                                                                ("C-4", 55)]


def test_days_ahead_from_the_settings(run, clock, workspace_dir):
    _setup(run, clock)
    assert run("config", "set", "plugins.reminders.days_ahead", "0").exit_code == 0
    data = json.loads(run("reminders", "digest", "--json").stdout)
    assert [d["id"] for d in data["due_soon"]] == ["C-3"]


def test_nothing_to_follow_up(run):
    result = run("reminders", "digest", "--days", "3")
    assert result.stdout.endswith(
        "\nNothing is overdue, and nothing is due in the next 3 days.\n")


def test_file_rewritten_after_each_change_to_a_commitment(run, clock, workspace_dir):
    ids = _setup(run, clock)
    digest = workspace_dir / "reminders.txt"
    assert "C-1  due 2025-12-20" in digest.read_text()
    run("commitment", "move", ids["late"], "agreed")
    run("commitment", "move", ids["late"], "delivered")
    text = digest.read_text()
    assert "C-1" not in text
    assert "C-2  due 2026-01-10" in text


def test_other_events_leave_the_file_alone(run, workspace_dir):
    run("participant", "add", "Aisha", "--role", "lived_experience")
    assert not (workspace_dir / "reminders.txt").exists()


def test_file_setting_can_turn_writing_off(run, clock, workspace_dir):
    assert run("config", "set", "plugins.reminders.file", '""').exit_code == 0
    _setup(run, clock)
    assert not (workspace_dir / "reminders.txt").exists()


def test_output_option_writes_the_file(run, clock, tmp_path):
    _setup(run, clock)
    target = tmp_path / "digest.txt"
    result = run("reminders", "digest", "-o", str(target))
    assert result.stdout == ""
    assert result.stderr == f"wrote {target}\n"
    assert target.read_text().startswith("Commitments to follow up, as of 2026-01-05")


def test_unknown_setting_is_one_line(run):
    result = run("config", "set", "plugins.reminders.days", "3")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert ("`plugins.reminders.days`: unknown key; allowed here: days_ahead, file"
            in result.stderr)


def test_mistyped_setting_is_one_line(run):
    result = run("config", "set", "plugins.reminders.days_ahead", '"soon"')
    assert result.exit_code == 1
    assert "`plugins.reminders.days_ahead`: must be an integer, not a string" in result.stderr


def test_negative_days_ahead_is_refused(run, workspace_dir):
    config = workspace_dir / "coprod.toml"
    config.write_text(config.read_text() + "\n[plugins.reminders]\ndays_ahead = -1\n")
    result = run("reminders", "digest")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "`plugins.reminders.days_ahead`: must be 0 or more" in result.stderr


def test_a_broken_setting_does_not_undo_the_change(run, workspace_dir):
    config = workspace_dir / "coprod.toml"
    config.write_text(config.read_text() + "\n[plugins.reminders]\ndays_ahead = -1\n")
    run("participant", "add", "Aisha", "--role", "lived_experience")
    result = run("commitment", "make", "Fix the lift", "--by", "P-1",
                 "--authority", "can_decide", "--due", "2026-02-01")
    assert result.exit_code == 0
    assert result.stdout == "C-1\n"
    assert "plugin 'reminders' failed handling commitment.made" in result.stderr
    assert "the change itself was saved" in result.stderr
    assert json.loads(run("commitment", "list", "--json").stdout)[0]["id"] == "C-1"


# ------------------------------------------------------------ the selection, property-tested

TODAY = dt.date(2026, 1, 5)
AT = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
PATHS = {
    "proposed": (), "agreed": ("agreed",), "in_progress": ("agreed", "in_progress"),
    "partly_delivered": ("agreed", "partly_delivered"), "delivered": ("agreed", "delivered"),
    "withdrawn": ("withdrawn",), "not_delivered": ("agreed", "not_delivered"),
}


def _commitment(number, status, offset):
    c = Commitment(
        id=f"C-{number}", description="A promise", made_by="P-1", authority="can_decide",
        due=None if offset is None else TODAY + dt.timedelta(days=offset),
        status="proposed", history=(Transition(status="proposed", at=AT, actor="t"),),
    )
    for step in PATHS[status]:
        c = c.moved(step, at=AT, actor="t", note="because")
    return c


commitments = st.lists(
    st.tuples(st.sampled_from(sorted(PATHS)), st.none() | st.integers(-400, 400)), max_size=30,
).map(lambda items: [_commitment(i + 1, s, o) for i, (s, o) in enumerate(items)])


@given(commitments, st.integers(0, 60))
def test_each_open_commitment_due_in_range_appears_once(items, days_ahead):
    overdue, coming = select(items, TODAY, days_ahead)
    chosen = [d.commitment.id for d in overdue + coming]
    assert len(chosen) == len(set(chosen))
    expected = {c.id for c in items if c.status in OPEN and c.due is not None
                and (c.due - TODAY).days <= days_ahead}
    assert set(chosen) == expected
    assert all(d.days < 0 for d in overdue)
    assert all(0 <= d.days <= days_ahead for d in coming)
    assert {d.commitment.id for d in overdue} == {c.id for c in items if c.is_overdue(TODAY)}
    assert [d.days for d in coming] == sorted(d.days for d in coming)


def test_python_api_changes_write_the_file_too(workspace, clock):
    workspace.add_participant("Sam", role="commissioner")
    workspace.make_commitment("Fix the lift", made_by="P-1", authority="can_decide",
                              due=dt.date(2026, 1, 12))
    digest = workspace.root / "reminders.txt"
    assert "C-1  due 2026-01-12, in 7 days" in digest.read_text()
    clock.advance(days=8)
    workspace.update_commitment("C-1", "Engineer booked")
    assert "Overdue (1)\n  C-1  due 2026-01-12, 1 day ago" in digest.read_text()
