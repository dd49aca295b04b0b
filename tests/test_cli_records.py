"""The record commands through the CLI: participant, session, tension, commitment."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from coprod_core.workspace import Workspace


def ok(result):
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


def as_json(result):
    return json.loads(ok(result))


@pytest.fixture
def people(run):
    ok(run("participant", "add", "Aisha", "--role", "lived_experience"))
    ok(run("participant", "add", "Dev", "--role", "commissioner", "--email", "dev@example.org"))
    ok(run("participant", "add", "Sam", "--role", "staff", "--pseudonym", "River"))
    return ["P-1", "P-2", "P-3"]


@pytest.fixture
def opened(workspace_dir, plugin_manager, clock):
    """Open the CLI's workspace to look at what it stored."""
    handles = []

    def open_():
        ws = Workspace.open(workspace_dir, plugins=plugin_manager, clock=clock)
        handles.append(ws)
        return ws

    yield open_
    for ws in handles:
        ws.close()


# ---------------------------------------------------------------- participants


class TestParticipant:
    def test_add_prints_the_new_id_and_json_prints_the_record(self, run):
        assert ok(run("participant", "add", "Aisha", "--role", "lived_experience")) == "P-1\n"
        record = as_json(run("participant", "add", "Ben 🌈", "--role", "staff",
                             "--pseudonym", "North", "--phone", "07700 900123", "--json"))
        assert record["id"] == "P-2"
        assert record["name"] == "Ben 🌈"
        assert record["pseudonym"] == "North"
        assert record["phone"] == "07700 900123"
        assert record["email"] is None
        assert record["role"] == "staff"
        assert "schema_version" not in record

    def test_list_in_text_and_json(self, run, people):
        text = ok(run("participant", "list"))
        lines = text.splitlines()
        assert lines[0].split() == ["id", "name", "role", "pseudonym"]
        assert lines[1].split() == ["P-1", "Aisha", "lived_experience"]
        assert lines[3].split() == ["P-3", "Sam", "staff", "River"]
        listed = as_json(run("participant", "list", "--json"))
        assert [p["id"] for p in listed] == people

    def test_list_by_role(self, run, people):
        listed = as_json(run("participant", "list", "--role", "commissioner", "--json"))
        assert [p["id"] for p in listed] == ["P-2"]
        assert ok(run("participant", "list", "--role", "volunteer")).startswith(
            "no participants yet")

    def test_an_empty_list_says_how_to_add_one(self, run):
        assert ok(run("participant", "list")) == (
            "no participants yet; add one with `coprod participant add NAME --role ROLE`\n")
        assert as_json(run("participant", "list", "--json")) == []

    def test_show_accepts_ids_as_people_type_them(self, run, people):
        for typed in ("P-2", "p2", "p-2", "P2"):
            assert as_json(run("participant", "show", typed, "--json"))["id"] == "P-2"
        text = ok(run("participant", "show", "p2"))
        assert "id:    P-2" in text
        assert "email: dev@example.org" in text
        assert "added: 2026-" in text or "added:" in text

    def test_show_lists_consent_demographics_and_extras(self, run, people, opened):
        ws = opened()
        ws.record_consent("P-1", "special:ethnicity", given=True, statement_version="v1",
                          method="verbal")
        from coprod_core.model import Demographic

        ws.update_participant("P-1", demographics=(
            Demographic(key="ethnicity", value="Mixed", category="ethnicity"),),
            extra={"payments.bank": "on file"})
        text = ok(run("participant", "show", "P-1"))
        assert "special:ethnicity" in text and "given" in text and "(verbal, by" in text
        assert "ethnicity: Mixed [special category: ethnicity]" in text
        assert "payments.bank: on file" in text

    def test_update_changes_only_what_is_given(self, run, people):
        out = ok(run("participant", "update", "P-3", "--role", "volunteer", "--name", "Samira"))
        assert out == "P-3\n"
        record = as_json(run("participant", "show", "P-3", "--json"))
        assert (record["name"], record["role"], record["pseudonym"]) == (
            "Samira", "volunteer", "River")
        record = as_json(run("participant", "update", "P-3", "--pseudonym", "", "--json"))
        assert record["pseudonym"] is None

    def test_update_with_nothing_to_change_is_a_usage_error(self, run, people):
        result = run("participant", "update", "P-1")
        assert result.exit_code == 2
        assert result.stdout == ""
        assert result.stderr.startswith("error: give at least one of --name")
        assert "coprod participant update --help" in result.stderr

    def test_a_custom_role_from_the_config_is_accepted(self, run):
        ok(run("config", "set", "roles.custom.carer", "Carer or family member"))
        assert ok(run("participant", "add", "Jo", "--role", "carer")) == "P-1\n"


