"""The web front's security: CSRF, sessions, throttling, headers, escaping, error pages."""

from __future__ import annotations

import pytest
from web_support import PASSWORD, SECRET, csrf_of, once_of

from coprod_core import accounts
from coprod_web.security import COOKIE


def _sid(web, client) -> str:
    return web.app.state.front.signer.load(client.cookies.get(COOKIE)).sid


def _updates(web) -> int:
    return len(web.workspace.commitment(web.promise.id).updates)


@pytest.mark.parametrize("token", [None, "", "forged", "0" * 64])
def test_a_post_without_a_valid_csrf_token_is_refused_and_writes_nothing(web, token):
    client = web.client("promise_owner")
    before = list(web.workspace.audit())
    data = {"note": "Sneaky news"} if token is None else {"note": "Sneaky news", "_csrf": token}
    answer = client.post(f"/mine/{web.promise.id}/progress", data=data)
    assert answer.status_code == 403
    assert "This form has expired" in answer.text and "Nothing was saved" in answer.text
    assert _updates(web) == 0
    assert list(web.workspace.audit()) == before


def test_a_token_from_another_session_is_refused(web):
    mine, theirs = web.client("promise_owner"), web.client("promise_owner")
    stolen = csrf_of(theirs.get("/mine").text)
    answer = mine.post(f"/mine/{web.promise.id}/progress",
                       data={"_csrf": stolen, "note": "News"})
    assert answer.status_code == 403
    assert _updates(web) == 0


def test_the_session_id_changes_at_login(web):
    client = web.client()
    page = client.get("/login")
    before = _sid(web, client)
    answer = client.post("/login", data={"_csrf": csrf_of(page.text), "name": "viewer",
                                         "password": PASSWORD})
    assert answer.status_code == 303
    assert _sid(web, client) != before
    # The token of the page before signing in no longer works.
    late = client.post("/logout", data={"_csrf": csrf_of(page.text)})
    assert late.status_code == 403


def test_cookies_are_httponly_samesite_and_secure_behind_https(web, workspace):
    client = web.client("viewer")
    header = client.get("/home").headers["set-cookie"]
    assert "HttpOnly" in header and "SameSite=lax" in header and "Secure" not in header
    from coprod_core.config import set_key
    from coprod_web import create_app

    workspace.config = set_key(workspace.config, "web.behind_https", True)
    app = create_app(workspace, secret=SECRET)
    from starlette.testclient import TestClient

    secure = TestClient(app, base_url="https://testserver").get("/login")
    assert "Secure" in secure.headers["set-cookie"]
    assert secure.headers["strict-transport-security"].startswith("max-age=")


def test_security_headers_on_every_response(web):
    client = web.client()
    for path in ("/", "/login", "/no-such-page", "/static/coprod.css"):
        headers = client.get(path).headers
        csp = headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"


def test_the_idle_timeout_signs_people_out(web):
    client = web.client("promise_owner")
    web.clock.advance(minutes=29)
    assert client.get("/mine").status_code == 200
    web.clock.advance(minutes=29)  # 29 minutes since the last request: still in
    assert client.get("/mine").status_code == 200
    web.clock.advance(minutes=31)
    answer = client.get("/mine")
    assert answer.status_code == 303 and answer.headers["location"] == "/login?next=/mine"
    login = client.get(answer.headers["location"])
    assert "You were signed out after 30 minutes without activity" in login.text


def test_the_absolute_lifetime_ends_a_busy_session(web):
    client = web.client("viewer")
    for _ in range(12 * 3 - 1):
        web.clock.advance(minutes=20)
        assert client.get("/home").status_code == 200
    web.clock.advance(minutes=20)
    answer = client.get("/home")
    assert answer.status_code == 303
    assert "12 hours after signing in" in client.get("/login").text


def test_logout_ends_the_session_even_for_a_copied_cookie(web):
    client = web.client("coordinator")
    copied = client.cookies.get(COOKIE)
    token = csrf_of(client.get("/home").text)
    answer = client.post("/logout", data={"_csrf": token})
    assert answer.status_code == 303
    from starlette.testclient import TestClient

    thief = TestClient(web.app, follow_redirects=False, cookies={COOKIE: copied})
    assert thief.get("/records/participants").status_code == 303
    assert [e["operation"] for e in web.workspace.audit()][-1] == "account.sign_out"
    assert list(web.workspace.audit())[-1]["actor"] == "coordinator (web)"


def test_disabling_an_account_ends_its_sessions(web):
    client = web.client("viewer")
    assert client.get("/reports").status_code == 200
    accounts.disable_account(web.workspace, "viewer")
    assert client.get("/reports").status_code == 303


def test_a_forged_cookie_is_a_fresh_anonymous_session(web):
    from starlette.testclient import TestClient

    client = TestClient(web.app, follow_redirects=False, cookies={COOKIE: "e30.forged"})
    assert client.get("/home").status_code == 303


def _attempt(client, name, password="wrong password here"):
    page = client.get("/login")
    return client.post("/login", data={"_csrf": csrf_of(page.text), "name": name,
                                       "password": password})


@pytest.mark.parametrize("name", ["viewer", "nobody-at-all"])
def test_five_failures_lock_the_name_for_15_minutes_whether_it_exists_or_not(web, name):
    client = web.client()
    answers = [_attempt(client, name) for _ in range(4)]
    assert {a.status_code for a in answers} == {400}
    assert "Enter a correct account name and password" in answers[0].text
    locked = _attempt(client, name)
    assert locked.status_code == 429
    assert "Wait 15 minutes, then try again" in locked.text
    # Locked: even the right password is refused, with the same words.
    right = _attempt(web.client(), name, PASSWORD)
    assert right.status_code == 429 and "Wait 15 minutes" in right.text
    web.clock.advance(minutes=15)
    if name == "viewer":
        assert _attempt(web.client(), name, PASSWORD).status_code == 303


