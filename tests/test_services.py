"""The services: every change goes through them, whichever front end asks.

Also the bugs found where the CLI held rules of its own: review erasure
partly done, consent checks written twice, help texts copied from the
vocabularies.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
import textwrap

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coprod_core import hookimpl, services
from coprod_core.errors import CoprodError, InvalidValue, NotFound, PluginError
from coprod_core.model import Participant
from coprod_core.services import audit, commitments, consent, erasure, retention, tensions
from coprod_core.vocabulary import (
    AUTHORITY_MEANINGS,
    REQUEST_TYPES,
    SPECIAL_CATEGORIES,
    AttendanceStatus,
    Authority,
    CommitmentStatus,
    ConsentMethod,
    Rung,
    TensionKind,
    TensionStatus,
)
from coprod_core.workspace import Workspace

# ---------------------------------------------------------------- the Python API is the services


def test_workspace_commands_are_the_services():
    assert Workspace.move_commitment is commitments.move
    assert Workspace.raise_tension is tensions.raise_
    assert Workspace.erase_participant is erasure.erase
    assert Workspace.record_consent is consent.record


def test_a_service_called_directly_is_audited_and_emits_after_the_commit(
        memory_workspace, register_plugin):
    seen = []

    class Listener:
        @hookimpl
        def coprod_on_event(self, workspace, event):
            # After the commit: the record is already stored.
            seen.append((event.name, workspace.commitment(event.ids[0]).status))

    register_plugin(Listener())
    ws = memory_workspace
    boss = services.participants.add(ws, "Sam", role="commissioner")
    made = commitments.make(ws, "Fund the bus", made_by=boss.id, authority="can_decide")
    moved = commitments.move(ws, made.id, "agreed")
    assert ws.commitment(made.id) == moved
    assert seen == [("commitment.made", "proposed"), ("commitment.moved", "agreed")]
    assert [(e["operation"], e["ids"]) for e in ws.audit()] == [
        ("participant.add", ["P-1"]), ("commitment.make", ["C-1"]), ("commitment.move", ["C-1"])]


def test_a_refused_change_writes_nothing_and_emits_nothing(memory_workspace, register_plugin):
    seen = []

    class Gate:
        @hookimpl
        def coprod_validate(self, operation, record, previous):
            if operation == "tension.move":
                assert previous.status == "raised" and record.status == "acknowledged"
                return "not in this meeting"
            return None

        @hookimpl
        def coprod_on_event(self, event):
            seen.append(event.name)

    register_plugin(Gate())
    ws = memory_workspace
    raised = tensions.raise_(ws, "Too many forms", kind="other")
    audit_before = list(ws.audit())
    with pytest.raises(CoprodError, match="not in this meeting"):
        tensions.move(ws, raised.id, "acknowledged")
    assert ws.tension(raised.id) == raised
    assert list(ws.audit()) == audit_before
    assert seen == ["tension.raised"]


def test_is_erased_is_the_tombstone_test(memory_workspace):
    ws = memory_workspace
    person = ws.add_participant("Ann Lee", role="staff")
    assert not person.is_erased
    assert erasure.erase(ws, person.id).tombstone.is_erased
    assert ws.participant(person.id).is_erased
    with pytest.raises(CoprodError, match="already erased"):
        erasure.check(ws, person.id)


def test_rights_requests_need_no_import_of_privacy(tmp_path):
    # Before, the collection existed only once coprod_core.privacy was imported:
    # a fresh process reading the requests got a raw KeyError.
    folder = tmp_path / "ws"
    with Workspace.create(folder, actor="tester") as ws:
        from coprod_core.services.rights_requests import add_request

        add_request(ws, "access", note="by letter")
    code = textwrap.dedent(f"""
        import sys
        from coprod_core.workspace import Workspace

        with Workspace.open({str(folder)!r}) as ws:
            kinds = [r.type for r in ws.records("rights_requests")]
            print(kinds, ws.record("rights_requests", "r1").id)
        print("coprod_core.privacy" in sys.modules)
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["['access'] R-1", "False"]


# ---------------------------------------------------------------- consent checks in the service


def test_consent_check_refuses_before_anything_is_asked(memory_workspace):
    ws = memory_workspace
    person = ws.add_participant("Ann Lee", role="staff")
    assert consent.check(ws, person.id, "naming") == person
    with pytest.raises(InvalidValue, match="consent purpose"):
        consent.check(ws, person.id, "marketing")
    with pytest.raises(NotFound):
        consent.check(ws, "P-9", "naming")
    ws.erase_participant(person.id)
    with pytest.raises(CoprodError, match="was erased; consent cannot be recorded"):
        consent.check(ws, person.id, "naming")
    assert consent.erases("record", given=False)
    assert not consent.erases("record", given=True)
    assert not consent.erases("contact", given=False)