# ---------------------------------------------------------------- sessions


class TestSession:
    def test_new_with_facilitators_and_purpose(self, run, people):
        assert ok(run("session", "new", "Panel: curfews", "--date", "2026-03-02",
                      "--facilitator", "p1", "--facilitator", "P-3")) == "S-1\n"
        record = as_json(run("session", "new", "Steering group", "--date", "2026-03-09",
                             "--purpose", "Decide priorities", "--json"))
        assert record["id"] == "S-2"
        assert record["date"] == "2026-03-09"
        assert record["purpose"] == "Decide priorities"
        first = as_json(run("session", "show", "S-1", "--json"))
        assert first["facilitators"] == ["P-1", "P-3"]

    def test_attend_with_each_status_and_rate(self, run, people):
        ok(run("session", "new", "Panel", "--date", "2026-03-02"))
        assert ok(run("session", "attend", "S-1", "P-1", "p3")) == "S-1: 2 recorded as attended\n"
        assert ok(run("session", "attend", "S-1", "P-2", "--status", "apologies")) == (
            "S-1: 1 recorded as apologies\n")
        assert ok(run("session", "rate", "s1", "p1", "consultation")) == (
            "S-1: P-1 placed it at consultation\n")
        assert ok(run("session", "rate", "S-1", "P-3", "co_design")) == (
            "S-1: P-3 placed it at co_design\n")
        record = as_json(run("session", "show", "S-1", "--json"))
        assert record["attendance"] == [
            {"participant_id": "P-1", "status": "attended"},
            {"participant_id": "P-3", "status": "attended"},
            {"participant_id": "P-2", "status": "apologies"},
        ]
        assert record["ratings"] == [
            {"participant_id": "P-1", "rung": "consultation"},
            {"participant_id": "P-3", "rung": "co_design"},
        ]
        text = ok(run("session", "show", "S-1"))
        assert "P-1      attended   consultation" in text
        assert "P-2      apologies" in text
        listed = ok(run("session", "list")).splitlines()
        assert listed[1].split()[:2] == ["S-1", "2026-03-02"]
        assert listed[1].split()[-2:] == ["2", "2"]

    def test_marking_absent_removes_a_rating(self, run, people):
        ok(run("session", "new", "Panel", "--date", "2026-03-02"))
        ok(run("session", "attend", "S-1", "P-1"))
        ok(run("session", "rate", "S-1", "P-1", "informing"))
        record = as_json(run("session", "attend", "S-1", "P-1", "--status", "absent", "--json"))
        assert record["ratings"] == []
        assert record["attendance"] == [{"participant_id": "P-1", "status": "absent"}]

    def test_rating_someone_who_did_not_attend_says_what_to_do(self, run, people):
        ok(run("session", "new", "Panel", "--date", "2026-03-02"))
        result = run("session", "rate", "S-1", "P-2", "co_production")
        assert result.exit_code == 1
        assert result.stdout == ""
        assert result.stderr == (
            "error: P-2 is not recorded as having attended S-1; "
            "record attendance first with: coprod session attend S-1 P-2\n")

    def test_show_without_attendance_says_how_to_record_it(self, run):
        ok(run("session", "new", "Panel", "--date", "2026-03-02"))
        assert "no attendance recorded; use `coprod session attend S-1 ID...`" in ok(
            run("session", "show", "S-1"))

    def test_list_empty_and_json(self, run):
        assert ok(run("session", "list")).startswith("no sessions yet")
        assert as_json(run("session", "list", "--json")) == []

    def test_a_date_that_is_not_a_date(self, run):
        result = run("session", "new", "Panel", "--date", "02/03/2026")
        assert result.exit_code == 2
        assert result.stdout == ""
        assert "write it as YYYY-MM-DD" in result.stderr
        assert result.stderr.count("\n") == 1


