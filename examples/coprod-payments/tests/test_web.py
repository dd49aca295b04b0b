"""The payments page of `coprod serve`: coordinators only, in the web front's layout."""

import re

import pytest

pytest.importorskip("starlette", reason='the web front needs coprod[web]')

from starlette.testclient import TestClient

from coprod_core import accounts

PASSWORD = "four words in a row"


def _client(app, name):
    client = TestClient(app, follow_redirects=False)
    page = client.get("/login")
    token = re.search(r'name="_csrf" value="([^"]+)"', page.text).group(1)
    answer = client.post("/login", data={"_csrf": token, "name": name, "password": PASSWORD})
    assert answer.status_code == 303
    return client


def test_coordinators_see_payments_and_others_do_not(run, workspace):
    from coprod_web import create_app

    run("participant", "add", "Aisha", "--role", "lived_experience")
    result = run("payments", "record", "P-1", "--activity", "Panel <b>meeting</b>",
                 "--date", "2026-01-05", "--fee", "25", "--travel", "4.80",
                 "--benefits-advice")
    assert result.exit_code == 0, result.stderr
    accounts.add_account(workspace, "coord", role="coordinator", password=PASSWORD)
    accounts.add_account(workspace, "view", role="viewer", password=PASSWORD)
    app = create_app(workspace, secret=b"x" * 32)
    coordinator = _client(app, "coord")
    page = coordinator.get("/payments")
    assert page.status_code == 200
    assert "Panel &lt;b&gt;meeting&lt;/b&gt; (PAY-1)" in page.text
    assert "Still owed: £29.80" in page.text
    assert 'href="/payments"' in coordinator.get("/home").text
    assert "Skip to the main content" in page.text  # the base layout
    assert _client(app, "view").get("/payments").status_code == 403
    assert run("payments", "mark-paid", "PAY-1").exit_code == 0
    assert "No payments are still owed" in coordinator.get("/payments?unpaid=yes").text
