"""The registry the plugin manager owns, and hooks called through pluggy.

Each test here reproduces a bug of the hand-made registries and hook calls:
it failed before the registry and CoprodPluginManager existed.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
import textwrap
from typing import Any

import pytest
from attrs import frozen

from coprod_core import hookimpl
from coprod_core.errors import PluginError, ValidationFailed
from coprod_core.plugins import CoprodPluginManager, get_plugin_manager
from coprod_core.records import Collection
from coprod_core.reports import Report, ReportFormat, ReportKind
from coprod_core.workspace import Workspace


@frozen(kw_only=True)
class Visit:
    id: str
    place: str
    on: dt.date


class Visits:
    @hookimpl
    def coprod_register_collections(self, register):
        register("visits", Collection(prefix="V", word="visit", record_type=Visit))


def _kind(name: str) -> ReportKind:
    return ReportKind(name=name, title=name.title(), description=f"The {name} report.",
                      build=lambda ws, params: Report(kind=name, title=name.title(),
                                                      generated_at=ws.now()))


# ---------------------------------------------------------------- the registry's owner


def test_the_manager_owns_a_typed_registry():
    pm = get_plugin_manager(fresh=True)
    assert isinstance(pm, CoprodPluginManager)
    assert not hasattr(pm, "coprod_state")
    assert "sqlite" in pm.registry.table("storage")


def test_two_workspaces_with_different_plugins_work_side_by_side(clock):
    plain = get_plugin_manager(fresh=True)
    with_visits = get_plugin_manager(fresh=True)
    with_visits.register(Visits(), name="visits")
    with Workspace.in_memory(plugins=plain, clock=clock) as a, \
            Workspace.in_memory(plugins=with_visits, clock=clock) as b:
        with b.operation("visit.add") as op:
            op.write("visits", Visit(id=op.new_id("visits"), place="Hostel",
                                     on=dt.date(2026, 1, 5)))
        assert [v.place for v in b.records("visits")] == ["Hostel"]
        assert "visits" in b.collections
        # The other workspace never heard of the plugin's collection.
        assert "visits" not in a.collections
        with pytest.raises(Exception, match="no collection named 'visits'"):
            list(a.records("visits"))
        assert a.add_participant("Ada", role="staff").id == "P-1"
        assert b.add_participant("Bo", role="staff").id == "P-1"


def test_rights_requests_and_exports_are_core_collections_without_importing_privacy():
    code = textwrap.dedent("""
        import sys
        from coprod_core.workspace import Workspace

        ws = Workspace.in_memory()
        print(list(ws.records("rights_requests")), list(ws.records("exports")),
              ws.collections.parse_id("rights_requests", "r2"))
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == "[] [] R-2\n"


def test_doctor_checks_the_records_of_every_collection(workspace):
    from coprod_core.doctor import Checkup, check_documents

    with workspace.storage.transaction():
        workspace.storage.put("rights_requests", {"id": "R-1", "schema_version": 1,
                                                  "kind": "nonsense"})
    findings = list(check_documents(Checkup(root=workspace.root, workspace=workspace)))
    assert findings[0].level == "error"
    assert "R-1" in findings[0].message


def test_a_plain_pluggy_register_rebuilds_the_tables():
    pm = get_plugin_manager(fresh=True)
    assert "visits" not in pm.registry.collections
    pm.register(Visits(), name="visits")
    assert pm.registry.collections.parse_id("visits", "v3") == "V-3"
    pm.unregister(name="visits")
    assert "visits" not in pm.registry.collections


# ---------------------------------------------------------------- checked at the door


class BadKinds:
    @hookimpl
    def coprod_register_report_kinds(self, register):
        register("nothing", None)
        register("mine", _kind("theirs"))

    @hookimpl
    def coprod_register_report_formats(self, register):
        register("words", "a string")


