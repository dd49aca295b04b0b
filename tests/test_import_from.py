"""`coprod import-from`: Decidim, Loomio and spreadsheets, in the shapes they export."""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data" / "import"


@pytest.fixture
def files(tmp_path):
    """The sample exports, copied where a test may write beside them."""
    folder = tmp_path / "exports"
    shutil.copytree(DATA, folder)
    return folder


@pytest.fixture
def exported(run, tmp_path):
    """The whole workspace as `coprod export` writes it (records and counters)."""
    counter = iter(range(1000))

    def take() -> dict:
        out = tmp_path / f"export-{next(counter)}.json"
        result = run("export", "-o", str(out))
        assert result.exit_code == 0, result.stderr
        data = json.loads(out.read_text(encoding="utf-8"))
        data.pop("exported_at", None)
        return data

    return take


def _records(data: dict, collection: str) -> list[dict]:
    return data["collections"].get(collection, [])


def _commissioner(run) -> None:
    assert run("participant", "add", "Cllr Rivers", "--role", "commissioner").exit_code == 0


# ---------------------------------------------------------------- decidim results


def test_results_need_who_promised_and_their_power(run, files, exported):
    before = exported()
    result = run("import-from", "decidim-results", str(files / "decidim_results.csv"))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("error: Decidim results do not say who made each promise")
    assert "--by P-N" in result.stderr and len(result.stderr.splitlines()) == 1
    result = run("import-from", "decidim-results", str(files / "decidim_results.csv"),
                 "--by", "P-1")
    assert result.exit_code == 1
    assert "--authority can_decide|can_influence|can_only_raise" in result.stderr
    assert exported() == before


def test_results_become_promises_with_their_dates_and_progress(run, files, exported):
    _commissioner(run)
    result = run("import-from", "decidim-results", str(files / "decidim_results.csv"),
                 "--by", "P-1", "--authority", "can_influence")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "decidim_results.csv: created 4 commitments, 3 progress updates; updated nothing; "
        "left alone nothing"]
    data = exported()
    by_text = {c["description"]: c for c in _records(data, "commitments")}
    rota = by_text["Sunday opening: staff rota"]  # trailing space gone
    assert rota["scope"] == "Rota agreed with the union & staff."  # &nbsp; and &amp;
    assert rota["due"] == "2025-11-30"
    assert [(h["status"], h["at"][:10]) for h in rota["history"]] == [
        ("proposed", "2025-08-20"), ("agreed", "2025-09-01"), ("in_progress", "2025-11-02")]
    assert [u["note"] for u in rota["updates"]] == ["Progress recorded in Decidim: 62.5%"]
    assert rota["updates"][0]["at"].startswith("2025-11-02T09:30")
    centre = by_text["Open the day centre on Sundays"]
    assert centre["scope"] == "The panel asked for Sunday opening.\n- rota\n- budget"
    # Decidim's own formula guard is removed; coprod's outputs guard it again.
    assert "=Review curfews with residents" in by_text
    # With no mapping, status follows progress: 100 is delivered, none is agreed.
    assert by_text["Peer mentors paid for their time"]["status"] == "delivered"
    assert by_text["=Review curfews with residents"]["status"] == "agreed"
    assert all(c["made_by"] == "P-1" and c["authority"] == "can_influence"
               for c in by_text.values())
    # The child (listed first) is kept as part of its parent.
    show = run("commitment", "show", rota["id"])
    assert f"part of:       {centre['id']}" in show.stdout
    assert "imported from: decidim:results/291 (https://decidim.example.org/" in show.stdout


