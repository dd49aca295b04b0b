"""What plugins and their tests rely on: collections, commands, the fake clock in the CLI."""

import datetime as dt
import json

import click
import pytest
from attrs import frozen

from coprod_core import hookimpl
from coprod_core.errors import NotFound, PluginError
from coprod_core.records import Collection


@frozen(kw_only=True)
class Visit:
    id: str
    place: str
    on: dt.date


class Declares:
    """A plugin declaring one collection."""

    def __init__(self, name: str, prefix: str) -> None:
        self.name, self.prefix = name, prefix

    @hookimpl
    def coprod_register_collections(self, register):
        register(self.name, Collection(prefix=self.prefix, word="visit", record_type=Visit))


@pytest.fixture
def visits(register_plugin):
    register_plugin(Declares("visits", "V"), name="visits")


def test_plugin_collection_writes_and_reads_back(visits, workspace):
    with workspace.operation("visit.add") as op:
        first = op.write("visits", Visit(id=op.new_id("visits"), place="Hostel",
                                         on=dt.date(2026, 2, 1)))
        op.write("visits", Visit(id=op.new_id("visits"), place="Day centre",
                                 on=dt.date(2026, 2, 2)))
    assert first.id == "V-1"
    assert workspace.record("visits", "v1") == first
    assert [v.place for v in workspace.records("visits")] == ["Hostel", "Day centre"]
    assert [v.id for v in workspace.records("visits", place="Day centre")] == ["V-2"]
    assert list(workspace.audit())[-1]["ids"] == ["V-1", "V-2"]


def test_missing_plugin_record_is_named(visits, workspace):
    with pytest.raises(NotFound, match="no visit with id V-9"):
        workspace.record("visits", "V-9")


def test_a_plugin_collection_parses_its_own_ids(visits, memory_workspace):
    assert memory_workspace.collections.parse_id("visits", "v-3") == "V-3"
    assert memory_workspace.collections.collection_of("v3") == "visits"


@pytest.mark.parametrize(("name", "prefix", "message"), [
    ("grants", "P", "plugin 'grants': id prefix 'P' is already used by collection "
                    "'participants'"),
    ("sessions", "SE", "collection 'sessions' is registered by both 'coprod' and 'grants'"),
    ("grants", "g", "1 to 3 capital letters"),
    ("grants", "GRAN", "1 to 3 capital letters"),
])
def test_clashing_or_malformed_declarations_are_refused(register_plugin, plugin_manager,
                                                        name, prefix, message):
    register_plugin(Declares(name, prefix), name="grants")
    with pytest.raises(PluginError, match=message):
        plugin_manager.registry.collections  # noqa: B018


class Hello:
    @hookimpl
    def coprod_register_commands(self, register):
        @click.command()
        def hello():
            """Say hello."""
            click.echo("hello")

        register("hello", hello)


def test_plugin_command_seen_after_earlier_invocations(run, register_plugin):
    assert "hello" not in run("--help").stdout
    register_plugin(Hello())
    assert run("hello").stdout == "hello\n"
    assert "Say hello." in run("--help").stdout


def test_run_can_use_the_fake_clock(run, clock):
    run("participant", "add", "Aisha", "--role", "lived_experience")
    run("commitment", "make", "Fix the lift", "--by", "P-1", "--authority", "can_decide",
        "--due", "2026-01-04", clock=clock)
    made = json.loads(run("commitment", "show", "C-1", "--json", clock=clock).stdout)
    assert made["history"][0]["at"] == "2026-01-05T10:00:00+00:00"
    assert run("commitment", "list", "--overdue", clock=clock).stdout.startswith("id ")
    clock.set(dt.date(2026, 1, 3))
    assert run("commitment", "list", "--overdue", clock=clock).stdout == "no commitments match\n"


class VisitsPlugin:
    """A plugin declaring its collection through the hook, as plugins should."""

    @hookimpl
    def coprod_register_collections(self, register):
        from coprod_core.records import Collection

        register("site_checks", Collection(prefix="SC", word="site check", record_type=Visit))


def test_a_collection_registered_by_a_plugin_is_declared_when_the_workspace_opens(
        register_plugin, workspace_dir, plugin_manager):
    from coprod_core.workspace import Workspace

    register_plugin(VisitsPlugin(), name="site-checks")
    with Workspace.open(workspace_dir, plugins=plugin_manager) as ws:
        with ws.operation("site_check.add") as op:
            op.write("site_checks", Visit(id=op.new_id("site_checks"), place="Hostel",
                                          on=dt.date(2026, 3, 1)))
        assert ws.record("site_checks", "sc1").place == "Hostel"
        with pytest.raises(NotFound, match="no site check with id SC-2"):
            ws.record("site_checks", "SC-2")


def test_a_plugin_collection_clashing_with_the_core_names_the_plugin(
        register_plugin, workspace_dir, plugin_manager):
    from coprod_core.records import Collection
    from coprod_core.workspace import Workspace

    class Clash:
        @hookimpl
        def coprod_register_collections(self, register):
            register("site_checks", Collection(prefix="P", word="check", record_type=Visit))

    register_plugin(Clash(), name="clash")
    with pytest.raises(PluginError, match="plugin 'clash': id prefix 'P' is already used"):
        Workspace.open(workspace_dir, plugins=plugin_manager)


def test_an_unknown_collection_is_a_clear_error(workspace):
    from coprod_core.errors import CoprodError

    with pytest.raises(CoprodError, match="no collection named 'nothing'"):
        workspace.record("nothing", "N-1")
