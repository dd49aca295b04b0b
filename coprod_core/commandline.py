"""What a plugin's commands use: the open workspace, ``--json``, dates and tables.

A plugin adds commands through ``coprod_register_commands``; these helpers
make them behave like coprod's own::

    import click

    from coprod_core.commandline import echo_table, json_option, pass_workspace


    @click.command()
    @json_option
    @pass_workspace
    def visits(ws, as_json):
        \"\"\"List the visits.\"\"\"
        ...

The implementation lives with coprod's own commands (``coprod_core.cli``,
not part of the plugin API); this module is the stable name for it. It
imports only click, so a plugin's command module stays cheap for
``coprod --help``.
"""

from __future__ import annotations

from .cli.common import (
    DATE,
    DateType,
    echo_created,
    echo_fields,
    echo_history,
    echo_json,
    echo_records,
    echo_table,
    json_option,
    pass_workspace,
    to_json,
)

__all__ = [
    "DATE", "DateType", "echo_created", "echo_fields", "echo_history", "echo_json",
    "echo_records", "echo_table", "json_option", "pass_workspace", "to_json",
]
