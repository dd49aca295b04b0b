"""``coprod session``: meetings, workshops, panels and who came."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

from coprod_core.vocabulary import AttendanceStatus, Rung, one_of

from .common import (
    DATE,
    echo_created,
    echo_fields,
    echo_json,
    echo_records,
    echo_table,
    json_option,
    pass_workspace,
    to_json,
)


@click.group(short_help="Record sessions, who attended and where they sat on the ladder.")
def session() -> None:
    """Record sessions, who attended and where each attendee felt it sat on
    the ladder of co-production."""


@session.command("new")
@click.argument("title")
@click.option("--date", "date", type=DATE, required=True, help="When it was held (YYYY-MM-DD).")
@click.option("--facilitator", "facilitators", multiple=True, metavar="ID",
              help="A participant who facilitated; repeat for several.")
@click.option("--purpose", help="What the session was for.")
@json_option
@pass_workspace
def new(ws: Any, title: str, date: dt.date, facilitators: tuple[str, ...], purpose: str | None,
        as_json: bool) -> None:
    """Record a session called TITLE. Prints the new id."""
    record = ws.new_session(title, date=date, facilitators=facilitators, purpose=purpose)
    echo_created(record, as_json)


@session.command("list")
@json_option
@pass_workspace
def list_(ws: Any, as_json: bool) -> None:
    """List sessions, oldest first."""
    sessions = ws.sessions()
    if as_json:
        echo_records(sessions)
        return
    echo_table(
        ("id", "date", "title", "attended", "ratings"),
        ((s.id, s.date, s.title, len(s.attended), len(s.ratings)) for s in sessions),
        empty="no sessions yet; record one with `coprod session new TITLE --date YYYY-MM-DD`",
    )


@session.command("show")
@click.argument("session_id", metavar="ID")
@json_option
@pass_workspace
def show(ws: Any, session_id: str, as_json: bool) -> None:
    """Show one session: who came and where they placed it on the ladder."""
    s = ws.session(session_id)
    if as_json:
        echo_json(to_json(s))
        return
    echo_fields([
        ("id", s.id), ("title", s.title), ("date", s.date), ("purpose", s.purpose),
        ("facilitators", ", ".join(s.facilitators)), ("agreed next", s.agreed_next),
    ])
    ratings = {r.participant_id: r.rung for r in s.ratings}
    if s.attendance:
        click.echo("attendance:")
        for a in s.attendance:
            rung = ratings.get(a.participant_id)
            click.echo(f"  {a.participant_id:<8} {a.status:<10} {rung or ''}".rstrip())
    else:
        click.echo(f"no attendance recorded; use `coprod session attend {s.id} ID...`")


@session.command("attend")
@click.argument("session_id", metavar="SESSION_ID")
@click.argument("participant_ids", metavar="PARTICIPANT_ID...", nargs=-1, required=True)
@click.option("--status", default="attended", show_default=True,
              help=f"One of {one_of(AttendanceStatus)}.")
@json_option
@pass_workspace
def attend(ws: Any, session_id: str, participant_ids: tuple[str, ...], status: str,
           as_json: bool) -> None:
    """Record that participants attended, sent apologies or were absent."""
    record = ws.attend(session_id, participant_ids, status)
    if as_json:
        echo_json(to_json(record))
    else:
        from coprod_core.ids import parse_id

        people = dict.fromkeys(parse_id("participants", p) for p in participant_ids)
        click.echo(f"{record.id}: {len(people)} recorded as {status}")


@session.command("rate", help=f"""Record where an attendee felt the session sat on the ladder.

    RUNG, bottom to top: {one_of(Rung)}.
    """)
@click.argument("session_id", metavar="SESSION_ID")
@click.argument("participant_id", metavar="PARTICIPANT_ID")
@click.argument("rung", metavar="RUNG")
@json_option
@pass_workspace
def rate(ws: Any, session_id: str, participant_id: str, rung: str, as_json: bool) -> None:
    record = ws.rate(session_id, participant_id, rung)
    if as_json:
        echo_json(to_json(record))
    else:
        from coprod_core.ids import parse_id

        who = parse_id("participants", participant_id)
        rung = next(r.rung for r in record.ratings if r.participant_id == who)
        click.echo(f"{record.id}: {who} placed it at {rung}")
