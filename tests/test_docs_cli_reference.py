"""docs/cli.md is generated from the commands and must not drift from them."""

from pathlib import Path

from coprod_core import hookimpl
from coprod_core.cli import BUILTIN_COMMANDS
from coprod_core.cli.reference import render

CLI_MD = Path(__file__).resolve().parents[1] / "docs" / "cli.md"


def test_cli_reference_matches_the_commands():
    expected = render()
    assert CLI_MD.read_text(encoding="utf-8") == expected, (
        "docs/cli.md is out of date; regenerate it with "
        "`python -m coprod_core.cli.reference > docs/cli.md`"
    )


def test_every_builtin_command_has_a_section():
    text = render()
    for name in BUILTIN_COMMANDS:
        assert f"`coprod {name}`" in text


def test_installed_plugins_commands_are_left_out(register_plugin):
    import click

    class Extra:
        @hookimpl
        def coprod_register_commands(self, register):
            register("extra", click.Command("extra", help="An installed plugin's command."))

    register_plugin(Extra())
    assert "extra" not in render()
