"""The web front's pages: the board, a promise owner's updates, coordinators' browsing, reports."""

from __future__ import annotations

import json

import pytest
from web_support import SECRET

from coprod_core import hookimpl
from coprod_core.reports import Params, build


def test_the_board_shows_every_promise_from_the_report_document(web):
    page = web.client().get("/")
    assert page.status_code == 200
    report = build(web.workspace, "commitments", Params())
    ledger = next(b for s in report.sections for b in s.blocks
                  if hasattr(b, "columns") and "promise" in {c.key for c in b.columns})
    for row in ledger.rows:
        assert str(row[0]) in page.text  # every ref
    assert "Publish minutes within a week" in page.text
    assert "Minutes arrive too late to read" in page.text
    assert "Were promises kept?" in page.text
    assert "Can decide" in page.text
    # Names are redacted as in the report: the owner gave no consent for naming.
    assert "Dev Patel" not in page.text


def test_the_board_names_only_with_consent_as_the_report_does(web):
    ws = web.workspace
    ws.record_consent(web.owner.id, "naming", given=True, statement_version="v1",
                      method="written")
    page = web.client().get("/").text
    report_text = json.dumps([list(map(str, r)) for s in build(ws, "commitments", Params()).sections
                              for b in s.blocks if hasattr(b, "rows") for r in b.rows])
    assert ("Dev Patel" in page) == ("Dev Patel" in report_text)


def test_the_board_is_cached_until_the_record_changes(web):
    client = web.client()
    first = client.get("/").text
    web.workspace.update_commitment(web.promise.id, "Minutes now go out on Fridays")
    second = client.get("/").text
    assert "Minutes now go out on Fridays" in second and first != second
    front = web.app.state.front
    built = front.board._page
    assert client.get("/").status_code == 200
    assert front.board._page is built  # served from the cache


def test_the_board_can_be_off(web, workspace):
    from starlette.testclient import TestClient

    from coprod_core.config import set_key
    from coprod_web import create_app

    workspace.config = set_key(workspace.config, "web.board", False)
    client = TestClient(create_app(workspace, secret=SECRET), follow_redirects=False)
    answer = client.get("/")
    assert answer.status_code == 303 and answer.headers["location"] == "/login"


def test_held_tensions_appear_on_the_board_when_chosen(web, workspace):
    from starlette.testclient import TestClient

    from coprod_core.config import set_key
    from coprod_web import create_app

    workspace.move_tension("T-1", "held", note="Named and lived with")
    assert "Held tensions" not in web.client().get("/").text
    workspace.config = set_key(workspace.config, "web.board_held_tensions", True)
    board = TestClient(create_app(workspace, secret=SECRET)).get("/").text
    assert "Tensions we are holding" in board
    assert "Minutes arrive too late to read" in board


def test_an_owner_adds_news_and_the_board_shows_it(web):
    owner = web.client("promise_owner")
    mine = owner.get("/mine")
    assert "Publish minutes within a week" in mine.text
    assert "Fund travel passes" not in mine.text
    answer = web.post(owner, f"/mine/{web.promise.id}/progress",
                      {"note": "First minutes sent within five days"},
                      form_page=f"/mine/{web.promise.id}")
    assert answer.status_code == 303 and answer.headers["location"] == f"/mine/{web.promise.id}"
    after = owner.get(answer.headers["location"]).text
    assert "Your news was added." in after
    assert "First minutes sent within five days" in web.client().get("/").text


def test_an_owner_moves_the_status_and_a_reason_is_asked_when_the_lifecycle_needs_one(web):
    owner = web.client("promise_owner")
    path = f"/mine/{web.promise.id}"
    refused = web.post(owner, f"{path}/status", {"status": "not_delivered", "reason": ""},
                       form_page=path)
    assert refused.status_code == 400
    assert "There is a problem" in refused.text
    assert "Say why the promise is not done" in refused.text
    assert 'value="not_delivered" selected' in refused.text  # the choice is kept
    assert web.workspace.commitment(web.promise.id).status == "agreed"
    moved = web.post(owner, f"{path}/status",
                     {"status": "not_delivered", "reason": "The budget was cut in March"},
                     form_page=path)
    assert moved.status_code == 303
    commitment = web.workspace.commitment(web.promise.id)
    assert commitment.status == "not_delivered"
    assert commitment.history[-1].note == "The budget was cut in March"
    assert "The budget was cut in March" in web.client().get("/").text
    # A final promise offers no more moves.
    assert "Say where it stands" not in owner.get(path).text


def test_a_move_the_lifecycle_forbids_is_refused_beside_the_field(web):
    owner = web.client("promise_owner")
    path = f"/mine/{web.promise.id}"
    answer = web.post(owner, f"{path}/status", {"status": "proposed"}, form_page=path)
    assert answer.status_code == 400
    assert "Choose where the promise stands now" in answer.text
    empty = web.post(owner, f"{path}/progress", {"note": "   "}, form_page=path)
    assert empty.status_code == 400 and "Write what has happened" in empty.text


