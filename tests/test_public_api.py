"""The public plugin API is declared, and the examples use nothing else."""

from __future__ import annotations

import ast
import importlib
import importlib.util
from pathlib import Path

import pytest

import coprod_core

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("coprod-*"))


@pytest.mark.parametrize("name", coprod_core.PUBLIC_MODULES)
def test_every_public_module_declares_what_it_offers(name):
    module = importlib.import_module(name)
    declared = getattr(module, "__all__", None)
    assert declared, f"{name} has no __all__"
    missing = [n for n in declared if not hasattr(module, n)
               and importlib.util.find_spec(f"{name}.{n}") is None]
    assert not missing, f"{name}.__all__ names what it does not have: {missing}"


def _imports(path: Path) -> list[tuple[int, str, str | None]]:
    """(line, module, name) for every coprod_core import in ``path``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.extend((node.lineno, node.module, a.name) for a in node.names)
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, a.name, None) for a in node.names)
    return [f for f in found if f[1].split(".")[0] == "coprod_core"]


def _public(module: str, name: str | None) -> bool:
    if module not in coprod_core.PUBLIC_MODULES:
        return False
    if name is None or f"{module}.{name}" in coprod_core.PUBLIC_MODULES:
        return True
    return name in importlib.import_module(module).__all__


def test_the_examples_import_only_the_public_api():
    files = [p for example in EXAMPLES for p in sorted(example.rglob("*.py"))]
    assert len(files) >= 10
    private = [f"{path.relative_to(ROOT)}:{line}: {module}" + (f".{name}" if name else "")
               for path in files for line, module, name in _imports(path)
               if not _public(module, name)]
    assert not private, "examples use names outside the public API:\n" + "\n".join(private)


def test_the_check_catches_a_private_import(tmp_path):
    plugin = tmp_path / "plugin.py"
    plugin.write_text("from coprod_core.cli.common import State\n"
                      "from coprod_core.plugins import _flag\n"
                      "from coprod_core import hookimpl\n")
    assert [(m, n, _public(m, n)) for _line, m, n in _imports(plugin)] == [
        ("coprod_core.cli.common", "State", False),
        ("coprod_core.plugins", "_flag", False),
        ("coprod_core", "hookimpl", True),
    ]
