"""The shape of the code: module sizes, and every module in a declared layer."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LIMIT = 400


def _modules() -> list[Path]:
    return sorted(p for top in ("coprod_core", "plugins") for p in (ROOT / top).rglob("*.py"))


def _layers() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contract = next(c for c in config["tool"]["importlinter"]["contracts"]
                    if c["type"] == "layers")
    return [name.strip() for layer in contract["layers"] for name in re.split(r"[:|]", layer)]


def test_no_module_is_over_the_limit_unless_its_docstring_says_why():
    too_long = []
    for path in _modules():
        lines = path.read_text(encoding="utf-8").count("\n")
        if lines <= LIMIT:
            continue
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        if not re.search(r"^One piece: \S", doc, re.MULTILINE):
            too_long.append(f"{path.relative_to(ROOT)} ({lines} lines)")
    assert not too_long, (
        f"modules over {LIMIT} lines: split them, or say in the docstring why each is "
        f"one piece (a paragraph starting 'One piece: '): {', '.join(too_long)}")


def test_every_module_belongs_to_a_layer():
    declared = set(_layers())
    core = ROOT / "coprod_core"
    modules = {f"coprod_core.{p.stem}" for p in core.glob("*.py") if p.stem != "__init__"}
    packages = {f"coprod_core.{p.name}" for p in core.iterdir() if (p / "__init__.py").exists()}
    plugins = {p.name for p in (ROOT / "plugins").iterdir() if (p / "__init__.py").exists()}
    missing = sorted((modules | packages | plugins) - declared)
    assert not missing, (
        "add each to a layer in [tool.importlinter] of pyproject.toml (see docs/architecture.md): "
        + ", ".join(missing))
    assert not declared - (modules | packages | plugins), "a layer names a module that is gone"


@pytest.mark.skipif(shutil.which("lint-imports") is None,
                    reason="import-linter is not installed (pip install -e '.[test]')")
def test_the_import_contracts_hold():
    done = subprocess.run(["lint-imports", "--no-cache"], cwd=ROOT, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr


@pytest.mark.skipif(shutil.which("lint-imports") is None,
                    reason="import-linter is not installed (pip install -e '.[test]')")
def test_an_import_against_the_layers_breaks_the_contract(tmp_path):
    # The contract can fail: the model importing the workspace is refused.
    for part in ("coprod_core", "plugins"):
        shutil.copytree(ROOT / part, tmp_path / part,
                        ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    model = tmp_path / "coprod_core" / "lifecycle.py"
    model.write_text(model.read_text(encoding="utf-8") + "\nfrom . import workspace\n",
                     encoding="utf-8")
    done = subprocess.run(["lint-imports", "--no-cache"], cwd=tmp_path, capture_output=True,
                          text=True, env={**os.environ,
                                          "PYTHONPATH": f"{tmp_path}:{tmp_path / 'plugins'}"})
    assert done.returncode == 1
    assert "coprod_core.lifecycle is not allowed to import coprod_core.workspace" in done.stdout