def test_results_status_mapping_and_reasons(run, files, tmp_path, exported):
    _commissioner(run)
    mapping = tmp_path / "map.toml"
    mapping.write_text('[import.decidim.statuses]\ndiscarded = "withdrawn"\n'
                       'finished = "delivered"\nin_progress = "in_progress"\n', encoding="utf-8")
    result = run("import-from", "decidim-results", str(files / "decidim_results.csv"),
                 "--by", "P-1", "--authority", "can_decide", "--map", str(mapping))
    assert result.exit_code == 0, result.stderr
    withdrawn = next(c for c in _records(exported(), "commitments")
                     if c["status"] == "withdrawn")
    assert withdrawn["history"][-1]["note"] == "Decidim status: Discarded"
    assert withdrawn["history"][-1]["at"].startswith("2025-12-01T16:45")


def test_results_bad_mapping_is_one_line(run, files, tmp_path):
    mapping = tmp_path / "map.toml"
    mapping.write_text('[import.decidim.statuses]\ndiscarded = "binned"\n', encoding="utf-8")
    result = run("import-from", "decidim-results", str(files / "decidim_results.csv"),
                 "--by", "P-1", "--authority", "can_decide", "--map", str(mapping))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: [import.decidim.statuses] discarded = 'binned': not a commitment status; "
        "allowed: proposed, agreed, in_progress, partly_delivered, delivered, not_delivered, "
        "withdrawn"]


def test_results_in_another_language(run, files, exported):
    _commissioner(run)
    result = run("import-from", "decidim-results", str(files / "decidim_results.csv"),
                 "--by", "P-1", "--authority", "can_influence", "--locale", "ca")
    assert result.exit_code == 1  # two results have no Catalan title
    assert "row 4, title/ca: this result has no title in this language" in result.stderr
    result = run("import-from", "decidim-results", str(files / "decidim_results.csv"),
                 "--by", "P-1", "--authority", "can_influence", "--locale", "fr")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: decidim_results.csv has no title/fr column; its languages: ca, en, es "
        "(choose with --locale)"]


def test_second_import_changes_nothing_and_a_changed_row_is_updated(run, files, exported):
    _commissioner(run)
    args = ("import-from", "decidim-results", str(files / "decidim_results.csv"),
            "--by", "P-1", "--authority", "can_influence")
    assert run(*args).exit_code == 0
    first = exported()
    again = run(*args)
    assert again.exit_code == 0
    assert "created nothing; updated nothing; left alone 4 commitments, 3 progress updates" \
        in again.stdout
    assert exported() == first
    path = files / "decidim_results.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(";62.5;", ";75;"),
                    encoding="utf-8")
    changed = run(*args)
    assert "created 1 progress update; updated nothing" in changed.stdout
    after = exported()
    assert len(_records(after, "commitments")) == 4


def test_dry_run_writes_nothing_and_says_what_it_would_do(run, files, exported):
    _commissioner(run)
    before = exported()
    result = run("import-from", "decidim-results", str(files / "decidim_results.csv"),
                 "--by", "P-1", "--authority", "can_influence", "--dry-run")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("decidim_results.csv: would create 4 commitments")
    assert "  would create  commitment  C-1      from decidim:results/291" in lines
    assert lines[-1] == "nothing was written (a dry run)"
    assert exported() == before


def test_json_output(run, files):
    _commissioner(run)
    result = run("import-from", "decidim-results", str(files / "decidim_results.csv"),
                 "--by", "P-1", "--authority", "can_influence", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["created"] == {"commitment": 4, "progress": 3}
    assert data["dry_run"] is False
    assert data["records"][0] == {"action": "created", "kind": "commitment",
                                  "ref": "decidim:results/291", "id": "C-1"}


def test_a_bad_row_stops_everything_unless_skipped(run, files, exported):
    _commissioner(run)
    path = files / "decidim_results.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("2025-06-01", "June 2025"),
                    encoding="utf-8")
    before = exported()
    args = ("import-from", "decidim-results", str(path), "--by", "P-1",
            "--authority", "can_influence")
    result = run(*args)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: 1 of 5 rows in decidim_results.csv is invalid; nothing was imported: row 5, "
        "start_date: 'June 2025' is not a date or number this import can read. Fix them, or "
        "use --skip-invalid to import the valid rows"]
    assert exported() == before
    result = run(*args, "--skip-invalid")
    assert result.exit_code == 0, result.stderr
    rejected = files / "decidim_results.rejected.csv"
    assert f"1 rows were not imported; they are in {rejected}" in result.stderr
    assert stat.S_IMODE(os.stat(rejected).st_mode) == 0o600
    raw = rejected.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a spreadsheet reads the accents right
    assert len(_records(exported(), "commitments")) == 3
    # Fixed, the rejected file imports as it is: its problems column is ignored.
    rejected.write_bytes(raw.replace(b"June 2025", b"2025-06-01"))
    again = run("import-from", "decidim-results", str(rejected), "--by", "P-1",
                "--authority", "can_influence")
    assert again.exit_code == 0, again.stderr
    assert len(_records(exported(), "commitments")) == 4


