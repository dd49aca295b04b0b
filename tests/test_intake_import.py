"""`coprod intake import`: a spreadsheet saved as CSV, all rows or none."""

from __future__ import annotations

import csv
import json
import os
import stat

import pytest
from intake_forms import ATTENDANCE, FORMS

from coprod_core import hookimpl
from coprod_core.forms.importer import import_csv, safe_cell
from coprod_core.forms.submit import catalogue
from coprod_core.workspace import Workspace

HEADER = "name,contact,age,ethnicity_ok,ethnicity,hopes\n"


@pytest.fixture
def forms_run(run, workspace_dir):
    config = workspace_dir / "coprod.toml"
    config.write_text(config.read_text(encoding="utf-8") + FORMS + ATTENDANCE,
                      encoding="utf-8")
    return run


@pytest.fixture
def stored(workspace_dir, plugin_manager):
    def read(collection):
        with Workspace.open(workspace_dir, plugins=plugin_manager) as ws:
            return list(ws.storage.iterate(collection))

    return read


def _csv(tmp_path, text, name="people.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return str(path)


def test_import_adds_every_row(forms_run, tmp_path, stored):
    path = _csv(tmp_path, HEADER + "Asha,phone,30,yes,black,More say\n"
                                   "Ben,Email,41,,white,\n"
                                   "\n"
                                   "Cal,,,no,,\n")
    result = forms_run("intake", "import", "welcome", path, "--consent-method", "written")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.splitlines() == [
        "imported 3 of 3 rows from people.csv: P-1..P-3 (3 added, 0 updated)",
        "not stored: ethnicity in 1 rows (no consent for special:ethnicity)",
    ]
    people = stored("participants")
    assert [p["name"] for p in people] == ["Asha", "Ben", "Cal"]
    assert people[0]["demographics"] == [
        {"key": "age", "value": 30, "category": None},
        {"key": "ethnicity", "value": "black", "category": "ethnicity"}]
    assert people[1]["demographics"] == [{"key": "age", "value": 41, "category": None}]
    assert people[1]["extra"] == {"panel.contact": "email"}
    assert [c["given"] for c in people[2]["consents"]] == [False]
    submissions = stored("submissions")
    assert [(s["id"], s["participant_id"]) for s in submissions] == [
        ("F-1", "P-1"), ("F-2", "P-2"), ("F-3", "P-3")]
    assert submissions[0]["answers"] == {"hopes": "More say"}
    assert submissions[1]["not_stored"] == ["ethnicity"]
    assert len({s["form_hash"] for s in submissions}) == 1
    with Workspace.open(tmp_path / "ws") as ws:
        audit = list(ws.audit())
    assert audit[-1]["operation"] == "intake.import.welcome"
    assert audit[-1]["ids"] == ["P-1..P-3", "F-1..F-3"]


def test_import_json_summary(forms_run, tmp_path):
    path = _csv(tmp_path, "name\nAsha\nBen\n")
    result = forms_run("intake", "import", "welcome", path, "--json")
    assert json.loads(result.stdout) == {
        "rows": 2, "imported": 2, "created": 2, "updated": 0, "rejected": 0,
        "rejected_file": None, "first": "P-1", "last": "P-2", "not_stored": {}}


def test_one_invalid_row_stops_the_whole_import(forms_run, tmp_path, stored):
    path = _csv(tmp_path, HEADER + "Asha,phone,30,,,\n"
                                   ",pigeon,200,,,\n"
                                   "Cal,,twelve,,,\n")
    result = forms_run("intake", "import", "welcome", path)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "row 3, name: needs an answer",
        "row 3, contact: 'pigeon' is not one of the choices; choose one of: phone, email",
        "row 3, age: 200 is above the highest allowed, 120",
        "row 4, age: 'twelve' is not a number",
        "error: 2 of 3 rows in people.csv are invalid; nothing was imported (fix them, or use "
        "--skip-invalid to import the valid rows)",
    ]
    assert stored("participants") == []
    assert stored("submissions") == []