def test_a_failed_login_reads_the_same_for_a_real_and_a_made_up_name(web):
    real = _attempt(web.client(), "viewer").text
    made_up = _attempt(web.client(), "nobody-at-all").text
    strip = lambda html: html.replace("viewer", "X").replace("nobody-at-all", "X")  # noqa: E731
    import re

    strip_tokens = lambda html: re.sub(r'value="[^"]{20,}"', "", strip(html))  # noqa: E731
    assert strip_tokens(real) == strip_tokens(made_up)


def test_the_address_is_throttled_across_names(web):
    client = web.client()
    for i in range(5):
        _attempt(client, f"guess{i}")
    answer = _attempt(client, "viewer", PASSWORD)
    assert answer.status_code == 429


def test_sign_in_goes_only_to_pages_of_this_site(web):
    client = web.client()
    page = client.get("/login?next=https://evil.example/")
    assert 'value="/home"' in page.text
    answer = client.post("/login", data={"_csrf": csrf_of(page.text), "name": "viewer",
                                         "password": PASSWORD, "next": "//evil.example/x"})
    assert answer.headers["location"] == "/home"


HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>&"\''


def test_hostile_text_in_every_field_is_shown_escaped(web, workspace):
    person = workspace.add_participant(HOSTILE, role="staff", pseudonym=HOSTILE)
    workspace.record_consent(person.id, "naming", given=True, statement_version="v1",
                             method="written")
    session = workspace.new_session(HOSTILE, date=web.clock().date(), purpose=HOSTILE,
                                    agreed_next=HOSTILE, facilitators=[person.id])
    tension = workspace.raise_tension(HOSTILE, kind="power", session_id=session.id,
                                      raised_by=person.id, note=HOSTILE)
    promise = workspace.make_commitment(HOSTILE, made_by=web.owner.id, authority="can_decide",
                                        scope=HOSTILE, answers=[tension.id], note=HOSTILE)
    workspace.move_commitment(promise.id, "agreed", note=HOSTILE)
    workspace.update_commitment(promise.id, HOSTILE)
    workspace.move_tension(tension.id, "held", note=HOSTILE)
    pages = {
        "coordinator": ["/records/participants", f"/records/participants/{person.id}",
                        "/records/sessions", f"/records/sessions/{session.id}",
                        "/records/tensions", f"/records/tensions/{tension.id}",
                        "/records/commitments", f"/records/commitments/{promise.id}", "/"],
        "promise_owner": ["/mine", f"/mine/{promise.id}"],
    }
    for role, paths in pages.items():
        client = web.client(role)
        for path in paths:
            html = client.get(path).text
            assert "<script>alert" not in html and "<img src=x" not in html, path
            if path == "/":
                # The public board is a report: the hostile text is also this
                # participant's name, so it is taken out as a name would be.
                assert "[a participant]" in html, path
                continue
            assert "&lt;script&gt;" in html, path
    # The name the login form was given comes back escaped too.
    failed = _attempt(web.client(), HOSTILE[:60])
    assert "<script>" not in failed.text


def test_errors_are_a_plain_page_never_a_traceback(web, register_plugin):
    import pluggy

    from coprod_web import WebRoute, create_app

    def broken(page):
        raise RuntimeError("secret internals")

    class Plugin:
        @pluggy.HookimplMarker("coprod")
        def coprod_register_web_routes(self, register):
            register("broken", WebRoute(path="/broken", view=broken, permission="public"))

    register_plugin(Plugin(), name="broken")
    from starlette.testclient import TestClient

    client = TestClient(create_app(web.workspace, secret=SECRET), raise_server_exceptions=False)
    answer = client.get("/broken")
    assert answer.status_code == 500
    assert "Something went wrong on our side" in answer.text
    assert "secret internals" not in answer.text and "Traceback" not in answer.text
    missing = client.get("/nowhere")
    assert missing.status_code == 404 and "There is no page at this address" in missing.text
    wrong = client.delete("/login")
    assert wrong.status_code == 405


def test_a_double_submit_records_once(web):
    client = web.client("promise_owner")
    page = client.get(f"/mine/{web.promise.id}")
    data = {"_csrf": csrf_of(page.text), "_once": once_of(page.text), "note": "Printed"}
    first = client.post(f"/mine/{web.promise.id}/progress", data=data)
    second = client.post(f"/mine/{web.promise.id}/progress", data=data)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert _updates(web) == 1


def test_audit_entries_carry_the_account_and_say_web(web):
    client = web.client("promise_owner")
    answer = web.post(client, f"/mine/{web.promise.id}/progress", {"note": "Done the draft"},
                      form_page=f"/mine/{web.promise.id}")
    assert answer.status_code == 303
    entry = list(web.workspace.audit())[-1]
    assert entry["operation"] == "commitment.update"
    assert entry["actor"] == "promise_owner (web)"
    update = web.workspace.commitment(web.promise.id).updates[-1]
    assert update.actor == "promise_owner (web)"


def test_no_page_needs_javascript_or_loads_from_elsewhere(web):
    client = web.client("coordinator")
    for path in ("/", "/home", "/records/commitments", "/reports", "/login"):
        html = client.get(path).text
        assert "<script" not in html
        assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")
        assert "https://" not in html