def test_a_future_date_is_refused(run, files, exported):
    _commissioner(run)
    path = files / "decidim_results.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("2025-09-28 15:00:00 UTC",
                                                             "2999-09-28 15:00:00 UTC"),
                    encoding="utf-8")
    result = run("import-from", "decidim-results", str(path), "--by", "P-1",
                 "--authority", "can_influence")
    assert result.exit_code == 1
    assert "row 5, status: 2999-09-28 is in the future" in result.stderr


def test_not_a_decidim_file(run, tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("name,age\nAnn,30\n", encoding="utf-8")
    result = run("import-from", "decidim-results", str(path), "--by", "P-1",
                 "--authority", "can_decide")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: other.csv is not a Decidim results export")


# ---------------------------------------------------------------- decidim registrations


def test_registrations_become_people_and_validated_ones_attendance(run, files, exported):
    assert run("participant", "add", "Cat Jones", "--role", "lived_experience",
               "--email", "cat@example.org").exit_code == 0
    result = run("import-from", "decidim-registrations",
                 str(files / "decidim_registrations.csv"), "--role", "lived_experience")
    assert result.exit_code == 0, result.stderr
    assert ("note: a registration is not attendance: 2 of 3 registrations were validated at "
            "the meeting and recorded as attended") in result.stderr
    data = exported()
    people = {p["name"]: p for p in _records(data, "participants")}
    assert sorted(people) == ["Ana Souza", "Bilal Khan", "Cat Jones"]
    assert people["Cat Jones"]["id"] == "P-1"  # matched by email, not duplicated
    assert people["Ana Souza"]["email"] is None  # used to match, never stored
    [session] = _records(data, "sessions")
    assert (session["title"], session["date"]) == ("Panel: October", "2025-10-14")
    attended = {a["participant_id"]: a["status"] for a in session["attendance"]}
    assert attended == {people["Ana Souza"]["id"]: "attended", "P-1": "attended"}
    assert "Step-free access" not in json.dumps(data)
    again = run("import-from", "decidim-registrations",
                str(files / "decidim_registrations.csv"), "--role", "lived_experience")
    assert "created nothing; updated nothing" in again.stdout
    assert exported() == data


def test_registrations_without_a_meeting_need_a_session(run, tmp_path):
    path = tmp_path / "regs.csv"
    path.write_text("id;code;user/name;user/email;registration_form_answers\n"
                    "1;X1;Ann;ann@example.org;\n", encoding="utf-8")
    result = run("import-from", "decidim-registrations", str(path), "--role", "staff")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: this export does not say which meeting it is for: name the session with "
        "--session S-N"]
    assert run("session", "new", "Panel", "--date", "2025-10-14").exit_code == 0
    result = run("import-from", "decidim-registrations", str(path), "--role", "staff",
                 "--session", "S-1")
    assert result.exit_code == 0, result.stderr
    assert "none of the 1 registrations was recorded as attendance" in result.stderr


# ---------------------------------------------------------------- loomio


