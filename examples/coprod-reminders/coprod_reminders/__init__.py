"""coprod-reminders: a digest of commitments coming due or overdue.

After every change to a commitment, the digest is written again to a file
in the workspace folder (``reminders.txt`` unless ``[plugins.reminders]``
says otherwise); ``coprod reminders digest`` prints it on demand.

This module is what coprod imports when it loads the plugin, so it stays
light: click commands and the digest code are imported inside the hooks.
"""

from __future__ import annotations

from typing import Any

from coprod_core import hookimpl

__version__ = "0.1.0"


@hookimpl
def coprod_register_settings(register: Any) -> None:
    from .digest import SETTINGS

    register("reminders", SETTINGS)


@hookimpl
def coprod_register_commands(register: Any) -> None:
    from .cli import reminders

    register("reminders", reminders)


@hookimpl
def coprod_on_event(workspace: Any, event: Any) -> None:
    # One event per change, and one for a whole import (which may bring many).
    if not event.name.startswith("commitment.") and event.name != "import.done":
        return
    from .digest import options, write_digest

    opts = options(workspace)
    if opts.file and workspace.root is not None:
        write_digest(workspace, workspace.root / opts.file, opts.days_ahead)