def test_skip_invalid_keeps_the_valid_rows_and_writes_the_rejected(forms_run, tmp_path, stored):
    path = _csv(tmp_path, HEADER + "Asha,phone,30,,,\n"
                                   "=HYPERLINK(\"x\"),pigeon,,,,\n"
                                   "Ben,,-5,,,\n"
                                   "Cal,email,,,,\n")
    result = forms_run("intake", "import", "welcome", path, "--skip-invalid")
    assert result.exit_code == 0, result.stderr
    rejected = tmp_path / "people.rejected.csv"
    assert result.stdout.splitlines() == [
        "imported 2 of 4 rows from people.csv: P-1..P-2 (2 added, 0 updated)",
        f"rejected 2 rows; they are in {rejected} with the reasons",
    ]
    assert [p["name"] for p in stored("participants")] == ["Asha", "Cal"]
    with open(rejected, newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == [*HEADER.strip().split(","), "Problems"]
    assert rows[1][0] == "'=HYPERLINK(\"x\")"
    assert rows[1][-1] == ("contact: 'pigeon' is not one of the choices; choose one of: "
                           "phone, email")
    assert rows[2][:3] == ["Ben", "", "-5"]
    assert rows[2][-1] == "age: -5 is below the lowest allowed, 16"


def test_safe_cell():
    assert safe_cell("=1+2") == "'=1+2"
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safe_cell("+44 7700") == "'+44 7700"
    assert safe_cell("-5") == "-5"
    assert safe_cell("Asha") == "Asha"


@pytest.mark.parametrize(("content", "words"), [
    ("nmae,age\nAsha,30\n",
     "people.csv: unknown column 'nmae' (did you mean 'name'?); expected columns: name, "
     "participant, contact, age, ethnicity_ok, ethnicity, hopes"),
    ("name,age,shoe_size\nAsha,30,9\n", "unknown column 'shoe_size'; expected columns: name,"),
    ("age,contact\n30,phone\n", "people.csv: missing column 'name'; expected columns: name,"),
    ("name,name\nA,B\n", "column 'name' appears twice"),
    ("name,,age\nA,,3\n", "column 2 of the header is empty"),
    ("", "people.csv is empty; it needs a header row naming the questions"),
    ("\n\n", "people.csv is empty"),
    ("name,age\n", "people.csv has a header but no rows; nothing to import"),
    ("name\nJos\xe9\n".encode("latin-1"),
     "people.csv is not UTF-8 text (perhaps saved in a Windows encoding); in your spreadsheet "
     "program save it as 'CSV UTF-8' and import that file"),
    ("name\nJosé\n".encode("utf-16"), "people.csv is UTF-16 text; in your spreadsheet program "
                                      "save it as 'CSV UTF-8'"),
])
def test_bad_files_are_one_line_and_store_nothing(forms_run, tmp_path, stored, content, words):
    result = forms_run("intake", "import", "welcome", _csv(tmp_path, content))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("error: ")
    assert words in result.stderr
    assert stored("participants") == []


def test_a_missing_file_and_an_unknown_form(forms_run, tmp_path):
    result = forms_run("intake", "import", "welcome", str(tmp_path / "nope.csv"))
    assert result.exit_code == 1
    assert result.stderr == f"error: {tmp_path / 'nope.csv'} does not exist\n"
    path = _csv(tmp_path, "name\nA\n")
    result = forms_run("intake", "import", "wellcome", path)
    assert result.stderr == ("error: unknown form 'wellcome' (did you mean 'welcome'?); "
                             "allowed: feedback, welcome\n")


def test_a_row_with_too_many_cells(forms_run, tmp_path, stored):
    result = forms_run("intake", "import", "welcome", _csv(tmp_path, "name,age\nA,3,4\n"))
    assert result.stderr.splitlines()[0] == "row 2: has 3 cells; the header has 2"
    assert stored("participants") == []


def test_a_utf8_file_with_a_byte_order_mark_imports(forms_run, tmp_path, stored):
    path = _csv(tmp_path, "name\nJosé\n", encoding="utf-8-sig")
    result = forms_run("intake", "import", "welcome", path)
    assert result.exit_code == 0, result.stderr
    assert [p["name"] for p in stored("participants")] == ["José"]


def test_the_progress_bar_is_on_stderr(forms_run, tmp_path):
    result = forms_run("intake", "import", "welcome", _csv(tmp_path, "name\nA\n"), "--progress")
    assert result.exit_code == 0
    assert "importing people.csv" in result.stderr
    assert "importing" not in result.stdout


def test_progress_is_reported_in_bytes(plugin_manager, tmp_path, clock):
    data = {"forms": {"f": {"title": "F", "fields": [
        {"name": "name", "type": "short_text", "label": "N", "fills": "name"}]}}}
    ws = Workspace.in_memory(plugins=plugin_manager, clock=clock, data=data)
    path = tmp_path / "many.csv"
    path.write_text("name\n" + "".join(f"Person {i}\n" for i in range(1200)), encoding="utf-8")
    seen = []
    cat = catalogue(ws)
    result = import_csv(ws, cat, cat.form("f"), path, progress=seen.append, chunk=500)
    assert result.imported == 1200
    assert sum(seen) == path.stat().st_size
    assert len(seen) >= 3
    assert ws.count("participants") == 1200


def test_a_participant_column_updates_people(forms_run, tmp_path, stored):
    forms_run("participant", "add", "Asha", "--role", "staff")
    path = _csv(tmp_path, "participant,name,age\nP-1,,50\n,Ben,22\nP-7,,30\n")
    result = forms_run("intake", "import", "welcome", path)
    assert result.stderr.splitlines()[0] == "row 4, participant: no participant with id P-7"
    path = _csv(tmp_path, "participant,name,age\nP-1,,50\n,Ben,22\n")
    result = forms_run("intake", "import", "welcome", path)
    assert result.exit_code == 0, result.stderr
    assert "(1 added, 1 updated)" in result.stdout
    people = stored("participants")
    assert [(p["name"], p["role"]) for p in people] == [
        ("Asha", "staff"), ("Ben", "lived_experience")]
    assert people[0]["demographics"] == [{"key": "age", "value": 50, "category": None}]


def test_session_feedback_import(forms_run, tmp_path, stored):
    forms_run("participant", "add", "Asha", "--role", "lived_experience")
    forms_run("participant", "add", "Ben", "--role", "staff")
    forms_run("session", "new", "Panel", "--date", "2026-01-05")
    bad = _csv(tmp_path, "session,participant,rung\nS-1,P-1,co_design\n,P-2,informing\n")
    result = forms_run("intake", "import", "feedback", bad)
    assert result.stderr.splitlines()[0] == "row 3, session: needs an id"
    missing = _csv(tmp_path, "participant,rung\nP-1,co_design\n")
    result = forms_run("intake", "import", "feedback", missing)
    assert "missing column 'session'" in result.stderr
    good = _csv(tmp_path, "session,participant,rung,feeling\nS-1,P-1,co_design,Heard\n"
                          "S-1,P-2,informing,\n")
    result = forms_run("intake", "import", "feedback", good)
    assert result.exit_code == 0, result.stderr
    [session] = stored("sessions")
    assert session["ratings"] == [{"participant_id": "P-1", "rung": "co_design"},
                                  {"participant_id": "P-2", "rung": "informing"}]
    assert session["feedback"] == [{"participant_id": "P-1", "text": "Heard"}]
    assert [s["session_id"] for s in stored("submissions")] == ["S-1", "S-1"]


def test_fast_documents_match_the_serialiser(plugin_manager, clock, tmp_path):
    from coprod_core import serialise
    from coprod_core.forms import importer

    assert importer.FAST_PARTICIPANT is not None
    assert importer.FAST_SUBMISSION is not None
    data = {"forms": {"f": {"title": "F", "fields": [
        {"name": "name", "type": "short_text", "label": "N", "fills": "name"},
        {"name": "ok", "type": "consent", "label": "OK", "statement": "S",
         "purpose": "special:health", "method": "verbal"},
        {"name": "h", "type": "multiple_choice", "label": "H", "choices": ["a", "b"],
         "fills": "demographic.h", "special": "health"},
        {"name": "k", "type": "short_text", "label": "K"},
        {"name": "e", "type": "number", "label": "E", "fills": "extra.x.e"},
    ]}}}
    ws = Workspace.in_memory(plugins=plugin_manager, clock=clock, data=data)
    path = tmp_path / "p.csv"
    path.write_text("name,ok,h,k,e\nA,y,\"a,b\",kept,3\nB,n,a,,1.5\n", encoding="utf-8")
    cat = catalogue(ws)
    import_csv(ws, cat, cat.form("f"), path)
    for collection, fast in (("participants", importer.participant_doc),
                             ("submissions", importer.submission_doc)):
        for doc in ws.storage.iterate(collection):
            record = serialise.structure(collection, doc)
            assert fast(record) == serialise.unstructure(record) == doc


def test_consent_answers_need_a_method(forms_run, tmp_path, stored):
    path = _csv(tmp_path, HEADER + "Ben,,,,,\n" + "Asha,phone,30,yes,black,\n" * 3)
    result = forms_run("intake", "import", "welcome", path)
    assert result.exit_code == 1
    assert result.stderr == (
        "error: people.csv, row 3: say how consent was given: --consent-method written, "
        "verbal or electronic (or set method = \"...\" on consent field 'ethnicity_ok' of "
        "the form)\n")
    assert stored("participants") == []


def test_submissions_can_be_read_back_by_form_and_participant(plugin_manager, clock, tmp_path):
    from coprod_core.forms.submit import submissions

    data = {"forms": {"f": {"title": "F", "fields": [
        {"name": "name", "type": "short_text", "label": "N", "fills": "name"}]}}}
    ws = Workspace.in_memory(plugins=plugin_manager, clock=clock, data=data)
    path = tmp_path / "p.csv"
    path.write_text("name\nA\nB\n", encoding="utf-8")
    cat = catalogue(ws)
    import_csv(ws, cat, cat.form("f"), path)
    assert [s.id for s in submissions(ws, form="f")] == ["F-1", "F-2"]
    assert [s.id for s in submissions(ws, participant_id="p2")] == ["F-2"]
    assert list(submissions(ws, form="other")) == []


def test_feedback_rows_are_checked_against_attendance(forms_run, tmp_path, stored):
    forms_run("participant", "add", "Asha", "--role", "lived_experience")
    forms_run("participant", "add", "Ben", "--role", "staff")
    forms_run("session", "new", "Panel", "--date", "2026-01-05")
    path = _csv(tmp_path, "session,participant,came,rung\nS-1,P-1,attended,co_design\n"
                          "S-1,P-2,apologies,informing\n")
    result = forms_run("intake", "import", "feedback", path)
    assert result.stderr.splitlines()[0] == (
        "row 3, rung: only people who attended rate a session; this answer says apologies")
    assert stored("sessions")[0]["attendance"] == []
    result = forms_run("intake", "import", "feedback", path, "--skip-invalid")
    assert result.exit_code == 0, result.stderr
    [session] = stored("sessions")
    assert session["attendance"] == [{"participant_id": "P-1", "status": "attended"}]
    assert [s["participant_id"] for s in stored("submissions")] == ["P-1"]


def test_a_form_without_a_name_question_only_updates(forms_run, tmp_path, workspace_dir):
    config = workspace_dir / "coprod.toml"
    config.write_text(config.read_text(encoding="utf-8") + """
[forms.ages]
title = "Ages"

[[forms.ages.fields]]
name = "age"
type = "number"
label = "Age"
fills = "demographic.age"
""", encoding="utf-8")
    result = forms_run("intake", "import", "ages", _csv(tmp_path, "age\n30\n31\n"))
    assert result.exit_code == 1
    assert result.stderr == (
        "error: people.csv, row 2: form 'ages' has no question filling a name, so it can only "
        "update existing participants: give their ids in a 'participant' column\n")


class Refusing:
    import pluggy

    @hookimpl
    def coprod_validate(self, collection, record):
        if collection == "participants" and record.name == "Ben":
            return "Ben is already on the panel"
        return None


def test_a_plugin_refusal_is_the_rows_problem(forms_run, register_plugin, tmp_path, stored):
    # It used to stop the whole import, --skip-invalid or not, naming no row.
    register_plugin(Refusing(), name="refuser")
    forms_run("participant", "add", "Asha", "--role", "staff")
    path = _csv(tmp_path, "participant,name,age\nP-1,,50\n,Ben,22\n,Cal,23\n")
    result = forms_run("intake", "import", "welcome", path)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "row 3: refuser: Ben is already on the panel",
        "error: 1 of 3 rows in people.csv is invalid; nothing was imported (fix them, or use "
        "--skip-invalid to import the valid rows)"]
    [person] = stored("participants")
    assert person["demographics"] == []
    assert stored("submissions") == []

    result = forms_run("intake", "import", "welcome", path, "--skip-invalid")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == (
        "imported 2 of 3 rows from people.csv: P-1..P-2 (1 added, 1 updated)")
    assert [p["name"] for p in stored("participants")] == ["Asha", "Cal"]
    assert [s["id"] for s in stored("submissions")] == ["F-1", "F-2"]
    rows = _rejected(tmp_path)
    assert rows[1] == ["", "Ben", "22", "refuser: Ben is already on the panel"]


