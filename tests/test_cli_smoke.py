"""A first pass through the commands a new user tries."""

import json


def test_add_list_show_participant(run):
    result = run("participant", "add", "Aisha", "--role", "lived_experience")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "P-1\n"
    assert result.stderr == ""
    listed = json.loads(run("participant", "list", "--json").stdout)
    assert [p["id"] for p in listed] == ["P-1"]
    assert listed[0]["role"] == "lived_experience"
    shown = json.loads(run("participant", "show", "p1", "--json").stdout)
    assert shown["name"] == "Aisha"


def test_unknown_role_is_one_line_and_writes_nothing(run):
    result = run("participant", "add", "Ben", "--role", "client")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "unknown role 'client'" in result.stderr
    assert "lived_experience" in result.stderr
    assert json.loads(run("participant", "list", "--json").stdout) == []
