"""Every hook is documented with its exact signature, and every hook has a test.

Generic over ``coprod_core/hookspecs.py``: a hook added later is caught too.
"""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest

from coprod_core import hookspecs

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "plugins.md"
TESTS = Path(__file__).resolve().parent


def _hookspecs() -> dict[str, object]:
    return {name: fn for name, fn in vars(hookspecs).items()
            if callable(fn) and hasattr(fn, "coprod_spec")}


HOOKS = sorted(_hookspecs())


def signature(fn) -> str:
    """``name(arg: Type, ...) -> Return`` as written in hookspecs.py."""
    sig = inspect.signature(fn)

    def text(annotation):
        return annotation if isinstance(annotation, str) else inspect.formatannotation(annotation)

    params = ", ".join(f"{p.name}: {text(p.annotation)}" for p in sig.parameters.values())
    return f"{fn.__name__}({params}) -> {text(sig.return_annotation)}"


def documented() -> dict[str, tuple[str, str]]:
    """Hook name -> (signature in its heading, the section's text)."""
    text = DOCS.read_text(encoding="utf-8")
    found = {}
    headings = list(re.finditer(r"^#{2,4} `(coprod_\w+)\((.*)\)(.*)`\s*$", text, re.MULTILINE))
    for i, match in enumerate(headings):
        end = headings[i + 1].start() if i + 1 < len(headings) else len(text)
        body = text[match.end():end]
        body = body.split("\n## ", 1)[0]
        found[match.group(1)] = (
            f"{match.group(1)}({match.group(2)}){match.group(3)}".strip(), body)
    return found


def test_there_are_hooks():
    assert len(HOOKS) >= 9


@pytest.mark.parametrize("name", HOOKS)
def test_every_hook_has_a_docstring(name):
    doc = inspect.getdoc(_hookspecs()[name])
    assert doc, f"{name} has no docstring in hookspecs.py"
    assert ":return:" in doc, f"{name}'s docstring does not say what it returns"


@pytest.mark.parametrize("name", HOOKS)
def test_every_hook_is_documented_with_its_exact_signature(name):
    sections = documented()
    assert name in sections, f"{name} has no section in docs/plugins.md"
    heading, _body = sections[name]
    expected = signature(_hookspecs()[name])
    assert " ".join(heading.split()) == expected, (
        f"docs/plugins.md heads {name} with `{heading}`; the hookspec is `{expected}`")


@pytest.mark.parametrize("name", HOOKS)
def test_every_documented_hook_has_an_example_implementation(name):
    _heading, body = documented()[name]
    blocks = re.findall(r"```python\n(.*?)```", body, re.DOTALL)
    assert blocks, f"the section on {name} in docs/plugins.md has no example"
    defined = set()
    for block in blocks:
        tree = ast.parse(block)
        defined |= {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    assert name in defined, f"the example for {name} does not implement it"
    # Every argument the example takes is one the hook passes.
    spec_args = set(inspect.signature(_hookspecs()[name]).parameters)
    for block in blocks:
        for node in ast.walk(ast.parse(block)):
            if isinstance(node, ast.FunctionDef) and node.name == name:
                assert {a.arg for a in node.args.args} <= spec_args


def test_no_section_documents_a_hook_that_does_not_exist():
    stale = set(documented()) - set(HOOKS)
    assert not stale, f"docs/plugins.md documents hooks that do not exist: {sorted(stale)}"


def _implemented_in_tests() -> dict[str, list[str]]:
    """Hook name -> test files holding an implementation of it."""
    found: dict[str, list[str]] = {}
    for path in sorted(TESTS.rglob("*.py")):
        if path.name == Path(__file__).name:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name in HOOKS:
                found.setdefault(node.name, []).append(path.name)
            # Plugins built as source text for a real installed distribution.
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                for hook in HOOKS:
                    if f"def {hook}(" in node.value:
                        found.setdefault(hook, []).append(path.name)
    return found


@pytest.mark.parametrize("name", HOOKS)
def test_every_hook_has_a_test(name):
    assert name in _implemented_in_tests(), (
        f"no test under tests/ registers an implementation of {name}")
