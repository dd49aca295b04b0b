"""The state of a hook call in progress, below the plugin manager and its registry.

Which plugin's implementation is running (registrations are credited to
it), which hooks' failures the caller isolates instead of raising, and the
error that names a failing plugin. :mod:`coprod_core.plugins` calls the
hooks; :mod:`coprod_core.registry` reads this state while it builds a table.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from types import MappingProxyType

from .errors import PluginError

__all__ = ["CURRENT", "ISOLATED", "PluginFailed", "current_plugin", "flag", "isolating",
           "strict_mode"]


class PluginFailed(PluginError):
    """A plugin's hook implementation raised, or returned something the hook does not allow."""

    def __init__(self, plugin: str, hook: str, reason: str) -> None:
        self.plugin = plugin
        self.hook = hook
        #: One line: the exception's type and message, or what was wrong with the result.
        self.reason = reason
        super().__init__(f"plugin {plugin!r} failed in {hook} ({reason})")


#: The plugin whose implementation is running (registrations are credited to it).
CURRENT: ContextVar[str | None] = ContextVar("coprod_current_plugin", default=None)
#: Hook name -> what to do with a plugin's failure instead of raising it.
ISOLATED: ContextVar[Mapping[str, Callable[[PluginFailed], None]]] = ContextVar(
    "coprod_isolate", default=MappingProxyType({}))


def flag(variable: str) -> bool:
    return os.environ.get(variable, "") not in ("", "0", "false", "no")


def strict_mode() -> bool:
    return flag("COPROD_STRICT_PLUGINS")


def current_plugin() -> str | None:
    """The name of the plugin whose hook implementation is running, if any."""
    return CURRENT.get()


@contextmanager
def isolating(hook: str, handler: Callable[[PluginFailed], None]) -> Iterator[None]:
    """Within the block, a plugin failing in ``hook`` is passed to ``handler``.

    The failing implementation then counts as having returned None, and the
    other plugins' implementations are still called.
    """
    token = ISOLATED.set({**ISOLATED.get(), hook: handler})
    try:
        yield
    finally:
        ISOLATED.reset(token)