# ---------------------------------------------------------------- tensions


class TestTension:
    def test_raise_with_everything(self, run, people):
        ok(run("session", "new", "Panel", "--date", "2026-03-02"))
        assert ok(run("tension", "raise", "Curfews decided without the panel", "--kind",
                      "power", "--session", "S-1", "--raised-by", "p1", "--between",
                      "lived_experience", "--between", "p2")) == "T-1\n"
        record = as_json(run("tension", "show", "T-1", "--json"))
        assert record["kind"] == "power"
        assert record["session_id"] == "S-1"
        assert record["raised_by"] == "P-1"
        assert record["between"] == ["lived_experience", "P-2"]
        assert record["status"] == "raised"
        assert [h["status"] for h in record["history"]] == ["raised"]
        assert record["history"][0]["actor"] == "tester"

    def test_move_shows_in_history_with_notes(self, run, clock):
        ok(run("tension", "raise", "Minutes arrive late", "--kind", "communication"))
        assert ok(run("tension", "move", "T-1", "acknowledged", "--note", "Minuted")) == (
            "T-1: acknowledged\n")
        record = as_json(run("tension", "move", "t1", "held", "--note",
                             "Both views are valid", "--json"))
        assert record["status"] == "held"
        assert [(h["status"], h["note"]) for h in record["history"]] == [
            ("raised", None), ("acknowledged", "Minuted"), ("held", "Both views are valid")]
        text = ok(run("tension", "show", "T-1"))
        assert "status:      held" in text
        history = text[text.index("history:"):].splitlines()
        assert history[1].split()[2:4] == ["raised", "by"]
        assert history[2].endswith("acknowledged     by tester — Minuted")
        assert history[3].endswith("held             by tester — Both views are valid")

    def test_list_with_filters(self, run):
        ok(run("tension", "raise", "A", "--kind", "power"))
        ok(run("tension", "raise", "B", "--kind", "resources"))
        ok(run("tension", "move", "T-2", "resolved"))
        assert [t["id"] for t in as_json(run("tension", "list", "--json"))] == ["T-1", "T-2"]
        assert [t["id"] for t in as_json(run("tension", "list", "--kind", "resources",
                                             "--json"))] == ["T-2"]
        assert [t["id"] for t in as_json(run("tension", "list", "--status", "raised",
                                             "--json"))] == ["T-1"]
        text = ok(run("tension", "list", "--kind", "power"))
        assert text.splitlines()[1].split()[:3] == ["T-1", "power", "raised"]
        assert ok(run("tension", "list", "--kind", "identity")) == "no tensions match\n"

    def test_an_illegal_move_names_the_allowed_ones_and_changes_nothing(self, run):
        ok(run("tension", "raise", "A", "--kind", "power"))
        ok(run("tension", "move", "T-1", "resolved"))
        before = as_json(run("tension", "show", "T-1", "--json"))
        result = run("tension", "move", "T-1", "explored")
        assert result.exit_code == 1
        assert result.stdout == ""
        assert result.stderr == (
            "error: cannot move a tension from resolved to explored; "
            "from resolved it can move to: reopened\n")
        assert as_json(run("tension", "show", "T-1", "--json")) == before


