"""Accounts and roles: the table, the password rules, and `coprod account` through the CLI."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coprod_core import accounts
from coprod_core.access import PERMISSIONS, ROLES, role_table
from coprod_core.config import Config
from coprod_core.errors import ConfigError, ValidationFailed

pytest.importorskip("argon2", reason='accounts need the web extra: pip install "coprod[web]"')

GOOD = "four words in a row"


def test_every_builtin_role_holds_only_known_permissions():
    for _label, permissions in ROLES.values():
        assert set(permissions) <= set(PERMISSIONS)
    table = role_table(None)
    assert table.allowed("viewer", "reports.read")
    assert not table.allowed("viewer", "reports.names")
    assert table.allowed("promise_owner", "commitments.own")
    assert not table.allowed("facilitator", "records.read")
    assert table.allowed("coordinator", "records.read")
    assert table.allowed("data_officer", "privacy.erase")
    assert not table.allowed("coordinator", "privacy.erase")
    assert table["promise_owner"].linked and not table["coordinator"].linked


def test_roles_extend_in_toml():
    config = Config.from_dict({"web": {"roles": {"panel_chair": {
        "label": "Panel chair", "like": "viewer", "permissions": ["records.read"]}}}})
    table = role_table(config)
    assert table["panel_chair"].permissions == {"reports.read", "records.read"}
    assert table["panel_chair"].label == "Panel chair"


@pytest.mark.parametrize(("web", "key", "message"), [
    ({"roles": {"chair": {"permissions": ["records.rede"]}}}, "web.roles.chair.permissions",
     "item 1 ('records.rede') is not a permission"),
    ({"roles": {"chair": {"like": "boss"}}}, "web.roles.chair.like", "unknown role 'boss'"),
    ({"roles": {"viewer": {"like": "coordinator"}}}, "web.roles.viewer",
     "viewer is a built-in role"),
    ({"roles": {"chair": {"label": "Chair"}}}, "web.roles.chair.permissions", "is missing"),
    ({"roles": {"chair": {"colour": "red", "like": "viewer"}}}, "web.roles.chair.colour",
     "unknown key"),
    ({"session_idle_minutes": 0}, "web.session_idle_minutes", "must be from 1 to 1440"),
    ({"board": "yes"}, "web.board", "must be true or false"),
    ({"bord": True}, "web.bord", "did you mean `board`"),
])
def test_web_config_errors_name_the_dotted_key(web, key, message):
    with pytest.raises(ConfigError) as raised:
        Config.from_dict({"web": web})
    assert f"`{key}`" in str(raised.value)
    assert message in str(raised.value)


@pytest.mark.parametrize("password", [
    "short one", "password1234", "PASSWORD1234", "123456789012", "aaaaaaaaaaaa",
    "abcdefghijklmnop", "qwerty123456", "iloveyou2024", "dragon123456789",
])
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationFailed):
        accounts.check_password(password, name="sam")


def test_a_password_containing_the_account_name_is_refused():
    with pytest.raises(ValidationFailed, match="account name"):
        accounts.check_password("marguerite is my name", name="marguerite")


@given(st.text(min_size=12, max_size=40).filter(lambda t: len(set(t.lower())) > 6))
def test_long_varied_passwords_need_no_digits_or_symbols(password):
    # NIST SP 800-63B: no composition rules; length and the common list only.
    import unicodedata

    normal = unicodedata.normalize("NFKC", password)
    if len(normal) < 12 or normal.lower() in accounts._common():
        return
    accounts.check_password(password, name="")


# ---------------------------------------------------------------- the command line


def _add(run, name="dev", role="coordinator", password=GOOD, *extra):
    return run("account", "add", name, "--role", role, "--password-stdin", *extra,
               input=password + "\n")


def test_add_list_show(run):
    assert run("participant", "add", "Dev", "--role", "commissioner").exit_code == 0
    added = _add(run, "Dev.Patel", "promise_owner", GOOD, "--participant", "p1")
    assert (added.exit_code, added.stdout, added.stderr) == (0, "dev.patel\n", "")
    listed = run("account", "list")
    assert listed.stdout.splitlines() == [
        "name       role           participant  state",
        "dev.patel  promise_owner  P-1          active",
    ]
    shown = json.loads(run("account", "show", "DEV.PATEL", "--json").stdout)
    assert shown["role"] == "promise_owner" and shown["participant_id"] == "P-1"
    assert "password_hash" not in shown and GOOD not in json.dumps(shown)
    as_list = json.loads(run("account", "list", "--json").stdout)
    assert [a["name"] for a in as_list] == ["dev.patel"]
    text = run("account", "show", "dev.patel").stdout
    assert "role:" in text and "argon2" not in text


def test_the_password_is_asked_twice(run):
    mismatch = run("account", "add", "sam", "--role", "viewer",
                   input=f"{GOOD}\n{GOOD}x\n{GOOD}\n{GOOD}\n")
    assert mismatch.exit_code == 0, mismatch.stderr
    assert "Repeat it" in mismatch.stderr
    assert mismatch.stdout == "sam\n"


def test_the_hash_is_argon2id_and_never_the_password(run, workspace_dir):
    assert _add(run).exit_code == 0
    raw = (workspace_dir / "coprod.db").read_bytes()
    assert GOOD.encode() not in raw
    assert b"$argon2id$" in raw


def test_errors_are_one_line(run):
    weak = _add(run, "sam", "viewer", "password1234")
    assert weak.exit_code == 1 and weak.stdout == ""
    assert weak.stderr.startswith("error: that password is on the list of common passwords")
    assert weak.stderr.count("\n") == 1
    short = _add(run, "sam", "viewer", "too short")
    assert "at least 12 characters (this one has 9)" in short.stderr
    role = _add(run, "sam", "boss")
    assert role.stderr.startswith("error: ") and "boss" in role.stderr
    assert "coordinator" in role.stderr
    owner = _add(run, "sam", "promise_owner")
    assert "--participant P-3" in owner.stderr
    assert _add(run, "sam", "viewer").exit_code == 0
    again = _add(run, "SAM", "viewer")
    assert again.stderr == "error: there is already an account named 'sam'\n"
    missing = run("account", "show", "nobody")
    assert missing.stderr == ("error: no account named 'nobody'; "
                              "see them with `coprod account list`\n")
    assert run("account", "list", "--json").stdout.count('"name"') == 1


def test_disable_enable_reset_remove_are_audited(run, workspace):
    assert _add(run, "sam", "viewer").exit_code == 0
    assert run("account", "disable", "sam").stdout == "sam disabled\n"
    assert run("account", "disable", "sam").stderr == (
        "error: the account 'sam' is already disabled\n")
    assert run("account", "enable", "sam").stdout == "sam enabled\n"
    new = "another four words here"
    reset = run("account", "reset-password", "sam", "--password-stdin", input=new + "\n")
    assert reset.stdout == "sam: password changed\n"
    assert accounts.authenticate(workspace, "sam", new) is not None
    assert accounts.authenticate(workspace, "sam", GOOD) is None
    assert run("account", "remove", "sam", "--yes").stdout == "sam removed\n"
    operations = [e["operation"] for e in workspace.audit()]
    assert operations == ["account.add", "account.disable", "account.enable",
                          "account.password", "account.remove"]
    assert all(e["actor"] == "tester" for e in workspace.audit())


def test_authenticate_refuses_disabled_and_unknown(run, workspace):
    assert _add(run, "sam", "viewer").exit_code == 0
    assert accounts.authenticate(workspace, "sam", GOOD).name == "sam"
    assert accounts.authenticate(workspace, "nobody", GOOD) is None
    assert accounts.authenticate(workspace, "sam", GOOD + "!") is None
    run("account", "disable", "sam")
    assert accounts.authenticate(workspace, "sam", GOOD) is None


def test_roles_command_lists_the_table(run):
    result = run("account", "roles", "--json")
    roles = {r["name"]: r for r in json.loads(result.stdout)}
    assert set(ROLES) <= set(roles)
    assert roles["promise_owner"]["linked"] is True
