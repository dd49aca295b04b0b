"""Categories come from definitions; organisations protect what they need to.

Reproduced: after consent for special:ethnicity was withdrawn,
``update_participant(..., demographics=(Demographic(key="ethnicity",
value=..., category=None),))`` stored the answer on every backend, because
the category travelled with the caller's value. A panel asking about gender
identity had to file it under sexuality. Withdrawing contact consent kept the
contact routes a form declared ("via key worker at the hostel").
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coprod_core.errors import ConfigError, InvalidValue, ValidationFailed
from coprod_core.forms.submit import catalogue, submit
from coprod_core.model import Demographic
from coprod_core.testing.privacy import BACKENDS, backend_workspace
from coprod_core.workspace import Workspace

FORMS = {"welcome": {"title": "Welcome", "fields": [
    {"name": "name", "type": "short_text", "label": "Name", "fills": "name"},
    {"name": "ethnicity_ok", "type": "consent", "label": "OK?", "method": "written",
     "statement": "We keep your ethnic group.", "purpose": "special:ethnicity"},
    {"name": "ethnicity", "type": "short_text", "label": "Ethnic group",
     "fills": "demographic.ethnicity", "special": "ethnicity"},
    {"name": "gender_ok", "type": "consent", "label": "OK?", "method": "written",
     "statement": "We keep your gender identity.", "purpose": "special:gender_identity"},
    {"name": "gender", "type": "short_text", "label": "Gender identity",
     "fills": "demographic.gender_identity", "special": "gender_identity"},
    {"name": "contact_ok", "type": "consent", "label": "Can we contact you?",
     "method": "written", "statement": "We will contact you.", "purpose": "contact"},
    {"name": "email", "type": "email", "label": "Email", "fills": "email"},
    {"name": "route", "type": "short_text", "label": "Another way to reach you",
     "fills": "extra.panel.route", "contact": True},
    {"name": "hours", "type": "short_text", "label": "When to call", "contact": True},
    {"name": "hopes", "type": "short_text", "label": "Hopes"},
]}}
CONFIG = {"privacy": {"protected": {"gender_identity": "Gender identity"}}, "forms": FORMS}


def _ws(plugin_manager, clock, **extra):
    return Workspace.in_memory(plugins=plugin_manager, clock=clock,
                               data={**CONFIG, **extra})


def _consent(ws, pid, purpose, given=True):
    return ws.record_consent(pid, purpose, given=given, statement_version="v1",
                             method="written")


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_category_comes_from_the_definition_not_the_caller(backend, tmp_path,
                                                               plugin_manager, clock):
    with backend_workspace(backend, tmp_path / "ws", plugin_manager, clock, CONFIG) as ws:
        p = ws.add_participant("Asha", role="lived_experience")
        _consent(ws, p.id, "special:ethnicity")
        _consent(ws, p.id, "special:ethnicity", given=False)
        with pytest.raises(ValidationFailed, match="consent for special:ethnicity"):
            ws.update_participant(p.id, demographics=(
                Demographic(key="ethnicity", value="mixed", category=None),))
        assert ws.storage.get("participants", p.id)["demographics"] == []
        # With consent, the stored answer carries the definition's category...
        _consent(ws, p.id, "special:ethnicity")
        after = ws.update_participant(p.id, demographics=(
            Demographic(key="ethnicity", value="mixed", category=None),))
        stored = ws.storage.get("participants", p.id)["demographics"]
        assert stored == [{"key": "ethnicity", "value": "mixed", "category": "ethnicity"}]
        assert after.demographics[0].category == "ethnicity"
        # ...so a withdrawal removes it.
        _consent(ws, p.id, "special:ethnicity", given=False)
        assert ws.storage.get("participants", p.id)["demographics"] == []


# The fixtures are only read: each example makes its own workspace.
@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(category=st.sampled_from([None, "health", "religion", "gender_identity"]),
       consented=st.booleans())
def test_no_caller_category_changes_a_declared_one(plugin_manager, clock, category,
                                                  consented):
    ws = _ws(plugin_manager, clock)
    p = ws.add_participant("Asha", role="lived_experience")
    _consent(ws, p.id, "special:gender_identity", given=consented)
    _consent(ws, p.id, "special:health")
    _consent(ws, p.id, "special:religion")
    answer = Demographic(key="gender_identity", value="non-binary", category=category)
    if not consented:
        with pytest.raises(ValidationFailed):
            ws.update_participant(p.id, demographics=(answer,))
        assert ws.participant(p.id).demographics == ()
    else:
        stored = ws.update_participant(p.id, demographics=(answer,)).demographics
        assert [d.category for d in stored] == ["gender_identity"]


def test_a_protected_category_has_its_own_consent(plugin_manager, clock):
    ws = _ws(plugin_manager, clock)
    assert "special:gender_identity" in ws.config.consent_purposes
    assert ws.config.categories["gender_identity"] == "Gender identity"
    cat = catalogue(ws)
    outcome = submit(ws, cat.form("welcome"), {
        "name": "Asha", "gender_ok": True, "gender": "non-binary", "ethnicity": "mixed"})
    assert [n for n, _ in outcome.not_stored] == ["ethnicity"]
    p = outcome.participant
    assert [(d.key, d.category) for d in p.demographics] == [
        ("gender_identity", "gender_identity")]
    _consent(ws, p.id, "special:sexuality", given=False)  # one without the other
    assert ws.participant(p.id).demographics == p.demographics
    _consent(ws, p.id, "special:gender_identity", given=False)
    assert ws.participant(p.id).demographics == ()


def test_an_undeclared_category_is_refused(plugin_manager, clock):
    ws = Workspace.in_memory(plugins=plugin_manager, clock=clock)
    p = ws.add_participant("Asha", role="lived_experience")
    with pytest.raises(InvalidValue, match="special:sexuality"):
        _consent(ws, p.id, "special:gender_identity")


@pytest.mark.parametrize(("data", "key", "words"), [
    ({"privacy": {"protected": {"Gender": "Gender"}}}, "privacy.protected.Gender",
     "a category name is lower-case letters"),
    ({"privacy": {"protected": {"health": "Health"}}}, "privacy.protected.health",
     "'health' is already a special category"),
    ({"privacy": {"protected": {"gender_identity": " "}}}, "privacy.protected.gender_identity",
     "needs a label people can read"),
    ({"privacy": {"protected": ["gender_identity"]}}, "privacy.protected", "must be a table"),
    ({"forms": FORMS}, "forms.welcome.fields[3].purpose",
     "unknown category in 'special:gender_identity'"),
    ({"privacy": {"protected": {"gender_identity": "Gender identity"}}, "forms": {
        **FORMS, "other": {"title": "Other", "fields": [
            {"name": "e", "type": "short_text", "label": "E",
             "fills": "demographic.ethnicity", "special": "health"}]}}},
     "forms", "form 'other' puts demographic.ethnicity in the category health, but form "
              "'welcome' puts it in ethnicity"),
    ({"forms": {"f": {"title": "F", "creates": "session_feedback", "fields": [
        {"name": "x", "type": "short_text", "label": "X", "contact": True}]}}},
     "forms.f.fields[0].contact", "only a question about a participant"),
])
def test_config_errors_name_the_key(plugin_manager, clock, data, key, words):
    with pytest.raises(ConfigError) as caught:
        Workspace.in_memory(plugins=plugin_manager, clock=clock, data=data)
    assert f"`{key}`" in str(caught.value)
    assert words in str(caught.value)


def test_the_command_line_takes_a_protected_category(run, workspace_dir):
    config = workspace_dir / "coprod.toml"
    config.write_text(config.read_text(encoding="utf-8")
                      + '\n[privacy]\nprotected = { gender_identity = "Gender identity" }\n',
                      encoding="utf-8")
    run("participant", "add", "Asha", "--role", "lived_experience")
    given_ = run("participant", "consent", "P-1", "special:gender_identity", "--give",
                 "--statement-version", "v1", "--method", "verbal")
    assert (given_.exit_code, given_.stdout, given_.stderr) == (
        0, "P-1: consent for special:gender_identity given\n", "")
    shown = run("participant", "consent", "P-1")
    assert "special:gender_identity   given" in shown.stdout
    unknown = run("participant", "consent", "P-1", "special:care", "--give",
                  "--statement-version", "v1", "--method", "verbal")
    assert unknown.exit_code == 1
    assert unknown.stderr.startswith("error: unknown consent purpose 'special:care'")
    assert "special:gender_identity" in unknown.stderr
    checked = run("config", "check")
    assert checked.exit_code == 0, checked.stderr


def test_withdrawing_contact_removes_every_contact_detail_a_form_declared(plugin_manager,
                                                                         clock):
    ws = _ws(plugin_manager, clock)
    outcome = submit(ws, catalogue(ws).form("welcome"), {
        "name": "Asha", "contact_ok": True, "email": "asha@example.org",
        "route": "via key worker at the hostel", "hours": "after 6pm", "hopes": "More say"})
    p = outcome.participant
    assert p.extra == {"panel.route": "via key worker at the hostel"}
    _consent(ws, p.id, "contact", given=False)
    after = ws.participant(p.id)
    assert (after.email, after.extra) == (None, {})
    [submission] = ws.storage.iterate("submissions")
    assert submission["answers"] == {"hopes": "More say"}
    with pytest.raises(ValidationFailed, match=re.escape(
            "withdrew consent to be contacted on 2026-01-05; extra.panel.route cannot be "
            "stored unless they give it again")):
        ws.update_participant(p.id, extra={"panel.route": "the hostel"})


def test_a_declined_contact_consent_is_called_declined(plugin_manager, clock):
    ws = _ws(plugin_manager, clock)
    p = ws.add_participant("Asha", role="lived_experience")
    _consent(ws, p.id, "contact", given=False)
    with pytest.raises(ValidationFailed, match=re.escape(
            "P-1 declined consent to be contacted on 2026-01-05; email cannot be stored "
            "unless they give it") + "$"):
        ws.update_participant(p.id, email="asha@example.org")
