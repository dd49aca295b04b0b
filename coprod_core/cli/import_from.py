"""`coprod import-from`: bring history in from Decidim, Loomio or a spreadsheet."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from .common import State, echo_json

_AUTHORITIES = ("can_decide", "can_influence", "can_only_raise")


@click.command("import-from", short_help="Bring history in from Decidim, Loomio or a spreadsheet.")
@click.argument("source", required=False, metavar="SOURCE")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--list", "listing", is_flag=True, help="List the sources and stop.")
@click.option("--dry-run", is_flag=True,
              help="Say what would be created, updated and left alone; write nothing.")
@click.option("--map", "mapping", metavar="MAPPING.toml",
              type=click.Path(dir_okay=False, path_type=Path),
              help="A TOML file of [import.<source>] settings: statuses, columns, defaults.")
@click.option("--by", metavar="P-N", help="Who made the promises, when the source doesn't say.")
@click.option("--authority", type=click.Choice(_AUTHORITIES), metavar="POWER",
              help="The power they declared, when the source doesn't say: "
                   f"{', '.join(_AUTHORITIES)}.")
@click.option("--role", metavar="ROLE",
              help="The role of people the source adds, when it doesn't say.")
@click.option("--locale", metavar="LANG",
              help="Which language's columns to read (Decidim); default the workspace's.")
@click.option("--session", metavar="S-N",
              help="The session a registrations file is for, when it doesn't say.")
@click.option("--kind", metavar="KIND",
              help="csv: the kind of records in FILE (sessions, attendance, tensions, "
                   "commitments, progress), when its columns don't tell.")
@click.option("--template", metavar="KIND",
              help="Print a blank file of KIND to fill in (csv), and stop.")
@click.option("--skip-invalid", is_flag=True,
              help="Import the valid rows and write the others, with why, beside FILE.")
@click.option("--json", "as_json", is_flag=True, help="Print what was done as JSON.")
def import_from(source: str | None, file: Path | None, listing: bool, dry_run: bool,
                mapping: Path | None, by: str | None, authority: str | None,
                role: str | None, locale: str | None, session: str | None, kind: str | None,
                template: str | None, skip_invalid: bool, as_json: bool) -> None:
    """Import SOURCE's export FILE: Decidim results or registrations, a Loomio
    group, or your own spreadsheet.

    Every row is checked first: if one is wrong nothing is written (unless
    --skip-invalid). Each record keeps where it came from, so importing the
    file again updates what changed and never duplicates. `coprod import-from
    --list` lists the sources; docs/moving-to-coprod.md says what each carries
    over.
    """
    from coprod_core.errors import CoprodError
    from coprod_core.importing import ImportOptions, importers, read_mapping

    state = click.get_current_context().find_object(State) or State()
    if listing or source is None:
        listed = importers()
        if as_json:
            echo_json([{"name": n, "summary": i.summary} for n, i in listed.items()])
        else:
            for name, each in listed.items():
                click.echo(f"{name:<24}{each.summary}")
        if source is None and not listing:
            click.echo("\nname a source and a file: coprod import-from SOURCE FILE", err=True)
        return
    found = importers()
    if source not in found:
        from difflib import get_close_matches

        close = get_close_matches(source, list(found), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise CoprodError(f"no source named {source!r}{hint}; sources: {', '.join(found)}")
    importer = found[source]
    if template is not None:
        blanks = importer.templates()
        if template not in blanks:
            raise CoprodError(f"{source} has no template {template!r}"
                              + (f"; templates: {', '.join(blanks)}" if blanks else ""))
        click.echo(blanks[template], nl=False)
        return
    if file is None:
        raise CoprodError(f"name the file to import: coprod import-from {source} FILE")
    ws = state.open()
    options = ImportOptions(
        by=by, authority=authority, role=role, session=session, kind=kind,
        locale=locale or getattr(ws.config, "language", None) or "en",
        mapping=read_mapping(mapping) if mapping is not None else {},
    )
    result = _run(ws, importer, file, options, dry_run, skip_invalid, as_json)
    if as_json:
        echo_json({"dry_run": dry_run, **result.as_json()})
        return
    _say(result, file, dry_run)


def _run(ws: Any, importer: Any, file: Path, options: Any, dry_run: bool,
         skip_invalid: bool, quiet: bool) -> Any:
    import sys

    from coprod_core.importing import run_import

    total = _lines(file)
    if quiet or total < 2000 or not sys.stderr.isatty():
        return run_import(ws, importer, file, options, dry_run=dry_run,
                          skip_invalid=skip_invalid)
    with click.progressbar(length=total, label=f"importing {file.name}", file=sys.stderr,
                           show_pos=True) as bar:
        seen = [0]

        def progress(row: int) -> None:
            bar.update(row - seen[0])
            seen[0] = row

        return run_import(ws, importer, file, options, dry_run=dry_run,
                          skip_invalid=skip_invalid, progress=progress)


def _lines(file: Path) -> int:
    try:
        with open(file, "rb") as fh:
            return sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))
    except OSError:
        return 0


#: How each kind of record is counted in what an import says.
_WORDS = {"participant": ("participant", "participants"), "session": ("session", "sessions"),
          "attendance": ("attendance", "attendances"), "tension": ("tension", "tensions"),
          "commitment": ("commitment", "commitments"),
          "progress": ("progress update", "progress updates")}


def _counted(table: dict[str, int]) -> str:
    parts = []
    for kind, n in table.items():
        one, many = _WORDS.get(kind, (kind, kind + "s"))
        parts.append(f"{n} {one if n == 1 else many}")
    return ", ".join(parts) or "nothing"


def _say(result: Any, file: Path, dry_run: bool) -> None:
    listing = _counted

    verb = "would create" if dry_run else "created"
    click.echo(f"{file.name}: {verb} {listing(result.created)}; "
               f"{'would update' if dry_run else 'updated'} {listing(result.updated)}; "
               f"left alone {listing(result.unchanged)}")
    if dry_run:
        verbs = {"created": "create", "updated": "update", "matched": "match"}
        for action, kind, ref, record_id in result.actions:
            if action != "unchanged":
                click.echo(f"  would {verbs.get(action, action):<7} {kind:<11} "
                           f"{record_id:<8} from {ref}")
        click.echo("nothing was written (a dry run)")
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    if result.rejected:
        if result.rejected_path is not None:
            click.echo(f"{result.rejected} rows were not imported; they are in "
                       f"{result.rejected_path} with why (fix them and import that file)",
                       err=True)
        else:
            for problem in result.problems:
                click.echo(f"would reject {problem}", err=True)
