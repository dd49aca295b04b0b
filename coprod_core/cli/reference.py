"""The command-line reference, generated from the click commands.

``python -m coprod_core.cli.reference > docs/cli.md`` writes it; a test fails
when docs/cli.md differs from what this produces, so the page cannot drift
from the commands. Only coprod's own commands are documented (commands that
installed plugins add are left out), at a fixed width, so the page is the
same on every machine.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import click

WIDTH = 100

HEADER = """\
# Command-line reference

Every `coprod` command, with the help it prints. This page is generated from
the commands themselves (`python -m coprod_core.cli.reference > docs/cli.md`),
so it always matches the installed version; run `coprod COMMAND --help` for
the same text in a terminal.

Every command accepts `-h` or `--help`. Commands that show or list records
accept `--json`. Record ids can be typed loosely: `p12`, `P12` and `P-12`
all mean participant `P-12`.

Plugins may add commands of their own; `coprod --help` lists them and
`coprod plugins` says which plugin each comes from.

What coprod refuses, for every command alike (text that is not UTF-8,
control characters in names, dates outside 1900-01-01 to 2999-12-31...),
is on [What coprod accepts](input.md). Values from a list can be typed as
people write them: `co-production` and `Co production` mean `co_production`.
"""


def _walk(command: click.Command, ctx: click.Context) -> Iterator[tuple[click.Context, str]]:
    yield ctx, command.get_help(ctx)
    if isinstance(command, click.Group):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is None or sub.hidden:
                continue
            yield from _walk(sub, _context(sub, name, ctx))


def _context(command: click.Command, name: str, parent: click.Context | None) -> click.Context:
    settings = {**command.context_settings, "terminal_width": WIDTH, "max_content_width": WIDTH}
    return click.Context(command, info_name=name, parent=parent, **settings)


def render(pm: Any = None) -> str:
    """The Markdown of docs/cli.md, with only the built-in plugins loaded."""
    from coprod_core.cli import cli
    from coprod_core.plugins import using

    with using(pm if pm is not None else builtin_plugin_manager()):
        root = _context(cli, "coprod", None)
        parts = [HEADER]
        for ctx, text in _walk(cli, root):
            level = "#" * min(ctx.command_path.count(" ") + 2, 4)
            parts.append(f"{level} `{ctx.command_path}`\n\n```text\n{text.rstrip()}\n```\n")
    return "\n".join(parts)


def builtin_plugin_manager() -> Any:
    """A plugin manager holding only the plugins that ship with coprod."""
    from coprod_core.plugins import load_entry_points, new_plugin_manager

    pm = new_plugin_manager()
    previous = os.environ.get("COPROD_LOAD_PLUGINS")
    os.environ["COPROD_LOAD_PLUGINS"] = ""
    try:
        load_entry_points(pm)
    finally:
        if previous is None:
            del os.environ["COPROD_LOAD_PLUGINS"]
        else:
            os.environ["COPROD_LOAD_PLUGINS"] = previous
    return pm


def main() -> None:
    click.echo(render(), nl=False)


if __name__ == "__main__":
    main()
