"""The subject access export finds a person everywhere they were planted."""

from __future__ import annotations

import json

import pytest

from coprod_core import hookimpl, subject_access
from coprod_core.errors import CoprodError, PluginError
from coprod_core.testing.privacy import PEOPLE, plant


class HoldsNotes:
    """A plugin that keeps its own notes about people."""

    @hookimpl
    def coprod_subject_access(self, workspace, participant):
        if participant.id == "P-2":
            return {"mentoring notes": ["Met twice in January"]}
        return None


def test_export_is_complete_for_a_planted_person(memory_workspace, clock, register_plugin):
    register_plugin(HoldsNotes(), name="mentoring")
    ws = memory_workspace
    person = PEOPLE[0]
    w = plant(ws, person, clock)
    pid = w["participant"].id
    data = subject_access.collect(ws, pid)

    assert data["about"] == pid
    assert data["record"]["name"] == person["name"]
    assert data["record"]["pseudonym"] == person["pseudonym"]
    assert data["record"]["email"] == person["email"]
    assert data["record"]["phone"] == person["phone"]
    assert data["record"]["extra"] == {"test.note": "prefers Zoë"}
    assert [d["key"] for d in data["record"]["demographics"]] == ["health", "age_band"]
    assert [c["purpose"] for c in data["consents"]] == [
        "record", "contact", "naming", "special:health"]
    assert data["sessions_attended"] == [{
        "session": w["attended"].id, "title": w["attended"].title, "date": "2026-01-06",
        "status": "attended"}]
    assert data["ratings"] == [{"session": w["attended"].id, "rung": "co_design"}]
    assert data["feedback"] == [{"session": w["attended"].id,
                                 "text": "It felt like we were heard"}]
    assert [s["session"] for s in data["sessions_facilitated"]] == [w["facilitated"].id]
    assert {t["id"]: t["how"] for t in data["tensions"]} == {
        w["raised"].id: ["raised it"], w["between"].id: ["party to it"]}
    assert [c["id"] for c in data["commitments"]] == [w["made"].id]
    assert data["commitments"][0]["updates"][0]["note"] == "Slides drafted"
    mentions = {(m["record"], m["field"]) for m in data["mentions"]}
    attended, mentioned, promise = w["attended"].id, w["mentioned"].id, w["promise"].id
    assert mentions == {
        (attended, "title"), (attended, "purpose"), (attended, "agreed_next"),
        (attended, "feedback[1].text"),
        (mentioned, "description"), (mentioned, "history[0].note"),
        (mentioned, "history[1].note"),
        (promise, "description"), (promise, "scope"), (promise, "history[1].note"),
        (promise, "history[2].actor"), (promise, "updates[0].note"),
        ("[another person]", "consents[0].recorded_by"),  # another person's record
    }
    assert [r["id"] for r in data["rights_requests"]] == [w["request"].id]
    assert data["plugins"] == {"mentoring": {"mentoring notes": ["Met twice in January"]}}
    assert data["other_records"] == {"payments": [
        {"id": "Y-1", "participant_id": pid, "amount": 25, "paid_to": person["name"]}]}
    operations = [e["operation"] for e in data["audit"]]
    assert operations[:2] == ["participant.add", "participant.consent"]
    assert "session.attend" in operations
    assert "privacy.request.add" in operations
    assert all(set(e) == {"at", "actor", "operation", "ids"} for e in data["audit"])


def test_export_lists_earlier_exports_and_audit_ranges(memory_workspace, tmp_path):
    ws = memory_workspace
    ws.add_participants({"name": f"Person {i}", "role": "volunteer"} for i in range(5))
    subject_access.export(ws, "P-3", tmp_path / "first.json")
    data = subject_access.collect(ws, "P-3")
    assert [x["format"] for x in data["exports"]] == ["json"]
    assert [e["operation"] for e in data["audit"]] == ["participant.add_many",
                                                       "participant.export"]
    assert subject_access.audit_names(["P-1..P-5"], "P-3")
    assert not subject_access.audit_names(["P-1..P-5"], "P-6")
    assert not subject_access.audit_names(["S-1..S-5"], "P-3")


