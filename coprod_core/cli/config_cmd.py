"""``coprod config``: show, change and check ``coprod.toml``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from .common import State, echo_json


def _config_path() -> Path:
    from coprod_core.config import CONFIG_NAME, resolve_workspace

    state = click.get_current_context().find_object(State) or State()
    return resolve_workspace(state.workspace) / CONFIG_NAME


def _checked(path: Path) -> Any:
    """The config at ``path``, checked against the installed plugins."""
    from coprod_core.config import Config

    return _check_plugins(Config.from_toml(path))


def _check_plugins(config: Any) -> Any:
    from coprod_core.plugins import get_plugin_manager

    pm = get_plugin_manager()
    pm.registry.storage_backend(config)
    if config.table("forms"):
        # Forms may use field types that plugins add: check them against those too.
        from coprod_core.forms.catalogue import load

        load(config, pm)
    return config


@click.group(short_help="Show, change and check coprod.toml.")
def config() -> None:
    """Show, change and check the workspace's coprod.toml."""


@config.command("show")
@click.option("--json", "as_json", is_flag=True, help="Print the settings as JSON.")
def show(as_json: bool) -> None:
    """Print coprod.toml as it is on disk (or as JSON)."""
    path = _config_path()
    config = _checked(path)
    if as_json:
        echo_json({"path": str(path), **config.data})
    else:
        click.echo(f"# {path}")
        click.echo(path.read_text(encoding="utf-8"), nl=False)


@config.command("set")
@click.argument("key")
@click.argument("value")
def set_(key: str, value: str) -> None:
    """Set KEY (dotted, e.g. workspace.org) to VALUE and save coprod.toml.

    VALUE is read as TOML when it can be (30, true, ["a", "b"]) and as text
    otherwise. The file is checked before it is written; comments in it are
    not kept. Where records are kept ([storage]) can only be changed this way
    while the workspace holds none: move records with `coprod migrate`.
    """
    from coprod_core.config import dump, parse_value, set_key
    from coprod_core.files import atomic_write

    path = _config_path()
    current = _checked(path)
    updated = _check_plugins(set_key(current, key, parse_value(value)))
    if _where_records_are(updated) != _where_records_are(current):
        _refuse_moving_records(current, key)
    atomic_write(path, dump(updated))
    click.echo(f"{key} = {parse_value(value)!r} saved in {path}")


#: The [storage] keys that say which store the records are in (not how it is used).
_LOCATION_KEYS = ("path", "url", "url_env", "schema")


def _where_records_are(config: Any) -> tuple[Any, ...]:
    return (config.backend, *(config.storage_options.get(k) for k in _LOCATION_KEYS))


def _refuse_moving_records(current: Any, key: str) -> None:
    """Refuse to point a workspace that holds records at another store."""
    from coprod_core.errors import CoprodError
    from coprod_core.workspace import Workspace

    with Workspace.from_config(current) as ws:
        held = [c for c in ws.storage.collections() if ws.storage.count(c)]
    if held:
        raise CoprodError(
            f"changing {key} would leave this workspace's records behind in the current "
            f"{current.backend} store; copy them with `coprod migrate --to BACKEND`, which "
            "checks the copy and then switches coprod.toml"
        )


@config.command("check")
def check() -> None:
    """Check coprod.toml: every key known, every value of the right type."""
    path = _config_path()
    config = _checked(path)
    roles = len(config.custom_roles)
    click.echo(
        f"ok: {path} is valid (backend {config.backend}, "
        f"{roles} custom role{'s' if roles != 1 else ''})"
    )
