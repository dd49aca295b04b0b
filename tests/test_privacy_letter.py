"""The subject access export reads like a letter, runs nothing, and holds nobody else."""

from __future__ import annotations

import html
import json
import re
import shutil

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coprod_core import subject_access
from coprod_core.access_letter import md_escape
from coprod_core.forms import statement_version
from coprod_core.testing.privacy import OTHER, PEOPLE, plant
from coprod_core.workspace import Workspace

#: What people have typed as names to see what a system does with them.
PAYLOADS = [
    "<script>window.pwned = 1</script>",
    "<img src=x onerror=\"window.pwned = 1\">",
    "[click me](javascript:window.pwned=1)",
    "<iframe srcdoc=\"<script>parent.pwned=1</script>\"></iframe>",
]

STATEMENT = "We keep a note of your health so that we can plan support at meetings."


def _workspace(plugin_manager, clock, **data):
    forms = {"forms": {"health": {"title": "Health", "fields": [
        {"name": "ok", "type": "consent", "label": "OK?", "statement": STATEMENT,
         "purpose": "special:health"},
        {"name": "health", "type": "short_text", "label": "Anything about your health?",
         "fills": "demographic.health", "special": "health"}]}}}
    return Workspace.in_memory(plugins=plugin_manager, clock=clock, org="Riverside Partnership",
                               data={**forms, **data})


@pytest.mark.parametrize("payload", PAYLOADS)
def test_markdown_export_runs_nothing_when_rendered(plugin_manager, clock, tmp_path, payload):
    # It ran a script in 4 of 4 exports: names and notes went into the Markdown as written.
    markdown = pytest.importorskip("markdown")
    ws = _workspace(plugin_manager, clock)
    person = {**PEOPLE[0], "name": f"Zoë {payload}"}
    w = plant(ws, person, clock)
    text = subject_access.export(ws, w["participant"].id, tmp_path / "z.md").read_text("utf-8")
    page = markdown.markdown(text, extensions=["tables"])
    assert "<script" not in page and "<img" not in page and "<iframe" not in page
    assert "javascript:" not in page.split("href=")[-1] or "href=" not in page
    assert "<a " not in page
    # and it reads as written
    shown = html.unescape(re.sub(r"<[^>]*>", "", page))
    assert f"Name you chose: Zoë {payload}" in shown


def test_markdown_export_runs_nothing_in_a_browser(plugin_manager, clock, tmp_path):
    markdown = pytest.importorskip("markdown")
    sync_api = pytest.importorskip("playwright.sync_api")
    if shutil.which("chromium") is None:
        pytest.skip("chromium is not installed")
    ws = _workspace(plugin_manager, clock)
    w = plant(ws, {**PEOPLE[0], "name": "Zoë " + " ".join(PAYLOADS)}, clock)
    text = subject_access.export(ws, w["participant"].id, tmp_path / "z.md").read_text("utf-8")
    (tmp_path / "z.html").write_text(markdown.markdown(text, extensions=["tables"]), "utf-8")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"))
        page = browser.new_page()
        page.goto((tmp_path / "z.html").as_uri())
        page.wait_for_timeout(200)
        assert page.evaluate("window.pwned") is None
        assert page.evaluate("document.querySelectorAll('script, img, iframe, a').length") == 0
        assert "<script>window.pwned = 1</script>" in page.inner_text("body")
        browser.close()


@given(st.text())
def test_markdown_escaping_leaves_no_markup(text):
    escaped = md_escape(text)
    assert "<" not in escaped
    assert "\n" not in escaped
    for i, char in enumerate(escaped):
        if char in "[]`*_|~#":
            assert escaped[i - 1] == "\\", (text, escaped)
    for word in escaped.split("&"):
        assert word == escaped.split("&")[0] or word.startswith(("amp;", "lt;"))


@given(st.text(alphabet=st.characters(codec="ascii", categories=["P", "S", "L", "Zs"])))
def test_markdown_shows_what_was_typed(text):
    md = pytest.importorskip("markdown_it")
    rendered = md.MarkdownIt("commonmark").enable("table").render(
        "- " + md_escape(text) if text.strip() else "- x")
    expected = " ".join(text.split()) or "x"
    inner = rendered.strip().removeprefix("<ul>\n<li>").removesuffix("</li>\n</ul>")
    assert html.unescape(inner) == expected


