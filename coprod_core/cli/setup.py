"""``coprod init`` and ``coprod demo``: creating workspaces."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from .common import State


def _actor() -> str | None:
    state = click.get_current_context().find_object(State)
    return state.actor if state else None


@click.command(short_help="Create a workspace in a folder.")
@click.argument("directory", metavar="[DIR]", default=".",
                type=click.Path(file_okay=False, path_type=Path))
@click.option("--org", default="", help="The organisation's name, shown on reports.")
@click.option("--backend", default="sqlite", show_default=True,
              help="Where records are kept: sqlite (one file, no server), json (a folder of "
                   "readable files) or a backend a plugin adds. For postgres, start with "
                   "sqlite and move with `coprod migrate --to postgres`.")
@click.option("--config", "config_file", metavar="FILE",
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Start from a copy of this coprod.toml (checked first) instead of the "
                   "commented defaults, such as an example's or another workspace's.")
def init(directory: Path, org: str, backend: str, config_file: Path | None) -> None:
    """Create a workspace in DIR (default: this folder): coprod.toml with
    commented defaults (or a copy of --config FILE), and the database."""
    from coprod_core.workspace import Workspace

    if config_file is None:
        ws = Workspace.create(directory, org=org, backend=backend, actor=_actor())
    else:
        if org or backend != "sqlite":
            raise click.UsageError("give --org and --backend, or --config, not both: they "
                                   "are in the --config file's [workspace] and [storage]")
        ws = _from_config(directory, config_file)
    with ws:
        click.echo(f"created a coprod workspace in {ws.root}")
    click.echo("next: coprod participant add NAME --role ROLE")


def _from_config(directory: Path, config_file: Path) -> Any:
    """A workspace in ``directory`` whose coprod.toml is a copy of ``config_file``."""
    from coprod_core.config import CONFIG_NAME, Config
    from coprod_core.errors import ConfigError
    from coprod_core.files import atomic_write
    from coprod_core.workspace import Workspace, make_folders, remove_folders

    directory = directory.expanduser().resolve()
    target = directory / CONFIG_NAME
    if target.exists():
        raise ConfigError(
            f"{directory} is already a coprod workspace; change it with `coprod config set`")
    Config.from_toml(config_file)  # a mistake is reported against the file given
    created = make_folders(directory)
    try:
        atomic_write(target, config_file.read_bytes())
        return Workspace.open(directory, actor=_actor())
    except BaseException:
        target.unlink(missing_ok=True)
        remove_folders(created)
        raise


@click.command(short_help="Create a workspace holding an example programme.")
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
