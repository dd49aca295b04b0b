"""Whatever an erasure changes, the subject access export showed first: one finder.

The person is planted everywhere the model and a plugin allow (their own
record, attendance, ratings, feedback, a tension's ``between``, a
commitment's ``made_by``, an actor field, consents of others they recorded,
free text, another participant's ``extra``, a plugin collection, their
submissions, the audit log). Then, on every backend, every field an erasure
changes must be one the finder listed, and every place the finder listed is
in the export.
"""

from __future__ import annotations

import json
from typing import Any

import pluggy
import pytest
from attrs import evolve

from coprod_core import subject_access
from coprod_core.finder import REDACTED, find
from coprod_core.testing.privacy import BACKENDS, PEOPLE, backend_workspace, plant

hookimpl = pluggy.HookimplMarker("coprod")


class Mentoring:
    """A plugin keeping mentoring notes in its own collection, and erasing its own way."""

    @hookimpl
    def coprod_erase_participant(self, workspace, participant_id, participant):
        first = participant.name.split()[0]
        for doc in list(workspace.storage.iterate("mentoring")):
            if doc.get("mentor") == participant_id:  # theirs: the note goes
                workspace.storage.put("mentoring", {**doc, "note": "(removed on erasure)"})
            elif first in doc.get("note", ""):  # someone else's that mentions them
                workspace.storage.put("mentoring", {**doc, "note": "(a note was removed)"})


def _leaves(value: Any, path: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key != "schema_version":
                out.update(_leaves(item, f"{path}.{key}" if path else key))
        return out
    if isinstance(value, list) and value:
        out = {}
        for i, item in enumerate(value):
            out.update(_leaves(item, f"{path}[{i}]"))
        return out
    return {path or ".": value}


def _snapshot(ws) -> tuple[dict[tuple[str, str], dict[str, Any]], list[dict[str, Any]]]:
    docs = {(c, str(d["id"])): _leaves(d) for c in ws.storage.collections()
            for d in ws.storage.iterate(c)}
    return docs, list(ws.audit())


def _plant_more(ws, person, w, clock):
    """Beyond plant(): another's extra, a plugin collection, a submission, an audit actor."""
    pid, first = w["participant"].id, person["name"].split()[0]
    other = w["other"]
    with ws.operation("test.more") as op:
        before = ws.participant(other.id)
        op.write("participants", evolve(before, extra={"mentoring.mentee": first}), before)
        ws.storage.put("mentoring", {"id": "M-1", "mentor": pid, "mentee": other.id,
                                     "note": "Fortnightly", "schema_version": 1})
        ws.storage.put("mentoring", {"id": "M-2", "mentor": other.id, "mentee": None,
                                     "note": f"Asked {first} to cover", "schema_version": 1})
        ws.storage.put("mentoring", {"id": "M-3", "mentor": other.id, "mentee": None,
                                     "note": "Nothing about them", "schema_version": 1})
        ws.storage.put("submissions", {
            "id": "F-9", "form": "welcome", "form_hash": "sha256:0", "participant_id": pid,
            "session_id": None, "at": "2026-01-05T10:00:00+00:00", "recorded_by": "test",
            "answers": {"hopes": "A say in the budget"}, "not_stored": [],
            "schema_version": 1})
        op.touch("M-1")


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_export_shows_whatever_erasure_changes(backend, tmp_path, plugin_manager, clock,
                                                   register_plugin):
    register_plugin(Mentoring(), name="mentoring")
    person = PEOPLE[0]
    with backend_workspace(backend, tmp_path / "ws", plugin_manager, clock) as ws:
        w = plant(ws, person, clock)
        _plant_more(ws, person, w, clock)
        pid = w["participant"].id
        before, audit_before = _snapshot(ws)
        found = find(ws, w["participant"])
        export = subject_access.collect(ws, pid)
        ws.erase_participant(pid)
        after, audit_after = _snapshot(ws)

    listed = {(p.collection, p.record_id): set(p.fields) for p in found.places}
    changed = []
    for key in before.keys() | after.keys():
        old, new = before.get(key, {}), after.get(key, {})
        for path in old.keys() | new.keys():
            if old.get(path) != new.get(path):
                changed.append((*key, path))
    assert changed, "the erasure changed nothing"
    unlisted = [(c, i, p) for c, i, p in changed
                if (c, i) not in listed
                or (p not in listed[(c, i)] and p in before.get((c, i), {}))]
    # A field the erasure added (the tombstone's erased_at) is listed when the record is.
    assert unlisted == [], "the erasure changed what the export did not show"
    assert ("mentoring", "M-3") not in listed  # and only what is about them

    changed_audit = [b for b, a in zip(audit_before, audit_after, strict=False) if a != b]
    assert changed_audit, "the actor was not removed from the audit log"
    assert all(entry in found.audit for entry in changed_audit)

    # Every place found is in the export, other people's records under a redacted id.
    held = {(h["collection"], h["record"]): set(h["fields"]) for h in export["held"]}
    for place in found.places:
        record = (REDACTED if place.collection == "participants" and place.record_id != pid
                  else place.record_id)
        assert set(place.fields) <= held[(place.collection, record)]
    assert len(export["audit"]) == len(found.audit)
    assert {"mentoring", "submissions"} <= set(export["other_records"])
    text = json.dumps(export, ensure_ascii=False)
    assert "Asked" in text and "Fortnightly" in text and "A say in the budget" in text


def test_erasure_removes_the_answers_of_their_submissions(memory_workspace, clock):
    # Answers kept with a submission (questions that fill nothing else) outlived erasure.
    ws = memory_workspace
    w = plant(ws, PEOPLE[0], clock)
    _plant_more(ws, PEOPLE[0], w, clock)
    ws.erase_participant(w["participant"].id)
    [submission] = ws.storage.iterate("submissions")
    assert submission["answers"] == {}
    assert submission["participant_id"] == w["participant"].id  # the count stays true


def test_another_participants_extra_mentioning_them_is_in_the_export(memory_workspace, clock):
    # Erasure rewrote another participant's plugin data the export did not show.
    ws = memory_workspace
    w = plant(ws, PEOPLE[0], clock)
    _plant_more(ws, PEOPLE[0], w, clock)
    data = subject_access.collect(ws, w["participant"].id)
    assert {"record": REDACTED, "field": "extra.mentoring.mentee", "text": "Zoë"} \
        in data["mentions"]
