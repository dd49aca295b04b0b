"""The ``coprod`` command line.

The root group knows its commands by name and imports a command's module
only when that command runs, so ``coprod --help`` stays fast. Plugins add
commands through ``coprod_register_commands``.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Mapping
from typing import Any

import click

from coprod_core import __version__
from coprod_core.errors import CoprodError

#: Command name -> ("module", "attribute", short help shown by ``coprod --help``).
#: Each command declares the same ``short_help`` (a test compares them): kept here
#: too, so that ``coprod --help`` imports no command module.
BUILTIN_COMMANDS: dict[str, tuple[str, str, str]] = {
    "init": ("coprod_core.cli.setup", "init", "Create a workspace in a folder."),
    "demo": ("coprod_core.cli.setup", "demo", "Create a workspace holding an example programme."),
    "participant": ("coprod_core.cli.participant", "participant",
                    "Add, list, show and update participants; consent, export, erase."),
    "session": ("coprod_core.cli.session", "session",
                "Record sessions, who attended and where they sat on the ladder."),
    "tension": ("coprod_core.cli.tension", "tension",
                "Raise tensions and record how they move."),
    "commitment": ("coprod_core.cli.commitment", "commitment",
                   "Record what people with power promised, and whether they delivered."),
    "config": ("coprod_core.cli.config_cmd", "config", "Show, change and check coprod.toml."),
    "plugins": ("coprod_core.cli.plugins_cmd", "plugins", "List plugins and the hooks they use."),
    "export": ("coprod_core.cli.data", "export", "Write the whole workspace to one JSON file."),
    "import": ("coprod_core.cli.data", "import_", "Read an export into an empty workspace."),
    "import-from": ("coprod_core.cli.import_from", "import_from",
                    "Bring history in from Decidim, Loomio or a spreadsheet."),
    "backup": ("coprod_core.cli.data", "backup",
               "Take a consistent copy while others may be writing."),
    "migrate": ("coprod_core.cli.data", "migrate",
                "Copy the workspace to another backend, verified, then switch."),
    "doctor": ("coprod_core.cli.data", "doctor",
               "Check the workspace and say what to do about problems."),
    "privacy": ("coprod_core.cli.privacy", "privacy",
                "Retention reviews and the record of rights requests."),
    "audit": ("coprod_core.cli.privacy", "audit",
              "Show who changed what and when (never the details themselves)."),
    "intake": ("coprod_core.cli.intake", "intake",
               "Intake forms: list, show, fill in at the terminal, import a spreadsheet."),
    "account": ("coprod_core.cli.account", "account",
                "Accounts for the web front: add, list, show, disable, reset, remove."),
    "report": ("coprod_core.cli.report", "report",
               "Write reports: summary, you said we did, tensions, participation, ladder."),
}


class CoprodGroup(click.Group):
    """A group that loads commands lazily and turns errors into one line."""

    def __init__(self, *args: Any, lazy: dict[str, tuple[str, str, str]] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})
        self._plugin_error: str | None = None

    # -- commands

    def plugin_commands(self) -> dict[str, click.Command]:
        """Commands that plugins register, from the process's plugin manager.

        Not cached on the group: the registry is cached per plugin manager,
        and a test (or a long-lived process) may swap the manager. A command
        that clashes is left out and named in ``_plugin_error``; the others
        stay available.
        """
        commands: dict[str, click.Command] = {}
        problems: list[str] = []
        registered: Mapping[str, Any]
        try:
            from coprod_core.plugins import get_plugin_manager

            registered = get_plugin_manager().registry.table("commands")
        except CoprodError as exc:
            registered, problems = {}, [str(exc)]
        for name, item in registered.items():
            if name in self.lazy or name in self.commands:
                problems.append(
                    f"plugin {item.plugin!r} registers command {name!r}, which coprod "
                    f"already has; disable it with COPROD_DISABLE_PLUGINS={item.plugin}"
                )
            else:
                commands[name] = item.thing
        self._plugin_error = "; ".join(problems) or None
        return commands

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.lazy, *self.plugin_commands()})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        if cmd_name in self.lazy:
            module, attr, _help = self.lazy[cmd_name]
            command: click.Command = getattr(importlib.import_module(module), attr)
            return command
        return self.plugin_commands().get(cmd_name)

    def resolve_command(self, ctx: click.Context, args: list[str]
                        ) -> tuple[str | None, click.Command | None, list[str]]:
        # click suggests a close name only among eagerly added commands; ours
        # load lazily or come from plugins, so suggest among all of them.
        name = args[0] if args else ""
        if (name and not name.startswith("-") and not ctx.resilient_parsing
                and self.get_command(ctx, name) is None):
            from difflib import get_close_matches

            close = get_close_matches(name, self.list_commands(ctx), n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise click.UsageError(f"No such command {name!r}.{hint}", ctx)
        return super().resolve_command(ctx, args)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, self.lazy[name][2]) for name in sorted(self.lazy)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)
        added = [(name, command.get_short_help_str(80))
                 for name, command in sorted(self.plugin_commands().items())]
        if added:
            with formatter.section("Commands from plugins"):
                formatter.write_dl(added)
        if self._plugin_error:
            formatter.write_paragraph()
            formatter.write_text(f"warning: {self._plugin_error}")

    # -- errors

    def main(self, args: Any = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             **extra: Any) -> Any:
        """Run coprod: in standalone mode every error is one line and an exit code.

        With ``standalone_mode=False`` (coprod embedded in another program)
        nothing exits the process: errors are raised, as click does, and the
        command's return value is returned.
        """
        args = list(sys.argv[1:] if args is None else args)
        prog_name = prog_name or "coprod"
        if not standalone_mode:
            _check_argument_text(self, args, prog_name)
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            _check_argument_text(self, args, prog_name)
            result = super().main(args, prog_name, complete_var,
                                  standalone_mode=False, **extra)
        except click.UsageError as exc:
            path = exc.ctx.command_path if exc.ctx else "coprod"
            _fail(f"{exc.format_message()} (see `{path} --help`)", exc.exit_code)
        except click.ClickException as exc:
            _fail(exc.format_message(), exc.exit_code)
        except click.Abort:
            _fail("stopped; nothing was saved", 1)
        except CoprodError as exc:
            if os.environ.get("COPROD_DEBUG"):
                _print_traceback()
            _fail(str(exc), exc.exit_code)
        except KeyboardInterrupt:
            _fail("interrupted; nothing was saved", 130)
        except Exception as exc:
            if os.environ.get("COPROD_DEBUG"):
                _print_traceback()
            _fail(
                f"unexpected {type(exc).__name__}: {exc}. This is a bug in coprod or a plugin; "
                "run again with COPROD_DEBUG=1 to see the traceback",
                1,
            )
        sys.exit(result if isinstance(result, int) else 0)


class ArgumentNotText(click.ClickException):
    """An argument or option value holds bytes that are not UTF-8 text."""

    exit_code = 1


def _not_text(value: object) -> bool:
    """Whether ``value`` holds what no argument of a real process can: a lone
    surrogate (bytes that were not UTF-8) or a NUL (which ends a C string)."""
    if isinstance(value, str):
        return "\x00" in value or any("\ud800" <= c <= "\udfff" for c in value)
    if isinstance(value, tuple | list):
        return any(_not_text(v) for v in value)
    return _not_text(str(value)) if isinstance(value, os.PathLike) else False


def _check_argument_text(group: click.Group, args: list[str], prog_name: str) -> None:
    """The one decoding rule: every argument, option and environment value is UTF-8 text.

    Python hands bytes that are not UTF-8 (``$'Eve\\xff'``) to a program as
    lone surrogates, which no file, database or terminal can hold. Checked
    once here for every command, plugin commands included, before any runs.
    NUL is refused with them: no real argument can hold one, and no file name
    or C library call takes one. Only when such a value is present does a
    dry parse find which parameter holds it, so the error names the option.
    """
    environ = [v for k, v in os.environ.items() if k.startswith("COPROD_")]
    if not _not_text(args) and not _not_text(environ):
        return
    where = _parameter_not_text(group, args, prog_name)
    if where is None:
        where = next((f"argument {i + 1}" for i, a in enumerate(args) if _not_text(a)),
                     None)
    if where is None:
        return  # only in an environment variable that no option reads
    raise ArgumentNotText(
        f"{where} is not text: it holds bytes that are not UTF-8, or a NUL character; "
        "type it again as plain text (allowed: UTF-8 text)"
    )


def _parameter_not_text(group: click.Group, args: list[str],
                                 prog_name: str) -> str | None:
    """Which option or argument (``--name``, ``NAME``) holds what is not text, if parsing
    can tell."""
    command: click.Command = group
    ctx: click.Context | None = None
    name = prog_name
    while True:
        try:
            ctx = command.make_context(name, list(args), parent=ctx, resilient_parsing=True)
        except Exception:  # the real run reports what is wrong with these arguments
            return None
        for param in command.get_params(ctx):
            if param.name and _not_text(ctx.params.get(param.name)):
                label = param.opts[0] if isinstance(param, click.Option) else (
                    param.human_readable_name)
                return f"{label} of `{ctx.command_path}`"
        if not isinstance(command, click.Group):
            return None
        # click keeps the subcommand's name apart from the rest of the arguments.
        rest = [*getattr(ctx, "_protected_args", ()), *ctx.args]
        if not rest:
            return None
        found = command.get_command(ctx, rest[0])
        if found is None:
            return None
        command, name, args = found, rest[0], rest[1:]


def _print_traceback() -> None:
    import traceback

    traceback.print_exc()


def _fail(message: str, code: int) -> None:
    from coprod_core.text import visible

    text = " ".join(str(message).split())
    if len(text) > 2000:  # a huge value typed by mistake is not echoed back whole
        text = f"{text[:1000]} […] {text[-200:]}"
    click.echo(f"error: {visible(text)}", err=True)
    sys.exit(code)


@click.group(
    "coprod",
    cls=CoprodGroup,
    lazy=BUILTIN_COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.option(
    "-w", "--workspace", metavar="DIR", envvar="COPROD_WORKSPACE", show_envvar=True,
    help="The workspace folder. Default: the nearest folder holding coprod.toml, "
         "from here upwards.",
)
@click.option(
    "--as", "actor", metavar="NAME", envvar="COPROD_USER", show_envvar=True,
    help="Who is making the change, for the audit log. "
         "Default: [workspace] actor in coprod.toml, then the system user.",
)
@click.version_option(__version__, "--version", prog_name="coprod")
@click.pass_context
def cli(ctx: click.Context, workspace: str | None, actor: str | None) -> None:
    """coprod keeps the record honest co-production needs: who took part,
    what happened, the tensions raised, and what was promised and delivered.

    Start with `coprod init` (an empty workspace) or `coprod demo` (an example).
    """
    from .common import State

    # A caller may pass its own State (tests give one holding a fake clock).
    state = ctx.ensure_object(State)
    state.workspace, state.actor = workspace, actor


def main() -> None:
    cli.main(prog_name="coprod")