class RefusingSubmissions:
    import pluggy

    @pluggy.HookimplMarker("coprod")
    def coprod_validate(self, collection, record):
        if collection == "submissions" and record.answers.get("hopes") == "nothing":
            return "a submission hoping for nothing is refused"
        return None


def test_a_refusal_of_the_second_record_leaves_nothing_of_the_first(
        forms_run, register_plugin, tmp_path, stored):
    register_plugin(RefusingSubmissions(), name="refuser")
    forms_run("participant", "add", "Asha", "--role", "staff")
    path = _csv(tmp_path, "participant,name,age,hopes\nP-1,,50,nothing\n,Ben,22,more\n")
    result = forms_run("intake", "import", "welcome", path, "--skip-invalid")
    assert result.exit_code == 0, result.stderr
    asha, ben = stored("participants")
    assert asha["demographics"] == []  # the update of a refused row is not kept
    assert ben["name"] == "Ben"
    assert [s["participant_id"] for s in stored("submissions")] == ["P-2"]


def _rejected(tmp_path, name="people.rejected.csv"):
    with open(tmp_path / name, newline="", encoding="utf-8-sig") as fh:
        return list(csv.reader(fh))


CONTACT_FORM = """
[forms.join]
title = "Joining"

[[forms.join.fields]]
name = "name"
type = "short_text"
label = "Name"
fills = "name"

[[forms.join.fields]]
name = "contact_ok"
type = "consent"
label = "Can we contact you?"
statement = "We will contact you about panel meetings."
purpose = "contact"
method = "written"

[[forms.join.fields]]
name = "email"
type = "email"
label = "Email"
fills = "email"

[[forms.join.fields]]
name = "route"
type = "short_text"
label = "Another way to reach you"
fills = "extra.panel.route"
contact = true

[[forms.join.fields]]
name = "health_ok"
type = "consent"
label = "Can we record your health?"
statement = "We keep a note of your health to plan support."
purpose = "special:health"
method = "written"

[[forms.join.fields]]
name = "health"
type = "short_text"
label = "Anything about your health we should know?"
fills = "demographic.health"
special = "health"

[[forms.join.fields]]
name = "age"
type = "number"
label = "Age"
min = 16
fills = "demographic.age"
"""


