"""The plugin manager: entry points, broken plugins, allow/block lists, every hook."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import click
import pytest
from click.testing import CliRunner

from coprod_core import hookimpl, plugins
from coprod_core.errors import PluginError, ValidationFailed
from coprod_core.registry import TABLES
from coprod_core.testing import snapshot, use_plugin_manager
from coprod_core.workspace import Workspace

# ---------------------------------------------------------------- installed plugins


@pytest.fixture
def install(tmp_path, monkeypatch):
    """``install(dist, {entry_name: source})``: a real distribution on sys.path.

    Each plugin is a module with an entry point in the ``coprod`` group, found
    by importlib.metadata exactly as an installed one would be.
    """
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    modules: list[str] = []

    def install_(dist: str, entries: dict[str, str], version: str = "1.2.3") -> None:
        info = site / f"{dist}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n", encoding="utf-8")
        lines = ["[coprod]"]
        for name, source in entries.items():
            module = f"coprod_test_{dist}_{name}".replace("-", "_")
            (site / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
            lines.append(f"{name} = {module}")
            modules.append(module)
        (info / "entry_points.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        import importlib

        importlib.invalidate_caches()

    yield install_
    for module in modules:
        sys.modules.pop(module, None)


GOOD = '''
import click
import pluggy

from coprod_core import hookimpl
__version__ = "9.9"


@hookimpl
def coprod_register_commands(register):
    @click.command()
    @click.argument("who")
    def hello(who):
        """Say hello from a plugin."""
        click.echo(f"hello {who}")

    register("hello-{name}", hello)
'''

BROKEN = '''
raise ImportError("needs the 'frobnicate' package")
'''


def good(name: str) -> str:
    return GOOD.replace("{name}", name)


@pytest.fixture
def cli_run(workspace_dir, monkeypatch):
    """Run the CLI with whatever plugin manager the test made current."""
    from coprod_core.cli import cli

    monkeypatch.setenv("COPROD_WORKSPACE", str(workspace_dir))
    monkeypatch.setenv("COPROD_USER", "tester")

    def invoke(*args, env=None):
        return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)

    return invoke


@pytest.fixture
def process_manager():
    """Let the CLI build the process's plugin manager itself, as in real use."""
    previous = plugins._manager
    plugins._manager = None
    yield
    plugins._manager = previous


def test_a_broken_plugin_is_reported_by_name_and_the_rest_works(
        install, monkeypatch, cli_run, process_manager):
    install("goodplug", {"good": good("good")})
    install("badplug", {"bad": BROKEN}, version="0.3")
    monkeypatch.setenv("COPROD_LOAD_PLUGINS", "good,bad")
    warning = ("warning: plugin 'bad' failed to load (ImportError: needs the 'frobnicate' "
               "package); disable it with COPROD_DISABLE_PLUGINS=bad\n")

    result = cli_run("participant", "add", "Ada", "--role", "staff")
    assert result.exit_code == 0
    assert result.stdout == "P-1\n"
    assert result.stderr == warning
    # Once per process: the next command in the same process does not repeat it.
    result = cli_run("hello-good", "Ada")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "hello Ada\n", "")

    listed = cli_run("plugins")
    assert listed.exit_code == 0
    assert "bad 0.3 (installed)\n  failed to load: ImportError: needs the 'frobnicate' package\n" \
           "  disable it with COPROD_DISABLE_PLUGINS=bad\n" in listed.stdout
    assert "good 1.2.3 (installed)\n  coprod_register_commands\n" in listed.stdout
    infos = {i["name"]: i for i in json.loads(cli_run("plugins", "--json").stdout)}
    assert infos["bad"] == {"name": "bad", "version": "0.3", "builtin": False, "hooks": [],
                            "error": "ImportError: needs the 'frobnicate' package"}
    assert infos["good"]["hooks"] == ["coprod_register_commands"]
    assert infos["sqlite"]["builtin"] is True
    assert infos["sqlite"]["version"] == "0.1.0"
    assert infos["sqlite"]["hooks"] == ["coprod_register_storage"]

    # Disabling it, as the message says, silences it.
    plugins._manager = None
    result = cli_run("participant", "list", env={"COPROD_DISABLE_PLUGINS": "bad"})
    assert result.stderr == ""


