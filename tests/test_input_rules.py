"""The rules every input passes, each in one place (issue 12).

Argument text, stored text, text on a terminal, the range of dates, the
retention period, the vocabularies as people type them, coprod.toml's
values, the files coprod reads, and coprod embedded in another program.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coprod_core.errors import CoprodError, InvalidValue, ValidationFailed
from coprod_core.inputs import UnreadableFile, open_input, read_small_text
from coprod_core.model import DATES, Participant, Rung, Session, parse_choice
from coprod_core.privacy import Period
from coprod_core.text import TextRefused, check_text, visible

NOW = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)

# ---------------------------------------------------------------- arguments


@pytest.mark.parametrize(("args", "named"), [
    (("participant", "add", "Eve\udcff", "--role", "staff"), "NAME of `coprod participant add`"),
    (("participant", "add", "Eve", "--role", "st\udcffaff"), "--role of `coprod participant add`"),
    (("session", "new", "T", "--date", "2026-01-01", "--purpose=\udcff"),
     "--purpose of `coprod session new`"),
    (("config", "set", "workspace.org", "\udcff"), "VALUE of `coprod config set`"),
    (("--as", "\udcff", "participant", "list"), "--as of `coprod`"),
    (("participant", "add", "a\x00b", "--role", "staff"), "NAME of `coprod participant add`"),
])
def test_arguments_that_are_not_text_are_one_line_naming_the_option(run, workspace_dir, args,
                                                                     named):
    before = (workspace_dir / "coprod.db").read_bytes()
    result = run(*args)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (f"error: {named} is not text: it holds bytes that are not UTF-8, "
                             "or a NUL character; type it again as plain text (allowed: UTF-8 "
                             "text)\n")
    assert (workspace_dir / "coprod.db").read_bytes() == before


def test_plugin_commands_get_the_same_rule(run, register_plugin):
    import click

    from coprod_core import hookimpl

    @click.command("greet")
    @click.option("--name")
    def greet(name: str) -> None:
        click.echo(f"hello {name}")  # pragma: no cover (never reached)

    class Plugin:
        @hookimpl
        def coprod_register_commands(self, register):
            register("greet", greet)

    register_plugin(Plugin(), "greeter")
    result = run("greet", "--name", "\udcff")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: --name of `coprod greet` is not text")


def test_an_environment_value_that_is_not_text(run):
    result = run("participant", "list", env={"COPROD_USER": "\udcff"})
    assert result.exit_code == 1
    assert result.stderr.startswith("error: --as of `coprod` is not text")


def test_a_mistyped_command_gets_a_suggestion(run):
    result = run("sesion", "list")
    assert result.exit_code == 2
    assert result.stderr == ("error: No such command 'sesion'. Did you mean 'session'? "
                             "(see `coprod --help`)\n")


def test_coprod_can_be_embedded(workspace_dir, plugin_manager, monkeypatch, capsys):
    from coprod_core.cli import cli

    monkeypatch.setenv("COPROD_WORKSPACE", str(workspace_dir))
    assert cli.main(["participant", "add", "Ada", "--role", "staff"],
                    standalone_mode=False) is None
    assert capsys.readouterr().out == "P-1\n"
    with pytest.raises(InvalidValue):
        cli.main(["participant", "add", "Bo", "--role", "boss"], standalone_mode=False)
    import click

    with pytest.raises(click.UsageError):
        cli.main(["sesion"], standalone_mode=False)


def test_a_huge_value_is_not_echoed_back_whole(run):
    result = run("participant", "add", "Ada", "--role", "x" * 200_000)
    assert result.exit_code == 1
    assert len(result.stderr) < 1500
    assert result.stderr.count("\n") == 1

# ---------------------------------------------------------------- stored text


@pytest.mark.parametrize("name", ["a\nb", "\x1b[31mRed", "\x01\x02", "tab\there", "a\x00",
                                  "\u2028", "\udcff"])
def test_names_are_one_line_of_text(name):
    with pytest.raises(ValidationFailed):
        Participant(id="P-1", name=name, role="staff", created_at=NOW)


def test_multi_line_fields_keep_new_lines_and_tabs_but_no_other_controls():
    session = Session(id="S-1", title="T", date=dt.date(2026, 1, 1), created_at=NOW,
                      purpose="one\r\ntwo\tcols\rthree")
    assert session.purpose == "one\ntwo\tcols\nthree"
    with pytest.raises(ValidationFailed, match=r"purpose holds the control character \\x1b"):
        Session(id="S-1", title="T", date=dt.date(2026, 1, 1), created_at=NOW,
                purpose="\x1b[2J")


@given(st.text())
def test_stored_text_is_what_the_rule_allows(text):
    try:
        check_text(text, "note", lines=True)
    except TextRefused:
        assert any(c in text for c in map(chr, range(32)) if c not in "\n\t") or any(
            0xD800 <= ord(c) <= 0xDFFF or 0x7F <= ord(c) <= 0x9F for c in text)
    else:
        text.encode("utf-8")  # always storable


@pytest.mark.parametrize(("change", "message"), [
    ({"statement_version": "   "}, "statement_version must not be empty"),
    ({"recorded_by": " "}, "recorded_by must not be empty"),
])
def test_blank_consent_details_are_refused(run, change, message):
    assert run("participant", "add", "Ada", "--role", "staff").exit_code == 0
    options = {"statement_version": "v1", "recorded_by": "Ada", **change}
    result = run("participant", "consent", "P-1", "record", "--give", "--method", "written",
                 "--statement-version", options["statement_version"],
                 "--recorded-by", options["recorded_by"])
    assert result.exit_code == 1
    assert result.stderr == f"error: {message}\n"


def test_contact_details_are_checked_as_intake_checks_them(run):
    assert run("participant", "add", "Ada", "--role", "staff").exit_code == 0
    result = run("participant", "update", "P-1", "--email", "notanemail")
    assert result.stderr == "error: 'notanemail' is not an email address like name@example.org\n"
    result = run("participant", "update", "P-1", "--phone", "call me")
    assert result.stderr == ("error: 'call me' is not a phone number; use digits, spaces and an "
                             "optional + at the start\n")
    assert run("participant", "update", "P-1", "--email", "ada@example.org",
               "--phone", "+44 7700 900123").exit_code == 0


# ---------------------------------------------------------------- text on a terminal


def test_visible_escapes_what_would_act_on_a_terminal():
    assert visible("\x1b[31mRed\x07") == "\\x1b[31mRed\\x07"
    assert visible("\u202eevil") == "\\u202eevil"
    assert visible("a\nb") == "a\\nb"
    assert visible("a\nb\tc", lines=True) == "a\nb\tc"
    assert visible("Zoë 👩🏽‍🦱 مريم") == "Zoë 👩🏽‍🦱 مريم"


def test_a_stored_name_that_breaks_the_rules_never_reaches_the_terminal(run, workspace):
    # Written to storage directly, as an older coprod or a plugin might have.
    from coprod_core import serialise

    person = Participant(id="P-1", name="Ada", role="staff", created_at=NOW)
    doc = serialise.unstructure(person)
    doc["name"] = "\x1b[2J\x1b[31mAda"
    with workspace.storage.transaction():
        workspace.storage.put("participants", doc)
    workspace.close()
    for args in (("participant", "list"), ("participant", "show", "P-1")):
        result = run(*args)
        assert "\x1b" not in result.stdout + result.stderr, args
        assert result.exit_code == 1
        assert result.stderr.startswith("error: P-1 as stored breaks a rule (name holds the "
                                        "control character \\x1b")
    doctor = run("doctor")
    assert "P-1 (P-1 as stored breaks a rule" in doctor.stdout
    assert "\x1b" not in doctor.stdout


def test_tables_and_fields_make_hidden_characters_visible(capsys):
    from coprod_core.cli.common import echo_fields, echo_table

    echo_table(["name"], [["\x1b[31mRed"]])
    echo_fields([("note", "one\ntwo \x1b]0;x\x07")])
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out
    assert "\\x1b[31mRed" in out
    assert "note: one\n      two \\x1b]0;x\\x07\n" in out


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize("args", [
    ("session", "new", "T", "--date", "9999-12-31"),
    ("session", "new", "T", "--date", "1899-12-31"),
    ("commitment", "make", "X", "--by", "P-1", "--authority", "can_decide", "--due",
     "3000-01-01"),
    ("report", "summary", "--from", "0001-01-01"),
    ("privacy", "requests", "add", "access", "--received", "0001-01-01"),
    ("audit", "--since", "9999-12-31"),
])
def test_dates_outside_the_range_are_refused_by_every_date_option(run, args):
    assert run("participant", "add", "Ada", "--role", "staff").exit_code == 0
    result = run(*args)
    assert result.exit_code == 2
    assert "is outside the dates coprod accepts (1900-01-01 to 2999-12-31)" in result.stderr


def test_the_model_holds_the_one_date_range():
    with pytest.raises(ValidationFailed, match="outside the dates coprod accepts"):
        Session(id="S-1", title="T", date=dt.date(9999, 12, 31), created_at=NOW)
    assert dt.date(2999, 12, 31) in DATES and dt.date(3000, 1, 1) not in DATES


@given(st.dates(min_value=DATES.earliest, max_value=DATES.latest),
       st.integers(1, 100 * 366), st.integers(1, 100 * 12))
def test_retention_arithmetic_stays_in_the_calendar(day, days, months):
    Period.parse(days).after(day)
    Period.parse(f"{months} months").after(day)


def test_a_late_session_no_longer_bricks_the_retention_review(run):
    assert run("config", "set", "privacy.retention", '"24 months"').exit_code == 0
    assert run("participant", "add", "Ada", "--role", "staff").exit_code == 0
    assert run("session", "new", "T", "--date", "2999-12-31").exit_code == 0
    assert run("session", "attend", "S-1", "P-1").exit_code == 0
    assert run("privacy", "review").exit_code == 0
    assert "unexpected" not in run("doctor").stderr


@pytest.mark.parametrize("value", [99999999999999999999, 36601, "99999 months", "101 years"])
def test_retention_is_at_most_a_hundred_years(value):
    with pytest.raises(ValueError, match="at most 100 years"):
        Period.parse(value)


# ---------------------------------------------------------------- vocabularies


@pytest.mark.parametrize("typed", ["co-production", "Co Production", "CO_PRODUCTION",
                                   "co_production"])
def test_rungs_as_people_type_them(typed):
    assert parse_choice(Rung, typed, "rung") is Rung.CO_PRODUCTION


def test_a_near_miss_gets_a_suggestion():
    with pytest.raises(InvalidValue, match=r"unknown rung 'coproduction' \(did you mean "
                                           r"'co_production'\?\); allowed: coercion"):
        parse_choice(Rung, "coproduction", "rung")

# ---------------------------------------------------------------- coprod.toml


@pytest.mark.parametrize(("key", "value", "message"), [
    ("storage.timeout", "inf", "`storage.timeout`: must be a finite number, not inf"),
    ("storage.timeout", "nan", "`storage.timeout`: must be a finite number, not nan"),
    ("storage.timeout", "-- -1", "`storage.timeout`: must be at least 0 and at most 3600"),
    ("storage.timeout", "1e300", "`storage.timeout`: must be at most 3600"),
    ("privacy.retention", "99999999999999999999", "`privacy.retention`: must be at most 100 "
                                                  "years"),
    ("reports.html_template", "/dev/zero", "`reports.html_template`: is not a regular file"),
    ("reports.html_template", '"a\\u0000b"', "`reports.html_template`: the text holds the "
                                             "control character \\x00"),
    ("storage.path", "/../../x.db", "`storage.path`: climbs above the root of the filesystem"),
    ("workspace.org", '"\\u001b[2J"', "`workspace.org`: the text holds the control character "
                                      "\\x1b"),
    ("a." * 40 + "b", "1", "is nested more than 32 tables or lists deep"),
    ("workspace.org", "[" * 3000 + "]" * 3000, "nested more than 32 lists or tables deep"),
])
def test_config_set_refuses_what_config_check_refuses(run, workspace_dir, key, value, message):
    toml = workspace_dir / "coprod.toml"
    before = toml.read_bytes()
    args = ["config", "set", key, *value.split(" ")] if value.startswith("--") else [
        "config", "set", key, value]
    result = run(*args)
    assert result.exit_code == 1, result.stdout
    assert message in result.stderr
    assert result.stderr.count("\n") == 1
    assert toml.read_bytes() == before
    # The same values written by hand are refused by config check and every
    # command: tests/test_fuzz.py, CONFIG_REPRODUCTIONS.


# ---------------------------------------------------------------- files read


def test_only_regular_files_are_read(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for path, phrase in ((fifo, "is a device, pipe or socket"), (tmp_path, "is a folder"),
                         (Path("/dev/zero"), "is a device, pipe or socket")):
        with pytest.raises(UnreadableFile, match=phrase):
            read_small_text(path)
        with pytest.raises(UnreadableFile, match=phrase):
            open_input(path)
    big = tmp_path / "big.toml"
    big.write_bytes(b"#" * (1024 * 1024 + 1))
    with pytest.raises(UnreadableFile, match="larger than 1024 KiB"):
        read_small_text(big)
    with pytest.raises(CoprodError, match="does not exist"):
        open_input(tmp_path / "missing.json")


def test_import_and_intake_refuse_a_pipe_without_waiting(run, tmp_path):
    fifo = tmp_path / "rows.csv"
    os.mkfifo(fifo)
    result = run("import", str(fifo))
    assert result.exit_code == 1
    assert result.stderr == f"error: {fifo} is a device, pipe or socket, not a file; name a " \
                            "regular file\n"
