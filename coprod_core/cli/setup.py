"""``coprod init`` and ``coprod demo``: creating workspaces."""

from __future__ import annotations

from pathlib import Path

import click

from .common import State


def _actor() -> str | None:
    state = click.get_current_context().find_object(State)
    return state.actor if state else None


@click.command()
@click.argument("directory", metavar="[DIR]", default=".",
                type=click.Path(file_okay=False, path_type=Path))
@click.option("--org", default="", help="The organisation's name, shown on reports.")
def init(directory: Path, org: str) -> None:
    """Create a workspace in DIR (default: this folder): coprod.toml with
    commented defaults, and the SQLite database beside it."""
    from coprod_core.workspace import Workspace

    with Workspace.create(directory, org=org, actor=_actor()) as ws:
        click.echo(f"created a coprod workspace in {ws.root}")
    click.echo("next: coprod participant add NAME --role ROLE")


@click.command()
@click.argument("directory", metavar="[DIR]", default="coprod-demo",
                type=click.Path(file_okay=False, path_type=Path))
@click.option("--seed", default=1, show_default=True, type=int,
              help="The same seed always gives the same programme.")
@click.option("--org", default="Riverside Multiple Disadvantage Partnership", show_default=True,
              help="The example organisation's name.")
def demo(directory: Path, seed: int, org: str) -> None:
    """Create a workspace in DIR (default: ./coprod-demo) holding an example
    programme: a year of a lived-experience panel, a steering group and staff
    workshops, with tensions and commitments at every stage."""
    from coprod_core import demo as demo_data
    from coprod_core.workspace import Workspace

    def factory(clock: demo_data.DemoClock) -> Workspace:
        return Workspace.create(directory, org=org, clock=clock, actor=_actor() or "demo")

    created = not directory.exists()
    try:
        ws = demo_data.build(factory, seed=seed)
    except BaseException:
        if created and directory.exists():
            import shutil

            shutil.rmtree(directory)
        raise
    with ws:
        click.echo(f"created an example programme for {org} in {ws.root}")
        for line in demo_data.summary(ws):
            click.echo(f"  {line}")
    click.echo(f"try: coprod -w {directory} commitment list --overdue")
