"""The SQLite backend: coprod's embedded default, one file in the workspace.

Importing this module is cheap; :mod:`coprod_sqlite.backend` (and sqlite3)
are imported only when a workspace is opened.
"""

from __future__ import annotations

from typing import Any

from coprod_core import hookimpl

__version__ = "0.1.0"


@hookimpl
def coprod_register_storage(register: Any) -> None:
    from coprod_core.storage import Setting, StorageBackend

    def _open(root: Any, options: Any) -> Any:
        from .backend import open_sqlite

        return open_sqlite(root, options)

    register(
        "sqlite",
        StorageBackend(
            name="sqlite",
            open=_open,
            settings=(
                Setting(key="path", type=str, path=True, default="coprod.db",
                        help="The database file, relative to the workspace folder."),
                Setting(key="timeout", type=(int, float), default=30, minimum=0, maximum=3600,
                        help="Seconds a writer waits for another writer before giving up."),
            ),
            description="One SQLite file in the workspace folder; no server to run.",
        ),
    )