@pytest.fixture
def join_run(run, workspace_dir):
    config = workspace_dir / "coprod.toml"
    config.write_text(config.read_text(encoding="utf-8") + CONTACT_FORM, encoding="utf-8")
    return run


JOIN_HEADER = "name,contact_ok,email,route,health_ok,health,age\n"


def test_a_row_that_declines_contact_but_gives_an_email(join_run, tmp_path, stored):
    # It used to stop the import with "P-2 withdrew consent to be contacted".
    path = _csv(tmp_path, JOIN_HEADER + "Asha,yes,a@example.org,,,,30\n"
                                        "Ben,no,ben@example.org,via key worker,,,40\n")
    result = join_run("intake", "import", "join", path)
    assert result.exit_code == 1
    declined = ("consent to be contacted was declined, so a contact detail cannot be "
                "stored; leave it empty, or record their consent for contact first")
    assert result.stderr.splitlines()[:2] == [f"row 3, email: {declined}",
                                              f"row 3, route: {declined}"]
    assert "withdr" not in result.stderr
    assert stored("participants") == []
    result = join_run("intake", "import", "join", path, "--skip-invalid")
    assert result.exit_code == 0, result.stderr
    assert [p["name"] for p in stored("participants")] == ["Asha"]
    rows = _rejected(tmp_path)
    assert rows[1][:4] == ["Ben", "no", "", ""]  # not kept where consent was declined
    assert "ben@example.org" not in (tmp_path / "people.rejected.csv").read_text("utf-8")
    assert "key worker" not in (tmp_path / "people.rejected.csv").read_text("utf-8")
    assert rows[1][-1].endswith("left empty here for want of consent: email, route (ask "
                                "again before adding them back)")


