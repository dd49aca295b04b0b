"""Every hook is documented with its exact signature, has a test, and has an example plugin.

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


# ---------------------------------------------------------------- the examples run


def _example_plugin(hook: str):
    """The documented example for ``hook``, as a plugin module."""
    import types

    import pluggy

    _heading, body = documented()[hook]
    source = re.findall(r"```python\n(.*?)```", body, re.DOTALL)[0]
    module = types.ModuleType(f"docs_example_{hook}")
    module.hookimpl = pluggy.HookimplMarker("coprod")  # type: ignore[attr-defined]
    # dont_inherit: run the example as its own module would, without this
    # file's `from __future__ import annotations`.
    exec(compile(source, f"docs/plugins.md ({hook})", "exec", dont_inherit=True),
         module.__dict__)
    return module


def test_the_validate_example_refuses_what_it_says(register_plugin, run):
    register_plugin(_example_plugin("coprod_validate"), name="gatekeeper")
    assert run("participant", "add", "Dev", "--role", "commissioner").exit_code == 0
    refused = run("commitment", "make", "Fund it", "--by", "P-1", "--authority", "can_decide")
    assert refused.exit_code == 1
    assert refused.stderr == (
        "error: gatekeeper: a commitment made with can_decide needs a due date\n")
    allowed = run("commitment", "make", "Fund it", "--by", "P-1", "--authority", "can_decide",
                  "--due", "2026-06-30")
    assert allowed.stdout == "C-1\n"


def test_the_event_example_writes_the_board(register_plugin, run, workspace_dir):
    register_plugin(_example_plugin("coprod_on_event"), name="board")
    for args in (("participant", "add", "Dev", "--role", "commissioner"),
                 ("commitment", "make", "Publish minutes", "--by", "P-1", "--authority",
                  "can_decide"),
                 ("commitment", "move", "C-1", "agreed"),
                 ("commitment", "move", "C-1", "delivered")):
        result = run(*args)
        assert result.exit_code == 0, result.stderr
        assert result.stderr == ""
    board = (workspace_dir / "you-said-we-did.txt").read_text(encoding="utf-8")
    assert board.endswith("  Publish minutes\n")
    assert board.count("\n") == 1


def test_the_commands_example_runs(register_plugin, run):
    register_plugin(_example_plugin("coprod_register_commands"), name="held-list")
    assert "List the tensions named as held." in run("--help").stdout
    assert run("tension", "raise", "Deep-rooted", "--kind", "philosophy_of_support").exit_code == 0
    assert run("tension", "move", "T-1", "held").exit_code == 0
    result = run("held")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "T-1  Deep-rooted\n", "")


def test_the_settings_example_is_checked(register_plugin, run, workspace_dir):
    register_plugin(_example_plugin("coprod_register_settings"), name="export")
    assert run("config", "set", "plugins.export.limit", "500").exit_code == 0
    result = run("config", "set", "plugins.export.limit", "many")
    assert result.stderr == (f"error: {workspace_dir / 'coprod.toml'}: "
                             "`plugins.export.limit`: must be an integer, not a string\n")


def test_the_report_examples_build_and_render(register_plugin, run):
    register_plugin(_example_plugin("coprod_register_report_kinds"), name="held-report")
    register_plugin(_example_plugin("coprod_register_report_formats"), name="outline-format")
    assert run("tension", "raise", "Deep-rooted", "--kind", "power").exit_code == 0
    assert run("tension", "move", "T-1", "held").exit_code == 0
    listed = run("report", "--list")
    assert "held-tensions" in listed.stdout and "outline" in listed.stdout
    result = run("report", "held-tensions", "--format", "outline")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[:3] == ["Held tensions", "", "Named, not pretended away"]
    as_markdown = run("report", "held-tensions", "--format", "markdown")
    assert as_markdown.exit_code == 0, as_markdown.stderr
    assert "Tensions held" in as_markdown.stdout


def test_the_form_and_field_type_examples_are_usable(register_plugin, run):
    register_plugin(_example_plugin("coprod_register_field_types"), name="postcodes")
    register_plugin(_example_plugin("coprod_register_forms"), name="travel")
    listed = run("intake", "list")
    assert listed.exit_code == 0, listed.stderr
    assert "travel-claim" in listed.stdout
    shown = run("intake", "show", "travel-claim")
    assert shown.exit_code == 0, shown.stderr
    assert "How much did you spend?" in shown.stdout
    from coprod_core.plugins import get_plugin_manager

    types = get_plugin_manager().registry.table("field_types")
    postcode = types["postcode_area"].thing
    assert postcode.parse("ls6 2ab", None) == "LS6"


def test_the_collections_example_declares_visits(register_plugin, workspace_dir,
                                                 plugin_manager):
    import datetime as dt

    from coprod_core.workspace import Workspace

    register_plugin(_example_plugin("coprod_register_collections"), name="visits")
    with Workspace.open(workspace_dir, plugins=plugin_manager) as ws:
        visit_type = ws.collections["visits"].record_type
        with ws.operation("visit.add") as op:
            op.write("visits", visit_type(id=op.new_id("visits"), place="Day centre",
                                          on=dt.date(2026, 2, 3)))
        assert [v.place for v in ws.records("visits")] == ["Day centre"]
        assert ws.record("visits", "v1").id == "V-1"


# ---------------------------------------------------------------- every hook has an example plugin

EXAMPLES = ROOT / "examples"
#: Hooks whose users are the built-in plugins in plugins/, with no example plugin.
BUILT_IN_ONLY = {"coprod_register_storage"}


def _example_plugins() -> dict[str, set[str]]:
    """Hook name -> the example plugins (``examples/<folder>``) implementing it.

    Only the plugins' own source counts: not their tests, whose stand-in
    plugins (a failing one, say) are not examples of using the hook.
    """
    found: dict[str, set[str]] = {}
    for path in sorted(EXAMPLES.glob("*/**/*.py")):
        relative = path.relative_to(EXAMPLES)
        if "tests" in relative.parts or path.name == "conftest.py":
            continue
        text = path.read_text(encoding="utf-8")
        for hook in HOOKS:
            if f"def {hook}(" in text:
                found.setdefault(hook, set()).add(f"examples/{relative.parts[0]}")
    return found


def _used_by(name: str) -> str:
    """The "Used by ..." paragraph of the hook's section in docs/plugins.md."""
    _heading, body = documented()[name]
    match = re.search(r"^Used by .*?(?:\n\s*\n|\Z)", body, re.MULTILINE | re.DOTALL)
    assert match, f"the section on {name} in docs/plugins.md has no 'Used by' line"
    return " ".join(match.group(0).split())