def test_wrong_registrations_are_named_and_the_other_plugins_keep_working(
        register_plugin, run):
    register_plugin(BadKinds(), name="careless")
    listed = run("report", "--list", "--json")
    assert listed.exit_code == 0
    kinds = {k["name"] for k in json.loads(listed.stdout)["kinds"]}
    assert "summary" in kinds and not kinds & {"nothing", "mine", "theirs"}
    warnings = listed.stderr.splitlines()
    assert warnings == [
        "warning: plugin 'careless' registered report kind 'nothing' as None, not a "
        "coprod_core.reports.ReportKind (coprod_register_report_kinds); disable it with "
        "COPROD_DISABLE_PLUGINS=careless",
        "warning: plugin 'careless' registered report kind 'mine' whose name is 'theirs'; "
        "register it as register(report_kind) to use its own name "
        "(coprod_register_report_kinds); disable it with COPROD_DISABLE_PLUGINS=careless",
        "warning: plugin 'careless' registered report format 'words' as str 'a string', "
        "not a coprod_core.reports.ReportFormat (coprod_register_report_formats); disable "
        "it with COPROD_DISABLE_PLUGINS=careless",
    ]
    # Asking for a refused one says why, in one line.
    asked = run("report", "nothing")
    assert asked.exit_code == 1
    assert asked.stderr == (
        "error: plugin 'careless' registered report kind 'nothing' as None, not a "
        "coprod_core.reports.ReportKind (coprod_register_report_kinds); disable it with "
        "COPROD_DISABLE_PLUGINS=careless\n")
    assert run("report", "summary").exit_code == 0


@pytest.mark.parametrize("key,thing", [
    ("storage", object()), ("settings", ("not a setting",)), ("report_kinds", 3),
])
def test_every_table_checks_the_type(register_plugin, plugin_manager, key, thing):
    from coprod_core.registry import TABLES

    spec = next(s for s in TABLES if s.key == key)

    class Wrong:
        pass

    def register_wrong(self, register):
        register("wrong", thing)

    setattr(Wrong, spec.hook, hookimpl(register_wrong))
    warnings: list[str] = []
    plugin_manager.warn = warnings.append
    register_plugin(Wrong(), name="wrong")
    table = plugin_manager.registry.table(key)
    assert "wrong" not in table
    assert warnings[0].startswith(f"plugin 'wrong' registered {spec.word} 'wrong' as ")
    assert f"({spec.hook})" in warnings[0]


def test_strict_mode_makes_a_refused_registration_fatal(register_plugin, plugin_manager,
                                                        monkeypatch):
    monkeypatch.setenv("COPROD_STRICT_PLUGINS", "1")
    register_plugin(BadKinds(), name="careless")
    with pytest.raises(PluginError, match="registered report kind 'nothing' as None"):
        plugin_manager.registry.table("report_kinds")


def test_a_thing_with_a_name_may_be_registered_without_repeating_it(register_plugin, run):
    class Once:
        @hookimpl
        def coprod_register_report_kinds(self, register):
            register(_kind("once"))

    register_plugin(Once(), name="once")
    listed = json.loads(run("report", "--list", "--json").stdout)
    assert {"name": "once", "title": "Once", "description": "The once report.",
            "arguments": [], "plugin": "once"} in listed["kinds"]


# ---------------------------------------------------------------- hooks through pluggy


class Wraps:
    def __init__(self) -> None:
        self.seen: list[Any] = []

    @hookimpl(wrapper=True)
    def coprod_validate(self, record):
        result = yield
        self.seen.append((record.name, result))
        return result


class RefusesMallory:
    @hookimpl
    def coprod_validate(self, record):
        return "not Mallory" if getattr(record, "name", "") == "Mallory" else None


def test_a_wrapper_on_coprod_validate_sees_every_check_and_its_result(register_plugin,
                                                                     memory_workspace):
    wrapper = register_plugin(Wraps(), name="wraps")
    register_plugin(RefusesMallory(), name="gate")
    memory_workspace.add_participant("Ada", role="staff")
    with pytest.raises(ValidationFailed, match=r"^gate: not Mallory$"):
        memory_workspace.add_participant("Mallory", role="staff")
    assert wrapper.seen == [("Ada", None), ("Mallory", "not Mallory")]


def test_the_first_refusal_ends_the_checks_as_the_docstring_says(register_plugin,
                                                                  memory_workspace):
    from coprod_core import hookspecs

    asked: list[str] = []

    class Counts:
        @hookimpl(trylast=True)
        def coprod_validate(self):
            asked.append("later")

    register_plugin(Counts(), name="counts")
    register_plugin(RefusesMallory(), name="gate")
    with pytest.raises(ValidationFailed):
        memory_workspace.add_participant("Mallory", role="staff")
    assert asked == []
    assert "first refusal ends the operation" in " ".join(
        hookspecs.coprod_validate.__doc__.split())
    assert memory_workspace.plugins.hook.coprod_validate.spec.opts["firstresult"] is True


