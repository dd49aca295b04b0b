"""coprod: the record honest co-production needs.

Importing this package is cheap on purpose: the command line imports the
pieces it needs inside each command, so ``coprod --help`` stays fast.

A plugin marks its hook implementations with :data:`hookimpl`::

    from coprod_core import hookimpl

    @hookimpl
    def coprod_on_event(workspace, event): ...
"""

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["__version__", "hookimpl", "hookspec"]

if TYPE_CHECKING:
    from .hookspecs import hookimpl, hookspec


def __getattr__(name: str) -> Any:
    # The markers need pluggy: imported when a plugin asks for them, not by ``coprod --help``.
    if name in ("hookimpl", "hookspec"):
        from . import hookspecs

        return getattr(hookspecs, name)
    raise AttributeError(f"module 'coprod_core' has no attribute {name!r}")
