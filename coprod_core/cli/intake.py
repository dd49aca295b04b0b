"""``coprod intake``: list, show, fill in and import intake forms."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from .common import echo_json, echo_table, json_option, pass_workspace, to_json

METHODS = ("written", "verbal", "electronic")

consent_option = click.option(
    "--consent-method", "method", type=click.Choice(METHODS),
    help="How consent was given: written, verbal or electronic. Default: the form's consent "
         "fields' own method; asked for when filling in a form at the terminal.",
)
participant_option = click.option(
    "--participant", "participant_id", metavar="ID",
    help="The participant the answers are about: for a participant form, update this "
         "participant instead of adding one; for session feedback, who gave it.",
)
session_option = click.option(
    "--session", "session_id", metavar="ID",
    help="For a session feedback form: the session the feedback is about.",
)


@click.group(short_help="Intake forms: list, show, fill in at the terminal, import a spreadsheet.")
def intake() -> None:
    """Intake forms: list them, see what they ask, fill them in, import a spreadsheet.

    Forms are declared in coprod.toml ([forms.NAME]) or added by plugins.
    See docs/forms.md.
    """


@intake.command("list")
@json_option
@pass_workspace
def list_(ws: Any, as_json: bool) -> None:
    """List the forms this workspace has."""
    from coprod_core.forms.submit import catalogue

    cat = catalogue(ws)
    if as_json:
        echo_json([
            {"name": name, "title": form.title, "creates": form.creates,
             "fields": len(form.fields), "source": cat.sources[name],
             "hash": form.definition_hash}
            for name, form in sorted(cat.forms.items())
        ])
        return
    echo_table(
        ("form", "title", "creates", "questions", "from"),
        ((name, f.title, f.creates, len(f.fields), cat.sources[name])
         for name, f in sorted(cat.forms.items())),
        empty="no forms yet; declare one in coprod.toml as [forms.NAME] (see docs/forms.md)",
    )


@intake.command("show")
@click.argument("form_name", metavar="FORM")
@json_option
@pass_workspace
def show(ws: Any, form_name: str, as_json: bool) -> None:
    """Show what FORM asks, in order."""
    from coprod_core.forms.submit import catalogue

    cat = catalogue(ws)
    form = cat.form(form_name)
    if as_json:
        doc = {"name": form.name, "hash": form.definition_hash, "source": cat.sources[form.name],
               **form.to_table()}
        echo_json(to_json(doc))
        return
    click.echo(f"{form.title} ({form.name}, {form.definition_hash}, from {cat.sources[form.name]})")
    if form.introduction:
        click.echo(form.introduction)
    creates = ("adds a participant (or updates one named with --participant), role "
               f"{form.role}" if form.creates == "participant"
               else "records one attendee's feedback on a session")
    click.echo(f"Each submission {creates}.")
    for i, fld in enumerate(form.fields, 1):
        need = "required" if fld.required else "optional"
        where = f", fills {fld.fills}" if fld.fills else ""
        special = f", special category: {fld.special}" if fld.special else ""
        click.echo(f"\n{i}. {fld.label}")
        click.echo(f"   {fld.name}: {fld.type}, {need}{where}{special}")
        if fld.help:
            click.echo(f"   help: {' '.join(fld.help.split())}")
        if fld.type == "consent":
            click.echo(f"   consent for: {fld.options['purpose']}")
            click.echo(f"   statement: {' '.join(str(fld.options['statement']).split())}")
        for j, (value, label) in enumerate(fld.choices, 1):
            click.echo(f"   {j}) {label}" + (f" [{value}]" if label != value else ""))


@intake.command("run")
@click.argument("form_name", metavar="FORM")
@click.option("--answers", "answers_path", metavar="FILE",
              type=click.Path(dir_okay=False, path_type=Path),
              help="Take the answers from a TOML or JSON file instead of asking.")
@participant_option
@session_option
@consent_option
@json_option
@pass_workspace
def run(ws: Any, form_name: str, answers_path: Path | None, participant_id: str | None,
        session_id: str | None, method: str | None, as_json: bool) -> None:
    """Fill in FORM: a conversation at the terminal, or from a file with --answers.

    At the terminal, type ? for help on a question; you can check and change
    every answer before it is saved. Ctrl-C stops without saving anything.
    """
    from coprod_core.forms.submit import catalogue, submit

    cat = catalogue(ws)
    form = cat.form(form_name)
    if answers_path is not None:
        answers = _load_answers(answers_path)
        for key, given in (("participant", participant_id), ("session", session_id)):
            if key in answers:
                value = str(answers.pop(key))
                if given is not None and given != value:
                    raise click.UsageError(f"--{key} {given} differs from {key} = {value!r} "
                                           f"in {answers_path.name}")
                if key == "participant":
                    participant_id = value
                else:
                    session_id = value
        outcome = submit(ws, form, answers, participant_id=participant_id,
                         session_id=session_id, method=method, cat=cat)
    else:
        from .intake_talk import converse

        outcome = converse(ws, cat, form, participant_id=participant_id,
                           session_id=session_id, method=method)
    _echo_outcome(cat, form, outcome, as_json)


def _load_answers(path: Path) -> dict[str, Any]:
    from coprod_core.errors import CoprodError
    from coprod_core.inputs import UnreadableFile, read_small_text

    try:
        text = read_small_text(path).removeprefix("\ufeff")
    except FileNotFoundError:
        raise CoprodError(f"{path} does not exist") from None
    except UnreadableFile as exc:
        raise CoprodError(f"{path} {exc}") from None
    if not text.strip():
        raise CoprodError(f"{path.name} is empty; it needs the answers, one per question")
    if path.suffix.lower() == ".json" or (path.suffix.lower() != ".toml"
                                          and text.lstrip().startswith("{")):
        import json

        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CoprodError(f"{path.name} is not valid JSON: {exc.msg} "
                              f"(line {exc.lineno}, column {exc.colno})") from None
        except RecursionError:
            raise CoprodError(f"{path.name} is nested too deeply to be answers") from None
    else:
        import tomllib

        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise CoprodError(f"{path.name} is not valid TOML: {exc}") from None
        except RecursionError:
            raise CoprodError(f"{path.name} is nested too deeply to be answers") from None
    if not isinstance(data, dict):
        raise CoprodError(f"{path.name} must hold a table of answers, question name = answer")
    return data


def _echo_outcome(cat: Any, form: Any, outcome: Any, as_json: bool) -> None:
    if as_json:
        echo_json({
            "participant": to_json(outcome.participant) if outcome.participant else None,
            "session": to_json(outcome.session) if outcome.session else None,
            "submission": to_json(outcome.submission),
            "not_stored": [{"field": f, "reason": r} for f, r in outcome.not_stored],
        })
        return
    sub = outcome.submission
    if outcome.participant is not None:
        click.echo(outcome.participant.id)
        done = "added" if outcome.created else "updated"
        click.echo(f"{done} {outcome.participant.id} with form {form.name}; "
                   f"submission {sub.id} ({sub.form_hash})")
    else:
        click.echo(sub.id)
        click.echo(f"recorded {sub.participant_id}'s feedback on {sub.session_id} with form "
                   f"{form.name}; submission {sub.id} ({sub.form_hash})")
    for name, reason in outcome.not_stored:
        click.echo(f"not stored: {name} ({reason})")


@intake.command("import")
@click.argument("form_name", metavar="FORM")
@click.argument("csv_path", metavar="FILE.csv",
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("--skip-invalid", is_flag=True,
              help="Import the valid rows and write the rejected ones, with the reasons, to "
                   "FILE.rejected.csv beside the input. Without it, one invalid row stops "
                   "the whole import.")
@consent_option
@click.option("--progress/--no-progress", default=None,
              help="Show a progress bar on stderr. Default: when stderr is a terminal.")
@json_option
@pass_workspace
def import_(ws: Any, form_name: str, csv_path: Path, skip_invalid: bool, method: str | None,
            progress: bool | None, as_json: bool) -> None:
    """Import a spreadsheet saved as CSV: one row per submission of FORM.

    The header row names the questions (see `coprod intake show FORM`); a
    `participant` column updates existing participants, and a session
    feedback form needs `session` and `participant` columns. Every row is
    checked first: if any is invalid, nothing is imported and every problem
    is listed as `row N, field: problem` (row 1 is the header).
    """
    from coprod_core.forms.importer import ImportInvalid, import_csv
    from coprod_core.forms.submit import catalogue

    cat = catalogue(ws)
    form = cat.form(form_name)
    show_bar = sys.stderr.isatty() if progress is None else progress
    size = csv_path.stat().st_size if csv_path.is_file() else 0
    progress_bar: Any = click.progressbar(
        length=max(size, 1), label=f"importing {csv_path.name}",
        file=sys.stderr, hidden=not show_bar,
    )
    try:
        with progress_bar as bar:
            result = import_csv(ws, cat, form, csv_path, skip_invalid=skip_invalid,
                                method=method, progress=bar.update)
    except ImportInvalid as exc:
        for row, name, message in exc.problems:
            where = f"row {row}" if name == "-" else f"row {row}, {name}"
            click.echo(f"{where}: {message}", err=True)
        raise
    if as_json:
        echo_json({
            "rows": result.rows, "imported": result.imported, "created": result.created,
            "updated": result.updated, "rejected": result.rejected,
            "rejected_file": str(result.rejected_path) if result.rejected_path else None,
            "first": result.first_id, "last": result.last_id, "not_stored": result.not_stored,
        })
        return
    span = (f": {result.first_id}..{result.last_id}" if result.first_id != result.last_id
            else f": {result.first_id}" if result.first_id else "")
    click.echo(f"imported {result.imported} of {result.rows} rows from {csv_path.name}{span} "
               f"({result.created} added, {result.updated} updated)")
    if result.rejected:
        click.echo(f"rejected {result.rejected} rows; they are in {result.rejected_path} "
                   "with the reasons")
    for name, count in sorted(result.not_stored.items()):
        reason = form.field_named(name).special
        click.echo(f"not stored: {name} in {count} rows (no consent for special:{reason})")
