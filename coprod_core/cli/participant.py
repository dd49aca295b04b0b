"""``coprod participant``: the people taking part."""

from __future__ import annotations

from typing import Any

import click

from coprod_core.vocabulary import DEFAULT_ROLES

from .common import (
    echo_created,
    echo_fields,
    echo_json,
    echo_line,
    echo_records,
    echo_table,
    json_option,
    pass_workspace,
    to_json,
)

ROLE_HELP = (f"One of {', '.join(DEFAULT_ROLES)}, or a role added in [roles.custom] of "
             "coprod.toml.")


@click.group(short_help="Add, list, show and update participants; consent, export, erase.")
def participant() -> None:
    """Add, list, show and update participants; record consent, export, erase.

    A participant is anyone taking part in the work. Their role says which
    perspective they bring. Many prefer a chosen name or a pseudonym.
    """


@participant.command("add")
@click.argument("name")
@click.option("--role", required=True, help=ROLE_HELP)
@click.option("--pseudonym", help="A pseudonym to use in place of the name where shown.")
@click.option("--email", help="An email address, if they want to be contacted that way.")
@click.option("--phone", help="A phone number, if they want to be contacted that way.")
@json_option
@pass_workspace
def add(ws: Any, name: str, role: str, pseudonym: str | None, email: str | None,
        phone: str | None, as_json: bool) -> None:
    """Add a participant called NAME (the name they chose). Prints the new id."""
    person = ws.add_participant(name, role=role, pseudonym=pseudonym, email=email, phone=phone)
    echo_created(person, as_json)


@participant.command("list")
@click.option("--role", help="Only participants with this role.")
@json_option
@pass_workspace
def list_(ws: Any, role: str | None, as_json: bool) -> None:
    """List participants, oldest first."""
    people = ws.participants(role=role)
    if as_json:
        echo_records(people)
        return
    echo_table(
        ("id", "name", "role", "pseudonym"),
        ((p.id, "(erased)" if p.is_erased else p.name, p.role, p.pseudonym) for p in people),
        empty="no participants yet; add one with `coprod participant add NAME --role ROLE`",
    )


@participant.command("show")
@click.argument("participant_id", metavar="ID")
@json_option
@pass_workspace
def show(ws: Any, participant_id: str, as_json: bool) -> None:
    """Show one participant's record."""
    p = ws.participant(participant_id)
    if as_json:
        echo_json(to_json(p))
        return
    echo_fields([
        ("id", p.id), ("name", "(erased)" if p.is_erased else p.name), ("role", p.role),
        ("pseudonym", p.pseudonym), ("email", p.email), ("phone", p.phone),
        ("added", f"{p.created_at:%Y-%m-%d}"),
        ("erased", p.erased_at and f"{p.erased_at:%Y-%m-%d}"),
    ])
    if p.consents:
        click.echo("consent:")
        for purpose in dict.fromkeys(c.purpose for c in p.consents):
            c = p.consent(purpose)
            state = "given" if c.given else "withdrawn"
            echo_line(f"  {purpose:<26} {state} {c.at:%Y-%m-%d} ({c.method}, by {c.recorded_by})")
    for d in p.demographics:
        flag = f" [special category: {d.category}]" if d.category else ""
        echo_line(f"{d.key}: {d.value}{flag}")
    for key, value in sorted(p.extra.items()):
        echo_line(f"{key}: {value}")


@participant.command("update")
@click.argument("participant_id", metavar="ID")
@click.option("--name", help="A new chosen name.")
@click.option("--role", help=ROLE_HELP)
@click.option("--pseudonym", help="A new pseudonym; an empty string removes it.")
@click.option("--email", help="A new email address; an empty string removes it.")
@click.option("--phone", help="A new phone number; an empty string removes it.")
@json_option
@pass_workspace
def update(ws: Any, participant_id: str, as_json: bool, **changes: str | None) -> None:
    """Change a participant's name, role, pseudonym or contact details."""
    given = {k: v for k, v in changes.items() if v is not None}
    if not given:
        raise click.UsageError("give at least one of --name, --role, --pseudonym, --email, --phone")
    person = ws.update_participant(participant_id, **given)
    echo_created(person, as_json)


# Consent, subject access and erasure live with the other privacy commands.
from .privacy import consent, erase, export  # noqa: E402

participant.add_command(consent)
participant.add_command(export)
participant.add_command(erase)