def test_validation_hooks_refuse_web_updates_as_they_refuse_the_cli(web, register_plugin):
    class Gatekeeper:
        @hookimpl
        def coprod_validate(self, operation, record):
            if operation == "commitment.update" and "forbidden" in record.updates[-1].note:
                return "news may not say forbidden"
            return None

    register_plugin(Gatekeeper(), name="gatekeeper")
    owner = web.client("promise_owner")
    path = f"/mine/{web.promise.id}"
    answer = web.post(owner, f"{path}/progress", {"note": "A forbidden word"}, form_page=path)
    assert answer.status_code == 400
    assert "gatekeeper: news may not say forbidden" in answer.text
    assert "A forbidden word" in answer.text  # the value is kept in the form
    assert web.workspace.commitment(web.promise.id).updates == ()


def test_coordinators_browse_with_filters_and_history(web):
    client = web.client("coordinator")
    listed = client.get("/records/commitments?status=agreed").text
    assert "Publish minutes within a week" in listed and "Fund travel passes" not in listed
    assert "1 found." in listed
    proposed = client.get("/records/commitments?status=proposed").text
    assert "Fund travel passes" in proposed
    bad = client.get("/records/commitments?status=sideways")
    assert bad.status_code == 400 and "not a status" in bad.text
    shown = client.get(f"/records/commitments/{web.promise.id}").text
    assert "History" in shown and "agreed" in shown and "commitment.move" in shown
    people = client.get("/records/participants").text
    assert "not named: no consent for naming" in people and "Dev Patel" not in people
    assert client.get("/records/tensions?kind=communication").status_code == 200
    assert client.get("/records/participants?role=staff").status_code == 200
    assert client.get("/records/sessions").status_code == 200
    assert client.get("/records/commitments/C-99").status_code == 404


@pytest.mark.parametrize("kind", ["summary", "commitments", "tensions", "participation", "ladder"])
def test_every_report_downloads_in_every_format(web, kind):
    from coprod_core.reports import formats

    client = web.client("viewer")
    assert kind in client.get("/reports").text
    for name, chosen in formats(web.workspace.plugins).items():
        answer = client.get(f"/reports/{kind}/{name}")
        assert answer.status_code == 200, (name, answer.text[:300])
        disposition = answer.headers["content-disposition"]
        assert (f'filename="{kind}.{chosen.extension}"' in disposition
                or f'filename="{kind}-{name}.zip"' in disposition)
        assert len(answer.content) > 50


def test_reports_with_names_need_the_permission(web):
    assert web.client("viewer").get("/reports/commitments/html?names=yes").status_code == 403
    assert web.client("coordinator").get("/reports/commitments/html?names=yes").status_code == 200
    assert "with names" not in web.client("viewer").get("/reports").text


def test_the_home_page_lists_what_the_role_may_do(web):
    owner = web.client("promise_owner").get("/home").text
    assert "My promises" in owner and "Participants" not in owner
    coordinator = web.client("coordinator").get("/home").text
    assert "Participants" in coordinator and "My promises" not in coordinator


def test_a_plugin_page_extends_the_base_layout(web, register_plugin, tmp_path):
    from starlette.testclient import TestClient

    from coprod_web import WebRoute, create_app

    folder = tmp_path / "templates"
    (folder / "visits").mkdir(parents=True)
    (folder / "visits" / "list.html").write_text(
        '{% extends "coprod/base.html" %}{% block content %}<h1>Visits</h1>'
        "<p>{{ note }}</p>{% endblock %}", encoding="utf-8")

    def visits(page):
        return page.render("visits/list.html", title="Visits", note="<b>escaped</b>")

    class Plugin:
        @hookimpl
        def coprod_register_web_routes(self, register):
            register("visits", WebRoute(path="/visits", view=visits, permission="records.read",
                                        title="Visits", templates=folder))

    register_plugin(Plugin(), name="visits")
    app = create_app(web.workspace, secret=SECRET)
    web.app = app
    coordinator = web.client("coordinator")
    page = coordinator.get("/visits")
    assert page.status_code == 200
    assert "<h1>Visits</h1>" in page.text and "&lt;b&gt;escaped&lt;/b&gt;" in page.text
    assert 'href="/visits"' in page.text  # in the menu
    assert 'href="/visits"' in coordinator.get("/home").text
    viewer = web.client("viewer")
    assert viewer.get("/visits").status_code == 403
    assert 'href="/visits"' not in viewer.get("/home").text
    assert TestClient(app, follow_redirects=False).get("/visits").status_code == 303