def test_consent_for_an_erased_person_is_refused_before_the_question(run):
    run("participant", "add", "Ann Lee", "--role", "staff")
    run("participant", "erase", "P-1", "--yes")
    # No --yes and no terminal: had the command asked first, this would be a usage error.
    refused = run("participant", "consent", "P-1", "record", "--withdraw",
                  "--statement-version", "v1", "--method", "written")
    assert (refused.exit_code, refused.stdout) == (1, "")
    assert refused.stderr == "error: P-1 was erased; consent cannot be recorded\n"


# ---------------------------------------------------------------- review erasure: all or nobody


class FailsOnSecond:
    """A plugin whose erasure hook fails for the second person erased."""

    def __init__(self) -> None:
        self.calls = 0

    @hookimpl
    def coprod_erase_participant(self, participant_id):
        self.calls += 1
        if self.calls == 2:
            raise RuntimeError("disk full")


def _two_idle_people(workspace_dir):
    from coprod_core.testing import FakeClock

    config = workspace_dir / "coprod.toml"
    config.write_text(config.read_text() + '\n[privacy]\nretention = "12 months"\n')
    clock = FakeClock()
    clock.set(dt.date.today() - dt.timedelta(days=800))
    with Workspace.open(workspace_dir, clock=clock, actor="tester") as ws:
        ws.add_participant("Ann Lee", role="lived_experience")
        ws.add_participant("Ben Ode", role="lived_experience")


def test_review_erase_is_all_or_nobody(run, workspace_dir, register_plugin):
    _two_idle_people(workspace_dir)
    plugin = FailsOnSecond()
    register_plugin(plugin, name="fragile")
    failed = run("privacy", "review", "--erase", "--yes")
    assert failed.exit_code == 1
    assert failed.stderr == ("error: plugin 'fragile' failed while erasing a participant "
                             "(RuntimeError: disk full); nothing was changed\n")
    # Before, P-1 stayed erased and nothing said so.
    for pid in ("P-1", "P-2"):
        shown = json.loads(run("participant", "show", pid, "--json").stdout)
        assert shown["erased_at"] is None
    assert "participant.erase" not in run("audit").stdout

    plugin.calls = 10  # the plugin works again
    done = run("privacy", "review", "--erase", "--yes")
    assert done.exit_code == 0, done.stderr
    assert done.stdout.endswith("erased 2\n")
    entries = json.loads(run("audit", "--json").stdout)
    assert (entries[-1]["operation"], entries[-1]["ids"]) == ("privacy.review.erase",
                                                              ["P-1", "P-2"])


def test_erase_due_returns_each_erasure(memory_workspace):
    ws = memory_workspace
    people = [ws.add_participant(n, role="staff") for n in ("Ann Lee", "Ben Ode")]
    due = [retention.Due(participant_id=p.id, role=p.role, last_active=dt.date(2020, 1, 1),
                         last_activity="added", due_since=dt.date(2021, 1, 1)) for p in people]
    done = retention.erase_due(ws, due)
    assert [e.participant_id for e in done] == ["P-1", "P-2"]
    assert all(ws.participant(p.id).is_erased for p in people)


def test_erase_due_of_someone_already_erased_changes_nothing(memory_workspace):
    ws = memory_workspace
    people = [ws.add_participant(n, role="staff") for n in ("Ann Lee", "Ben Ode")]
    ws.erase_participant("P-2")
    due = [retention.Due(participant_id=p.id, role=p.role, last_active=dt.date(2020, 1, 1),
                         last_activity="added", due_since=dt.date(2021, 1, 1)) for p in people]
    with pytest.raises(CoprodError, match="P-2 was already erased"):
        retention.erase_due(ws, due)
    assert not ws.participant("P-1").is_erased


def test_a_plugin_failure_in_erase_due_names_the_plugin(memory_workspace, register_plugin):
    register_plugin(FailsOnSecond(), name="fragile")
    ws = memory_workspace
    people = [ws.add_participant(n, role="staff") for n in ("Ann Lee", "Ben Ode")]
    due = [retention.Due(participant_id=p.id, role=p.role, last_active=dt.date(2020, 1, 1),
                         last_activity="added", due_since=dt.date(2021, 1, 1)) for p in people]
    with pytest.raises(PluginError, match="'fragile'"):
        retention.erase_due(ws, due)
    assert [p.is_erased for p in ws.participants()] == [False, False]