def test_rejected_rows_hold_no_answer_their_consent_does_not_cover(join_run, tmp_path):
    path = _csv(tmp_path, JOIN_HEADER + "Asha,,,,no,asthma,12\n"
                                        "Ben,,,,yes,diabetes,13\n"
                                        "Cal,,,,,epilepsy,14\n")
    result = join_run("intake", "import", "join", path, "--skip-invalid")
    assert result.exit_code == 0, result.stderr
    rows = _rejected(tmp_path)
    assert [r[5] for r in rows[1:]] == ["", "diabetes", ""]
    text = (tmp_path / "people.rejected.csv").read_text("utf-8")
    assert "asthma" not in text and "epilepsy" not in text


def test_a_problem_with_an_uncovered_answer_does_not_repeat_it(forms_run, tmp_path):
    # The cell was left empty, but the reason quoted the answer back.
    path = _csv(tmp_path, HEADER + "Asha,,30,no,klingon,\n")
    result = forms_run("intake", "import", "welcome", path, "--skip-invalid")
    assert result.exit_code == 0, result.stderr
    rows = _rejected(tmp_path)
    assert rows[1][4] == ""
    assert rows[1][-1] == ("left empty here for want of consent: ethnicity (ask again before "
                           "adding them back)")
    assert "klingon" not in (tmp_path / "people.rejected.csv").read_text("utf-8")