def test_a_plugin_that_fails_registration_is_reported(install, monkeypatch, cli_run,
                                                      process_manager):
    install("typo", {"typo": '''
        import pluggy
        from coprod_core import hookimpl

        @hookimpl
        def coprod_register_storrage(register):
            pass
    '''})
    monkeypatch.setenv("COPROD_LOAD_PLUGINS", "typo")
    result = cli_run("participant", "list")
    assert result.exit_code == 0
    assert result.stderr.startswith("warning: plugin 'typo' failed to load (")
    assert "coprod_register_storrage" in result.stderr
    assert result.stderr.endswith("disable it with COPROD_DISABLE_PLUGINS=typo\n")


def test_strict_mode_makes_a_broken_plugin_fatal(install, monkeypatch, cli_run,
                                                 process_manager):
    install("badplug", {"bad": BROKEN})
    monkeypatch.setenv("COPROD_LOAD_PLUGINS", "bad")
    monkeypatch.setenv("COPROD_STRICT_PLUGINS", "1")
    result = cli_run("participant", "list")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "error: plugin 'bad' failed to load (ImportError: needs the 'frobnicate' package); "
        "disable it with COPROD_DISABLE_PLUGINS=bad\n")
    # Help still works, and says what is wrong.
    helped = cli_run("--help")
    assert helped.exit_code == 0
    assert "warning: plugin 'bad' failed to load" in helped.stdout
    with pytest.raises(PluginError, match="plugin 'bad' failed to load"):
        plugins.get_plugin_manager(fresh=True)
    monkeypatch.setenv("COPROD_STRICT_PLUGINS", "0")
    assert plugins.failures(plugins.get_plugin_manager(fresh=True))[0].name == "bad"


def test_debug_shows_why_a_plugin_failed(install, monkeypatch, capsys):
    install("badplug", {"bad": BROKEN})
    monkeypatch.setenv("COPROD_LOAD_PLUGINS", "bad")
    monkeypatch.setenv("COPROD_DEBUG", "1")
    plugins.get_plugin_manager(fresh=True)
    assert "Traceback" in capsys.readouterr().err


def _loaded(pm) -> set[str]:
    return {name for name, plugin in pm.list_name_plugin() if plugin is not None}


def test_allow_and_block_lists(install, monkeypatch):
    install("pair", {"alpha": good("alpha"), "beta": good("beta")})
    monkeypatch.delenv("COPROD_LOAD_PLUGINS", raising=False)
    # Under the test suite installed plugins load only when asked for.
    builtins = _loaded(plugins.get_plugin_manager(fresh=True))
    assert {"memory", "sqlite"} <= builtins
    assert not builtins & {"alpha", "beta"}
    assert all(i.builtin for i in plugins.plugin_infos(plugins.get_plugin_manager(fresh=True)))
    monkeypatch.setenv("COPROD_LOAD_PLUGINS", "alpha")
    # Built-ins load even when not on the allow-list.
    assert _loaded(plugins.get_plugin_manager(fresh=True)) == builtins | {"alpha"}
    monkeypatch.setenv("COPROD_LOAD_PLUGINS", " alpha , beta ,")
    monkeypatch.setenv("COPROD_DISABLE_PLUGINS", "alpha,memory")
    assert _loaded(plugins.get_plugin_manager(fresh=True)) == builtins - {"memory"} | {"beta"}


def test_under_tests_is_set_for_the_process_not_read_from_pytest_current_test(
        install, monkeypatch):
    install("pair", {"alpha": good("alpha")})
    monkeypatch.delenv("COPROD_LOAD_PLUGINS", raising=False)
    # A manager built while pytest collects has no PYTEST_CURRENT_TEST to go by.
    monkeypatch.delenv("PYTEST_CURRENT_TEST")
    assert "alpha" not in _loaded(plugins.get_plugin_manager(fresh=True))


def test_outside_tests_every_installed_plugin_loads(install, monkeypatch):
    install("pair", {"alpha": good("alpha"), "beta": good("beta")})
    monkeypatch.delenv("COPROD_LOAD_PLUGINS", raising=False)
    monkeypatch.delattr(sys, plugins.UNDER_TESTS)
    everything = _loaded(plugins.get_plugin_manager(fresh=True))
    # Other installed plugins (the example plugins, in CI) load too.
    assert {"memory", "sqlite", "alpha", "beta"} <= everything
    monkeypatch.setenv("COPROD_DISABLE_PLUGINS", "beta")
    assert _loaded(plugins.get_plugin_manager(fresh=True)) == everything - {"beta"}