def test_loomio_group(run, files, exported):
    result = run("import-from", "loomio", str(files / "loomio_group.jsonl"),
                 "--role", "lived_experience", "--authority", "can_influence")
    assert result.exit_code == 0, result.stderr
    data = exported()
    text = json.dumps(data)
    assert "shouldneverbeRead" not in text and "dee@example.org" not in text
    people = {p["name"]: p for p in _records(data, "participants")}
    assert sorted(people) == ["Dee Morgan", "ed_w"]
    assert people["Dee Morgan"]["joined_at"].startswith("2025-01-12")
    sessions = {s["title"]: s for s in _records(data, "sessions")}
    assert sorted(sessions) == ["Curfews at Riverside House", "Which day for the peer group?"]
    curfew = sessions["Curfews at Riverside House"]
    assert curfew["purpose"] == ("Residents say the 10pm curfew stops them working evenings "
                                 "shifts.")
    promises = {c["description"]: c for c in _records(data, "commitments")}
    midnight = promises["We will ask the board to move the curfew to midnight & report back."]
    assert midnight["made_by"] == people["Dee Morgan"]["id"]
    assert midnight["due"] == "2025-06-30"
    assert midnight["session_id"] == curfew["id"]  # the poll sat inside the discussion
    assert promises["Peer group meets on Thursdays."]["session_id"] == (
        sessions["Which day for the peer group?"]["id"])


def test_loomio_discussions_as_tensions(run, files, tmp_path, exported):
    mapping = tmp_path / "map.toml"
    mapping.write_text('[import.loomio]\ndiscussions = "tensions"\npolls = "tensions"\n'
                       'tension_kind = "power"\n', encoding="utf-8")
    result = run("import-from", "loomio", str(files / "loomio_group.jsonl"), "--role", "staff",
                 "--authority", "can_only_raise", "--map", str(mapping))
    assert result.exit_code == 0, result.stderr
    data = exported()
    tensions = _records(data, "tensions")
    assert {t["kind"] for t in tensions} == {"power"}
    assert {t["status"] for t in tensions} == {"raised", "resolved"}
    poll_tension = next(t for t in tensions if t["description"].startswith("Move the curfew"))
    midnight = next(c for c in _records(data, "commitments") if "midnight" in c["description"])
    assert midnight["answers"] == [poll_tension["id"]]


def test_loomio_needs_a_role_and_reads_only_its_shape(run, files, tmp_path):
    result = run("import-from", "loomio", str(files / "loomio_group.jsonl"),
                 "--authority", "can_influence")
    assert result.exit_code == 1
    assert "say which role with --role ROLE" in result.stderr
    other = tmp_path / "export.json"
    other.write_text('{"collections": {}}\n', encoding="utf-8")
    result = run("import-from", "loomio", str(other), "--role", "staff")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: export.json is not a Loomio group export")


# ---------------------------------------------------------------- spreadsheets


def test_csv_templates(run):
    result = run("import-from", "csv", "--template", "commitments")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "description,made_by,authority,made_on,ref,scope,agreed_on,due,status,status_on,"
        "reason,session,answers"]
    result = run("import-from", "csv", "--template", "minutes")
    assert result.exit_code == 1
    assert "templates: sessions, attendance, tensions, commitments, progress" in result.stderr