def test_the_rejected_rows_file_imports_again_once_fixed(join_run, tmp_path, stored):
    # It used to fail with "unknown column 'problems'".
    path = _csv(tmp_path, JOIN_HEADER + "Asha,yes,a@example.org,,,,30\n"
                                        "=cmd|' /C calc'!A0,yes,,+44 7700 900123,,,12\n"
                                        "Hồng Nhung,yes,,,yes,asthma,15\n")
    result = join_run("intake", "import", "join", path, "--skip-invalid")
    assert result.exit_code == 0, result.stderr
    raw = (tmp_path / "people.rejected.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # so a spreadsheet reads accented names
    rows = _rejected(tmp_path)
    assert rows[1][0] == "'=cmd|' /C calc'!A0"
    assert rows[1][3] == "'+44 7700 900123"
    assert rows[2][0] == "Hồng Nhung"
    # Fixed in a spreadsheet: the ages corrected, the file saved as it was.
    fixed = [rows[0], *([*r[:6], "30", r[7]] for r in rows[1:])]
    with open(tmp_path / "people.rejected.csv", "w", newline="", encoding="utf-8-sig") as fh:
        csv.writer(fh).writerows(fixed)
    result = join_run("intake", "import", "join", str(tmp_path / "people.rejected.csv"))
    assert result.exit_code == 0, result.stderr
    people = stored("participants")
    assert [p["name"] for p in people] == ["Asha", "=cmd|' /C calc'!A0", "Hồng Nhung"]
    assert people[1]["extra"] == {"panel.route": "+44 7700 900123"}
    assert people[2]["demographics"][0] == {"key": "health", "value": "asthma",
                                            "category": "health"}


def test_an_old_rejected_file_with_a_problems_column_imports(forms_run, tmp_path, stored):
    path = _csv(tmp_path, "name,age,problems\nAsha,30,age: was wrong\n")
    result = forms_run("intake", "import", "welcome", path)
    assert result.exit_code == 0, result.stderr
    assert [p["name"] for p in stored("participants")] == ["Asha"]


@pytest.mark.skipif(not hasattr(os, "umask"), reason="POSIX permissions")
def test_the_rejected_rows_file_is_owner_only_whatever_the_umask(forms_run, tmp_path):
    path = _csv(tmp_path, "name,age\nAsha,300\nBen,30\n")
    old = os.umask(0)
    try:
        result = forms_run("intake", "import", "welcome", path, "--skip-invalid")
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.stderr
    assert stat.S_IMODE((tmp_path / "people.rejected.csv").stat().st_mode) == 0o600
    assert not list(tmp_path.glob(".*.tmp"))
