"""Privacy commands: consent, subject access, erasure, retention, rights requests, audit.

``consent``, ``export`` and ``erase`` join the ``coprod participant`` group;
``coprod privacy`` and ``coprod audit`` are top-level.
"""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

import click

from coprod_core.vocabulary import REQUEST_TYPES, SPECIAL_CATEGORIES, ConsentMethod, one_of

from .common import DATE, echo_json, echo_json_stream, echo_table, json_option, pass_workspace

PURPOSES_HELP = ("record (keeping their record), contact, naming (in reports), or "
                 f"special:<category> for {', '.join(SPECIAL_CATEGORIES)} or a category "
                 "declared in [privacy] protected")
METHODS = tuple(m.value for m in ConsentMethod)


def interactive() -> bool:
    """Whether a person is at the keyboard to answer a question."""
    return sys.stdin.isatty()


def confirm(question: str, yes: bool, flag: str = "--yes") -> None:
    """Ask ``question``; refuse when nobody can answer and ``yes`` was not given."""
    if yes:
        return
    if not interactive():
        raise click.UsageError(f"not asking for confirmation without a terminal; add {flag}")
    if not click.confirm(question, default=False):
        raise click.Abort()


# ---------------------------------------------------------------- participant consent


@click.command("consent", help=f"""Show a participant's consents, or record one given or withdrawn.

    With only ID, shows the latest answer for each purpose. With PURPOSE and
    --give or --withdraw, records it now. PURPOSE is one of: {PURPOSES_HELP}.

    Withdrawal takes effect at once: withdrawing contact removes their email
    and phone; special:<category> removes their answers in that category;
    record erases them (you are asked first).
    """)
@click.argument("participant_id", metavar="ID")
@click.argument("purpose", required=False)
@click.option("--give/--withdraw", "given", default=None,
              help="Record that consent for PURPOSE was given, or withdrawn.")
@click.option("--statement-version", metavar="V",
              help="The version (or a hash) of the consent statement shown to them.")
@click.option("--method", type=click.Choice(METHODS),
              help=f"How they gave or withdrew it: {one_of(METHODS)}.")
@click.option("--recorded-by", metavar="NAME",
              help="Who recorded it. Default: the actor (--as, COPROD_USER, the system user).")
@click.option("--yes", is_flag=True,
              help="Do not ask before a withdrawal of consent for record, which erases them.")
@json_option
@pass_workspace
def consent(ws: Any, participant_id: str, purpose: str | None, given: bool | None,
            statement_version: str | None, method: str | None, recorded_by: str | None,
            yes: bool, as_json: bool) -> None:
    from coprod_core.services import consent as service

    from .common import to_json

    if purpose is None:
        if given is not None:
            raise click.UsageError("name the PURPOSE the consent is for")
        _show_consents(ws.participant(participant_id), ws.config.consent_purposes, as_json)
        return
    person = service.check(ws, participant_id, purpose)
    if given is None:
        raise click.UsageError("add --give or --withdraw")
    missing = [o for o, val in (("--statement-version", statement_version),
                                ("--method", method)) if not val]
    if missing:
        raise click.UsageError(f"add {' and '.join(missing)}")
    if service.erases(purpose, given=given):
        confirm(f"Withdrawing consent for record erases {person.id} everywhere. Go on?", yes)
    after = ws.record_consent(person.id, purpose, given=given,
                              statement_version=statement_version or "", method=method or "",
                              recorded_by=recorded_by)
    if as_json:
        echo_json(to_json(after))
    elif after.is_erased:
        click.echo(f"{after.id}: consent for record withdrawn; erased")
    else:
        state = "given" if given else "withdrawn"
        click.echo(f"{after.id}: consent for {purpose} {state}")


def _show_consents(person: Any, purposes: tuple[str, ...], as_json: bool) -> None:
    from .common import to_json

    if as_json:
        echo_json({"participant_id": person.id,
                   "current": {p: person.has_consent(p) for p in purposes},
                   "records": to_json(list(person.consents))})
        return
    rows = []
    for purpose in purposes:
        c = person.consent(purpose)
        if c is None:
            rows.append((purpose, "not asked", "", "", "", ""))
        else:
            rows.append((purpose, person.consent_state(purpose), f"{c.at:%Y-%m-%d}",
                         c.method, c.statement_version, c.recorded_by))
    echo_table(("purpose", "consent", "date", "method", "statement", "recorded by"), rows)


