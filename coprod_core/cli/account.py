"""``coprod account``: who may sign in to the web front, with which role."""

from __future__ import annotations

import sys
from typing import Any

import click

from .common import echo_fields, echo_json, echo_table, json_option, pass_workspace

ROLE_HELP = ("One of viewer, promise_owner, facilitator, coordinator, data_officer, or a "
             "role added in [web.roles] of coprod.toml (see `coprod account roles`).")


@click.group(short_help="Accounts for the web front: add, list, show, disable, reset, remove.")
def account() -> None:
    """Accounts for the web front (`coprod serve`): add, list, show, disable, remove.

    Each account has a role saying what it may do. A promise owner's account
    speaks for one participant and updates only their promises. Passwords are
    kept as argon2id hashes and need at least 12 characters. Every change is
    in the audit log.
    """


def _password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        password = line[:-1] if line.endswith("\n") else line
        if not password:
            raise click.UsageError("--password-stdin read nothing; pipe the password in")
        return password
    value: str = click.prompt("Password", hide_input=True, confirmation_prompt="Repeat it",
                              err=True)
    return value


password_stdin = click.option(
    "--password-stdin", is_flag=True,
    help="Read the password from the first line of standard input instead of asking "
         "for it twice (for scripts; never put a password on the command line).")


@account.command("add")
@click.argument("name")
@click.option("--role", required=True, help=ROLE_HELP)
@click.option("--participant", "participant_id", metavar="ID",
              help="The participant a promise_owner account speaks for, like P-3.")
@password_stdin
@json_option
@pass_workspace
def add(ws: Any, name: str, role: str, participant_id: str | None, password_stdin: bool,
        as_json: bool) -> None:
    """Add an account called NAME. Prints its name."""
    from coprod_core.accounts import add_account, roles

    roles(ws)[role]  # an unknown role is refused before the password is asked
    password = _password(password_stdin)
    created = add_account(ws, name, role=role, password=password,
                          participant_id=participant_id)
    if as_json:
        echo_json(created.to_json())
    else:
        click.echo(created.name)


@account.command("list")
@json_option
@pass_workspace
def list_(ws: Any, as_json: bool) -> None:
    """List accounts, oldest first."""
    from coprod_core.accounts import accounts

    found = list(accounts(ws))
    if as_json:
        echo_json([a.to_json() for a in found])
        return
    echo_table(("name", "role", "participant", "state"),
               ((a.name, a.role, a.participant_id, "active" if a.active else "disabled")
                for a in found),
               empty="no accounts yet; add one with `coprod account add NAME --role ROLE`")


@account.command("show")
@click.argument("name")
@json_option
@pass_workspace
def show(ws: Any, name: str, as_json: bool) -> None:
    """Show one account (never its password)."""
    from coprod_core.accounts import get_account, roles

    found = get_account(ws, name)
    if as_json:
        echo_json(found.to_json())
        return
    role = roles(ws).roles.get(found.role)
    echo_fields([
        ("name", found.name), ("id", found.id),
        ("role", f"{found.role} ({role.label})" if role else f"{found.role} (unknown role)"),
        ("participant", found.participant_id),
        ("state", "active" if found.active else f"disabled {found.disabled_at:%Y-%m-%d %H:%M}"),
        ("created", f"{found.created_at:%Y-%m-%d %H:%M}"),
        ("password set", f"{found.password_changed_at:%Y-%m-%d %H:%M}"),
    ])


@account.command("disable")
@click.argument("name")
@pass_workspace
def disable(ws: Any, name: str) -> None:
    """Stop NAME signing in, and end its sessions now."""
    from coprod_core.accounts import disable_account

    click.echo(f"{disable_account(ws, name).name} disabled")


@account.command("enable")
@click.argument("name")
@pass_workspace
def enable(ws: Any, name: str) -> None:
    """Let a disabled account sign in again."""
    from coprod_core.accounts import enable_account

    click.echo(f"{enable_account(ws, name).name} enabled")


@account.command("reset-password")
@click.argument("name")
@password_stdin
@pass_workspace
def reset(ws: Any, name: str, password_stdin: bool) -> None:
    """Give NAME a new password; every session signed in with the old one ends."""
    from coprod_core.accounts import get_account, reset_password

    get_account(ws, name)
    password = _password(password_stdin)
    click.echo(f"{reset_password(ws, name, password).name}: password changed")


@account.command("remove")
@click.argument("name")
@click.option("--yes", is_flag=True, help="Do not ask to confirm.")
@pass_workspace
def remove(ws: Any, name: str, yes: bool) -> None:
    """Delete the account NAME. The audit log keeps what it did."""
    from coprod_core.accounts import get_account, remove_account

    get_account(ws, name)
    if not yes:
        click.confirm(f"Remove the account {name.lower()!r}?", abort=True, err=True)
    click.echo(f"{remove_account(ws, name).name} removed")


@account.command("roles")
@json_option
@pass_workspace
def roles_(ws: Any, as_json: bool) -> None:
    """List the account roles and what each may do."""
    from coprod_core.accounts import roles

    table = roles(ws)
    if as_json:
        echo_json([{"name": r.name, "label": r.label, "linked": r.linked,
                    "permissions": sorted(r.permissions)} for r in table])
        return
    for role in table:
        click.echo(f"{role.name}: {role.label}")
        for permission in sorted(role.permissions):
            click.echo(f"  {permission}")