def test_plugin_discovery_happens_once_per_process(monkeypatch, cli_run, process_manager):
    import importlib.metadata

    calls = []
    real = importlib.metadata.entry_points

    def counting(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(importlib.metadata, "entry_points", counting)
    assert cli_run("--help").exit_code == 0
    assert cli_run("participant", "add", "Ada", "--role", "staff").exit_code == 0
    assert cli_run("participant", "list").exit_code == 0
    assert calls == [{"group": "coprod"}]


def test_plugin_commands_appear_in_help_and_run(install, monkeypatch, cli_run,
                                                process_manager):
    install("greeter", {"greet": good("there")})
    monkeypatch.setenv("COPROD_LOAD_PLUGINS", "greet")
    helped = cli_run("--help")
    assert helped.exit_code == 0
    assert "  hello-there  Say hello from a plugin." in helped.stdout
    result = cli_run("hello-there", "panel")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "hello panel\n", "")
    assert cli_run("hello-there", "--help").stdout.startswith(
        "Usage: coprod hello-there [OPTIONS] WHO")


# ---------------------------------------------------------------- not at import time


def test_importing_the_cli_loads_no_plugins_and_no_heavy_modules():
    code = textwrap.dedent("""
        import sys
        import coprod_core.cli
        heavy = ("sqlite3", "coprod_sqlite", "coprod_memory", "importlib.metadata", "cattrs",
                 "pluggy", "coprod_core.plugins", "coprod_core.workspace", "json", "attrs")
        print(",".join(m for m in heavy if m in sys.modules))
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == ""


def test_help_does_not_open_storage_or_load_cattrs():
    code = textwrap.dedent("""
        import sys
        from coprod_core.cli import cli
        try:
            cli.main(["--help"], prog_name="coprod")
        except SystemExit:
            pass
        # The built-in plugins load, but what they register is imported when used.
        heavy = ("sqlite3", "cattrs", "coprod_core.workspace", "coprod_core.model",
                 "coprod_core.forms", "coprod_core.reports", "attrs")
        print(",".join(m for m in heavy if m in sys.modules), file=sys.stderr)
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stderr.strip() == ""
    assert "Commands:" in done.stdout
    assert "  report " in done.stdout  # the built-in plugins did load


def test_no_plugin_is_loaded_until_asked(monkeypatch):
    monkeypatch.setattr(plugins, "_manager", None)
    from coprod_core.cli import cli  # noqa: F401

    assert plugins._manager is None


# ---------------------------------------------------------------- registration hooks


class Registers:
    """A plugin registering some things through one registration hook.

    Written out per hook so each hook has an implementation a reader can find.
    """

    def __init__(self, hook: str, *items: tuple[str, object]) -> None:
        self.hook = hook
        self.items = items

    def _register(self, hook, register):
        if hook == self.hook:
            for name, thing in self.items:
                register(name, thing)

    @hookimpl
    def coprod_register_storage(self, register):
        self._register("coprod_register_storage", register)

    @hookimpl
    def coprod_register_forms(self, register):
        self._register("coprod_register_forms", register)

    @hookimpl
    def coprod_register_field_types(self, register):
        self._register("coprod_register_field_types", register)

    @hookimpl
    def coprod_register_report_kinds(self, register):
        self._register("coprod_register_report_kinds", register)

    @hookimpl
    def coprod_register_report_formats(self, register):
        self._register("coprod_register_report_formats", register)

    @hookimpl
    def coprod_register_commands(self, register):
        self._register("coprod_register_commands", register)

    @hookimpl
    def coprod_register_settings(self, register):
        self._register("coprod_register_settings", register)

    @hookimpl
    def coprod_register_importers(self, register):
        self._register("coprod_register_importers", register)

    @hookimpl
    def coprod_register_web_routes(self, register):
        self._register("coprod_register_web_routes", register)


def _sample(key: str, name: str) -> object:
    """A registration of the right type for table ``key``, called ``name``."""
    from coprod_core.forms import Field, FieldType, FormDefinition
    from coprod_core.importing import Importer
    from coprod_core.reports import ReportFormat, ReportKind
    from coprod_core.storage import Setting, StorageBackend

    return {
        "storage": lambda: StorageBackend(name=name, open=lambda root, options: None),
        "forms": lambda: FormDefinition(name=name, title=name, fields=[
            Field(name="q", type="short_text", label="Q?")]),
        "field_types": lambda: FieldType(description=name, parse=lambda text, fld: text),
        "report_kinds": lambda: ReportKind(name=name, title=name, description=name,
                                           build=lambda ws, params: None),
        "report_formats": lambda: ReportFormat(name=name, description=name, extension="txt",
                                               render=lambda report, options: b""),
        "commands": lambda: click.Command(name),
        "settings": lambda: (Setting(key=name, type=str),),
        "importers": lambda: type("Sample", (Importer,), {"name": name, "summary": name})(),
        "web_routes": lambda: _web_route(name),
    }[key]()


def _web_route(name: str) -> object:
    from coprod_web import WebRoute

    return WebRoute(path=f"/{name}", view=lambda page: None, permission="public")


REGISTRATION_TABLES = [
    (spec.key, spec.hook, spec.word) for spec in TABLES if spec.key != "collections"
]


@pytest.mark.parametrize("key,hook,what", REGISTRATION_TABLES)
def test_registrations_are_collected_by_name_with_their_plugin(register_plugin, plugin_manager,
                                                               key, hook, what):
    things = {name: _sample(key, name) for name in ("one", "two", "three")}
    register_plugin(Registers(hook, ("one", things["one"]), ("two", things["two"])),
                    name="first")
    register_plugin(Registers(hook, ("three", things["three"])), name="second")
    found = plugin_manager.registry.table(key)
    mine = {k: (v.thing, v.plugin) for k, v in found.items() if k in things}
    assert mine == {"one": (things["one"], "first"), "two": (things["two"], "first"),
                    "three": (things["three"], "second")}
    # Collected once per set of plugins...
    assert plugin_manager.registry.table(key) is found
    # ...and again when the set changes, even through pluggy's own register().
    plugin_manager.register(Registers(hook, ("four", _sample(key, "four"))), name="third")
    assert "four" in plugin_manager.registry.table(key)
    plugin_manager.unregister(name="third")
    assert "four" not in plugin_manager.registry.table(key)


@pytest.mark.parametrize("key,hook,what", REGISTRATION_TABLES)
def test_a_name_registered_twice_names_both_plugins(register_plugin, plugin_manager, key,
                                                    hook, what):
    register_plugin(Registers(hook, ("shared", _sample(key, "shared"))), name="first")
    register_plugin(Registers(hook, ("shared", _sample(key, "shared"))), name="second")
    with pytest.raises(PluginError) as caught:
        plugin_manager.registry.table(key)
    message = str(caught.value)
    assert message.startswith(f"{what} 'shared' is registered by both ")
    assert "'first'" in message and "'second'" in message
    assert message.endswith(f"({hook}); disable one with COPROD_DISABLE_PLUGINS")


def test_a_registration_without_a_name(register_plugin, plugin_manager):
    register_plugin(Registers("coprod_register_forms", ("", 1)), name="nameless")
    with pytest.raises(PluginError, match="plugin 'nameless' registered a form without a name"):
        plugin_manager.registry.table("forms")


def test_a_registration_hook_that_raises_names_the_plugin_and_the_others_still_work(
        register_plugin, plugin_manager):
    class Raises:
        @hookimpl
        def coprod_register_report_kinds(self, register):
            register("half", _sample("report_kinds", "half"))
            raise RuntimeError("boom")

    warnings: list[str] = []
    plugin_manager.warn = warnings.append
    register_plugin(Raises(), name="reports-x")
    table = plugin_manager.registry.table("report_kinds")
    assert warnings == [
        "plugin 'reports-x' failed in coprod_register_report_kinds (RuntimeError: boom); "
        "disable it with COPROD_DISABLE_PLUGINS=reports-x"]
    # What it registered before failing is left out; the built-in kinds are all there.
    assert "half" not in table
    assert {"summary", "commitments"} <= set(table)


def test_a_duplicate_storage_backend_stops_the_workspace_opening(register_plugin, run):
    from coprod_core.storage import StorageBackend

    class Duplicate:
        @hookimpl
        def coprod_register_storage(self, register):
            register("sqlite", StorageBackend(name="sqlite", open=lambda r, o: None))

    register_plugin(Duplicate(), name="fake-sqlite")
    result = run("participant", "list")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("error: storage backend 'sqlite' is registered by both ")
    assert "'sqlite'" in result.stderr and "'fake-sqlite'" in result.stderr
    assert result.stderr.count("\n") == 1


def test_a_plugin_storage_backend_is_used(register_plugin, run, workspace_dir):
    import coprod_memory
    from coprod_core.storage import StorageBackend

    opened = []

    class Backend:
        @hookimpl
        def coprod_register_storage(self, register):
            def open_(root, options):
                opened.append((root, dict(options)))
                return coprod_memory.MemoryStorage()

            register("scratch", StorageBackend(name="scratch", open=open_))

    register_plugin(Backend(), name="scratch-plugin")
    assert run("config", "set", "storage.backend", "scratch").exit_code == 0
    result = run("participant", "add", "Ada", "--role", "staff")
    assert (result.exit_code, result.stdout) == (0, "P-1\n")
    assert opened == [(workspace_dir, {})]


def test_a_plugin_command_that_clashes_with_a_built_in(register_plugin, run):
    @click.command()
    def init():
        """Not the real init."""

    @click.command("shout")
    def shout():
        """Shout."""
        click.echo("HEY")

    register_plugin(Registers("coprod_register_commands", ("init", init), ("shout", shout)),
                    name="clash")
    helped = run("--help")
    assert helped.exit_code == 0
    assert ("warning: plugin 'clash' registers command 'init', which coprod already has; "
            "disable it with COPROD_DISABLE_PLUGINS=clash") in " ".join(helped.stdout.split())
    # The plugin's other command still works, and the built-in is untouched.
    assert run("shout").stdout == "HEY\n"
    assert "Create a workspace in DIR" in run("init", "--help").stdout


def test_two_plugins_registering_one_command_name(register_plugin, run):
    @click.command()
    def tally():
        """A report."""

    register_plugin(Registers("coprod_register_commands", ("tally", tally)), name="a")
    register_plugin(Registers("coprod_register_commands", ("tally", tally)), name="b")
    helped = run("--help")
    assert helped.exit_code == 0
    assert "command 'tally' is registered by both" in helped.stdout
    assert "disable one with COPROD_DISABLE_PLUGINS" in " ".join(helped.stdout.split())
    result = run("tally")
    assert result.exit_code == 2
    assert "No such command 'tally'" in result.stderr
    # Everything else still works.
    assert run("participant", "list").exit_code == 0


def test_declared_settings_are_checked(register_plugin, run, workspace_dir):
    from coprod_core.storage import Setting

    class Export:
        @hookimpl
        def coprod_register_settings(self, register):
            register("export", (Setting(key="columns", type=list, help="Columns to export."),
                                Setting(key="limit", type=int)))

    register_plugin(Export(), name="export")
    assert run("config", "set", "plugins.export.columns", '["id"]').exit_code == 0
    path = workspace_dir / "coprod.toml"
    result = run("config", "set", "plugins.export.limit", "lots")
    assert result.stderr == (
        f"error: {path}: `plugins.export.limit`: must be an integer, not a string\n")
    result = run("config", "set", "plugins.export.colums", '["id"]')
    assert result.stderr.startswith(
        f"error: {path}: `plugins.export.colums`: unknown key (did you mean `columns`?)")
    # A table no plugin declares is left to its plugin.
    assert run("config", "set", "plugins.other.anything", "1").exit_code == 0


# ---------------------------------------------------------------- validation hooks


class Refuses:
    def __init__(self, refuse_name: str) -> None:
        self.refuse_name = refuse_name
        self.seen: list[tuple[str, str, object, object]] = []

    @hookimpl
    def coprod_validate(self, workspace, operation, collection, record, previous):
        self.seen.append((operation, collection, record, previous))
        if getattr(record, "name", None) == self.refuse_name:
            return f"{self.refuse_name} is on the do-not-record list"
        return None


def test_a_validation_hook_refusing_a_write_rolls_the_operation_back(register_plugin,
                                                                     memory_workspace):
    ws = memory_workspace
    checker = register_plugin(Refuses("Mallory"), name="gatekeeper")
    ws.add_participant("Ada", role="staff")
    before = snapshot(ws)
    with pytest.raises(ValidationFailed) as caught, ws.operation("bulk") as op:
        for number, name in enumerate(["Bo", "Cy", "Mallory", "Di"], start=2):
            from coprod_core.model import Participant

            op.write("participants", Participant(id=f"P-{number}", name=name, role="staff",
                                                 created_at=ws.now()))
    assert str(caught.value) == "gatekeeper: Mallory is on the do-not-record list"
    assert snapshot(ws) == before
    assert [s[:2] for s in checker.seen] == [("participant.add", "participants")] + [
        ("bulk", "participants")] * 3


def test_a_refusal_in_bulk_adds_writes_nothing(register_plugin, memory_workspace):
    register_plugin(Refuses("Mallory"), name="gatekeeper")
    people = [{"name": n, "role": "staff"} for n in ("A", "B", "Mallory", "C")]
    with pytest.raises(ValidationFailed, match="gatekeeper: Mallory"):
        memory_workspace.add_participants(people, chunk=2)
    assert snapshot(memory_workspace)["participants"] == []
    assert memory_workspace.add_participants(people[:2]) == 2
    assert [p.id for p in memory_workspace.participants()] == ["P-1", "P-2"]


def test_the_validation_hook_sees_the_previous_record(register_plugin, memory_workspace):
    checker = register_plugin(Refuses("nobody"), name="watcher")
    person = memory_workspace.add_participant("Ada", role="staff")
    updated = memory_workspace.update_participant(person.id, role="volunteer")
    assert checker.seen[-1] == ("participant.update", "participants", updated, person)


def test_a_refusal_through_the_cli_shows_the_message_and_saves_nothing(
        register_plugin, run, workspace, plugin_manager):
    assert run("participant", "add", "Ada", "--role", "staff").exit_code == 0
    register_plugin(Refuses("Mallory"), name="gatekeeper")
    before = snapshot(workspace)
    result = run("participant", "add", "Mallory", "--role", "staff")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == "error: gatekeeper: Mallory is on the do-not-record list\n"
    assert snapshot(workspace) == before
    # The refused add used no id.
    assert run("participant", "add", "Bo", "--role", "staff").stdout == "P-2\n"


def test_a_validation_hook_that_raises_names_the_plugin(register_plugin, run):
    class Crashes:
        @hookimpl
        def coprod_validate(self, record):
            raise KeyError("role")

    assert run("participant", "add", "Ada", "--role", "staff").stdout == "P-1\n"
    register_plugin(Crashes(), name="crashy")
    result = run("participant", "add", "Bo", "--role", "staff")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "error: plugin 'crashy' failed while checking participant.add (KeyError: 'role'); "
        "nothing was saved\n")
    listed = json.loads(run("participant", "list", "--json").stdout)
    assert [p["name"] for p in listed] == ["Ada"]


