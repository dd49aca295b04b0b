"""``coprod report``: build a report and write it in a format."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .common import DATE, State, echo_json

if TYPE_CHECKING:
    from coprod_core.reports import ReportFormat, ReportKind


@click.command(
    short_help="Write reports: summary, you said we did, tensions, participation, ladder.",
    context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("kind", required=False, metavar="KIND")
@click.argument("args", nargs=-1, metavar="[ARGS]...")
@click.option("-f", "--format", "format_name", metavar="FORMAT",
              help="How to write it: markdown, html, csv, json, or one a plugin adds. "
                   "Default: from the extension of --output, else markdown.")
@click.option("-o", "--output", type=click.Path(path_type=Path), metavar="PATH",
              help="The file (or, for csv, the folder) to write. Default: print to the "
                   "screen.")
@click.option("--from", "period_from", type=DATE, help="Start of the period (YYYY-MM-DD).")
@click.option("--to", "period_to", type=DATE, help="End of the period (YYYY-MM-DD).")
@click.option("--names", is_flag=True,
              help="Name participants whose consent covers being named. Without it nobody "
                   "is named.")
@click.option("--force", is_flag=True, help="Replace --output if it already exists.")
@click.option("--list", "list_all", is_flag=True,
              help="List the report kinds and formats, including those from plugins.")
@click.option("--json", "as_json", is_flag=True, help="With --list: print JSON.")
def report(kind: str | None, args: tuple[str, ...], format_name: str | None,
           output: Path | None, period_from: dt.date | None, period_to: dt.date | None,
           names: bool, force: bool, list_all: bool, as_json: bool) -> None:
    """Write the report KIND, for a period, in a format.

    \b
    Kinds: summary, commitments ("You said, we did"), tensions,
    participation, ladder, session SESSION_ID; plugins may add more
    (see --list).

    Small numbers of people are hidden as * and other counts rounded,
    as set in [reports.disclosure] of coprod.toml. Examples:

    \b
      coprod report commitments --from 2026-04-01 --to 2026-06-30 -o promises.html
      coprod report session S-12 --names -o S-12.md
      coprod report participation --format csv -o participation/
    """
    from coprod_core.errors import CoprodError
    from coprod_core.plugins import get_plugin_manager
    from coprod_core.reports import formats, kinds

    if list_all:
        pm = get_plugin_manager()
        _list(kinds(pm), formats(pm), as_json)
        return
    if kind is None:
        raise click.UsageError("name a report KIND, or use --list to see them")

    from coprod_core import reports
    from coprod_core.reports.output import check_target, write

    pm = get_plugin_manager()
    chosen = reports.kind_named(pm, kind)
    fmt = reports.format_named(pm, format_name or _guess(output, formats(pm)))
    if output is None and (fmt.folder or not fmt.text):
        raise CoprodError(
            f"the {fmt.name} format writes files; name where with -o PATH"
        )
    if output is not None:
        check_target(output, force=force, folder=fmt.folder)
    params = reports.Params(period_from=period_from, period_to=period_to, names=names,
                            args=args)
    state = click.get_current_context().find_object(State) or State()
    ws = state.open()
    document = reports.build(ws, chosen, params)
    rendered = reports.render(document, fmt, {"workspace": ws})
    if output is None:
        stream = sys.stdout.buffer
        if isinstance(rendered, bytes):
            stream.write(rendered)
        elif not isinstance(rendered, reports.Files):
            for chunk in rendered:
                stream.write(chunk)
        stream.flush()
        return
    from coprod_core.files import ledger_of

    # Names, or a folder of rows, are personal data: owner-only whatever the umask.
    written = write(rendered, output, force=force, private=names or fmt.folder,
                    ledger=ledger_of(ws.root))
    what = f"{len(written)} files in {output}" if isinstance(rendered, reports.Files) \
        else str(output)
    click.echo(f"wrote {what}")


def _guess(output: Path | None, available: Mapping[str, ReportFormat]) -> str:
    if output is not None and output.suffix:
        wanted = output.suffix.lstrip(".").lower()
        for name, fmt in available.items():
            if fmt.extension == wanted or name == wanted:
                return name
    return "markdown"


def _list(found_kinds: Mapping[str, ReportKind], found_formats: Mapping[str, ReportFormat],
          as_json: bool) -> None:
    from coprod_core.plugins import get_plugin_manager

    pm = get_plugin_manager()
    kind_from = pm.registry.table("report_kinds")
    format_from = pm.registry.table("report_formats")
    if as_json:
        echo_json({
            "kinds": [{"name": k.name, "title": k.title, "description": k.description,
                       "arguments": list(k.arguments), "plugin": kind_from[k.name].plugin}
                      for k in found_kinds.values()],
            "formats": [{"name": f.name, "description": f.description,
                         "extension": f.extension, "folder": f.folder,
                         "plugin": format_from[f.name].plugin}
                        for f in found_formats.values()],
        })
        return
    click.echo("Report kinds:")
    for k in found_kinds.values():
        usage = " ".join((k.name, *k.arguments))
        click.echo(f"  {usage:<22} {k.description}")
    click.echo("Formats:")
    for f in found_formats.values():
        click.echo(f"  {f.name:<22} {f.description}")