def test_a_validate_result_that_is_not_a_message_names_the_plugin(register_plugin,
                                                                   memory_workspace):
    class Odd:
        @hookimpl
        def coprod_validate(self):
            return 42

    register_plugin(Odd(), name="odd")
    with pytest.raises(PluginError, match=r"^plugin 'odd' failed while checking "
                                          r"participant.add \(returned int 42; "):
        memory_workspace.add_participant("Ada", role="staff")


def test_a_wrapper_on_a_registration_hook_runs_and_its_registrations_are_its_own(
        register_plugin, plugin_manager):
    ran: list[list[str]] = []

    class Wrapper:
        @hookimpl(wrapper=True)
        def coprod_register_report_kinds(self, register):
            yield
            ran.append(["after"])
            register("wrapped", _kind("wrapped"))

    register_plugin(Wrapper(), name="wrapper")
    table = plugin_manager.registry.table("report_kinds")
    assert ran == [["after"]]
    assert table["wrapped"].plugin == "wrapper"
    assert table["summary"].plugin == "reports"


def test_pluggy_call_monitoring_sees_the_core_s_hook_calls(register_plugin, memory_workspace):
    register_plugin(RefusesMallory(), name="gate")
    called: list[str] = []
    undo = memory_workspace.plugins.add_hookcall_monitoring(
        lambda name, impls, kwargs: called.append(name), lambda *args: None)
    try:
        memory_workspace.add_participant("Ada", role="staff")
    finally:
        undo()
    assert "coprod_validate" in called


def test_trace_plugins_prints_each_call_with_its_plugin_and_time(monkeypatch, capsys):
    monkeypatch.setenv("COPROD_TRACE_PLUGINS", "1")
    pm = get_plugin_manager(fresh=True)
    pm.register(RefusesMallory(), name="gate")
    with Workspace.in_memory(plugins=pm) as ws:
        ws.add_participant("Ada", role="staff")
    lines = capsys.readouterr().err.splitlines()
    assert any(line.startswith("trace: coprod_validate gate ") and line.endswith(" ms")
               for line in lines)
    assert any(line.startswith("trace: coprod_register_storage sqlite ") for line in lines)


@pytest.mark.parametrize("returned,reason", [
    (42, "returned int 42; it must return a dict of what the plugin holds, or None"),
    ([1, 2], "returned list [1, 2]; it must return a dict of what the plugin holds, or None"),
    ({"when": dt.date(2026, 1, 1)}, "returned a dict that is not JSON"),
])
def test_a_subject_access_result_that_is_not_json_names_the_plugin(
        register_plugin, memory_workspace, tmp_path, returned, reason):
    from coprod_core import subject_access

    class Holds:
        @hookimpl
        def coprod_subject_access(self, participant):
            return returned

    person = memory_workspace.add_participant("Ann", role="staff")
    register_plugin(Holds(), name="holds")
    with pytest.raises(PluginError) as caught:
        subject_access.export(memory_workspace, person.id, tmp_path / "a.json")
    message = str(caught.value)
    assert message.startswith("plugin 'holds' failed while collecting a subject access "
                              f"export ({reason}")
    assert not (tmp_path / "a.json").exists()


def test_a_subject_access_result_appears_under_the_plugin_s_name(register_plugin,
                                                                   memory_workspace):
    from coprod_core import subject_access

    class Holds:
        @hookimpl
        def coprod_subject_access(self, participant):
            return {"notes": ["likes tea"]}

    person = memory_workspace.add_participant("Ann", role="staff")
    register_plugin(Holds(), name="holds")
    assert subject_access.collect(memory_workspace, person.id)["plugins"] == {
        "holds": {"notes": ["likes tea"]}}


# ---------------------------------------------------------------- the kit


def test_the_kit_refuses_a_misspelt_hook_as_loading_does(register_plugin, plugin_manager):
    class Typo:
        @hookimpl
        def coprod_validat(self, record):
            return None

    with pytest.raises(PluginError, match=re.escape(
            "plugin 'typo' implements coprod_validat, which is not a coprod hook; "
            "did you mean coprod_validate?")):
        register_plugin(Typo(), name="typo")
    assert not plugin_manager.has_plugin("typo")


def test_formats_keep_their_text_flag():
    fmt = ReportFormat(name="x", description="x", extension="x", render=lambda r, o: b"")
    assert fmt.text is True