# ---------------------------------------------------------------- export and erase


@click.command("export")
@click.argument("participant_id", metavar="ID")
@click.option("-o", "--output", "path", required=True, metavar="FILE",
              type=click.Path(dir_okay=False),
              help="The file to write. Refused if it exists, unless --force.")
@click.option("--format", "fmt", type=click.Choice(("json", "html", "markdown")),
              help="json (everything, for machines), html or markdown (for the person to "
                   "read). Default: from FILE's suffix (.json, .html, .md), else json.")
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@pass_workspace
def export(ws: Any, participant_id: str, path: str, fmt: str | None, force: bool) -> None:
    """Write everything held about one participant to FILE (a subject access export).

    Their record and consents, sessions, ratings and feedback, tensions and
    commitments, notes that mention them, requests, the audit entries about
    them and what plugins hold. Erasing them later deletes this file too.
    """
    from coprod_core.subject_access import export as write_export

    written = write_export(ws, participant_id, path, fmt=fmt, force=force)
    click.echo(str(written))


@click.command("erase")
@click.argument("participant_id", metavar="ID")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@json_option
@pass_workspace
def erase(ws: Any, participant_id: str, yes: bool, as_json: bool) -> None:
    """Erase a participant's personal data everywhere, keeping a tombstone.

    The tombstone keeps their id, role, the day they were added and when
    they were erased, so totals stay true. Their name, pseudonym, email and
    phone are also removed from notes and descriptions elsewhere, and the
    subject access exports made of them are deleted while they are as coprod
    wrote them. Any other copy that may hold them (a changed export, another
    person's export that mentions them, a copy an interrupted backup left) is
    listed with what to do. This cannot be undone.
    """
    from coprod_core.services import erasure

    person = erasure.check(ws, participant_id)
    confirm(f"Erase {person.id} everywhere? This cannot be undone.", yes)
    result = ws.erase_participant(person.id)
    if as_json:
        echo_json(result.to_json())
        return
    click.echo(f"{result.participant_id} erased; {len(result.changed)} other record"
               f"{'s' if len(result.changed) != 1 else ''} changed")
    for path in result.files_deleted:
        click.echo(f"deleted export {path}")
    for kept in result.kept:
        click.echo(f"kept {kept.path}: {kept.reason}; {kept.fix}")


# ---------------------------------------------------------------- coprod privacy


@click.group(short_help="Retention reviews and the record of rights requests.")
def privacy() -> None:
    """Retention reviews and the record of rights requests.

    Set how long people may be inactive before review with
    `retention = "24 months"` under [privacy] in coprod.toml.
    """


@privacy.command("review")
@click.option("--erase", "do_erase", is_flag=True,
              help="Erase everyone listed, after confirmation.")
@click.option("--yes", is_flag=True, help="With --erase: do not ask for confirmation.")
@json_option
@pass_workspace
def review(ws: Any, do_erase: bool, yes: bool, as_json: bool) -> None:
    """List participants inactive for longer than the retention period, with why.

    Inactive means: no attendance (apologies count as taking part), no
    facilitating, no change to a tension they raised or are party to, no
    change or progress on a commitment they made, and no consent given or
    withdrawn, since the date shown.
    """
    from coprod_core.protection.settings import retention
    from coprod_core.services.retention import erase_due
    from coprod_core.services.retention import review as due_people

    due = due_people(ws)
    if do_erase and due:
        confirm(f"Erase {len(due)} participant{'s' if len(due) != 1 else ''} "
                f"({', '.join(d.participant_id for d in due)})? This cannot be undone.", yes)
        erase_due(ws, due)
    if as_json:
        echo_json([dict(d.to_json(), erased=do_erase) for d in due])
        return
    if not due:
        click.echo(f"nobody is past the retention period ({retention(ws)} inactive)")
        return
    echo_table(("id", "role", "last active", "last activity", "due since"),
               ((d.participant_id, d.role, d.last_active, d.last_activity, d.due_since)
                for d in due))
    if do_erase:
        click.echo(f"erased {len(due)}")
    else:
        click.echo("erase them with `coprod privacy review --erase`")


