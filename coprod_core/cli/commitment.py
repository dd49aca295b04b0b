"""``coprod commitment``: what people with power promised, and what happened."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

from coprod_core.vocabulary import AUTHORITY_MEANINGS, Authority, CommitmentStatus, one_of

from .common import (
    DATE,
    echo_corrections,
    echo_created,
    echo_fields,
    echo_history,
    echo_json,
    echo_line,
    echo_records,
    echo_table,
    json_option,
    local,
    on_option,
    pass_workspace,
    recorded,
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
@on_option("it was made")
@json_option
@pass_workspace
def make(ws: Any, description: str, made_by: str, authority: str, scope: str | None,
         due: dt.date | None, session_id: str | None, answers: tuple[str, ...], on: Any,
         as_json: bool) -> None:
    """Record a commitment described in DESCRIPTION. Prints the new id.

    Written up after the meeting? Give the day it was made with --on.
    """
    record = ws.make_commitment(description, made_by=made_by, authority=authority, scope=scope,
                                due=due, session_id=session_id, answers=answers, on=on)
    echo_created(record, as_json)


@commitment.command("list")
@click.option("--status", help=f"Only commitments with this status: {STATUSES}.")
@click.option("--authority", help=f"Only commitments made with this authority: {AUTHORITIES}.")
@click.option("--overdue", is_flag=True,
              help="Only those overdue today: past their due date and still open (proposed, "
                   "agreed or in progress).")
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
    overdue = " (overdue)" if c.is_overdue(ws.local_today()) else ""
    echo_fields([
        ("id", c.id), ("description", c.description), ("made by", c.made_by),
        ("authority", c.authority), ("scope", c.scope), ("status", c.status),
        ("due", c.due and f"{c.due}{overdue}"), ("session", c.session_id),
        ("answers", ", ".join(c.answers)),
        ("part of", ", ".join(lk.parent_id for lk in links if lk.parent_id)),
        ("imported from", ", ".join(lk.ref + (f" ({lk.url})" if lk.url else "")
                                    for lk in links if lk.kind == "commitment")),
    ])
    echo_history(c.history, ws)
    if c.updates:
        click.echo("progress:")
        for u in c.updates:
            echo_line(f"  {local(u.at, ws)}  {u.actor}: {u.note}{recorded(u, ws)}")
    echo_corrections(c, ws)


@commitment.command("move", help=f"""Move a commitment to STATUS.

    STATUS: {STATUSES}. A move dated (--on) before the step it follows is
    refused.
    """)
@click.argument("commitment_id", metavar="ID")
@click.argument("status", metavar="STATUS")
@click.option("--note", help="What happened; needed for withdrawn, not_delivered and "
                             "partly_delivered: the reason, in the words it was given.")
@on_option("it moved")
@json_option
@pass_workspace
def move(ws: Any, commitment_id: str, status: str, note: str | None, on: Any,
         as_json: bool) -> None:
    record = ws.move_commitment(commitment_id, status, note=note, on=on)
    if as_json:
        echo_json(to_json(record))
    else:
        click.echo(f"{record.id}: {record.status}")


@commitment.command("progress")
@click.argument("commitment_id", metavar="ID")
@click.argument("note", metavar="TEXT")
@on_option("it happened")
@json_option
@pass_workspace
def progress(ws: Any, commitment_id: str, note: str, on: Any, as_json: bool) -> None:
    """Add a progress update TEXT to a commitment."""
    record = ws.add_progress(commitment_id, note, on=on)
    if as_json:
        echo_json(to_json(record))
    else:
        click.echo(f"{record.id}: {len(record.updates)} progress update(s)")


@commitment.command("update")
@click.argument("commitment_id", metavar="ID")
@click.argument("note", metavar="[TEXT]", required=False)
@click.option("--description", help="The corrected wording of the promise.")
@click.option("--scope", help="The corrected scope: what they can realistically do.")
@click.option("--due", type=DATE, help="A new due date (YYYY-MM-DD); needs --reason.")
@click.option("--reason", help="Why it changed; needed with --due, and shown in \"You said, "
                               "we did\" beside the move.")
@on_option("the change was made (the meeting where the due date moved, say)")
@json_option
@pass_workspace
def update(ws: Any, commitment_id: str, note: str | None, description: str | None,
           scope: str | None, due: dt.date | None, reason: str | None, on: Any,
           as_json: bool) -> None:
    """Correct a commitment: its wording, its scope, or its due date.

    The earlier value stays in its history (`coprod commitment show`). A
    moved due date needs a reason. (`update ID TEXT`, a progress update,
    still works in this release: use `coprod commitment progress`.)
    """
    if note is not None:
        if description is not None or scope is not None or due is not None:
            raise click.UsageError("give a progress TEXT or corrections, not both")
        click.echo("warning: `coprod commitment update ID TEXT` is deprecated; use "
                   "`coprod commitment progress ID TEXT`", err=True)
        record = ws.add_progress(commitment_id, note)
    else:
        record = ws.update_commitment(commitment_id, description=description, scope=scope,
                                      due=due, reason=reason, on=on)
    if as_json:
        echo_json(to_json(record))
    elif note is not None:
        click.echo(f"{record.id}: {len(record.updates)} progress update(s)")
    else:
        changed = sorted({c.name for c in record.corrections
                          if c.at == record.corrections[-1].at})
        click.echo(f"{record.id}: corrected {', '.join(changed)}")