def test_the_example_plugins_are_found():
    found = _example_plugins()
    assert found["coprod_on_event"] == {"examples/coprod-reminders"}
    assert "examples/coprod-payments" in found["coprod_register_commands"]


@pytest.mark.parametrize("name", [h for h in HOOKS if h not in BUILT_IN_ONLY])
def test_every_hook_has_an_example_plugin(name):
    assert _example_plugins().get(name), (
        f"no plugin under examples/ implements {name}: every hook ships with one "
        "(CONTRIBUTING.md)")


@pytest.mark.parametrize("name", sorted(BUILT_IN_ONLY))
def test_a_hook_without_an_example_names_the_built_in_plugins_using_it(name):
    named = re.findall(r"`plugins/(\w+)`", _used_by(name))
    assert named, f"the 'Used by' line of {name} names no built-in plugin"
    for plugin in named:
        source = (ROOT / "plugins" / plugin / "__init__.py").read_text(encoding="utf-8")
        assert f"def {name}(" in source, f"plugins/{plugin} does not implement {name}"


@pytest.mark.parametrize("name", HOOKS)
def test_every_hook_names_its_example_plugins(name):
    used_by = _used_by(name)
    implementing = _example_plugins().get(name, set())
    for plugin in sorted(implementing):
        assert f"`{plugin}`" in used_by, (
            f"docs/plugins.md: the 'Used by' line of {name} does not name {plugin}")
    named = {f"examples/{m}" for m in re.findall(r"`examples/([\w.-]+)`", used_by)}
    assert named <= implementing, (
        f"docs/plugins.md names {sorted(named - implementing)} as using {name}, "
        "but they do not implement it")


# ---------------------------------------------------------------- links into the API reference


#: Where the API reference documents each registry table's type (page, anchor).
API_PAGES = {
    "storage": ("storage", "coprod_core.storage.StorageBackend"),
    "settings": ("storage", "coprod_core.storage.Setting"),
    "collections": ("records", "coprod_core.records.Collection"),
    "field_types": ("forms", "coprod_core.forms.FieldType"),
    "forms": ("forms", "coprod_core.forms.FormDefinition"),
    "report_kinds": ("reports", "coprod_core.reports.ReportKind"),
    "report_formats": ("reports", "coprod_core.reports.ReportFormat"),
    "importers": ("importing", "coprod_core.importing.Importer"),
    "web_routes": ("web", "coprod_web.routes.WebRoute"),
}


@pytest.mark.parametrize("key", sorted(API_PAGES))
def test_each_registration_hook_links_to_the_api_reference_of_what_it_registers(key):
    from coprod_core.registry import TABLES

    spec = next(s for s in TABLES if s.key == key)
    page, anchor = API_PAGES[key]
    # The anchor names the class the registry checks registrations against.
    assert anchor.rsplit(".", 1)[-1] == spec.expected().__qualname__
    _heading, body = documented()[spec.hook]
    link = f"api/{page}.md#{anchor}"
    assert link in body, f"the section on {spec.hook} does not link to {link}"
    # The page documents it (mkdocs --strict checks the anchor resolves).
    text = (ROOT / "docs" / "api" / f"{page}.md").read_text(encoding="utf-8")
    assert f"::: {anchor}" in text or anchor.rsplit(".", 1)[-1] in text


def test_every_table_but_commands_has_an_api_page():
    from coprod_core.registry import TABLES

    assert {s.key for s in TABLES} - set(API_PAGES) == {"commands"}


def test_the_tutorial_links_into_the_api_reference():
    tutorial = (ROOT / "docs" / "plugin-tutorial.md").read_text(encoding="utf-8")
    assert "api/" in tutorial
