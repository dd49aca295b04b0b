"""`coprod intake`: list, show, run (from a file and at the terminal)."""

from __future__ import annotations

import io
import json

import pytest
from click.testing import CliRunner
from intake_forms import FORMS

from coprod_core.cli import cli
from coprod_core.workspace import Workspace


@pytest.fixture
def forms_run(run, workspace_dir):
    config = workspace_dir / "coprod.toml"
    config.write_text(config.read_text(encoding="utf-8") + FORMS, encoding="utf-8")
    return run


def _stored(workspace_dir, plugin_manager, collection):
    with Workspace.open(workspace_dir, plugins=plugin_manager) as ws:
        return [d for d in ws.storage.iterate(collection)]


def test_list_and_show(forms_run):
    result = forms_run("intake", "list")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["form", "title", "creates", "questions", "from"]
    assert lines[1].startswith("feedback ")
    assert lines[2].startswith("welcome ")
    listed = json.loads(forms_run("intake", "list", "--json").stdout)
    assert [(f["name"], f["fields"], f["source"]) for f in listed] == [
        ("feedback", 2, "coprod.toml"), ("welcome", 6, "coprod.toml")]
    assert listed[0]["creates"] == "session_feedback"
    assert listed[1]["hash"].startswith("sha256:")

    shown = forms_run("intake", "show", "welcome")
    assert shown.exit_code == 0
    text = shown.stdout
    order = [text.index(f"{i}. ") for i in range(1, 7)]
    assert order == sorted(order)
    assert "1) Phone or text [phone]" in text
    assert "special category: ethnicity" in text
    assert "statement: We keep your ethnic group" in text
    as_json = json.loads(forms_run("intake", "show", "welcome", "--json").stdout)
    assert [f["name"] for f in as_json["fields"]] == [
        "name", "contact", "age", "ethnicity_ok", "ethnicity", "hopes"]
    assert as_json["hash"] == listed[1]["hash"]


def test_no_forms_yet(run):
    result = run("intake", "list")
    assert "no forms yet" in result.stdout


def test_unknown_form_is_one_line(forms_run):
    result = forms_run("intake", "show", "welcom")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == ("error: unknown form 'welcom' (did you mean 'welcome'?); "
                             "allowed: feedback, welcome\n")


def test_run_from_a_toml_file(forms_run, tmp_path, workspace_dir, plugin_manager):
    answers = tmp_path / "sam.toml"
    answers.write_text('name = "Sam"\ncontact = "Email"\nage = 34\nethnicity = "white"\n'
                       'hopes = "Shorter waits."\n', encoding="utf-8")
    result = forms_run("intake", "run", "welcome", "--answers", str(answers))
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0] == "P-1"
    assert lines[1].startswith("added P-1 with form welcome; submission F-1 (sha256:")
    assert lines[2] == "not stored: ethnicity (no consent for special:ethnicity)"

    person = json.loads(forms_run("participant", "show", "P-1", "--json").stdout)
    assert person["name"] == "Sam"
    assert person["extra"] == {"panel.contact": "email"}
    assert person["demographics"] == [{"key": "age", "value": 34, "category": None}]
    [submission] = _stored(workspace_dir, plugin_manager, "submissions")
    assert submission["form"] == "welcome"
    assert submission["participant_id"] == "P-1"
    assert submission["answers"] == {"hopes": "Shorter waits."}
    assert submission["not_stored"] == ["ethnicity"]
    assert "white" not in json.dumps(submission)


def test_run_from_json_with_consent_stores_the_special_answer(forms_run, tmp_path):
    answers = tmp_path / "ana.json"
    answers.write_text(json.dumps({"name": "Ana", "ethnicity_ok": True,
                                   "ethnicity": "mixed"}), encoding="utf-8")
    result = forms_run("intake", "run", "welcome", "--answers", str(answers),
                       "--consent-method", "verbal", "--json")
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["not_stored"] == []
    assert out["participant"]["demographics"] == [
        {"key": "ethnicity", "value": "mixed", "category": "ethnicity"}]
    [consent] = out["participant"]["consents"]
    assert consent["purpose"] == "special:ethnicity"
    assert consent["method"] == "verbal"
    assert consent["recorded_by"] == "tester"
    from coprod_core.forms import statement_version

    assert consent["statement_version"] == statement_version(
        "We keep your ethnic group to check who the panel reaches.")


def test_consent_needs_to_say_how_it_was_given(forms_run, tmp_path):
    answers = tmp_path / "a.toml"
    answers.write_text('name = "Ana"\nethnicity_ok = true\n', encoding="utf-8")
    result = forms_run("intake", "run", "welcome", "--answers", str(answers))
    assert result.exit_code == 1
    assert result.stderr.startswith("error: say how consent was given: --consent-method")
    assert result.stderr.count("\n") == 1
    assert json.loads(forms_run("participant", "list", "--json").stdout) == []


