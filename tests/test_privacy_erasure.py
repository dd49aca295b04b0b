"""Erasure leaves no trace in any file of the workspace, and totals stay true."""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coprod_core import privacy
from coprod_core.errors import CoprodError, NotFound, PluginError
from coprod_core.subject_access import export
from coprod_core.testing.privacy import (
    BACKENDS,
    OTHER,
    PEOPLE,
    backend_workspace,
    drop_postgres_schema,
    plant,
    postgres_leftovers,
    scan,
)


def _totals(ws):
    sessions = list(ws.sessions())
    return {
        "participants": ws.count("participants"),
        "by_role": sorted((p.role, p.id) for p in ws.participants()),
        "attendance": sum(len(s.attendance) for s in sessions),
        "ratings": sum(len(s.ratings) for s in sessions),
        "feedback": sum(len(s.feedback) for s in sessions),
        "facilitators": sum(len(s.facilitators) for s in sessions),
        "tensions": [(t.id, t.status, t.raised_by, t.between) for t in ws.tensions()],
        "commitments": [(c.id, c.status, c.made_by, len(c.updates)) for c in ws.commitments()],
        "requests": [r.id for r in privacy.requests(ws)],
    }


@pytest.mark.parametrize("person", PEOPLE, ids=["zoe", "lukasz"])
@pytest.mark.parametrize("backend", BACKENDS)
def test_erasure_leaves_no_byte_in_any_workspace_file(backend, person, tmp_path,
                                                      plugin_manager, clock):
    folder = tmp_path / "ws"
    with backend_workspace(backend, folder, plugin_manager, clock) as ws:
        schema = ws.config.storage_options.get("schema")
        assert hasattr(ws.storage, "rewrite_audit"), (
            f"the {backend} backend needs rewrite_audit(change) (coprod_core.storage) so that "
            "an erasure can remove a person's name where they were the actor in the audit log")
        planted = plant(ws, person, clock)
        pid = planted["participant"].id
        (folder / "exports").mkdir()
        export(ws, pid, folder / "exports" / "sar.json")
        export(ws, pid, folder / "sar.html")
        export(ws, pid, folder / "sar.md")
        assert scan(folder, person), "the scan must find the person before erasure"
        before = _totals(ws)
        result = privacy.erase(ws, pid)
        assert sorted(result.files_deleted) == sorted(
            str(folder / f) for f in ("exports/sar.json", "sar.html", "sar.md"))
        assert _totals(ws) == before
        dead = ws.participant(pid)
        assert dead.erased_at == clock.now
        assert (dead.role, dead.pseudonym, dead.email, dead.phone, dead.consents,
                dead.demographics, dead.extra) == ("lived_experience", None, None, None, (),
                                                   (), {})
    # Closed: everything the backend wrote is on disk (or on the server).
    assert scan(folder, person) == []
    if backend == "postgres":
        url = os.environ["COPROD_TEST_POSTGRES_URL"]
        try:
            assert postgres_leftovers(url, person, schema) == []
            assert postgres_leftovers(url, OTHER, schema), "someone not erased is still there"
        finally:
            if schema:
                drop_postgres_schema(url, schema)
    else:
        assert scan(folder, OTHER), "someone not erased is still there"


def test_erasure_replaces_mentions_with_a_neutral_marker(memory_workspace, clock):
    ws = memory_workspace
    person = PEOPLE[0]
    planted = plant(ws, person, clock)
    privacy.erase(ws, planted["participant"].id)
    attended = ws.session(planted["attended"].id)
    assert attended.title == "Panel: curfews, with [removed]"
    assert attended.purpose == "Hear from [removed] about curfews"
    assert attended.agreed_next == "Call [removed] with the outcome"
    assert [f.text for f in attended.feedback] == ["[removed]", "[removed] led the second half"]
    mentioned = ws.tension(planted["mentioned"].id)
    assert mentioned.description == "[removed] was talked over"
    assert [s.note for s in mentioned.history] == ["Email from [removed]",
                                                   "[removed] agreed to follow up"]
    promise = ws.commitment(planted["promise"].id)
    assert promise.description == "Pay [removed] for preparation time"
    assert promise.scope == "Ring [removed]"
    assert promise.history[-1].actor == "[removed]"
    assert promise.history[1].note == f"Agreed with {planted['participant'].id}"
    assert [u.note for u in promise.updates] == ["[removed] confirmed the amount"]
    other = ws.participant(planted["other"].id)
    assert other.consents[-1].recorded_by == "[removed]"
    assert other.name == OTHER["name"]
    request = privacy.get_request(ws, planted["request"].id)
    assert request.note == "Asked by [removed] at the drop-in"
    assert ws.storage.get("payments", "Y-1")["paid_to"] == "[removed]"
    ops = [e["operation"] for e in ws.audit()]
    assert ops[-1] == "participant.erase"
    assert all(person["name"] not in json.dumps(e, ensure_ascii=False) for e in ws.audit())