# ---------------------------------------------------------------- commitments


class TestCommitment:
    def test_make_with_everything(self, run, people):
        ok(run("session", "new", "Steering", "--date", "2026-03-02"))
        ok(run("tension", "raise", "A", "--kind", "power"))
        ok(run("tension", "raise", "B", "--kind", "resources"))
        assert ok(run("commitment", "make", "Pay for preparation time", "--by", "p2",
                      "--authority", "can_decide", "--scope", "I hold this budget",
                      "--due", "2026-04-30", "--session", "s1", "--answers", "T-1",
                      "--answers", "t2")) == "C-1\n"
        record = as_json(run("commitment", "show", "C-1", "--json"))
        assert record["made_by"] == "P-2"
        assert record["authority"] == "can_decide"
        assert record["scope"] == "I hold this budget"
        assert record["due"] == "2026-04-30"
        assert record["session_id"] == "S-1"
        assert record["answers"] == ["T-1", "T-2"]
        assert record["status"] == "proposed"
        assert record["updates"] == []

    def test_move_update_and_show(self, run, people, clock):
        ok(run("commitment", "make", "Publish minutes", "--by", "P-3",
               "--authority", "can_influence", "--due", "2999-02-01"))
        assert ok(run("commitment", "move", "C-1", "agreed", "--note", "In the meeting")) == (
            "C-1: agreed\n")
        ok(run("commitment", "move", "C-1", "in_progress"))
        assert ok(run("commitment", "progress", "C-1", "Template drafted")) == (
            "C-1: 1 progress update(s)\n")
        record = as_json(run("commitment", "progress", "C-1", "Shared with the panel", "--json"))
        assert [u["note"] for u in record["updates"]] == [
            "Template drafted", "Shared with the panel"]
        assert [h["status"] for h in record["history"]] == ["proposed", "agreed", "in_progress"]
        text = ok(run("commitment", "show", "C-1"))
        assert "status:      in_progress" in text
        assert "due:         2999-02-01\n" in text
        assert "progress:" in text and "tester: Template drafted" in text
        record = as_json(run("commitment", "move", "C-1", "delivered", "--json"))
        assert record["status"] == "delivered"

    def test_withdrawing_needs_a_reason(self, run, people):
        ok(run("commitment", "make", "X", "--by", "P-2", "--authority", "can_decide"))
        result = run("commitment", "move", "C-1", "withdrawn")
        assert result.exit_code == 1
        assert result.stdout == ""
        assert result.stderr == (
            "error: moving a commitment to withdrawn needs a reason: give one with --note\n")
        assert ok(run("commitment", "move", "C-1", "withdrawn", "--note", "Superseded")) == (
            "C-1: withdrawn\n")

    def test_no_progress_on_a_closed_commitment(self, run, people):
        ok(run("commitment", "make", "X", "--by", "P-2", "--authority", "can_decide"))
        ok(run("commitment", "move", "C-1", "withdrawn", "--note", "Superseded"))
        result = run("commitment", "progress", "C-1", "More")
        assert result.exit_code == 1
        assert result.stderr == "error: C-1 is withdrawn; progress can no longer be added\n"
        result = run("commitment", "move", "C-1", "agreed")
        assert result.stderr == (
            "error: cannot move a commitment from withdrawn to agreed; from withdrawn it can "
            "move to: none (this status is final)\n")

    def test_list_filters_and_overdue(self, run, people, workspace_dir, plugin_manager, clock):
        # The clock the CLI uses is the real one; make due dates relative to today.
        today = dt.date.today()
        past, future = today - dt.timedelta(days=3), today + dt.timedelta(days=30)
        ok(run("commitment", "make", "Late", "--by", "P-2", "--authority", "can_decide",
               "--due", past.isoformat()))
        ok(run("commitment", "make", "On time", "--by", "P-2", "--authority", "can_influence",
               "--due", future.isoformat()))
        ok(run("commitment", "make", "Late but done", "--by", "P-3",
               "--authority", "can_only_raise", "--due", past.isoformat()))
        ok(run("commitment", "make", "Late and partly done", "--by", "P-3",
               "--authority", "can_only_raise", "--due", past.isoformat()))
        ok(run("commitment", "make", "No date", "--by", "P-3", "--authority", "can_decide"))
        ok(run("commitment", "move", "C-3", "agreed"))
        ok(run("commitment", "move", "C-3", "delivered"))
        ok(run("commitment", "move", "C-4", "agreed"))
        ok(run("commitment", "move", "C-4", "partly_delivered", "--note", "Half of it"))
        # Partly delivered is an outcome, like not delivered: neither is overdue.
        overdue = as_json(run("commitment", "list", "--overdue", "--json"))
        assert [c["id"] for c in overdue] == ["C-1"]
        text = ok(run("commitment", "list", "--overdue"))
        assert [line.split()[0] for line in text.splitlines()[1:]] == ["C-1"]
        assert [c["id"] for c in as_json(run("commitment", "list", "--status", "delivered",
                                             "--json"))] == ["C-3"]
        assert [c["id"] for c in as_json(run("commitment", "list", "--authority",
                                             "can_decide", "--json"))] == ["C-1", "C-5"]
        assert [c["id"] for c in as_json(run("commitment", "list", "--overdue", "--authority",
                                             "can_decide", "--json"))] == ["C-1"]
        assert "(overdue)" in ok(run("commitment", "show", "C-1"))
        assert "(overdue)" not in ok(run("commitment", "show", "C-3"))
        assert ok(run("commitment", "list", "--status", "withdrawn")) == "no commitments match\n"

    def test_show_text(self, run, people):
        ok(run("commitment", "make", "Publish minutes", "--by", "P-3", "--authority",
               "can_influence", "--scope", "I can ask"))
        text = ok(run("commitment", "show", "C-1"))
        assert text.splitlines()[:6] == [
            "id:          C-1",
            "description: Publish minutes",
            "made by:     P-3",
            "authority:   can_influence",
            "scope:       I can ask",
            "status:      proposed",
        ]
        assert "history:" in text