# ---------------------------------------------------------------- event hooks


class Listens:
    def __init__(self) -> None:
        self.events: list = []

    @hookimpl
    def coprod_on_event(self, workspace, event):
        # After the commit: the record is already readable from storage.
        stored = None
        if event.record is not None and event.ids:
            collection = workspace.collections.collection_of(event.ids[0])
            stored = workspace.storage.get(collection, event.ids[0])
        self.events.append((event.name, event.ids, event.actor, stored is not None))


def test_events_fire_after_the_commit_for_every_change(register_plugin, run):
    listener = register_plugin(Listens(), name="listener")
    for args in (
        ("participant", "add", "Ada", "--role", "staff"),
        ("participant", "update", "P-1", "--name", "Ada B"),
        ("session", "new", "Panel", "--date", "2026-03-02"),
        ("session", "attend", "S-1", "P-1"),
        ("session", "rate", "S-1", "P-1", "co_design"),
        ("tension", "raise", "A", "--kind", "power"),
        ("tension", "move", "T-1", "held"),
        ("commitment", "make", "X", "--by", "P-1", "--authority", "can_decide"),
        ("commitment", "move", "C-1", "agreed"),
        ("commitment", "update", "C-1", "Started"),
    ):
        assert run(*args).exit_code == 0
    assert listener.events == [
        ("participant.added", ("P-1",), "tester", True),
        ("participant.updated", ("P-1",), "tester", True),
        ("session.created", ("S-1",), "tester", True),
        ("session.attendance", ("S-1", "P-1"), "tester", True),
        ("session.rated", ("S-1", "P-1"), "tester", True),
        ("tension.raised", ("T-1",), "tester", True),
        ("tension.moved", ("T-1",), "tester", True),
        ("commitment.made", ("C-1",), "tester", True),
        ("commitment.moved", ("C-1",), "tester", True),
        ("commitment.updated", ("C-1",), "tester", True),
    ]


