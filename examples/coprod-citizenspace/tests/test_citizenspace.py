import json

import coprod_citizenspace

ROWS = (
    "ref,We asked,You said,We did,Closed,Published\n"
    "hb-1,How should the hostel's house rules be set?,Residents want a say in curfews,"
    "Residents now sit on the house-rules group,2025-05-30,2025-09-01\n"
    "hb-2,What should the day centre offer on Sundays?,Open later on Sundays,,2025-10-31,\n"
)


def test_we_asked_you_said_we_did(run, register_plugin, tmp_path):
    register_plugin(coprod_citizenspace)
    run("participant", "add", "Housing lead", "--role", "staff")
    path = tmp_path / "we-asked.csv"
    path.write_text(ROWS, encoding="utf-8")

    result = run("import-from", "citizenspace", str(path), "--by", "P-1",
                 "--authority", "can_decide", "--json")

    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["created"] == {"session": 2, "tension": 2, "commitment": 1}
    shown = run("commitment", "show", "C-1", "--json")
    promise = json.loads(shown.stdout)
    assert promise["status"] == "delivered"
    assert promise["answers"] == ["T-1"]
    assert promise["history"][-1]["at"].startswith("2025-09-01")
    again = run("import-from", "citizenspace", str(path), "--by", "P-1",
                "--authority", "can_decide")
    assert "created nothing; updated nothing" in again.stdout


def test_missing_columns_are_named(run, register_plugin, tmp_path):
    register_plugin(coprod_citizenspace)
    path = tmp_path / "we-asked.csv"
    path.write_text("We asked,You said\nA,B\n", encoding="utf-8")

    result = run("import-from", "citizenspace", str(path), "--by", "P-1",
                 "--authority", "can_decide")

    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: we-asked.csv: missing columns ref, We did, Closed, Published; the columns "
        "are ref, We asked, You said, We did, Closed, Published"]