def test_single_word_names_are_matched_as_written():
    from coprod_core.model import Participant

    p = Participant(id="P-1", name="Grace", pseudonym="River", role="staff",
                    created_at=clock_now())
    m = privacy.Matcher(p)
    assert m.scrub("Grace said the river was high; grace period") == (
        "[removed] said the river was high; grace period")
    assert m.scrub("River and Graceful") == "[removed] and Graceful"


def test_phone_numbers_match_whatever_the_spacing():
    from coprod_core.model import Participant

    p = Participant(id="P-1", name="Ann Lee", phone="07700 900461", role="staff",
                    created_at=clock_now())
    m = privacy.Matcher(p)
    assert m.scrub("ring 07700900461 or 07700-900-461, not 107700900461") == (
        "ring [removed] or [removed], not 107700900461")
    assert m.scrub("ANN LEE came") == "[removed] came"


def clock_now():
    import datetime as dt

    return dt.datetime(2026, 1, 5, tzinfo=dt.UTC)


def test_erasing_unknown_or_erased_changes_nothing(memory_workspace):
    ws = memory_workspace
    p = ws.add_participant("Zoë Ní Bhriain", role="volunteer")
    with pytest.raises(NotFound, match="no participant with id P-9"):
        privacy.erase(ws, "P-9")
    privacy.erase(ws, p.id)
    audit = list(ws.audit())
    with pytest.raises(CoprodError, match="P-1 was already erased on 2026-01-05; nothing changed"):
        privacy.erase(ws, p.id)
    assert list(ws.audit()) == audit


def test_a_failing_plugin_undoes_the_whole_erasure(memory_workspace, register_plugin):

    from coprod_core import hookimpl

    class Broken:
        @hookimpl
        def coprod_erase_participant(self, participant_id):
            raise RuntimeError("disk full")

    ws = memory_workspace
    p = ws.add_participant("Zoë Ní Bhriain", role="volunteer", email="z@example.org")
    register_plugin(Broken(), name="broken")
    with pytest.raises(PluginError, match="plugin 'broken' failed while erasing a participant"):
        privacy.erase(ws, p.id)
    assert ws.participant(p.id) == p


def test_workspace_erase_participant_is_the_same_service(memory_workspace):
    ws = memory_workspace
    p = ws.add_participant("Ann Lee", role="staff")
    result = ws.erase_participant("p1")
    assert result.participant_id == p.id
    assert result.to_json()["erased_at"] == "2026-01-05T10:00:00+00:00"
    with pytest.raises(CoprodError, match="was erased and cannot be changed"):
        ws.update_participant(p.id, name="Ann")


_LETTERS = "abcdefghijklmnopqrstuvwxyzéëïñóöøłżźćśąęçğşåæß"
_word = st.text(alphabet=_LETTERS, min_size=2, max_size=9).map(str.capitalize)


@given(first=_word, last=_word, before=st.sampled_from(["", "Met ", "(", "Ask ", "«"]),
       after=st.sampled_from(["", ".", "'s idea", ")", ", later", "»"]),
       form=st.sampled_from(["NFC", "NFD"]), upper=st.booleans())
def test_scrub_removes_every_form_of_a_full_name(first, last, before, after, form, upper):
    import unicodedata

    from coprod_core.model import Participant

    name = f"{first} {last}"
    p = Participant(id="P-1", name=name, role="staff", created_at=clock_now())
    written = unicodedata.normalize(form, name.upper() if upper else name)
    scrubbed = privacy.Matcher(p).scrub(f"{before}{written}{after}")
    assert scrubbed == f"{before}[removed]{after}"
    assert privacy.Matcher(p).mentions(f"{before}{written}{after}")


def test_privacy_settings_through_config_set(run):
    bad = run("config", "set", "privacy.retention", "soon")
    assert bad.exit_code == 1
    assert bad.stdout == ""
    assert "`privacy.retention`: 'soon' is not a period" in bad.stderr
    good = run("config", "set", "privacy.retention", "18 months")
    assert good.exit_code == 0, good.stderr
    assert run("privacy", "review").stdout == (
        "nobody is past the retention period (18 months inactive)\n")


def test_an_export_that_cannot_be_deleted_is_reported(memory_workspace, tmp_path):
    ws = memory_workspace
    warnings = []
    ws.warn = warnings.append
    p = ws.add_participant("Zoë Ní Bhriain", role="volunteer")
    path = export(ws, p.id, tmp_path / "zoe.json")
    path.unlink()
    path.mkdir()  # something else now sits where the export was
    result = privacy.erase(ws, p.id)
    assert result.files_deleted == []
    assert [(k.path, k.reason) for k in result.kept] == [
        (str(path), "it is a folder now, not the file coprod wrote; it was left untouched")]
    assert path.is_dir()
    assert ws.participant(p.id).erased_at is not None
