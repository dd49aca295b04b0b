"""``coprod commitment``: what people with power promised, and what happened."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

from coprod_core.vocabulary import AUTHORITY_MEANINGS, Authority, CommitmentStatus, one_of

from .common import (
    DATE,
    echo_created,
    echo_fields,
    echo_history,
    echo_json,
    echo_line,
    echo_records,
    echo_table,
    json_option,
    pass_workspace,
    to_json,
)

AUTHORITIES = one_of(Authority)
STATUSES = one_of(CommitmentStatus)


@click.group(short_help="Record what people with power promised, and whether they delivered.",
             help=f"""Record what people with power promised, with what power to deliver it,
    and whether they delivered ("You said, we did").

    Authority: {", ".join(f"{a} ({meaning})" for a, meaning in AUTHORITY_MEANINGS.items())}.
    """)
def commitment() -> None:
    pass


@commitment.command("make")
@click.argument("description")
@click.option("--by", "made_by", required=True, metavar="ID",
              help="The participant making the promise.")
@click.option("--authority", required=True, help=f"The power they declare: {AUTHORITIES}.")
@click.option("--scope", help="What they can realistically do, in their own words.")
@click.option("--due", type=DATE, help="When it should be done (YYYY-MM-DD).")
@click.option("--session", "session_id", metavar="ID", help="The session where it was made.")
@click.option("--answers", multiple=True, metavar="TENSION_ID",
              help="A tension this commitment answers; repeat for several.")
@json_option
@pass_workspace
def make(ws: Any, description: str, made_by: str, authority: str, scope: str | None,
         due: dt.date | None, session_id: str | None, answers: tuple[str, ...],
         as_json: bool) -> None:
    """Record a commitment described in DESCRIPTION. Prints the new id."""
    record = ws.make_commitment(description, made_by=made_by, authority=authority, scope=scope,
                                due=due, session_id=session_id, answers=answers)
    echo_created(record, as_json)


@commitment.command("list")
@click.option("--status", help=f"Only commitments with this status: {STATUSES}.")
@click.option("--authority", help=f"Only commitments made with this authority: {AUTHORITIES}.")
@click.option("--overdue", is_flag=True, help="Only those past their due date and not delivered.")
@json_option
@pass_workspace
def list_(ws: Any, status: str | None, authority: str | None, overdue: bool,
          as_json: bool) -> None:
    """List commitments, oldest first."""
    records = ws.commitments(status=status, overdue=overdue, authority=authority)
    if as_json:
        echo_records(records)
        return
    echo_table(
        ("id", "status", "authority", "due", "by", "description"),
        ((c.id, c.status, c.authority, c.due, c.made_by, c.description) for c in records),
        empty="no commitments match",
    )


@commitment.command("show")
@click.argument("commitment_id", metavar="ID")
@json_option
@pass_workspace
def show(ws: Any, commitment_id: str, as_json: bool) -> None:
    """Show one commitment with its history and progress updates."""
    from coprod_core.importing import links_for

    c = ws.commitment(commitment_id)
    links = links_for(ws, c.id)
    if as_json:
        data = to_json(c)
        if links:
            data["imported_from"] = [{"ref": lk.ref, "url": lk.url, "parent": lk.parent_id}
                                     for lk in links if lk.kind == "commitment"]
        echo_json(data)
        return
    overdue = " (overdue)" if c.is_overdue(ws.today()) else ""
    echo_fields([
        ("id", c.id), ("description", c.description), ("made by", c.made_by),
        ("authority", c.authority), ("scope", c.scope), ("status", c.status),
        ("due", c.due and f"{c.due}{overdue}"), ("session", c.session_id),
        ("answers", ", ".join(c.answers)),
        ("part of", ", ".join(lk.parent_id for lk in links if lk.parent_id)),
        ("imported from", ", ".join(lk.ref + (f" ({lk.url})" if lk.url else "")
                                    for lk in links if lk.kind == "commitment")),
    ])
    echo_history(c.history)
    if c.updates:
        click.echo("progress:")
        for u in c.updates:
            echo_line(f"  {u.at:%Y-%m-%d %H:%M}  {u.actor}: {u.note}")


@commitment.command("move", help=f"""Move a commitment to STATUS.

    STATUS: {STATUSES}.
    """)
@click.argument("commitment_id", metavar="ID")
@click.argument("status", metavar="STATUS")
@click.option("--note", help="What happened; needed for withdrawn and not_delivered.")
@json_option
@pass_workspace
def move(ws: Any, commitment_id: str, status: str, note: str | None, as_json: bool) -> None:
    record = ws.move_commitment(commitment_id, status, note=note)
    if as_json:
        echo_json(to_json(record))
    else:
        click.echo(f"{record.id}: {record.status}")


@commitment.command("update")
@click.argument("commitment_id", metavar="ID")
@click.argument("note", metavar="NOTE")
@json_option
@pass_workspace
def update(ws: Any, commitment_id: str, note: str, as_json: bool) -> None:
    """Add a progress update NOTE to a commitment."""
    record = ws.update_commitment(commitment_id, note)
    if as_json:
        echo_json(to_json(record))
    else:
        click.echo(f"{record.id}: {len(record.updates)} progress update(s)")
