"""``coprod plugins``: what is installed, and what failed to load."""

from __future__ import annotations

import click

from .common import echo_json


@click.command(short_help="List plugins and the hooks they use.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def plugins(as_json: bool) -> None:
    """List every plugin (built-in and installed), its version and its hooks.

    A plugin that failed to load is listed with why; disable it with
    COPROD_DISABLE_PLUGINS=NAME.
    """
    from coprod_core.plugins import get_plugin_manager, plugin_infos

    infos = plugin_infos(get_plugin_manager())
    if as_json:
        echo_json([
            {"name": i.name, "version": i.version, "builtin": i.builtin,
             "hooks": list(i.hooks), "error": i.error}
            for i in infos
        ])
        return
    for info in infos:
        kind = "built-in" if info.builtin else "installed"
        click.echo(f"{info.name} {info.version or ''} ({kind})".replace("  ", " "))
        if info.error:
            click.echo(f"  failed to load: {info.error}")
            click.echo(f"  disable it with COPROD_DISABLE_PLUGINS={info.name}")
        for hook in info.hooks:
            click.echo(f"  {hook}")
