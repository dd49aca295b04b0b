"""The postcode question, the contact details form, and withdrawing contact consent."""

import json

import pytest
from coprod_postcodes import POSTCODE_KEY
from coprod_postcodes.field import UK_POSTCODE
from hypothesis import given
from hypothesis import strategies as st

from coprod_core import hookimpl
from coprod_core.forms import AnswerError, Field

FULL = Field(name="postcode", type="uk_postcode", label="Postcode")
DISTRICT = Field(name="postcode", type="uk_postcode", label="Postcode",
                 options={"district_only": True})


# ---------------------------------------------------------------- the question


@pytest.mark.parametrize(("typed", "stored"), [
    ("sw1a1aa", "SW1A 1AA"),
    ("SW1A 1AA", "SW1A 1AA"),
    ("  ls6  2ab ", "LS6 2AB"),
    ("m11ae", "M1 1AE"),
    ("B33 8TH", "B33 8TH"),
    ("cr2 6xh", "CR2 6XH"),
])
def test_a_postcode_is_stored_in_capitals_with_one_space(typed, stored):
    assert UK_POSTCODE.read_text(typed, FULL) == stored
    assert UK_POSTCODE.read_value(typed, FULL) == stored


def test_district_only_keeps_the_first_half():
    assert UK_POSTCODE.read_text("sw1a1aa", DISTRICT) == "SW1A"
    assert UK_POSTCODE.hint_for(DISTRICT) == "a postcode such as SW1A 1AA (only SW1A is kept)"
    assert UK_POSTCODE.hint_for(FULL) == "a postcode such as SW1A 1AA"


@pytest.mark.parametrize("typed", ["SW1", "12345", "SW1A 1A", "sw1a 1aa x", "", "1AA SW1A"])
def test_anything_else_is_refused_with_an_example(typed):
    with pytest.raises(AnswerError) as caught:
        UK_POSTCODE.read_text(typed, FULL)
    assert str(caught.value) == f"{typed.strip()!r} is not a UK postcode such as SW1A 1AA"


def test_a_number_in_an_answers_file_is_refused():
    with pytest.raises(AnswerError, match="must be text"):
        UK_POSTCODE.read_value(12345, FULL)


LETTER = st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
DIGIT = st.sampled_from("0123456789")


@st.composite
def postcodes(draw):
    """A well-formed postcode (not necessarily one in use), in its stored form."""
    area = "".join(draw(st.lists(LETTER, min_size=1, max_size=2)))
    district = area + draw(DIGIT) + draw(st.sampled_from(["", *"0123456789ABCDEFGHJKMNPRSTUVWXY"]))
    return f"{district} {draw(DIGIT)}{draw(LETTER)}{draw(LETTER)}"


@given(postcodes(), st.data())
def test_any_spacing_and_case_reads_as_the_same_postcode(postcode, data):
    compact = postcode.replace(" ", "")
    typed = "".join(data.draw(st.sampled_from([c, c.lower()])) + data.draw(
        st.sampled_from(["", " ", "  "])) for c in compact)
    assert UK_POSTCODE.read_text(typed, FULL) == postcode
    assert UK_POSTCODE.read_text(postcode, FULL) == postcode
    assert UK_POSTCODE.read_text(typed, DISTRICT) == postcode.split(" ")[0]


# ---------------------------------------------------------------- the form


def _answers(tmp_path, text):
    path = tmp_path / "answers.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


SAM = '''name = "Sam"
contact_consent = true
phone = "07700 900123"
postcode = "sw1a1aa"
'''


