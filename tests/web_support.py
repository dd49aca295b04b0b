"""What the web front's tests share: a workspace with one account per role, and clients."""

from __future__ import annotations

import re
from typing import Any

import pytest

pytest.importorskip("starlette",
                    reason='the web front needs the web extra: pip install "coprod[web]"')

from starlette.testclient import TestClient

from coprod_core import accounts
from coprod_core.access import ROLES

PASSWORD = "four words in a row"
SECRET = b"a secret for the tests, 32 bytes at least"


def csrf_of(html: str) -> str:
    found = re.search(r'name="_csrf" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


def once_of(html: str) -> str:
    found = re.search(r'name="_once" value="([^"]+)"', html)
    assert found, "the form has no idempotency key"
    return found.group(1)


class Web:
    """An app on a SQLite workspace, with helpers to sign in as each role."""

    def __init__(self, workspace: Any, clock: Any) -> None:
        from coprod_web import create_app

        self.workspace = workspace
        self.clock = clock
        ws = workspace
        self.owner = ws.add_participant("Dev Patel", role="commissioner")
        self.other = ws.add_participant("Ana Ruiz", role="staff")
        tension = ws.raise_tension("Minutes arrive too late to read", kind="communication")
        self.promise = ws.make_commitment(
            "Publish minutes within a week", made_by=self.owner.id, authority="can_decide",
            answers=[tension.id])
        ws.move_commitment(self.promise.id, "agreed")
        self.others_promise = ws.make_commitment(
            "Fund travel passes", made_by=self.other.id, authority="can_influence")
        for role in ROLES:
            linked = self.owner.id if role == "promise_owner" else None
            accounts.add_account(ws, role, role=role, password=PASSWORD, participant_id=linked)
        self.app = create_app(ws, secret=SECRET)

    def client(self, role: str | None = None) -> TestClient:
        """A browser: signed in as the account named after ``role``, or not signed in."""
        client = TestClient(self.app, follow_redirects=False)
        if role is not None:
            page = client.get("/login")
            answer = client.post("/login", data={"_csrf": csrf_of(page.text), "name": role,
                                                 "password": PASSWORD})
            assert answer.status_code == 303, answer.text
        return client

    def post(self, client: TestClient, path: str, data: dict[str, str], *,
             form_page: str | None = None) -> Any:
        """POST ``data`` with the CSRF token (and idempotency key) of ``form_page``."""
        page = client.get(form_page or path.rsplit("/", 1)[0])
        fields = {"_csrf": csrf_of(page.text)}
        if 'name="_once"' in page.text:
            fields["_once"] = once_of(page.text)
        return client.post(path, data={**fields, **data})