def test_the_html_letter_is_styled_for_a_phone_in_the_workspace_language(
        plugin_manager, clock, tmp_path):
    ws = _workspace(plugin_manager, clock, workspace={"org": "Riverside", "lang": "cy"})
    w = plant(ws, PEOPLE[0], clock)
    page = subject_access.export(ws, w["participant"].id, tmp_path / "z.html").read_text("utf-8")
    assert '<html lang="cy">' in page
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "Content-Security-Policy" in page
    assert "--accent: #00594f" in page  # the reports' house colours
    assert 'class="masthead"' in page


def test_the_letter_quotes_the_statement_and_keeps_declined_apart(plugin_manager, clock,
                                                                   tmp_path):
    ws = _workspace(plugin_manager, clock)
    p = ws.add_participant("Ann Lee", role="lived_experience")
    ws.record_consent(p.id, "special:health", given=True,
                      statement_version=statement_version(STATEMENT), method="verbal")
    ws.record_consent(p.id, "naming", given=False, statement_version="v1", method="verbal")
    ws.record_consent(p.id, "contact", given=True, statement_version="v1", method="verbal")
    ws.record_consent(p.id, "contact", given=False, statement_version="v1", method="written")
    for suffix in ("html", "md"):
        text = subject_access.export(ws, p.id, tmp_path / f"a.{suffix}").read_text("utf-8")
        assert STATEMENT.replace(".", "") in text.replace("\\.", "").replace(".", "")
        assert statement_version(STATEMENT) in text  # the version, as a detail
        assert "Naming you in reports: you said no on" in text
        assert "Contacting you: you said yes, then withdrew on" in text
        assert "no (declined)" in text and "no (withdrawn)" in text
        assert "Statement version v1: we do not hold its words" in text


def test_answers_are_labelled_with_their_question(plugin_manager, clock, tmp_path):
    from coprod_core.forms.submit import catalogue, submit

    ws = _workspace(plugin_manager, clock)
    p = ws.add_participant("Ann Lee", role="lived_experience")
    submit(ws, catalogue(ws).form("health"), {"ok": True, "health": "asthma"},
           participant_id=p.id, method="verbal")
    text = subject_access.export(ws, p.id, tmp_path / "a.html").read_text("utf-8")
    assert "Anything about your health? asthma (kept with your consent: Health)" in text


def test_other_people_are_redacted_from_every_format(plugin_manager, clock, tmp_path):
    # It listed other attendees' ids, and other people's names in notes.
    ws = _workspace(plugin_manager, clock)
    w = plant(ws, PEOPLE[0], clock)
    other = w["other"]
    with ws.operation("test.note") as op:
        session = ws.session(w["attended"].id)
        from attrs import evolve

        op.write("sessions", evolve(session, purpose=(
            f"Zoë and {OTHER['name']} ({other.id}, {OTHER['email']}, {OTHER['phone']}) "
            "planned it")), session)
    for suffix in ("json", "html", "md"):
        text = subject_access.export(ws, w["participant"].id, tmp_path / f"z.{suffix}"
                                     ).read_text("utf-8")
        for secret in (OTHER["name"], "Siân", "Dálaigh", OTHER["email"], OTHER["phone"],
                       f'"{other.id}"', f"{other.id},", f"{other.id} "):
            assert secret not in text, (suffix, secret)
        assert "another person" in text
    data = json.loads((tmp_path / "z.json").read_text("utf-8"))
    purpose = next(m for m in data["mentions"] if m["field"] == "purpose")["text"]
    assert purpose == ("Zoë and [another person] ([another person], [another person], "
                       "[another person]) planned it")


def test_audit_entries_where_they_were_the_actor_are_shown(memory_workspace, clock):
    # They were left out: only entries naming the person's id were listed.
    ws = memory_workspace
    w = plant(ws, PEOPLE[0], clock)
    data = subject_access.collect(ws, w["participant"].id)
    acted = [e for e in data["audit"] if e["actor"] == PEOPLE[0]["name"]]
    assert [e["operation"] for e in acted] == ["commitment.move", "participant.consent"]
    assert acted[1]["ids"] == ["[another person]"]


def test_the_letter_fits_a_phone(plugin_manager, clock, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    if shutil.which("chromium") is None:
        pytest.skip("chromium is not installed")
    ws = _workspace(plugin_manager, clock)
    w = plant(ws, PEOPLE[1], clock)
    path = subject_access.export(ws, w["participant"].id, tmp_path / "z.html")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"))
        page = browser.new_page(viewport={"width": 390, "height": 844})
        page.goto(path.as_uri())
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert page.evaluate("getComputedStyle(document.querySelector('td')).display") \
            == "block"
        browser.close()
