"""``coprod reminders``: the digest on demand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from coprod_core.cli.common import json_option, pass_workspace


@click.group()
def reminders() -> None:
    """Commitments coming due or overdue (the coprod-reminders plugin).

    After every change to a commitment the digest is also written to the
    file named by [plugins.reminders] file (default: reminders.txt in the
    workspace folder).
    """


@reminders.command("digest")
@click.option("--days", type=click.IntRange(min=0), metavar="N",
              help="Count commitments due in the next N days as coming due. "
                   "Default: [plugins.reminders] days_ahead, else 14.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the digest to this file instead of printing it.")
@json_option
@pass_workspace
def digest(ws: Any, days: int | None, output: Path | None, as_json: bool) -> None:
    """Print the commitments that are overdue or coming due, soonest first.

    Only open promises count (proposed, agreed, in progress or partly
    delivered) that have a due date.
    """
    from . import digest as d

    days_ahead = d.options(ws).days_ahead if days is None else days
    if as_json:
        import json

        text = json.dumps(d.as_json(ws, days_ahead), indent=2, ensure_ascii=False) + "\n"
    else:
        text = d.render_text(ws, days_ahead)
    if output is None:
        click.echo(text, nl=False)
        return
    from coprod_core.files import atomic_write, check_output

    # The digest is refreshed in place: a regular file is replaced, nothing else ever is.
    atomic_write(check_output(output, force=True), text)
    click.echo(f"wrote {output}", err=True)
