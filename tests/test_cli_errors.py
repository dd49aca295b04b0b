"""Bad input: one line on stderr naming what was wrong and what is allowed, exit 1,
no traceback, and nothing written."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

KINDS = ("power, identity, lived_vs_professional, organisational_agenda, "
         "philosophy_of_support, resources, communication, other")
ROLES = "lived_experience, peer_researcher, staff, commissioner, partner, volunteer"
T_STATUSES = "raised, acknowledged, explored, escalated, held, resolved, reopened"
C_STATUSES = ("proposed, agreed, in_progress, partly_delivered, delivered, not_delivered, "
              "withdrawn")
AUTHORITIES = "can_decide, can_influence, can_only_raise"


def database(folder: Path) -> dict[str, list[tuple]]:
    """Every row of every table, counters and audit included."""
    db = sqlite3.connect(folder / "coprod.db")
    try:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: sorted(db.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr)
                for t in sorted(tables)}
    finally:
        db.close()


@pytest.fixture
def filled(run, workspace_dir):
    for args in (
        ("participant", "add", "Ada", "--role", "staff"),
        ("participant", "add", "Bo", "--role", "lived_experience"),
        ("session", "new", "Panel", "--date", "2026-03-02"),
        ("session", "attend", "S-1", "P-1"),
        ("tension", "raise", "A", "--kind", "power"),
        ("tension", "move", "T-1", "resolved"),
        ("commitment", "make", "X", "--by", "P-1", "--authority", "can_decide"),
        ("commitment", "move", "C-1", "withdrawn", "--note", "Superseded"),
        ("commitment", "make", "Y", "--by", "P-1", "--authority", "can_decide"),
    ):
        result = run(*args)
        assert result.exit_code == 0, result.stderr
    return workspace_dir


CASES = [
    # unknown values list the allowed ones
    (("participant", "add", "Cy", "--role", "client"),
     f"unknown role 'client'; allowed: {ROLES}"),
    (("participant", "update", "P-1", "--role", "boss"), f"unknown role 'boss'; allowed: {ROLES}"),
    (("participant", "list", "--role", "x"), f"unknown role 'x'; allowed: {ROLES}"),
    (("tension", "raise", "B", "--kind", "anger"),
     f"unknown tension kind 'anger'; allowed: {KINDS}"),
    (("tension", "list", "--kind", "anger"), f"unknown tension kind 'anger'; allowed: {KINDS}"),
    (("tension", "list", "--status", "done"),
     f"unknown tension status 'done'; allowed: {T_STATUSES}"),
    (("tension", "move", "T-1", "done"), f"unknown tension status 'done'; allowed: {T_STATUSES}"),
    (("commitment", "make", "Z", "--by", "P-1", "--authority", "boss"),
     f"unknown authority 'boss'; allowed: {AUTHORITIES}"),
    (("commitment", "list", "--authority", "boss"),
     f"unknown authority 'boss'; allowed: {AUTHORITIES}"),
    (("commitment", "list", "--status", "done"),
     f"unknown commitment status 'done'; allowed: {C_STATUSES}"),
    (("commitment", "move", "C-2", "done"),
     f"unknown commitment status 'done'; allowed: {C_STATUSES}"),
    (("session", "attend", "S-1", "P-2", "--status", "late"),
     "unknown attendance status 'late'; allowed: attended, apologies, absent"),
    (("session", "rate", "S-1", "P-1", "top"),
     "unknown rung of the ladder 'top'; allowed: coercion, educating, informing, "
     "consultation, engagement, co_design, co_production"),
    # unknown ids say which kind of record
    (("participant", "show", "P-9"), "no participant with id P-9"),
    (("participant", "update", "p9", "--name", "Z"), "no participant with id P-9"),
    (("session", "show", "S-9"), "no session with id S-9"),
    (("tension", "show", "t9"), "no tension with id T-9"),
    (("commitment", "show", "C-9"), "no commitment with id C-9"),
    (("tension", "move", "T-9", "held"), "no tension with id T-9"),
    (("commitment", "move", "C-9", "agreed"), "no commitment with id C-9"),
    (("commitment", "update", "C-9", "note"), "no commitment with id C-9"),
    (("session", "attend", "S-9", "P-1"), "no session with id S-9"),
    (("session", "attend", "S-1", "P-2", "P-9"), "no participant with id P-9"),
    (("session", "rate", "S-1", "P-9", "co_design"), "no participant with id P-9"),
    (("session", "new", "X", "--date", "2026-01-01", "--facilitator", "P-9"),
     "no participant with id P-9"),
    (("tension", "raise", "B", "--kind", "power", "--session", "S-9"), "no session with id S-9"),
    (("tension", "raise", "B", "--kind", "power", "--raised-by", "P-9"),
     "no participant with id P-9"),
    (("tension", "raise", "B", "--kind", "power", "--between", "P-9"),
     "no participant with id P-9"),
    (("tension", "raise", "B", "--kind", "power", "--between", "nobody"),
     f"'nobody' is neither a participant id (like P-12) nor a role; roles: {ROLES}"),
    (("commitment", "make", "Z", "--by", "P-9", "--authority", "can_decide"),
     "no participant with id P-9"),
    (("commitment", "make", "Z", "--by", "P-1", "--authority", "can_decide",
      "--answers", "T-1", "--answers", "T-9"), "no tension with id T-9"),
    (("commitment", "make", "Z", "--by", "P-1", "--authority", "can_decide",
      "--session", "S-9"), "no session with id S-9"),
    # an id of the wrong kind
    (("participant", "show", "S-1"),
     "'S-1' is not a participant id; participant ids look like P-12"),
    (("commitment", "make", "Z", "--by", "S-1", "--authority", "can_decide"),
     "'S-1' is not a participant id; participant ids look like P-12"),
    (("session", "show", "twelve"), "'twelve' is not a session id; session ids look like S-12"),
    # illegal moves name the allowed ones
    (("tension", "move", "T-1", "explored"),
     "cannot move a tension from resolved to explored; from resolved it can move to: reopened"),
    (("commitment", "move", "C-2", "delivered"),
     "cannot move a commitment from proposed to delivered; from proposed it can move to: "
     "agreed, withdrawn"),
    (("commitment", "move", "C-1", "agreed"),
     "cannot move a commitment from withdrawn to agreed; from withdrawn it can move to: "
     "none (this status is final)"),
    (("commitment", "move", "C-2", "withdrawn"),
     "moving a commitment to withdrawn needs a reason: give one with --note"),
    (("commitment", "update", "C-1", "more"),
     "C-1 is withdrawn; progress can no longer be added"),
    (("session", "rate", "S-1", "P-2", "co_design"),
     "P-2 is not recorded as having attended S-1; record attendance first with: "
     "coprod session attend S-1 P-2"),
    # blank text
    (("participant", "add", "   ", "--role", "staff"), "name must not be empty"),
    (("tension", "raise", "\n", "--kind", "power"), "description must not be empty"),
]


@pytest.mark.parametrize("args,message", CASES, ids=[" ".join(c[0]) for c in CASES])
def test_bad_input_is_one_line_and_writes_nothing(run, filled, args, message):
    before = database(filled)
    result = run(*args)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"error: {message}\n"
    assert database(filled) == before
    # The next id is still the next one: a refused create used no number.
    if args[1] in ("add", "new", "raise", "make"):
        retry = {"participant": ("participant", "add", "Ok", "--role", "staff"),
                 "session": ("session", "new", "Ok", "--date", "2026-01-01"),
                 "tension": ("tension", "raise", "Ok", "--kind", "other"),
                 "commitment": ("commitment", "make", "Ok", "--by", "P-1", "--authority",
                                "can_decide")}[args[0]]
        expected = {"participant": "P-3", "session": "S-2", "tension": "T-2",
                    "commitment": "C-3"}[args[0]]
        assert run(*retry).stdout == f"{expected}\n"


@pytest.mark.parametrize("args,message", CASES[:3], ids=["role-add", "role-update", "role-list"])
def test_debug_shows_a_traceback_for_bad_input_too(run, filled, args, message):
    result = run(*args, env={"COPROD_DEBUG": "1"})
    assert result.exit_code == 1
    assert "Traceback" in result.stderr
    assert result.stderr.endswith(f"error: {message}\n")


# ---------------------------------------------------------------- a malformed coprod.toml


MALFORMED = [
    ('[workspace]\norg = "A"\n\n[storage\nbackend = "sqlite"\n',
     "{path}, line 4: is not valid TOML: "),
    ('[workspace]\norg = "A"\nactor = 3\n',
     "{path}, line 3: `workspace.actor`: must be a string, not an integer"),
    ('[workspace]\norgn = "A"\n',
     "{path}, line 2: `workspace.orgn`: unknown key (did you mean `org`?); "
     "allowed here: actor, lang, org"),
    ('[storage]\nbackend = "sqlite"\ntimeout = "long"\n',
     "{path}, line 3: `storage.timeout`: must be an integer or a number, not a string"),
    ('[storage]\nbackend = "sqlite"\npth = "x.db"\n',
     "{path}, line 3: `storage.pth`: unknown key (did you mean `path`?); "
     "allowed here: path, timeout"),
    ('[storage]\nbackend = "mongo"\n',
     "{path}, line 2: `storage.backend`: unknown backend 'mongo'; "
     "available: json, memory, postgres, sqlite"),
    ('[roles]\ncustom = { Carer = "Carer" }\n',
     "{path}: `roles.custom.Carer`: role names are lower-case letters"),
    ('[plugins]\nexport = 3\n',
     "{path}, line 2: `plugins.export`: must be a table, not an integer"),
    ('[reprots]\nx = 1\n',
     "{path}, line 1: `reprots`: unknown key"),
    ('workspace = "A"\n', "{path}, line 1: `workspace`: must be a table, not a string"),
]


@pytest.mark.parametrize("text,message", MALFORMED,
                         ids=[m[1].split(": ")[1][:30] for m in MALFORMED])
@pytest.mark.parametrize("command", [("participant", "list"), ("config", "check"),
                                     ("participant", "add", "Ada", "--role", "staff")])
def test_a_malformed_config_names_file_line_and_key(run, workspace_dir, text, message,
                                                    command):
    path = workspace_dir / "coprod.toml"
    path.write_text(text, encoding="utf-8")
    before = database(workspace_dir)
    result = run(*command)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("error: " + message.format(path=path))
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
    assert database(workspace_dir) == before


def test_a_config_that_is_not_utf8(run, workspace_dir):
    (workspace_dir / "coprod.toml").write_bytes(b"[workspace]\norg = '\xff'\n")
    result = run("participant", "list")
    assert result.stderr == (f"error: {workspace_dir / 'coprod.toml'}: is not UTF-8 text; "
                             "save it as UTF-8\n")


def test_commands_that_need_no_workspace_work_with_a_broken_config(run, workspace_dir):
    (workspace_dir / "coprod.toml").write_text("[[[", encoding="utf-8")
    assert run("--help").exit_code == 0
    assert run("plugins").exit_code == 0
    assert run("--version").exit_code == 0