@pytest.mark.parametrize(("suffix", "fmt", "start"), [
    (".json", None, "{"), (".html", None, "<!DOCTYPE html>"), (".md", None, "# What"),
    (".txt", None, "{"), (".txt", "markdown", "# What"), (".out", "html", "<!DOCTYPE html>"),
])
def test_export_formats(memory_workspace, clock, tmp_path, suffix, fmt, start):
    ws = memory_workspace
    w = plant(ws, PEOPLE[1], clock)
    path = subject_access.export(ws, w["participant"].id, tmp_path / f"sar{suffix}", fmt=fmt)
    text = path.read_text(encoding="utf-8")
    assert text.startswith(start)
    assert "Łukasz Żółć" in text or "\\u0141ukasz" in text
    if start != "{":
        assert "What you agreed to" in text
        assert "keeping answers about your health" in text
        assert "Promises you made" in text
        assert "<script" not in text
        assert "co-design" in text  # the rung as people write it, not co_design


def test_html_export_escapes_what_people_typed(memory_workspace, tmp_path):
    ws = memory_workspace
    p = ws.add_participant("<b>Ann</b> & co", role="staff")
    html = subject_access.export(ws, p.id, tmp_path / "a.html").read_text()
    assert "&lt;b&gt;Ann&lt;/b&gt; &amp; co" in html
    assert "<b>Ann" not in html


def test_a_failing_plugin_stops_the_export(memory_workspace, register_plugin, tmp_path):
    class Broken:
        @hookimpl
        def coprod_subject_access(self, participant):
            raise KeyError("notes")

    ws = memory_workspace
    p = ws.add_participant("Ann Lee", role="staff")
    register_plugin(Broken(), name="broken")
    with pytest.raises(PluginError, match="plugin 'broken' failed while collecting"):
        subject_access.export(ws, p.id, tmp_path / "a.json")
    assert not (tmp_path / "a.json").exists()
    assert ws.count("exports") == 0


def test_export_refuses_bad_paths(memory_workspace, tmp_path):
    ws = memory_workspace
    p = ws.add_participant("Ann Lee", role="staff")
    (tmp_path / "taken.json").write_text("keep me")
    with pytest.raises(CoprodError, match="already exists; choose another name or add --force"):
        subject_access.export(ws, p.id, tmp_path / "taken.json")
    assert (tmp_path / "taken.json").read_text() == "keep me"
    with pytest.raises(CoprodError, match="does not exist"):
        subject_access.export(ws, p.id, tmp_path / "no" / "a.json")
    with pytest.raises(CoprodError, match="is a folder"):
        subject_access.export(ws, p.id, tmp_path, force=True)
    assert ws.count("exports") == 0
    subject_access.export(ws, p.id, tmp_path / "taken.json", force=True)
    assert json.loads((tmp_path / "taken.json").read_text())["about"] == p.id


# ---------------------------------------------------------------- the command line


def test_export_cli_writes_and_refuses_to_overwrite(run, tmp_path):
    run("participant", "add", "Zoë Ní Bhriain", "--role", "lived_experience")
    target = tmp_path / "zoe.html"
    first = run("participant", "export", "P-1", "-o", str(target))
    assert (first.exit_code, first.stdout, first.stderr) == (0, f"{target}\n", "")
    assert "Zoë Ní Bhriain" in target.read_text(encoding="utf-8")
    written = target.read_bytes()
    again = run("participant", "export", "P-1", "-o", str(target), "--format", "json")
    assert again.exit_code == 1
    assert again.stdout == ""
    assert again.stderr == (f"error: {target} already exists; choose another name or add "
                            "--force to replace it\n")
    assert target.read_bytes() == written
    forced = run("participant", "export", "P-1", "-o", str(target), "--format", "json",
                 "--force")
    assert forced.exit_code == 0
    assert json.loads(target.read_text(encoding="utf-8"))["record"]["name"] == "Zoë Ní Bhriain"
    assert [e["operation"] for e in json.loads(run("audit", "--json").stdout)].count(
        "participant.export") == 2


@pytest.mark.parametrize(("args", "message"), [
    (("P-4", "-o", "x.json"), "error: no participant with id P-4\n"),
    (("S-1", "-o", "x.json"), "error: 'S-1' is not a participant id; participant ids look "
                              "like P-12\n"),
    (("P-1", "-o", "x.json", "--format", "pdf"), "error: Invalid value for '--format'"),
    (("P-1",), "error: Missing option '-o' / '--output'"),
])
def test_export_cli_bad_input(run, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    run("participant", "add", "Ann Lee", "--role", "staff")
    result = run("participant", "export", *args)
    assert result.exit_code != 0
    assert result.stdout == ""
    assert result.stderr.startswith(message)
    assert not (tmp_path / "x.json").exists()
