"""The PostgreSQL backend, for organisations that outgrow one machine.

psycopg 3 is an extra (``pip install "coprod[postgres]"``); it is imported
only when a workspace using this backend is opened.
"""

from __future__ import annotations

from typing import Any

from coprod_core import hookimpl

__version__ = "0.1.0"


@hookimpl
def coprod_register_storage(register: Any) -> None:
    from coprod_core.storage import Setting, StorageBackend

    def _open(root: Any, options: Any) -> Any:
        from .backend import open_postgres

        return open_postgres(root, options)

    register(
        "postgres",
        StorageBackend(
            name="postgres",
            open=_open,
            settings=(
                Setting(key="url", type=str,
                        help="A connection URL, postgresql://user@host:5432/dbname. "
                             "Better kept out of the file: see url_env."),
                Setting(key="url_env", type=str, default="COPROD_POSTGRES_URL",
                        help="The environment variable holding the URL when url is not set."),
                Setting(key="schema", type=str, default="public",
                        help="The PostgreSQL schema holding coprod's tables."),
                Setting(key="timeout", type=(int, float), default=30, minimum=0, maximum=3600,
                        help="Seconds a writer waits for another writer before giving up."),
            ),
            description="A PostgreSQL server; for several sites and many people writing at once.",
        ),
    )