# ---------------------------------------------------------------- the audit


def test_every_change_is_audited_with_the_actor(run, people, opened):
    ok(run("session", "new", "Panel", "--date", "2026-03-02"))
    ok(run("--as", "Maya (coordinator)", "session", "attend", "S-1", "P-1"))
    ok(run("tension", "raise", "A", "--kind", "power", env={"COPROD_USER": "Olu"}))
    ok(run("--as", "Priya", "tension", "move", "T-1", "held", env={"COPROD_USER": "Olu"}))
    entries = list(opened().audit())
    assert [(e["operation"], e["actor"], e["ids"]) for e in entries] == [
        ("participant.add", "tester", ["P-1"]),
        ("participant.add", "tester", ["P-2"]),
        ("participant.add", "tester", ["P-3"]),
        ("session.new", "tester", ["S-1"]),
        ("session.attend", "Maya (coordinator)", ["S-1", "P-1"]),
        ("tension.raise", "Olu", ["T-1"]),
        ("tension.move", "Priya", ["T-1"]),
    ]
    tension = as_json(run("tension", "show", "T-1", "--json"))
    assert [h["actor"] for h in tension["history"]] == ["Olu", "Priya"]
    for entry in entries:
        assert dt.datetime.fromisoformat(entry["at"]).tzinfo is not None


def test_the_config_actor_is_used_when_no_one_is_named(run, opened, monkeypatch):
    ok(run("config", "set", "workspace.actor", "panel-coordinator"))
    monkeypatch.delenv("COPROD_USER")
    ok(run("participant", "add", "Ada", "--role", "staff", env={"COPROD_USER": None}))
    assert list(opened().audit())[-1]["actor"] == "panel-coordinator"