def test_no_event_fires_for_a_refused_operation(register_plugin, memory_workspace):
    listener = register_plugin(Listens(), name="listener")
    register_plugin(Refuses("Mallory"), name="gatekeeper")
    with pytest.raises(ValidationFailed):
        memory_workspace.add_participant("Mallory", role="staff")
    assert listener.events == []


def test_events_of_a_nested_operation_fire_when_the_outer_one_commits(register_plugin,
                                                                      memory_workspace):
    listener = register_plugin(Listens(), name="listener")
    ws = memory_workspace
    with ws.operation("import"):
        ws.add_participant("Ada", role="staff")
        ws.add_participant("Bo", role="staff")
        assert listener.events == []
    assert [e[0] for e in listener.events] == ["participant.added"] * 2
    assert [e["operation"] for e in ws.audit()] == ["import"]


def test_an_event_hook_that_raises_is_reported_and_the_change_kept(register_plugin, run):
    class Fails:
        @hookimpl
        def coprod_on_event(self, event):
            raise ConnectionError("mail server down")

    listener = Listens()
    register_plugin(Fails(), name="mailer")
    register_plugin(listener, name="listener")
    result = run("participant", "add", "Ada", "--role", "staff")
    assert result.exit_code == 0
    assert result.stdout == "P-1\n"
    assert result.stderr == (
        "warning: plugin 'mailer' failed handling participant.added "
        "(ConnectionError: mail server down); the change itself was saved\n")
    # The other listener still heard it, and the record is stored.
    assert [e[0] for e in listener.events] == ["participant.added"]
    assert json.loads(run("participant", "show", "P-1", "--json").stdout)["name"] == "Ada"


