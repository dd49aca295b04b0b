"""The JSON folder backend: one readable file per record, kept in a folder.

An organisation can keep the folder in version control and read a diff of
every change. Importing this module is cheap; :mod:`coprod_json.backend` is
imported only when a workspace is opened.
"""

from __future__ import annotations

from typing import Any

from coprod_core import hookimpl

__version__ = "0.1.0"


@hookimpl
def coprod_register_storage(register: Any) -> None:
    from coprod_core.storage import Setting, StorageBackend

    def _open(root: Any, options: Any) -> Any:
        from .backend import open_json

        return open_json(root, options)

    register(
        "json",
        StorageBackend(
            name="json",
            open=_open,
            settings=(
                Setting(key="path", type=str, path=True, default="coprod-data",
                        help="The folder of records, relative to the workspace folder."),
                Setting(key="timeout", type=(int, float), default=30, minimum=0, maximum=3600,
                        help="Seconds a writer waits for another writer before giving up."),
            ),
            description="A folder of JSON files, one per record; diff-friendly, fits in git.",
        ),
    )
