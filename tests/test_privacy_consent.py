"""Consent covers what is stored; withdrawal removes it at once."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coprod_core.errors import ConfigError, InvalidValue, ValidationFailed
from coprod_core.model import SPECIAL_CATEGORIES, Demographic
from coprod_core.workspace import Workspace


def _consent(ws, pid, purpose, given=True):
    return ws.record_consent(pid, purpose, given=given, statement_version="v3",
                             method="electronic")


def test_special_category_answers_need_consent(memory_workspace):
    ws = memory_workspace
    p = ws.add_participant("Zoë Ní Bhriain", role="lived_experience")
    answer = Demographic(key="health", value="long covid", category="health")
    with pytest.raises(ValidationFailed, match="cannot be stored without consent for "
                                               "special:health"):
        ws.update_participant(p.id, demographics=(answer,))
    assert ws.participant(p.id).demographics == ()
    _consent(ws, p.id, "special:health")
    assert ws.update_participant(p.id, demographics=(answer,)).demographics == (answer,)


def test_withdrawing_special_consent_removes_the_answers_from_storage(workspace_dir,
                                                                      plugin_manager, clock):
    ws = Workspace.open(workspace_dir, plugins=plugin_manager, clock=clock, actor="tester")
    p = ws.add_participant("Łukasz Żółć", role="lived_experience")
    _consent(ws, p.id, "special:health")
    _consent(ws, p.id, "special:ethnicity")
    ws.update_participant(p.id, demographics=(
        Demographic(key="condition", value="Crohnsdisease-7731", category="health"),
        Demographic(key="ethnicity", value="White Polish", category="ethnicity"),
        Demographic(key="age_band", value="45-54"),
    ))
    after = _consent(ws, p.id, "special:health", given=False)
    assert [d.key for d in after.demographics] == ["ethnicity", "age_band"]
    raw = ws.storage.get("participants", p.id)
    assert [d["key"] for d in raw["demographics"]] == ["ethnicity", "age_band"]
    assert "Crohnsdisease-7731" not in json.dumps(raw)
    with pytest.raises(ValidationFailed, match="special:health"):
        ws.update_participant(p.id, demographics=(
            *after.demographics, Demographic(key="c", value="x", category="health")))
    ws.close()
    for path in workspace_dir.iterdir():
        assert b"Crohnsdisease-7731" not in path.read_bytes(), path


def test_withdrawing_contact_removes_email_and_phone_and_refuses_them(memory_workspace):
    ws = memory_workspace
    p = ws.add_participant("Ann Lee", role="staff", email="ann@example.org", phone="0161 496 0000")
    _consent(ws, p.id, "contact")
    after = _consent(ws, p.id, "contact", given=False)
    assert (after.email, after.phone) == (None, None)
    assert ws.storage.get("participants", p.id)["email"] is None
    with pytest.raises(ValidationFailed, match="withdrew consent to be contacted on 2026-01-05"):
        ws.update_participant(p.id, email="ann@example.org")
    _consent(ws, p.id, "contact")
    assert ws.update_participant(p.id, email="ann@example.org").email == "ann@example.org"


def test_require_contact_consent_refuses_details_before_consent(plugin_manager, clock):
    ws = Workspace.in_memory(plugins=plugin_manager, clock=clock,
                             data={"privacy": {"require_contact_consent": True}})
    with pytest.raises(ValidationFailed, match="P-1: email needs consent for contact"):
        ws.add_participant("Ann Lee", role="staff", email="ann@example.org")
    assert ws.count("participants") == 0
    p = ws.add_participant("Ann Lee", role="staff")
    _consent(ws, p.id, "contact")
    assert ws.update_participant(p.id, phone="0161 496 0000").phone == "0161 496 0000"


def test_withdrawing_record_erases_the_person(memory_workspace):
    ws = memory_workspace
    p = ws.add_participant("Zoë Ní Bhriain", role="volunteer", email="z@example.org")
    after = _consent(ws, p.id, "record", given=False)
    assert after.erased_at is not None
    assert (after.name, after.email, after.consents) == ("[erased]", None, ())
    assert [e["operation"] for e in ws.audit()][-1] == "participant.consent"


def test_naming_withdrawal_is_what_reports_read(memory_workspace):
    from coprod_core.privacy import may_name

    ws = memory_workspace
    p = ws.add_participant("Ann Lee", role="staff")
    assert not may_name(p)
    assert may_name(_consent(ws, p.id, "naming"))
    assert not may_name(_consent(ws, p.id, "naming", given=False))


def test_unknown_purpose_changes_nothing(memory_workspace):
    ws = memory_workspace
    p = ws.add_participant("Ann Lee", role="staff")
    with pytest.raises(InvalidValue, match="unknown consent purpose 'special:wealth'"):
        ws.record_consent(p.id, "special:wealth", given=True, statement_version="v1",
                          method="written")
    assert ws.participant(p.id) == p


@given(category=st.sampled_from(SPECIAL_CATEGORIES),
       others=st.lists(st.sampled_from(SPECIAL_CATEGORIES), max_size=5))
def test_withdrawal_keeps_every_other_category(category, others):
    from coprod_core.testing import FakeClock, use_plugin_manager

    with use_plugin_manager() as pm:
        ws = Workspace.in_memory(plugins=pm, clock=FakeClock())
        p = ws.add_participant("Ann Lee", role="staff")
        for c in {category, *others}:
            _consent(ws, p.id, f"special:{c}")
        answers = tuple(Demographic(key=f"q{i}", value=i, category=c)
                        for i, c in enumerate([category, *others]))
        ws.update_participant(p.id, demographics=answers)
        after = _consent(ws, p.id, f"special:{category}", given=False)
        assert after.demographics == tuple(a for a in answers if a.category != category)


@pytest.mark.parametrize(("table", "message"), [
    ({"retention": "soon"}, "`privacy.retention`: 'soon' is not a period"),
    ({"retention": 0}, "`privacy.retention`: must be at least 1 day"),
    ({"retention": True}, "`privacy.retention`: must be a string or an integer"),
    ({"retention": "0 months"}, "must be at least 1 day"),
    ({"keep": "1 year"}, "`privacy.keep`: unknown key"),
    ({"require_contact_consent": "yes"}, "must be true or false"),
])
def test_privacy_config_errors_name_the_key(table, message):
    from coprod_core.config import Config

    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        Config.from_dict({"privacy": table})


@pytest.mark.parametrize(("text", "days_after_jan31"), [
    (30, 30), ("30 days", 30), ("2 weeks", 14), ("1 month", 28), ("24 months", 731),
    ("2 years", 731), ("1 Year", 365),
])
def test_retention_periods(text, days_after_jan31):
    import datetime as dt

    from coprod_core.privacy import Period

    start = dt.date(2027, 1, 31)
    assert (Period.parse(text).after(start) - start).days == days_after_jan31


# ---------------------------------------------------------------- the command line


def test_consent_cli_shows_gives_and_withdraws(run):
    run("participant", "add", "Zoë Ní Bhriain", "--role", "lived_experience",
        "--email", "zoe@example.org")
    shown = run("participant", "consent", "P-1")
    assert shown.exit_code == 0
    assert shown.stdout.splitlines()[1].split() == ["record", "not", "asked"]
    given = run("participant", "consent", "P-1", "contact", "--give", "--statement-version",
                "v2", "--method", "verbal", "--recorded-by", "Panel coordinator")
    assert (given.exit_code, given.stdout, given.stderr) == (
        0, "P-1: consent for contact given\n", "")
    data = json.loads(run("participant", "consent", "P-1", "--json").stdout)
    assert data["current"]["contact"] is True
    assert data["records"][0]["recorded_by"] == "Panel coordinator"
    assert data["records"][0]["statement_version"] == "v2"
    withdrawn = run("participant", "consent", "p1", "contact", "--withdraw",
                    "--statement-version", "v2", "--method", "written", "--json")
    assert json.loads(withdrawn.stdout)["email"] is None
    table = run("participant", "consent", "P-1").stdout
    assert "contact                   withdrawn" in table


def test_consent_cli_withdrawing_record_asks_first(run, monkeypatch):
    from coprod_core.cli import privacy as cli_privacy

    run("participant", "add", "Zoë Ní Bhriain", "--role", "lived_experience")
    args = ("participant", "consent", "P-1", "record", "--withdraw", "--statement-version",
            "v2", "--method", "written")
    refused = run(*args)
    assert refused.exit_code == 2
    assert "add --yes" in refused.stderr
    monkeypatch.setattr(cli_privacy, "interactive", lambda: True)
    stopped = run(*args, input="n\n")
    assert stopped.exit_code == 1
    assert "nothing was saved" in stopped.stderr
    assert json.loads(run("participant", "show", "P-1", "--json").stdout)["erased_at"] is None
    done = run(*args, input="y\n")
    assert done.exit_code == 0
    assert done.stdout.endswith("P-1: consent for record withdrawn; erased\n")


@pytest.mark.parametrize(("args", "message"), [
    (("P-1", "wealth", "--give", "--statement-version", "v1", "--method", "written"),
     "error: unknown consent purpose 'wealth'; allowed: record, contact, naming, "
     "special:ethnicity"),
    (("P-1", "contact", "--statement-version", "v1", "--method", "written"),
     "error: add --give or --withdraw"),
    (("P-1", "contact", "--give"), "error: add --statement-version and --method"),
    (("P-1", "--give"), "error: name the PURPOSE the consent is for"),
    (("P-1", "contact", "--give", "--statement-version", "v1", "--method", "fax"),
     "error: Invalid value for '--method'"),
    (("P-7", "contact", "--give", "--statement-version", "v1", "--method", "written"),
     "error: no participant with id P-7"),
    (("P-7",), "error: no participant with id P-7"),
])
def test_consent_cli_bad_input_changes_nothing(run, args, message):
    run("participant", "add", "Ann Lee", "--role", "staff")
    before = run("audit", "--json").stdout
    result = run("participant", "consent", *args)
    assert result.exit_code != 0
    assert result.stdout == ""
    assert result.stderr.startswith(message)
    assert result.stderr.count("\n") == 1
    assert run("audit", "--json").stdout == before


def test_consent_cli_refuses_an_erased_person(run):
    run("participant", "add", "Ann Lee", "--role", "staff")
    run("participant", "erase", "P-1", "--yes")
    result = run("participant", "consent", "P-1", "naming", "--give", "--statement-version",
                 "v1", "--method", "written")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == "error: P-1 was erased; consent cannot be recorded\n"


def test_withdrawing_contact_also_removes_the_details_from_notes(memory_workspace):
    ws = memory_workspace
    p = ws.add_participant("Ann Lee", role="staff", email="ann@example.org", phone="0161 496 0000")
    ws.raise_tension("Ann Lee asked to be emailed at ann@example.org or rung on 01614960000",
                     kind="communication")
    _consent(ws, p.id, "contact", given=False)
    assert ws.tension("T-1").description == (
        "Ann Lee asked to be emailed at [removed] or rung on [removed]")