@given(st.integers(1, 5).flatmap(lambda n: st.tuples(st.just(n), st.integers(1, n + 1))))
def test_erase_due_is_all_or_nothing_wherever_it_fails(case):
    people, failing = case  # failing == people + 1: nobody fails
    from coprod_core.testing import use_plugin_manager

    class FailsAt:
        calls = 0

        @hookimpl
        def coprod_erase_participant(self, participant_id):
            FailsAt.calls += 1
            if FailsAt.calls == failing:
                raise RuntimeError("disk full")

    with use_plugin_manager() as pm:
        pm.register(FailsAt(), name="fragile")
        ws = Workspace.in_memory(plugins=pm)
        added = [ws.add_participant(f"Person {n}", role="staff") for n in range(people)]
        due = [retention.Due(participant_id=p.id, role=p.role, last_active=dt.date(2020, 1, 1),
                             last_activity="added", due_since=dt.date(2021, 1, 1))
               for p in added]
        if failing <= people:
            with pytest.raises(PluginError, match="nothing was changed"):
                retention.erase_due(ws, due)
        else:
            retention.erase_due(ws, due)
        erased = [ws.participant(p.id).is_erased for p in added]
    assert erased == [failing > people] * people


# ---------------------------------------------------------------- the audit log, filtered


def test_audit_entries_by_record_and_day(memory_workspace, clock):
    ws = memory_workspace
    clock.set(dt.date(2026, 3, 1))
    ws.add_participants([{"name": f"Person {n}", "role": "staff"} for n in range(5)])
    clock.set(dt.date(2026, 3, 2))
    ws.new_session("Panel", date=dt.date(2026, 3, 2))
    ws.attend("S-1", ["p4"])
    assert [e["operation"] for e in audit.entries(ws, about="p3")] == ["participant.add_many"]
    assert [e["operation"] for e in audit.entries(ws, about="P-4")] == [
        "participant.add_many", "session.attend"]
    assert [e["operation"] for e in audit.entries(ws, about="P-6")] == []
    assert [e["operation"] for e in audit.entries(ws, since=dt.date(2026, 3, 2))] == [
        "session.new", "session.attend"]
    with pytest.raises(CoprodError, match="'Q9' is not a record id; ids look like P-12"):
        list(audit.entries(ws, about="Q9"))


def test_audit_json_streams_non_ascii_as_written(run):
    run("--as", "Zoë", "participant", "add", "Ann Lee", "--role", "staff")
    out = run("audit", "--json").stdout
    assert '"actor": "Zoë"' in out
    assert json.loads(out)[0]["actor"] == "Zoë"


# ---------------------------------------------------------------- help texts from the vocabularies


def _listed(text: str, values: list[str]) -> list[str]:
    """The values as they appear in ``text``, in order (each once)."""
    words = re.findall(r"[a-z_:<>]+", " ".join(text.split()))
    return [w for w in dict.fromkeys(words) if w in values]


@pytest.mark.parametrize(("command", "vocabulary"), [
    (("commitment", "list"), CommitmentStatus),
    (("commitment", "move"), CommitmentStatus),
    (("commitment", "make"), Authority),
    (("commitment",), Authority),
    (("tension", "raise"), TensionKind),
    (("tension", "move"), TensionStatus),
    (("tension", "list"), TensionStatus),
    (("session", "rate"), Rung),
    (("session", "attend"), AttendanceStatus),
    (("participant", "consent"), ConsentMethod),
    (("privacy", "requests", "add"), REQUEST_TYPES),
])
def test_help_lists_every_value_of_its_vocabulary_in_order(run, command, vocabulary):
    values = [str(v) for v in vocabulary]
    out = run(*command, "--help").stdout
    # Before, the commitment statuses were copied into the help out of order.
    assert _listed(out, values) == values


def test_consent_help_names_every_special_category(run):
    out = " ".join(run("participant", "consent", "--help").stdout.split())
    for category in SPECIAL_CATEGORIES:
        assert category in out


def test_every_authority_has_its_meaning():
    assert list(AUTHORITY_MEANINGS) == list(Authority)


def test_role_help_names_the_default_roles(run):
    from coprod_core.vocabulary import DEFAULT_ROLES

    out = run("participant", "add", "--help").stdout
    assert _listed(out, list(DEFAULT_ROLES)) == list(DEFAULT_ROLES)


def test_participant_tombstones_compare_by_value():
    # is_erased is derived, not stored: documents keep their shape.
    when = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    person = Participant(id="P-1", name="A", role="staff", created_at=when, erased_at=when)
    from coprod_core import serialise

    assert "is_erased" not in serialise.unstructure(person)
    assert person.is_erased