def test_hooks_pass_only_the_arguments_an_implementation_takes(register_plugin,
                                                                plugin_manager):
    got = []

    class Narrow:
        @hookimpl
        def coprod_on_event(self, event):
            got.append(event)

    register_plugin(Narrow(), name="narrow")
    plugin_manager.hook.coprod_on_event(workspace=object(), event="e")
    assert got == ["e"]


def test_the_plugins_listing_shows_a_registered_plugin_and_its_hooks(register_plugin, run):
    register_plugin(Listens(), name="listener")
    infos = {i["name"]: i for i in json.loads(run("plugins", "--json").stdout)}
    assert infos["listener"]["hooks"] == ["coprod_on_event"]
    assert infos["listener"]["builtin"] is False
    text = run("plugins").stdout
    assert "listener (installed)\n  coprod_on_event\n" in text
    assert text.index("memory") < text.index("sqlite") < text.index("listener")


def test_in_memory_workspace_needs_no_folder(plugin_manager):
    with Workspace.in_memory(plugins=plugin_manager) as ws:
        assert ws.root is None
        assert ws.add_participant("Ada", role="staff").id == "P-1"


def test_fixture_helpers_restore_the_previous_manager():
    before = plugins._manager
    with use_plugin_manager() as pm:
        assert plugins._manager is pm
    assert plugins._manager is before


def test_plugin_commands_are_listed_apart_from_the_built_in_ones(register_plugin, run):
    import click

    class Extra:
        @hookimpl
        def coprod_register_commands(self, register):
            @click.command()
            def tally():
                """Count the tallies kept by this plugin, in a sentence long enough to wrap."""

            register("tally", tally)

    register_plugin(Extra(), name="extra")
    text = run("--help").stdout
    built_in, _, from_plugins = text.partition("Commands from plugins:")
    assert "tally" not in built_in
    assert "tally" in from_plugins
    assert "Count the tallies kept by this plugin" in from_plugins