def _person(run, pid="P-1"):
    result = run("participant", "show", pid, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_the_form_is_listed_and_shown(run):
    listed = json.loads(run("intake", "list", "--json").stdout)
    assert [(f["name"], f["source"]) for f in listed] == [("contact-details", "postcodes")]
    shown = run("intake", "show", "contact-details")
    assert shown.exit_code == 0, shown.stderr
    assert "postcode: uk_postcode, optional, fills extra.postcodes.postcode" in shown.stdout
    assert shown.stderr == ""


def test_the_form_stores_the_postcode_as_written_properly(run, tmp_path):
    result = run("intake", "run", "contact-details", "--answers", _answers(tmp_path, SAM),
                 "--consent-method", "written")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    person = _person(run)
    assert person["name"] == "Sam"
    assert person["extra"] == {POSTCODE_KEY: "SW1A 1AA"}
    assert person["phone"] == "07700 900123"
    assert [(c["purpose"], c["given"]) for c in person["consents"]] == [("contact", True)]


def test_a_wrong_postcode_is_one_line_and_nothing_is_stored(run, tmp_path):
    answers = _answers(tmp_path, SAM.replace("sw1a1aa", "SW1"))
    result = run("intake", "run", "contact-details", "--answers", answers,
                 "--consent-method", "written")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == "error: postcode: 'SW1' is not a UK postcode such as SW1A 1AA\n"
    assert json.loads(run("participant", "list", "--json").stdout) == []


def test_a_form_in_coprod_toml_may_ask_for_a_district(run, tmp_path, workspace_dir):
    config = workspace_dir / "coprod.toml"
    config.write_text(config.read_text(encoding="utf-8") + '''
[forms.where]
title = "Where are you based?"

[[forms.where.fields]]
name = "name"
type = "short_text"
label = "Your name"
required = true
fills = "name"

[[forms.where.fields]]
name = "district"
type = "uk_postcode"
label = "Your postcode"
district_only = true
fills = "demographic.district"
''', encoding="utf-8")
    assert run("config", "check").exit_code == 0
    answers = _answers(tmp_path, 'name = "Ann"\ndistrict = "ls6 2ab"\n')
    result = run("intake", "run", "where", "--answers", answers)
    assert result.exit_code == 0, result.stderr
    assert _person(run)["demographics"] == [
        {"key": "district", "value": "LS6", "category": None}]


# ---------------------------------------------------------------- withdrawing consent


def _withdraw(run, purpose, pid="P-1"):
    return run("participant", "consent", pid, purpose, "--withdraw",
               "--statement-version", "v1", "--method", "verbal")


@pytest.fixture
def sam(run, tmp_path):
    result = run("intake", "run", "contact-details", "--answers", _answers(tmp_path, SAM),
                 "--consent-method", "written")
    assert result.exit_code == 0, result.stderr
    return "P-1"


def test_withdrawing_contact_removes_the_postcode_in_the_same_operation(run, sam, workspace):
    result = _withdraw(run, "contact")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    person = _person(run)
    assert person["extra"] == {}
    assert person["phone"] is None
    assert [(c["purpose"], c["given"]) for c in person["consents"]] == [
        ("contact", True), ("contact", False)]
    last = list(workspace.audit())[-1]
    assert (last["operation"], last["ids"]) == ("participant.consent", ["P-1"])


def test_the_postcode_is_kept_for_any_other_withdrawal(run, sam):
    assert _withdraw(run, "naming").exit_code == 0
    assert _person(run)["extra"] == {POSTCODE_KEY: "SW1A 1AA"}


def test_other_extra_keys_stay(workspace):
    p = workspace.add_participant("Ann Lee", role="lived_experience",
                                  extra={POSTCODE_KEY: "LS6 2AB", "panel.contact_by": "worker"})
    workspace.record_consent(p.id, "contact", given=True, statement_version="v1",
                             method="written")
    after = workspace.record_consent(p.id, "contact", given=False, statement_version="v1",
                                     method="verbal")
    assert after.extra == {"panel.contact_by": "worker"}
    assert workspace.participant(p.id).extra == {"panel.contact_by": "worker"}


def test_in_memory_too(memory_workspace):
    ws = memory_workspace
    p = ws.add_participant("Ann Lee", role="staff", extra={POSTCODE_KEY: "LS6 2AB"})
    ws.record_consent(p.id, "contact", given=False, statement_version="v1", method="verbal")
    assert ws.participant(p.id).extra == {}


def test_a_failed_withdrawal_keeps_the_postcode(run, sam, register_plugin):
    class Broken:
        @hookimpl
        def coprod_consent_withdrawn(self, purpose):
            raise OSError("read-only")

    before = _person(run)
    register_plugin(Broken(), name="broken")
    result = _withdraw(run, "contact")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "error: plugin 'broken' failed while dropping data after a withdrawal of consent")
    assert _person(run) == before


def test_loading_the_plugin_imports_no_part_of_coprod():
    """`coprod --help` imports every installed plugin: this one costs nothing more than
    the hook markers, which the plugin manager has imported before loading any plugin."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    folder = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(folder), os.environ.get("PYTHONPATH", "")])}
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, coprod_postcodes; "
         "print(' '.join(sorted(m for m in sys.modules if m.startswith('coprod'))))"],
        capture_output=True, text=True, env=env, check=True).stdout.split()
    assert loaded == ["coprod_core", "coprod_core.hookspecs", "coprod_postcodes"]
