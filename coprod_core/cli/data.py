"""`coprod export`, `import`, `backup`, `migrate`, `doctor`: moving and checking data."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from .common import State, echo_json, json_option, pass_workspace


def _root() -> Path:
    from coprod_core.config import resolve_workspace

    state = click.get_current_context().find_object(State) or State()
    return resolve_workspace(state.workspace)


def _summary(counts: dict[str, int]) -> str:
    parts = [f"{n} {name}" for name, n in counts.items() if n and name != "audit"]
    return ", ".join(parts) or "no records"


@click.command("export", short_help="Write the whole workspace to one JSON file.")
@click.option("-o", "--output", "output", required=True, metavar="FILE",
              type=click.Path(dir_okay=False, path_type=Path),
              help="The file to write (JSON). Readable by you only.")
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@pass_workspace
def export(ws: Any, output: Path, force: bool) -> None:
    """Write the whole workspace to one JSON file: every record (plugin ones
    too), the id counters and the audit log. The file holds personal data:
    keep it as safe as the workspace."""
    from coprod_core.files import ledger_of
    from coprod_core.transfer import export_file

    counts = export_file(ws.storage, output, force=force, collections=ws.collections,
                         ledger=ledger_of(ws.root))
    click.echo(f"exported {_summary(counts)} and {counts['audit']} audit entries to {output}")


@click.command("import", short_help="Read an export into an empty workspace.")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@pass_workspace
def import_(ws: Any, file: Path) -> None:
    """Read FILE (made by `coprod export`) into this workspace, which must be
    empty. Every record is checked first; if one is wrong nothing is written."""
    from coprod_core.transfer import load, read_export

    data = read_export(file, ws.collections)
    total = load(ws.storage, data)
    click.echo(f"imported {total} records and {len(data.get('audit', []))} audit entries "
               f"from {file}")


@click.command("backup", short_help="Take a consistent copy while others may be writing.")
@click.argument("output", metavar="OUT", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace OUT if it exists.")
@pass_workspace
def backup(ws: Any, output: Path, force: bool) -> None:
    """Take a consistent copy of the workspace in OUT while others may be writing.

    With SQLite, OUT is a SQLite database (open it by pointing [storage] path
    at it); with other backends, OUT is an export (restore it with `coprod import`).
    """
    from coprod_core.files import ledger_of
    from coprod_core.transfer import backup_file

    counts = backup_file(ws.storage, output, force=force, collections=ws.collections,
                         ledger=ledger_of(ws.root))
    if counts is None:
        click.echo(f"backed up the {ws.storage.name} database to {output}")
    else:
        click.echo(f"backed up {_summary(counts)} to {output} (a coprod export)")


@click.command("migrate",
               short_help="Copy the workspace to another backend, verified, then switch.")
@click.option("--to", "to", required=True, metavar="BACKEND",
              help="The backend to copy the workspace to: sqlite, json, postgres, ...")
@click.option("--path", "path", metavar="PATH",
              help="sqlite: the new database file; json: the new folder "
                   "(relative to the workspace).")
@click.option("--url", metavar="URL",
              help="postgres: the connection URL. It is written to coprod.toml; "
                   "prefer --url-env to keep a password out of the file.")
@click.option("--url-env", metavar="NAME",
              help="postgres: the environment variable holding the URL "
                   "(default COPROD_POSTGRES_URL).")
@click.option("--schema", metavar="NAME", help="postgres: the schema for coprod's tables.")
def migrate(to: str, path: str | None, url: str | None, url_env: str | None,
            schema: str | None) -> None:
    """Copy the workspace to another backend, check the copy record by record,
    and only then switch coprod.toml to it. The old data is left as it was
    (remove it yourself once you are happy). Comments in coprod.toml are not kept."""
    from coprod_core.migrate import migrate_workspace

    options = {k: v for k, v in
               {"path": path, "url": url, "url_env": url_env, "schema": schema}.items()
               if v is not None}
    state = click.get_current_context().find_object(State) or State()
    result = migrate_workspace(_root(), to, options, actor=state.actor)
    click.echo(f"copied {result.records} records and {result.audit} audit entries from "
               f"{result.source} to {result.target}, and checked every one")
    click.echo(f"coprod.toml now uses the {result.target} backend; the {result.source} "
               "data is untouched: remove it when you no longer need it")


@click.command("doctor", short_help="Check the workspace and say what to do about problems.")
@json_option
def doctor(as_json: bool) -> None:
    """Check the workspace: configuration, backend, file permissions, integrity,
    records that fail to load. Each problem says what to do. Exits 1 if any
    check found an error."""
    from coprod_core import doctor as checks

    findings = checks.run(_root())
    if as_json:
        echo_json([{"check": f.check, "level": f.level, "message": f.message, "fix": f.fix}
                   for f in findings])
    else:
        for f in findings:
            click.echo(f"{f.level:<8}{f.check}: {f.message}")
            if f.fix:
                click.echo(f"{'':<8}what to do: {f.fix}")
    if any(f.level == checks.ERROR for f in findings):
        sys.exit(1)