def test_without_any_actor_the_system_user_is_used(run, opened, monkeypatch):
    monkeypatch.setenv("LOGNAME", "sysuser")
    monkeypatch.setenv("USER", "sysuser")
    ok(run("participant", "add", "Ada", "--role", "staff", env={"COPROD_USER": None}))
    assert list(opened().audit())[-1]["actor"] == "sysuser"


# ---------------------------------------------------------------- --json everywhere


CREATES = [
    (("participant", "add", "Ada", "--role", "staff"), "P-2"),
    (("session", "new", "Panel", "--date", "2026-03-02"), "S-2"),
    (("tension", "raise", "Minutes late", "--kind", "communication"), "T-2"),
    (("commitment", "make", "Publish minutes", "--by", "P-1", "--authority",
      "can_influence"), "C-2"),
]
SHOWS_AND_CHANGES = [
    ("participant", "show", "P-1"),
    ("participant", "update", "P-1", "--phone", "0113 496 0000"),
    ("session", "show", "S-1"),
    ("session", "attend", "S-1", "P-1"),
    ("tension", "show", "T-1"),
    ("tension", "move", "T-1", "acknowledged"),
    ("commitment", "show", "C-1"),
    ("commitment", "move", "C-1", "agreed"),
    ("commitment", "progress", "C-1", "Started"),
]
LISTS = [
    ("participant", "list"), ("session", "list"), ("tension", "list"),
    ("commitment", "list"), ("commitment", "list", "--overdue"),
]


@pytest.fixture
def one_of_each(run):
    for args in (("participant", "add", "Bo", "--role", "lived_experience"),
                 ("session", "new", "First", "--date", "2026-01-02"),
                 ("tension", "raise", "First", "--kind", "power"),
                 ("commitment", "make", "First", "--by", "P-1", "--authority", "can_decide")):
        ok(run(*args))


@pytest.mark.parametrize("args,new_id", CREATES, ids=[" ".join(c[0][:2]) for c in CREATES])
def test_every_create_prints_the_id_or_the_whole_record(run, one_of_each, args, new_id):
    record = as_json(run(*args, "--json"))
    assert isinstance(record, dict)
    assert record["id"] == new_id
    collection = args[0]
    shown = as_json(run(collection, "show", new_id, "--json"))
    assert shown == record
    # Without --json, just the next id.
    next_id = f"{new_id[0]}-{int(new_id[2:]) + 1}"
    assert ok(run(*args)) == f"{next_id}\n"


@pytest.mark.parametrize("args", SHOWS_AND_CHANGES, ids=[" ".join(a[:2]) for a in
                                                         SHOWS_AND_CHANGES])
def test_every_show_and_change_prints_one_json_object(run, one_of_each, args):
    record = as_json(run(*args, "--json"))
    assert isinstance(record, dict)
    assert record["id"] == args[2]
    assert "schema_version" not in record


@pytest.mark.parametrize("args", LISTS, ids=[" ".join(a) for a in LISTS])
def test_every_list_prints_a_json_array_of_objects(run, one_of_each, args):
    records = as_json(run(*args, "--json"))
    assert isinstance(records, list)
    assert all(isinstance(r, dict) and "id" in r for r in records)


def test_rate_json(run, one_of_each):
    ok(run("session", "attend", "S-1", "P-1"))
    record = as_json(run("session", "rate", "S-1", "P-1", "engagement", "--json"))
    assert record["ratings"] == [{"participant_id": "P-1", "rung": "engagement"}]


def test_attend_counts_each_person_once(run):
    run("participant", "add", "Ada", "--role", "staff")
    run("session", "new", "Panel", "--date", "2026-01-05")
    result = run("session", "attend", "S-1", "P-1", "p1", "P-1")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "S-1: 1 recorded as attended\n"
    shown = run("session", "show", "S-1", "--json")
    import json

    assert len(json.loads(shown.stdout)["attendance"]) == 1
