"""pytest fixtures for coprod and its plugins.

Enable them in a ``conftest.py``::

    pytest_plugins = ["coprod_core.testing.fixtures"]
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from . import FakeClock, registered, use_plugin_manager

__all__ = [
    "clock", "memory_workspace", "plugin_manager", "register_plugin", "run", "workspace",
    "workspace_dir",
]


def pytest_configure(config: pytest.Config) -> None:
    """Only built-in plugins load in this test process (unless ``COPROD_LOAD_PLUGINS``
    names others): installed third-party plugins must not change what tests see.

    Set for the whole process before collection, as llm and sqlite-utils do, so
    a plugin manager built while a test module is imported obeys it too.
    """
    import sys

    from coprod_core.plugins import UNDER_TESTS

    setattr(sys, UNDER_TESTS, True)


@pytest.fixture
def clock() -> FakeClock:
    """A clock standing at 2026-01-05 10:00 UTC; move it with ``advance``."""
    return FakeClock()


@pytest.fixture
def plugin_manager() -> Iterator[Any]:
    """A fresh plugin manager with the built-in plugins, used by the CLI too."""
    with use_plugin_manager() as pm:
        yield pm


@pytest.fixture
def register_plugin(plugin_manager: Any) -> Iterator[Callable[..., Any]]:
    """``register_plugin(obj, name=None)``: registered until the test ends."""
    stack: list[Any] = []

    def register(plugin: object, name: str | None = None) -> Any:
        cm = registered(plugin_manager, plugin, name)
        stack.append(cm)
        return cm.__enter__()

    yield register
    while stack:
        stack.pop().__exit__(None, None, None)


@pytest.fixture
def memory_workspace(plugin_manager: Any, clock: FakeClock) -> Iterator[Any]:
    """An empty in-memory workspace with the fake clock, acting as ``tester``."""
    from coprod_core.workspace import Workspace

    ws = Workspace.in_memory(plugins=plugin_manager, clock=clock, actor="tester")
    yield ws
    ws.close()


@pytest.fixture
def workspace_dir(tmp_path: Path, plugin_manager: Any) -> Path:
    """A folder holding a new, empty SQLite workspace (closed)."""
    from coprod_core.workspace import Workspace

    folder = tmp_path / "ws"
    Workspace.create(folder, org="Test Partnership", plugins=plugin_manager,
                     actor="tester").close()
    return folder


@pytest.fixture
def workspace(workspace_dir: Path, plugin_manager: Any, clock: FakeClock) -> Iterator[Any]:
    """The SQLite workspace in ``workspace_dir``, open, with the fake clock."""
    from coprod_core.workspace import Workspace

    ws = Workspace.open(workspace_dir, plugins=plugin_manager, clock=clock, actor="tester")
    yield ws
    ws.close()


@pytest.fixture
def run(workspace_dir: Path, plugin_manager: Any, monkeypatch: pytest.MonkeyPatch
        ) -> Callable[..., Any]:
    """Run ``coprod`` in-process against ``workspace_dir``.

    ``run("participant", "list")`` returns click's Result with ``stdout`` and
    ``stderr`` kept apart. Pass ``input=`` for prompts, and ``clock=clock``
    to run the command at the fake clock's time (otherwise the real time).
    """
    from click.testing import CliRunner

    from coprod_core.cli import cli
    from coprod_core.cli.common import State

    monkeypatch.setenv("COPROD_WORKSPACE", str(workspace_dir))
    monkeypatch.setenv("COPROD_USER", "tester")
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None, env: dict[str, str] | None = None,
               clock: Callable[[], Any] | None = None) -> Any:
        return runner.invoke(cli, list(args), input=input, env=env, catch_exceptions=False,
                             obj=State(clock=clock))

    return invoke
