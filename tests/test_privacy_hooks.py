"""Plugins that hold personal data take part in access, withdrawal and erasure."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from coprod_core import hookimpl, hookspecs, privacy, subject_access
from coprod_core.model import Demographic

PRIVACY_HOOKS = ("coprod_subject_access", "coprod_erase_participant", "coprod_consent_withdrawn")


class Mentoring:
    """Keeps mentoring notes in its own collection, like the example in docs/plugins.md."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    @staticmethod
    def add_note(ws, participant_id, text, health=None):
        with ws.operation("mentoring.note") as op:
            doc = {"id": f"M-{ws.count('mentoring') + 1}",
                   "participant_id": participant_id, "text": text, "health": health}
            ws.storage.put("mentoring", doc)
            op.touch(doc["id"])

    @hookimpl
    def coprod_subject_access(self, workspace, participant):
        notes = [d["text"] for d in workspace.storage.iterate(
            "mentoring", {"participant_id": participant.id})]
        return {"mentoring notes": notes} if notes else None

    @hookimpl
    def coprod_erase_participant(self, workspace, participant_id, participant):
        assert participant.name == "Zoë Ní Bhriain"
        self.calls.append(("erase", participant_id))
        with workspace.operation("mentoring.erase") as op:
            for doc in list(workspace.storage.iterate(
                    "mentoring", {"participant_id": participant_id})):
                op.delete("mentoring", doc["id"])

    @hookimpl
    def coprod_consent_withdrawn(self, workspace, participant, purpose):
        self.calls.append((purpose, participant.id))
        if purpose != "special:health":
            return
        for doc in list(workspace.storage.iterate(
                "mentoring", {"participant_id": participant.id})):
            workspace.storage.put("mentoring", {**doc, "health": None})


@pytest.fixture
def mentoring(register_plugin):
    plugin = Mentoring()
    register_plugin(plugin, name="mentoring")
    return plugin


def test_subject_access_hook_adds_the_plugins_data(memory_workspace, mentoring):
    ws = memory_workspace
    p = ws.add_participant("Zoë Ní Bhriain", role="lived_experience")
    q = ws.add_participant("Ann Lee", role="staff")
    Mentoring.add_note(ws, p.id, "Wants to train as a peer researcher")
    assert subject_access.collect(ws, p.id)["plugins"] == {
        "mentoring": {"mentoring notes": ["Wants to train as a peer researcher"]}}
    assert subject_access.collect(ws, q.id)["plugins"] == {}
    md = subject_access.render_markdown(subject_access.collect(ws, p.id))
    assert "## Held by the mentoring add-on" in md
    assert "- mentoring notes: Wants to train as a peer researcher" in md


def test_erase_hook_runs_inside_the_erasure(memory_workspace, mentoring):
    ws = memory_workspace
    p = ws.add_participant("Zoë Ní Bhriain", role="lived_experience")
    Mentoring.add_note(ws, p.id, "Met at the drop-in")
    privacy.erase(ws, p.id)
    assert mentoring.calls == [("erase", p.id)]
    assert ws.count("mentoring") == 0
    erase_entry = list(ws.audit())[-1]
    assert erase_entry["operation"] == "participant.erase"
    assert "M-1" in erase_entry["ids"]


def test_consent_withdrawn_hook_drops_what_the_consent_covered(memory_workspace, mentoring):
    ws = memory_workspace
    p = ws.add_participant("Zoë Ní Bhriain", role="lived_experience")
    ws.record_consent(p.id, "special:health", given=True, statement_version="v1",
                      method="written")
    ws.update_participant(p.id, demographics=(
        Demographic(key="health", value="asthma", category="health"),))
    Mentoring.add_note(ws, p.id, "Check in monthly", health="asthma")
    ws.record_consent(p.id, "special:health", given=False, statement_version="v1",
                      method="verbal")
    assert mentoring.calls == [("special:health", p.id)]
    assert ws.storage.get("mentoring", "M-1")["health"] is None
    assert ws.participant(p.id).demographics == ()
    ws.record_consent(p.id, "naming", given=False, statement_version="v1", method="verbal")
    assert mentoring.calls[-1] == ("naming", p.id)


def test_a_failing_withdrawal_hook_undoes_the_withdrawal(memory_workspace, register_plugin):
    class Broken:
        @hookimpl
        def coprod_consent_withdrawn(self, purpose):
            raise OSError("read-only")

    ws = memory_workspace
    p = ws.add_participant("Ann Lee", role="staff", email="ann@example.org")
    ws.record_consent(p.id, "contact", given=True, statement_version="v1", method="written")
    before = ws.participant(p.id)
    register_plugin(Broken(), name="broken")
    with pytest.raises(privacy.PluginError, match="plugin 'broken' failed while dropping data"):
        ws.record_consent(p.id, "contact", given=False, statement_version="v1",
                          method="written")
    assert ws.participant(p.id) == before


def _plugins_doc() -> str:
    path = Path(__file__).parent.parent / "docs" / "plugins.md"
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("hook", PRIVACY_HOOKS)
def test_each_privacy_hook_is_documented_with_its_exact_signature(hook):
    spec = getattr(hookspecs, hook)
    assert spec.__doc__ and ":return:" in spec.__doc__ and "versionadded" in spec.__doc__
    sig = inspect.signature(spec)
    params = ", ".join(f"{p.name}: {p.annotation}" for p in sig.parameters.values())
    expected = f"{hook}({params}) -> {sig.return_annotation}"
    heading = re.compile(rf"^## `{re.escape(expected)}`$", re.MULTILINE)
    doc = _plugins_doc()
    assert heading.search(doc), f"docs/plugins.md needs a section headed `{expected}`"
    section = doc[heading.search(doc).end():].split("\n## ", 1)[0]
    assert "```python" in section and f"def {hook}(" in section


class DropsItsExtraKey:
    """Keeps a key on the participant's record itself, dropped with contact consent."""

    @hookimpl
    def coprod_consent_withdrawn(self, workspace, participant, purpose):
        from attrs import evolve

        if purpose == "contact":
            extra = {k: v for k, v in participant.extra.items() if k != "where.postcode"}
            with workspace.operation("where.drop") as op:
                op.write("participants", evolve(participant, extra=extra), participant)


@pytest.mark.parametrize("backend", ["memory", "sqlite", "json"])
def test_a_withdrawal_hook_may_rewrite_the_participant(backend, tmp_path, register_plugin,
                                                       plugin_manager):
    from coprod_core.workspace import Workspace

    register_plugin(DropsItsExtraKey(), name="where")
    with Workspace.create(tmp_path / "ws", backend=backend, plugins=plugin_manager) as ws:
        p = ws.add_participant("Ann Lee", role="staff", phone="0113 496 0000",
                               extra={"where.postcode": "LS6 2AB", "panel.by": "phone"})
        after = ws.record_consent(p.id, "contact", given=False, statement_version="v1",
                                  method="verbal")
        stored = ws.participant(p.id)
        assert stored == after
        assert (stored.extra, stored.phone) == ({"panel.by": "phone"}, None)
        assert [(c.purpose, c.given) for c in stored.consents] == [("contact", False)]
        assert list(ws.audit())[-1]["operation"] == "participant.consent"
