"""The in-memory backend: fast, for tests and throwaway Python sessions.

Nothing survives the process. Documents are kept as JSON text so that a
caller can never change a stored document by changing a dict it was given.
Importing this module is cheap; :mod:`coprod_memory.backend` is imported
when a workspace is opened (or ``MemoryStorage`` is asked for).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coprod_core import hookimpl

if TYPE_CHECKING:
    from .backend import MemoryStorage

__all__ = ["MemoryStorage", "coprod_register_storage"]

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name == "MemoryStorage":
        from .backend import MemoryStorage

        return MemoryStorage
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _open(_root: Path | None, _options: Mapping[str, Any]) -> MemoryStorage:
    from .backend import MemoryStorage

    return MemoryStorage()


@hookimpl
def coprod_register_storage(register: Any) -> None:
    from coprod_core.storage import StorageBackend

    register(
        "memory",
        StorageBackend(
            name="memory",
            open=_open,
            description="Kept in memory only; for tests. Nothing survives the process.",
        ),
    )