def test_invalid_answers_are_listed_and_nothing_is_stored(forms_run, tmp_path, workspace_dir,
                                                          plugin_manager):
    answers = tmp_path / "bad.toml"
    answers.write_text('name = "Bo"\nage = 12\ncontact = "pigeon"\n', encoding="utf-8")
    result = forms_run("intake", "run", "welcome", "--answers", str(answers))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "error: contact: 'pigeon' is not one of the choices; choose one of: phone, email; "
        "age: 12 is below the lowest allowed, 16\n")
    assert _stored(workspace_dir, plugin_manager, "participants") == []
    assert _stored(workspace_dir, plugin_manager, "submissions") == []


@pytest.mark.parametrize(("content", "name", "words"), [
    ("", "a.toml", "a.toml is empty"),
    ("name = ", "a.toml", "a.toml is not valid TOML"),
    ("{", "a.json", "a.json is not valid JSON"),
    ("[1, 2]", "a.json", "must hold a table of answers"),
    ('name = "X"\nnmae = "Y"\n', "a.toml", "nmae: is not a question of form 'welcome' "
                                           "(did you mean 'name'?)"),
])
def test_bad_answer_files(forms_run, tmp_path, content, name, words):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    result = forms_run("intake", "run", "welcome", "--answers", str(path))
    assert result.exit_code == 1
    assert words in result.stderr
    assert result.stderr.count("\n") == 1


def test_update_an_existing_participant(forms_run, tmp_path):
    forms_run("participant", "add", "Cal", "--role", "staff")
    answers = tmp_path / "a.toml"
    answers.write_text('participant = "p1"\nage = 40\n', encoding="utf-8")
    result = forms_run("intake", "run", "welcome", "--answers", str(answers))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == "P-1"
    assert result.stdout.splitlines()[1].startswith("updated P-1 with form welcome")
    person = json.loads(forms_run("participant", "show", "P-1", "--json").stdout)
    assert person["name"] == "Cal"
    assert person["role"] == "staff"
    assert person["demographics"] == [{"key": "age", "value": 40, "category": None}]


def test_session_feedback_from_a_file(forms_run, tmp_path):
    forms_run("participant", "add", "Dee", "--role", "lived_experience")
    forms_run("session", "new", "Panel", "--date", "2026-01-05")
    answers = tmp_path / "f.toml"
    answers.write_text('session = "S-1"\nrung = "co_design"\nfeeling = "Heard, at last."\n',
                       encoding="utf-8")
    result = forms_run("intake", "run", "feedback", "--answers", str(answers),
                       "--participant", "P-1")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == "F-1"
    session = json.loads(forms_run("session", "show", "S-1", "--json").stdout)
    assert session["attendance"] == [{"participant_id": "P-1", "status": "attended"}]
    assert session["ratings"] == [{"participant_id": "P-1", "rung": "co_design"}]
    assert session["feedback"] == [{"participant_id": "P-1", "text": "Heard, at last."}]


def test_session_feedback_needs_a_session(forms_run, tmp_path):
    answers = tmp_path / "f.toml"
    answers.write_text('rung = "co_design"\n', encoding="utf-8")
    result = forms_run("intake", "run", "feedback", "--answers", str(answers))
    assert result.exit_code == 1
    assert "name the session and the participant" in result.stderr


# ---------------------------------------------------------------- at the terminal

SCRIPT = "\n".join([
    "",            # 1 name: required, left blank: asked again
    "?",           # 1 help
    "Sam",         # 1 name
    "3",           # 2 contact: not a choice
    "2",           # 2 contact: Email
    "twelve",      # 3 age: not a number
    "15",          # 3 age: below the minimum
    "34",          # 3 age
    "y",           # 4 consent
    "white",       # 5 ethnicity
    "",            # 6 hopes: skipped
    "9",           # review: no such question
    "3",           # review: change the age
    "35",          # 3 age again
    "",            # review: save
    "2",           # how was consent given: verbal
]) + "\n"


