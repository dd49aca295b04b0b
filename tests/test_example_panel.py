"""The lived-experience panel example: its config loads and its forms run from files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from coprod_core.cli import cli

EXAMPLE = Path(__file__).parent.parent / "examples" / "lived-experience-panel" / "coprod.toml"


@pytest.fixture
def panel(tmp_path, plugin_manager, monkeypatch):
    folder = tmp_path / "panel"
    folder.mkdir()
    shutil.copy(EXAMPLE, folder / "coprod.toml")
    monkeypatch.setenv("COPROD_WORKSPACE", str(folder))
    monkeypatch.delenv("COPROD_USER", raising=False)
    runner = CliRunner()

    def run(*args, input=None):
        return runner.invoke(cli, list(args), input=input, catch_exceptions=False)

    return run


def test_the_example_config_checks(panel):
    result = panel("config", "check")
    assert result.exit_code == 0, result.stderr
    listed = json.loads(panel("intake", "list", "--json").stdout)
    assert [(f["name"], f["creates"]) for f in listed] == [
        ("session_feedback", "session_feedback"), ("welcome", "participant")]


def test_the_welcome_form_runs_from_a_file(panel, tmp_path):
    answers = tmp_path / "sam.toml"
    answers.write_text("""
name = "Sam"
pseudonym = "S"
record_consent = true
contact_by = "Phone or text"
phone = "07700 900123"
contact_consent = true
experience = ["homelessness", "mental_health"]
age_band = "35-44"
special_consent_ethnicity = true
ethnicity = "mixed"
access_needs = "A quiet room, please."
payment_ok = false
joined = 2025-09-01
""", encoding="utf-8")
    result = panel("intake", "run", "welcome", "--answers", str(answers),
                   "--consent-method", "verbal")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == "P-1"
    assert "not stored" not in result.stdout
    person = json.loads(panel("participant", "show", "P-1", "--json").stdout)
    assert person["role"] == "lived_experience"
    assert person["phone"] == "07700 900123"
    assert [c["purpose"] for c in person["consents"]] == [
        "record", "contact", "special:ethnicity"]
    assert {c["recorded_by"] for c in person["consents"]} == {"panel-coordinator"}
    assert {d["key"]: d["value"] for d in person["demographics"]} == {
        "lived_experience_of": ["homelessness", "mental_health"], "age_band": "35-44",
        "ethnicity": "mixed"}
    assert person["extra"] == {"panel.contact_by": "phone",
                               "panel.access_needs": "A quiet room, please.",
                               "panel.wants_payment": False, "panel.joined": "2025-09-01"}


def test_the_feedback_form_runs_from_a_file(panel, tmp_path):
    panel("participant", "add", "Sam", "--role", "lived_experience")
    panel("session", "new", "Panel meeting", "--date", "2026-01-05")
    answers = tmp_path / "feedback.json"
    answers.write_text(json.dumps({"session": "S-1", "participant": "P-1",
                                   "attendance": "attended", "ladder": "co_design",
                                   "feeling": "Listened to.", "come_again": True}),
                       encoding="utf-8")
    result = panel("intake", "run", "session_feedback", "--answers", str(answers))
    assert result.exit_code == 0, result.stderr
    session = json.loads(panel("session", "show", "S-1", "--json").stdout)
    assert session["ratings"] == [{"participant_id": "P-1", "rung": "co_design"}]
    assert session["feedback"] == [{"participant_id": "P-1", "text": "Listened to."}]


def test_only_those_who_attended_rate_a_session(panel, tmp_path):
    panel("participant", "add", "Sam", "--role", "lived_experience")
    panel("session", "new", "Panel meeting", "--date", "2026-01-05")
    answers = tmp_path / "feedback.toml"
    answers.write_text('attendance = "apologies"\nladder = "co_design"\n', encoding="utf-8")
    result = panel("intake", "run", "session_feedback", "--answers", str(answers),
                   "--session", "S-1", "--participant", "P-1")
    assert result.exit_code == 1
    assert result.stderr == ("error: ladder: only people who attended rate a session; this "
                             "answer says apologies\n")
    session = json.loads(panel("session", "show", "S-1", "--json").stdout)
    assert session["attendance"] == []


def test_unknown_ids_are_refused_before_any_question(panel):
    result = panel("intake", "run", "session_feedback", "--session", "S-4", input="")
    assert result.exit_code == 1
    assert result.stderr == "error: no session with id S-4\n"
    assert "1/4" not in result.stdout


def test_a_carer_joins_with_the_custom_role(panel, tmp_path):
    answers = tmp_path / "kim.toml"
    answers.write_text('name = "Kim"\njoining_as = "A carer or family member"\n'
                       "record_consent = true\n", encoding="utf-8")
    result = panel("intake", "run", "welcome", "--answers", str(answers))
    assert result.exit_code == 0, result.stderr
    person = json.loads(panel("participant", "show", "P-1", "--json").stdout)
    assert person["role"] == "carer"
    assert person["consents"][0]["method"] == "verbal"


def _toml_blocks():
    import re

    text = (EXAMPLE.parents[2] / "docs" / "forms.md").read_text(encoding="utf-8")
    return re.findall(r"```toml\n(.*?)```", text, re.DOTALL)


def test_the_docs_first_form_declares_a_working_form(tmp_path, plugin_manager):
    from coprod_core.config import Config
    from coprod_core.forms.catalogue import load

    path = tmp_path / "coprod.toml"
    path.write_text(_toml_blocks()[0], encoding="utf-8")
    form = load(Config.from_toml(path), plugin_manager).form("welcome")
    assert form.field_names == ("name", "contact_by")


def test_the_docs_answers_file_fills_in_the_example_welcome_form(panel, tmp_path):
    [answers_text] = [b for b in _toml_blocks() if b.startswith("# sam.toml")]
    answers = tmp_path / "sam.toml"
    answers.write_text(answers_text, encoding="utf-8")
    result = panel("intake", "run", "welcome", "--answers", str(answers),
                   "--consent-method", "written")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == "P-1"