def test_a_years_spreadsheet_comes_in_with_its_dates(run, tmp_path, exported):
    _commissioner(run)
    assert run("participant", "add", "Asha", "--role", "lived_experience").exit_code == 0
    sessions = tmp_path / "sessions.csv"
    sessions.write_text("ref,title,date,purpose\nm6,June panel,2025-06-12,Curfews\n"
                        "m7,July panel,2025-07-10,\n", encoding="utf-8")
    attendance = tmp_path / "attendance.csv"
    attendance.write_text("session,participant,status\nm6,P-2,attended\nm7,P-2,apologies\n",
                          encoding="utf-8")
    tensions = tmp_path / "tensions.csv"
    tensions.write_text("ref,description,kind,raised_on,raised_by,session,status,status_on,note\n"
                        "t1,Curfews set without residents,power,2025-06-12,P-2,m6,held,"
                        "2025-07-10,Deep-rooted; we keep talking\n", encoding="utf-8")
    promises = tmp_path / "promises.csv"
    promises.write_text(
        "ref,description,made_by,authority,made_on,agreed_on,due,status,status_on,reason,"
        "session,answers\n"
        "a1,Take the panel's evidence to the board,P-1,can_influence,2025-06-12,2025-06-12,"
        "2025-08-01,not_delivered,2025-09-01,The board did not meet over the summer,m6,t1\n",
        encoding="utf-8")
    progress = tmp_path / "progress.csv"
    progress.write_text("commitment,note,on\na1,Papers sent to the board clerk,2025-07-01\n",
                        encoding="utf-8")
    for path in (sessions, attendance, tensions, promises):
        result = run("import-from", "csv", str(path))
        assert result.exit_code == 0, (path.name, result.stderr)
    result = run("import-from", "csv", str(progress), "--kind", "progress")
    assert result.exit_code == 0, result.stderr
    data = exported()
    [june, july] = _records(data, "sessions")
    assert june["attendance"] == [{"participant_id": "P-2", "status": "attended"}]
    assert july["attendance"] == [{"participant_id": "P-2", "status": "apologies"}]
    [tension] = _records(data, "tensions")
    assert [(h["status"], h["at"][:10]) for h in tension["history"]] == [
        ("raised", "2025-06-12"), ("held", "2025-07-10")]
    assert tension["session_id"] == june["id"]
    [promise] = _records(data, "commitments")
    assert promise["answers"] == [tension["id"]]
    assert promise["history"][-1]["note"] == "The board did not meet over the summer"
    assert promise["updates"][0]["note"] == "Papers sent to the board clerk"
    assert promise["updates"][0]["at"].startswith("2025-07-01")
    # The same files again change nothing.
    for path in (sessions, attendance, tensions, promises):
        assert "created nothing; updated nothing" in run("import-from", "csv", str(path)).stdout
    assert exported() == data


def test_csv_refusals_name_row_and_column(run, tmp_path, exported):
    before = exported()
    promises = tmp_path / "promises.csv"
    promises.write_text("description,made_by,authority,made_on\n"
                        "Fix the boiler,Bob,can_decide,2025-06-12\n", encoding="utf-8")
    result = run("import-from", "csv", str(promises))
    assert result.exit_code == 1
    assert ("row 2, made_by: 'Bob' is not a participant id; write it like P-3") in result.stderr
    unknown = tmp_path / "mixed.csv"
    unknown.write_text("title,date,colour\nPanel,2025-01-01,red\n", encoding="utf-8")
    result = run("import-from", "csv", str(unknown))
    assert result.stderr.splitlines() == [
        "error: mixed.csv: unknown column colour for sessions; the columns are title, date, "
        "ref, purpose, series"]
    assert exported() == before


# ---------------------------------------------------------------- the command


def test_list_and_unknown_source(run):
    result = run("import-from", "--list")
    assert result.exit_code == 0
    assert [line.split()[0] for line in result.stdout.splitlines()] == [
        "csv", "decidim-registrations", "decidim-results", "loomio"]
    result = run("import-from", "decidim-result", "x.csv")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: no source named 'decidim-result' (did you mean 'decidim-results'?); sources: "
        "csv, decidim-registrations, decidim-results, loomio"]


def test_a_plugin_importer_registered_wrongly_is_named(run, register_plugin):

    from coprod_core import hookimpl

    class Bad:
        @hookimpl
        def coprod_register_importers(self, register):
            register("spreadsheet", object())

    register_plugin(Bad(), name="bad-importer")
    result = run("import-from", "--list")
    assert result.exit_code == 0  # the other sources still work
    assert "bad-importer" in result.stderr and "coprod_register_importers" in result.stderr
    assert not any(line.startswith("spreadsheet") for line in result.stdout.splitlines())
    assert "decidim-results" in result.stdout
    result = run("import-from", "spreadsheet", "x.csv")
    assert result.exit_code == 1


