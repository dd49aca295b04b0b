"""``coprod tension``: conflicts surfaced openly, and their history."""

from __future__ import annotations

from typing import Any

import click

from coprod_core.vocabulary import TensionKind, TensionStatus, one_of

from .common import (
    echo_created,
    echo_fields,
    echo_history,
    echo_json,
    echo_records,
    echo_table,
    json_option,
    pass_workspace,
    to_json,
)

KINDS = one_of(TensionKind)
STATUSES = one_of(TensionStatus)


@click.group(short_help="Raise tensions and record how they move.")
def tension() -> None:
    """Raise tensions and record how they move.

    A tension moves raised → acknowledged → explored → resolved, or is held:
    named honestly as deep-rooted rather than pretended away. It can also be
    escalated or reopened.
    """


@tension.command("raise")
@click.argument("description")
@click.option("--kind", required=True, help=f"One of {KINDS}.")
@click.option("--session", "session_id", metavar="ID", help="The session where it came up.")
@click.option("--raised-by", metavar="ID", help="The participant who raised it.")
@click.option("--between", multiple=True, metavar="ID_OR_ROLE",
              help="A participant id or a role the tension sits between; repeat for each.")
@json_option
@pass_workspace
def raise_(ws: Any, description: str, kind: str, session_id: str | None,
           raised_by: str | None, between: tuple[str, ...], as_json: bool) -> None:
    """Record a tension described in DESCRIPTION. Prints the new id."""
    record = ws.raise_tension(description, kind=kind, session_id=session_id,
                              raised_by=raised_by, between=between)
    echo_created(record, as_json)


@tension.command("list")
@click.option("--kind", help=f"Only tensions of this kind: {KINDS}.")
@click.option("--status", help=f"Only tensions with this status: {STATUSES}.")
@json_option
@pass_workspace
def list_(ws: Any, kind: str | None, status: str | None, as_json: bool) -> None:
    """List tensions, oldest first."""
    tensions = ws.tensions(kind=kind, status=status)
    if as_json:
        echo_records(tensions)
        return
    echo_table(
        ("id", "kind", "status", "raised", "description"),
        ((t.id, t.kind, t.status, f"{t.created_at:%Y-%m-%d}", t.description) for t in tensions),
        empty="no tensions match",
    )


@tension.command("show")
@click.argument("tension_id", metavar="ID")
@json_option
@pass_workspace
def show(ws: Any, tension_id: str, as_json: bool) -> None:
    """Show one tension with its full history."""
    t = ws.tension(tension_id)
    if as_json:
        echo_json(to_json(t))
        return
    echo_fields([
        ("id", t.id), ("kind", t.kind), ("status", t.status), ("description", t.description),
        ("raised by", t.raised_by), ("session", t.session_id), ("between", ", ".join(t.between)),
    ])
    echo_history(t.history)


@tension.command("move", help=f"""Move a tension to STATUS, with a note.

    STATUS: {STATUSES}. The moves allowed from each status are shown if a
    move is not.
    """)
@click.argument("tension_id", metavar="ID")
@click.argument("status", metavar="STATUS")
@click.option("--note", help="What happened, in a sentence.")
@json_option
@pass_workspace
def move(ws: Any, tension_id: str, status: str, note: str | None, as_json: bool) -> None:
    record = ws.move_tension(tension_id, status, note=note)
    if as_json:
        echo_json(to_json(record))
    else:
        click.echo(f"{record.id}: {record.status}")
