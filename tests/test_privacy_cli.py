"""`coprod participant erase`, `coprod privacy review|requests`, `coprod audit`."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coprod_core.cli import privacy as cli_privacy
from coprod_core.privacy import due_date


def _audit(run):
    return json.loads(run("audit", "--json").stdout)


# ---------------------------------------------------------------- erase


def test_erase_cli_with_yes(run, tmp_path):
    run("participant", "add", "Zoë Ní Bhriain", "--role", "lived_experience",
        "--email", "zoe@example.org")
    run("session", "new", "Panel with Zoë Ní Bhriain", "--date", "2026-01-06")
    run("session", "attend", "S-1", "P-1")
    run("participant", "export", "P-1", "-o", str(tmp_path / "zoe.md"))
    result = run("participant", "erase", "p-1", "--yes")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (f"P-1 erased; 1 other record changed\n"
                             f"deleted export {tmp_path}/zoe.md\n")
    assert result.stderr == ""
    assert not (tmp_path / "zoe.md").exists()
    shown = json.loads(run("participant", "show", "P-1", "--json").stdout)
    assert (shown["name"], shown["email"], shown["role"]) == ("[erased]", None,
                                                              "lived_experience")
    assert json.loads(run("session", "show", "S-1", "--json").stdout)["title"] == (
        "Panel with [removed]")
    assert "(erased)" in run("participant", "list").stdout


def test_erase_cli_json(run):
    run("participant", "add", "Ann Lee", "--role", "staff")
    data = json.loads(run("participant", "erase", "P-1", "--yes", "--json").stdout)
    assert data["participant_id"] == "P-1"
    assert data["changed"] == [] and data["files_deleted"] == []


def test_erase_cli_asks_and_refuses_without_a_terminal(run, monkeypatch):
    run("participant", "add", "Ann Lee", "--role", "staff")
    before = _audit(run)
    refused = run("participant", "erase", "P-1")
    assert refused.exit_code == 2
    assert refused.stdout == ""
    assert refused.stderr.startswith(
        "error: not asking for confirmation without a terminal; add --yes")
    monkeypatch.setattr(cli_privacy, "interactive", lambda: True)
    declined = run("participant", "erase", "P-1", input="n\n")
    assert declined.exit_code == 1
    assert "Erase P-1 everywhere? This cannot be undone." in declined.stdout
    assert declined.stderr == "error: stopped; nothing was saved\n"
    assert _audit(run) == before
    accepted = run("participant", "erase", "P-1", input="y\n")
    assert accepted.exit_code == 0
    assert accepted.stdout.endswith("P-1 erased; 0 other records changed\n")


@pytest.mark.parametrize(("target", "message"), [
    ("P-9", "error: no participant with id P-9\n"),
    ("T-1", "error: 'T-1' is not a participant id; participant ids look like P-12\n"),
    ("P-2", "error: P-2 was already erased on "),
])
def test_erase_cli_bad_ids_change_nothing(run, target, message):
    run("participant", "add", "Ann Lee", "--role", "staff")
    run("participant", "add", "Ben Ode", "--role", "staff")
    run("participant", "erase", "P-2", "--yes")
    before = (_audit(run), run("participant", "list", "--json").stdout)
    result = run("participant", "erase", target, "--yes")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(message)
    assert result.stderr.count("\n") == 1
    assert (_audit(run), run("participant", "list", "--json").stdout) == before


# ---------------------------------------------------------------- retention review


TODAY = dt.date.today()
LONG_AGO = TODAY - dt.timedelta(days=600)


def _old_workspace(workspace_dir, retention='"12 months"'):
    """P-1 added long ago and idle; P-2 attended lately; P-3 idle but party to a tension."""
    from coprod_core.testing import FakeClock
    from coprod_core.workspace import Workspace

    config = workspace_dir / "coprod.toml"
    config.write_text(config.read_text() + f"\n[privacy]\nretention = {retention}\n")
    clock = FakeClock()
    clock.set(LONG_AGO)
    with Workspace.open(workspace_dir, clock=clock, actor="tester") as ws:
        for name in ("Ann Lee", "Ben Ode", "Cai Wen"):
            ws.add_participant(name, role="lived_experience")
        ws.new_session("Panel", date=LONG_AGO)
        ws.attend("S-1", ["P-1", "P-2"])
        clock.set(TODAY - dt.timedelta(days=30))
        ws.new_session("Panel", date=TODAY - dt.timedelta(days=30))
        ws.attend("S-2", ["P-2"])
        ws.attend("S-2", ["P-1"], "absent")
        clock.set(TODAY - dt.timedelta(days=10))
        ws.raise_tension("Too many forms", kind="other", raised_by="P-2", between=["P-3"])


def test_review_lists_who_is_due_with_reasons(run, workspace_dir, plugin_manager):
    from coprod_core.privacy import add_months

    _old_workspace(workspace_dir)
    result = run("privacy", "review", "--json")
    assert result.exit_code == 0, result.stderr
    due = json.loads(result.stdout)
    assert [d["participant_id"] for d in due] == ["P-1"]
    assert due[0]["last_activity"] == "attended S-1"
    assert due[0]["last_active"] == LONG_AGO.isoformat()
    assert due[0]["due_since"] == add_months(LONG_AGO, 12).isoformat()
    assert due[0]["erased"] is False
    plain = run("privacy", "review").stdout
    assert f"P-1  lived_experience  {LONG_AGO}   attended S-1" in plain
    assert plain.endswith("erase them with `coprod privacy review --erase`\n")


def test_review_erase_after_confirmation(run, workspace_dir, monkeypatch):
    _old_workspace(workspace_dir, retention="365")
    refused = run("privacy", "review", "--erase")
    assert refused.exit_code == 2 and "add --yes" in refused.stderr
    monkeypatch.setattr(cli_privacy, "interactive", lambda: True)
    declined = run("privacy", "review", "--erase", input="n\n")
    assert declined.exit_code == 1
    assert json.loads(run("participant", "show", "P-1", "--json").stdout)["erased_at"] is None
    done = run("privacy", "review", "--erase", input="y\n")
    assert done.exit_code == 0
    assert "Erase 1 participant (P-1)?" in done.stdout
    assert done.stdout.endswith("erased 1\n")
    assert json.loads(run("participant", "show", "P-1", "--json").stdout)["name"] == "[erased]"
    assert run("privacy", "review").stdout.startswith("nobody is past the retention period "
                                                      "(365 days inactive)")


def test_review_without_retention_is_a_clear_error(run):
    result = run("privacy", "review")
    assert result.exit_code == 1
    assert result.stderr == ('error: no retention period is set; add it to coprod.toml, for '
                             'example: [privacy] retention = "24 months"\n')


def test_retention_check_for_doctor(workspace_dir, plugin_manager):
    from coprod_core.privacy import retention_check
    from coprod_core.workspace import Workspace

    _old_workspace(workspace_dir)
    with Workspace.open(workspace_dir, plugins=plugin_manager) as ws:
        assert retention_check(ws) == [{
            "message": "1 participant is past the retention period (12 months inactive)",
            "fix": "review them with `coprod privacy review`; erase with "
                   "`coprod privacy review --erase`"}]
    with Workspace.in_memory(plugins=plugin_manager) as ws:
        assert retention_check(ws) == []


# ---------------------------------------------------------------- rights requests


def test_requests_add_list_done(run):
    run("participant", "add", "Ann Lee", "--role", "staff")
    added = run("privacy", "requests", "add", "access", "--participant", "p1", "--received",
                "2026-01-31", "--note", "by letter")
    assert added.exit_code == 0, added.stderr
    assert added.stdout == "R-1 due 2026-02-28\n"
    run("privacy", "requests", "add", "erasure")
    listed = json.loads(run("privacy", "requests", "--json").stdout)
    assert [(r["id"], r["type"], r["participant_id"], r["due"]) for r in listed] == [
        ("R-1", "access", "P-1", "2026-02-28"),
        ("R-2", "erasure", None, due_date(dt.date.fromisoformat(listed[1]["received"]))
         .isoformat())]
    done = run("privacy", "requests", "done", "r1", "--on", "2026-02-20")
    assert done.stdout == "R-1 done on 2026-02-20\n"
    open_only = json.loads(run("privacy", "requests", "--open", "--json").stdout)
    assert [r["id"] for r in open_only] == ["R-2"]
    table = run("privacy", "requests").stdout
    assert table.splitlines()[0].split() == ["id", "type", "participant", "received", "due",
                                             "done", "status"]
    assert "R-1  access" in table


@pytest.mark.parametrize(("args", "message"), [
    (("add", "deletion"), "error: Invalid value for 'TYPE'"),
    (("add", "access", "--participant", "P-5"), "error: no participant with id P-5\n"),
    (("add", "access", "--received", "2999-01-01"), "error: received date 2999-01-01 is in the "
                                                    "future\n"),
    (("add", "access", "--received", "yesterday"), "error: Invalid value for '--received'"),
    (("done", "R-9"), "error: no rights request with id R-9\n"),
    (("done", "P-1"), "error: 'P-1' is not a rights request id; rights request ids look like "
                      "R-12\n"),
    (("done", "R-1"), "error: R-1 was already marked done on "),
    (("done", "R-2", "--on", "2020-01-01"), "error: R-2 was received on "),
])
def test_requests_bad_input_changes_nothing(run, args, message):
    run("privacy", "requests", "add", "access")
    run("privacy", "requests", "done", "R-1")
    run("privacy", "requests", "add", "objection")
    before = _audit(run)
    result = run("privacy", "requests", *args)
    assert result.exit_code != 0
    assert result.stdout == ""
    assert result.stderr.startswith(message)
    assert _audit(run) == before


def test_overdue_requests_check_for_doctor(memory_workspace, clock):
    from coprod_core.privacy import (
        add_request,
        complete_request,
        overdue_requests_check,
        requests,
    )

    ws = memory_workspace
    clock.set(dt.date(2026, 1, 31))
    add_request(ws, "access")
    add_request(ws, "erasure", received=dt.date(2026, 1, 2))
    complete_request(ws, "R-2")
    assert overdue_requests_check(ws) == []
    clock.set(dt.date(2026, 3, 1))
    assert overdue_requests_check(ws) == [{
        "message": "rights request R-1 (access, received 2026-01-31) was due on 2026-02-28 "
                   "and is 1 day overdue",
        "fix": "answer it, then mark it done with `coprod privacy requests done R-1`"}]
    clock.set(dt.date(2026, 3, 3))
    assert overdue_requests_check(ws)[0]["message"].endswith("is 3 days overdue")
    complete_request(ws, "R-1")
    assert overdue_requests_check(ws) == []
    assert [r.status(ws.today()) for r in requests(ws)] == ["done late", "done"]


# ---------------------------------------------------------------- audit


def test_audit_filters_and_never_shows_values(run):
    run("participant", "add", "Zoë Ní Bhriain", "--role", "lived_experience",
        "--email", "zoe@example.org")
    run("participant", "add", "Ann Lee", "--role", "staff")
    run("session", "new", "Panel", "--date", "2026-01-06")
    run("session", "attend", "S-1", "P-1", "P-2")
    everything = run("audit", "--json")
    assert everything.exit_code == 0
    entries = json.loads(everything.stdout)
    assert [e["operation"] for e in entries] == [
        "participant.add", "participant.add", "session.new", "session.attend"]
    assert "Zoë" not in everything.stdout and "zoe@" not in everything.stdout
    about = json.loads(run("audit", "--id", "p1", "--json").stdout)
    assert [e["operation"] for e in about] == ["participant.add", "session.attend"]
    assert json.loads(run("audit", "--since", "2999-01-01", "--json").stdout) == []
    assert len(json.loads(run("audit", "--since", "2000-01-01", "--json").stdout)) == 4
    plain = run("audit", "--id", "S-1").stdout.splitlines()
    assert plain[0].split() == ["when", "who", "operation", "records"]
    assert plain[1].endswith("tester  session.new     S-1")
    assert plain[2].endswith("tester  session.attend  S-1, P-1, P-2")


def test_audit_bad_input(run):
    bad_id = run("audit", "--id", "Q9")
    assert bad_id.exit_code == 2
    assert bad_id.stderr.startswith("error: Invalid value for '--id': 'Q9' is not a record id; "
                                    "ids look like P-12, S-12")
    bad_date = run("audit", "--since", "last week")
    assert bad_date.exit_code == 2
    assert "is not a date" in bad_date.stderr
    assert run("audit").stdout == "no changes recorded\n"


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_a_request_is_due_one_calendar_month_later(received):
    due = due_date(received)
    assert (due.year * 12 + due.month) - (received.year * 12 + received.month) == 1
    assert due.day == received.day or (due.day < received.day and
                                       (due + dt.timedelta(days=1)).day == 1)
    assert 28 <= (due - received).days <= 31


def test_an_erased_persons_export_shows_only_the_tombstone(run, tmp_path):
    run("participant", "add", "Zoë Ní Bhriain", "--role", "peer_researcher",
        "--email", "zoe@example.org")
    run("participant", "erase", "P-1", "--yes")
    run("participant", "export", "P-1", "-o", str(tmp_path / "p1.md"))
    text = (tmp_path / "p1.md").read_text(encoding="utf-8")
    assert "Your details were erased on" in text
    assert "Zoë" not in text and "zoe@" not in text
    assert "- Role: Peer researcher" in text


def test_doctor_flags_an_overdue_rights_request(run):
    ok = run("doctor", "--json")
    assert ok.exit_code == 0, ok.stderr
    assert {"check": "rights_requests", "level": "ok",
            "message": "no rights request is past its due date", "fix": ""} in json.loads(
        ok.stdout)
    run("privacy", "requests", "add", "access", "--received", "2020-01-06")
    result = run("doctor", "--json")
    findings = [f for f in json.loads(result.stdout) if f["check"] == "rights_requests"]
    assert len(findings) == 1
    assert findings[0]["level"] == "warning"
    assert "R-1" in findings[0]["message"]
    assert "2020-02-06" in findings[0]["message"]
    plain = run("doctor")
    assert "R-1" in plain.stdout + plain.stderr