@privacy.group("requests", invoke_without_command=True)
@click.option("--open", "only_open", is_flag=True, help="Only requests not yet done.")
@json_option
@click.pass_context
def requests(ctx: click.Context, only_open: bool, as_json: bool) -> None:
    """List rights requests (access, erasure, rectification...), with their due dates.

    A request is due one calendar month after it was received. Add one with
    `coprod privacy requests add TYPE`, close it with `... done ID`.
    """
    if ctx.invoked_subcommand is not None:
        return
    from coprod_core.services.rights_requests import requests as all_requests

    from .common import State

    ws = (ctx.find_object(State) or State()).open()
    today = ws.today()
    chosen = [r for r in all_requests(ws) if not (only_open and r.done)]
    if as_json:
        echo_json([r.to_json(today) for r in chosen])
        return
    echo_table(("id", "type", "participant", "received", "due", "done", "status"),
               ((r.id, r.type, r.participant_id, r.received, r.due, r.done, r.status(today))
                for r in chosen),
               empty="no rights requests recorded")


@requests.command("add", help=f"""Record a rights request of TYPE: {one_of(REQUEST_TYPES)}.
    Prints its id and due date.""")
@click.argument("request_type", metavar="TYPE", type=click.Choice(REQUEST_TYPES))
@click.option("--participant", "participant_id", metavar="ID",
              help="The participant the request is about, if they are in the records.")
@click.option("--received", type=DATE, help="When it was received (YYYY-MM-DD). Default: today.")
@click.option("--note", help="A short note (no more personal detail than needed).")
@json_option
@pass_workspace
def requests_add(ws: Any, request_type: str, participant_id: str | None,
                 received: dt.date | None, note: str | None, as_json: bool) -> None:
    from coprod_core.services.rights_requests import add_request

    record = add_request(ws, request_type, received=received, participant_id=participant_id,
                         note=note)
    if as_json:
        echo_json(record.to_json(ws.today()))
    else:
        click.echo(f"{record.id} due {record.due}")


@requests.command("done")
@click.argument("request_id", metavar="ID")
@click.option("--on", "on", type=DATE, help="When it was done (YYYY-MM-DD). Default: today.")
@json_option
@pass_workspace
def requests_done(ws: Any, request_id: str, on: dt.date | None, as_json: bool) -> None:
    """Mark the rights request ID as done."""
    from coprod_core.services.rights_requests import complete_request

    record = complete_request(ws, request_id, on=on)
    if as_json:
        echo_json(record.to_json(ws.today()))
    else:
        click.echo(f"{record.id} {record.status(ws.today())} on {record.done}")


# ---------------------------------------------------------------- coprod audit


@click.command("audit", short_help="Show who changed what and when (never the details themselves).")
@click.option("--since", type=DATE, help="Only changes on or after this day (YYYY-MM-DD).")
@click.option("--id", "record_id", metavar="ID",
              help="Only changes to this record (P-12, S-3, T-7, C-21, R-2...).")
@json_option
@pass_workspace
def audit(ws: Any, since: dt.date | None, record_id: str | None, as_json: bool) -> None:
    """Show the audit log: when, who, which operation, which records.

    The log never holds the personal details themselves.
    """
    from coprod_core.errors import CoprodError
    from coprod_core.services.audit import entries

    try:
        chosen = entries(ws, since=since, about=record_id)
    except CoprodError as exc:  # a wrong id is wrong input: name the option
        raise click.BadParameter(str(exc), param_hint="'--id'") from None
    if as_json:
        echo_json_stream(chosen)
        return
    echo_table(("when", "who", "operation", "records"),
               ((f"{dt.datetime.fromisoformat(e['at']):%Y-%m-%d %H:%M}", e.get("actor"),
                 e.get("operation"), ", ".join(e.get("ids", ()))) for e in chosen),
               empty="no changes recorded")