def test_an_erased_person_is_never_brought_back(run, files, exported):
    args = ("import-from", "loomio", str(files / "loomio_group.jsonl"),
            "--role", "lived_experience", "--authority", "can_influence")
    assert run(*args).exit_code == 0
    dee = next(p for p in _records(exported(), "participants") if p["name"] == "Dee Morgan")
    assert run("participant", "erase", dee["id"], "--yes").exit_code == 0
    unchanged = run(*args)
    assert "created nothing; updated nothing" in unchanged.stdout
    path = files / "loomio_group.jsonl"
    path.write_text(path.read_text(encoding="utf-8").replace("Dee Morgan", "Dee M"),
                    encoding="utf-8")
    again = run(*args)
    assert again.exit_code == 0, again.stderr
    assert ("note: 1 record about people who were erased left out: an import never brings "
            "back an erased person") in again.stderr
    data = exported()
    assert "Dee M" not in json.dumps(data)
    assert len(_records(data, "participants")) == 2


def test_plugins_hear_of_each_imported_record(run, files, register_plugin):
    from coprod_core import hookimpl

    heard = []

    class Listener:
        @hookimpl
        def coprod_on_event(self, event):
            heard.append((event.name, event.ids))

    register_plugin(Listener(), name="listener")
    run("import-from", "loomio", str(files / "loomio_group.jsonl"), "--role", "staff",
        "--authority", "can_influence")
    assert [name for name, _ids in heard] == ["import.done"]
    assert {"P-1", "S-1", "C-1"} <= set(heard[0][1])


def test_results_can_name_who_promised_in_a_column(run, files, tmp_path, exported):
    _commissioner(run)
    path = files / "decidim_results.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    owners = ["P-1", "P-1", "P-1", "P-9"]
    text = "\n".join([lines[0] + ";owner;power"]
                     + [f"{line};{owner};can_decide" for line, owner in zip(lines[1:], owners,
                                                                              strict=True)])
    path.write_text(text + "\n", encoding="utf-8")
    mapping = tmp_path / "map.toml"
    mapping.write_text('[import.decidim]\nby_column = "owner"\nauthority_column = "power"\n',
                       encoding="utf-8")
    result = run("import-from", "decidim-results", str(path), "--map", str(mapping))
    assert result.exit_code == 1
    assert "row 5, made_by: no participant with id P-9" in result.stderr
    owners[3] = "P-1"
    text = "\n".join([lines[0] + ";owner;power"]
                     + [f"{line};{owner};can_decide" for line, owner in zip(lines[1:], owners,
                                                                              strict=True)])
    path.write_text(text + "\n", encoding="utf-8")
    result = run("import-from", "decidim-results", str(path), "--map", str(mapping))
    assert result.exit_code == 0, result.stderr
    assert {c["authority"] for c in _records(exported(), "commitments")} == {"can_decide"}


def test_a_changed_result_keeps_its_earlier_wording_and_when_it_was_typed(run, files, exported):
    _commissioner(run)
    args = ("import-from", "decidim-results", str(files / "decidim_results.csv"),
            "--by", "P-1", "--authority", "can_influence")
    assert run(*args).exit_code == 0
    path = files / "decidim_results.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "Peer mentors paid for their time", "Peer mentors paid for all their time"),
        encoding="utf-8")
    assert "updated 1 commitment" in run(*args).stdout
    promise = next(c for c in _records(exported(), "commitments")
                   if c["description"] == "Peer mentors paid for all their time")
    [change] = promise["corrections"]
    assert (change["name"], change["before"]) == ("description",
                                                  "Peer mentors paid for their time")
    assert change["reason"] == "changed in decidim:results/293"
    # Each imported step says when it happened and, apart, when it was typed in.
    assert promise["history"][0]["at"].startswith("2025-05-20")
    assert promise["history"][0]["recorded_at"] is not None