def test_the_conversation(forms_run, workspace_dir, plugin_manager):
    result = forms_run("intake", "run", "welcome", input=SCRIPT)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert out.startswith("Welcome to the panel\nA few questions so we can support you.\n")
    assert "1/6  What name would you like us to use?\n" in out
    assert "This question needs an answer. Type ? for help." in out
    assert "  Any name you choose.\n" in out
    assert "  1) Phone or text\n  2) Email\n" in out
    assert "Sorry, that answer doesn't fit: '3' is not one of the choices" in out
    assert "Sorry, that answer doesn't fit: 'twelve' is not a number" in out
    assert "15 is below the lowest allowed, 16" in out
    assert "  | We keep your ethnic group to check who the panel reaches.\n" in out
    assert "(optional: press Enter to skip)" in out
    assert "Here are the answers:" in out
    assert out.count("Here are the answers:") == 3
    assert "      34\n" in out and "      35\n" in out
    assert "Please type a number from 1 to 6" in out
    assert "(skipped)" in out
    assert "How was consent given?" in out
    assert out.splitlines()[-2] == "P-1"
    assert out.splitlines()[-1].startswith("added P-1 with form welcome")
    assert result.stderr == ""
    [person] = _stored(workspace_dir, plugin_manager, "participants")
    assert person["name"] == "Sam"
    assert person["extra"] == {"panel.contact": "email"}
    assert {d["key"]: d["value"] for d in person["demographics"]} == {
        "age": 35, "ethnicity": "white"}
    assert person["consents"][0]["method"] == "verbal"


def test_the_review_says_when_a_special_answer_will_not_be_kept(forms_run):
    script = "Sam\n\n\nn\nwhite\n\nq\n"
    result = forms_run("intake", "run", "welcome", input=script)
    assert "[will not be stored: no consent for special:ethnicity]" in result.stdout
    assert result.exit_code == 1
    assert result.stderr == "error: stopped; nothing was saved\n"


class Interrupting(io.BytesIO):
    """Keyboard input that is cut short by Ctrl-C once the scripted lines run out."""

    def read1(self, size=-1):
        data = super().read1(size)
        if size != 0 and not data:
            raise KeyboardInterrupt
        return data

    read = read1


@pytest.mark.parametrize("typed", ["", "Sam\n", "Sam\n1\n34\n", "Sam\n1\n34\ny\nwhite\n\n"])
def test_ctrl_c_saves_nothing(forms_run, workspace_dir, plugin_manager, typed):
    result = CliRunner().invoke(cli, ["intake", "run", "welcome"],
                                input=Interrupting(typed.encode()))
    assert result.exit_code == 1
    assert result.stderr == "error: stopped; nothing was saved\n"
    assert _stored(workspace_dir, plugin_manager, "participants") == []
    assert _stored(workspace_dir, plugin_manager, "submissions") == []
    with Workspace.open(workspace_dir, plugins=plugin_manager) as ws:
        assert list(ws.audit()) == []


def test_end_of_input_saves_nothing(forms_run, workspace_dir, plugin_manager):
    result = forms_run("intake", "run", "welcome", input="Sam\n1\n")
    assert result.exit_code == 1
    assert result.stderr == "error: stopped; nothing was saved\n"
    assert _stored(workspace_dir, plugin_manager, "participants") == []


def test_feedback_conversation_asks_who_and_which_session(forms_run):
    forms_run("participant", "add", "Dee", "--role", "lived_experience")
    forms_run("session", "new", "Panel", "--date", "2026-01-05")
    result = forms_run("intake", "run", "feedback", input="S-9\nS-1\np1\n6\nGood\n\n")
    assert result.exit_code == 0, result.stderr
    assert "no session with id S-9. Please try again." in result.stdout
    session = json.loads(forms_run("session", "show", "S-1", "--json").stdout)
    assert session["ratings"] == [{"participant_id": "P-1", "rung": "co_design"}]


def test_updating_at_the_terminal_lets_every_question_be_skipped(forms_run, workspace_dir,
                                                                 plugin_manager):
    forms_run("participant", "add", "Cal", "--role", "staff")
    result = forms_run("intake", "run", "welcome", "--participant", "p1",
                       input="\n\n40\n\n\n\n\n")
    assert result.exit_code == 0, result.stderr
    assert "These answers will update P-1 (Cal)" in result.stdout
    assert "This question needs an answer" not in result.stdout
    [person] = _stored(workspace_dir, plugin_manager, "participants")
    assert person["name"] == "Cal"
    assert person["demographics"] == [{"key": "age", "value": 40, "category": None}]


def test_show_json_writes_dates_as_text(forms_run, workspace_dir):
    config = workspace_dir / "coprod.toml"
    config.write_text(config.read_text(encoding="utf-8") + """
[forms.dated]
title = "Dated"

[[forms.dated.fields]]
name = "joined"
type = "date"
label = "Joined"
earliest = 2020-01-01
""", encoding="utf-8")
    shown = json.loads(forms_run("intake", "show", "dated", "--json").stdout)
    assert shown["fields"][0]["earliest"] == "2020-01-01"


def test_a_workspace_without_forms_says_how_to_declare_one(run):
    result = run("intake", "run", "welcome")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == ("error: unknown form 'welcome': this workspace has no intake forms "
                             "yet; declare one in coprod.toml as [forms.<name>] (see "
                             "docs/forms.md)\n")
