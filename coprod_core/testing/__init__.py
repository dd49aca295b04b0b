"""The kit for testing coprod and coprod plugins.

- :mod:`coprod_core.testing.fixtures`: pytest fixtures (a temporary
  workspace, a controllable clock, a CLI runner, plugin registration that
  undoes itself). Use them with ``pytest_plugins = ["coprod_core.testing.fixtures"]``.
- :mod:`coprod_core.testing.strategies`: Hypothesis strategies for the model.
- :mod:`coprod_core.testing.conformance`: the storage conformance suite.

The helpers below work without pytest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from attrs import define

__all__ = ["FakeClock", "registered", "snapshot", "use_plugin_manager"]


@define
class FakeClock:
    """A clock that stands still until told to move."""

    now: dt.datetime = dt.datetime(2026, 1, 5, 10, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> dt.datetime:
        self.now = self.now + dt.timedelta(**delta)
        return self.now

    def set(self, when: dt.datetime | dt.date) -> None:
        if not isinstance(when, dt.datetime):
            when = dt.datetime.combine(when, dt.time(10), tzinfo=dt.UTC)
        self.now = when


@contextmanager
def registered(pm: Any, plugin: object, name: str | None = None) -> Iterator[Any]:
    """Register ``plugin`` on ``pm`` for the length of a ``with`` block.

    Registering checks the plugin as loading does: a hook coprod lacks (a
    misspelt name) is refused with the nearest hook's name.
    """
    plugin_name = pm.register(plugin, name=name)
    try:
        yield plugin
    finally:
        pm.unregister(name=plugin_name)


@contextmanager
def use_plugin_manager(pm: Any | None = None) -> Iterator[Any]:
    """Make ``pm`` (default: a fresh one with the built-ins) the process's manager.

    The command line and :meth:`Workspace.open` use the process's manager;
    this swaps it for the block and restores the previous one after.
    """
    from coprod_core import plugins

    with plugins.using(pm if pm is not None else plugins.get_plugin_manager(fresh=True)) as chosen:
        yield chosen


def snapshot(workspace: Any) -> dict[str, list[dict[str, Any]]]:
    """Everything a workspace's storage holds: each collection's documents and the audit log.

    Compare two snapshots to show that a refused operation wrote nothing.
    """
    storage = workspace.storage
    from coprod_core.storage import CORE_COLLECTIONS

    names = sorted({*CORE_COLLECTIONS, *storage.collections()})
    held = {name: list(storage.iterate(name)) for name in names}
    held["audit"] = list(storage.iterate_audit())
    return held
