"""Every route declares its permission, and every role by route pair does what the table says."""

from __future__ import annotations

import pytest
from web_support import PASSWORD, csrf_of

from coprod_core import hookimpl
from coprod_core.access import PUBLIC, ROLES, SIGNED_IN, role_table
from coprod_core.errors import PluginError


def test_every_route_of_the_app_declares_a_permission(web):
    from starlette.routing import Route

    routes = [r for r in web.app.routes if isinstance(r, Route)]
    assert len(routes) >= 20
    for route in routes:
        assert getattr(route.endpoint, "permission", None), f"{route.path} has no permission"


class _Plugin:
    def __init__(self, route):
        self.route = route

    @hookimpl
    def coprod_register_web_routes(self, register):
        register("extra", self.route)


@pytest.mark.parametrize(("permission", "path", "message"), [
    ("", "/extra", "declares no permission"),
    ("records.rede", "/extra", "needs permission 'records.rede', which does not exist"),
    ("records.read", "extra", "a path starts with /"),
    ("public", "/login", "GET /login is registered by both 'broken' and 'web'"),
])
def test_a_route_without_a_valid_permission_is_refused(register_plugin, workspace, permission,
                                                       path, message):
    from coprod_web import WebRoute, create_app

    register_plugin(_Plugin(WebRoute(path=path, view=lambda page: None,
                                     permission=permission)), name="broken")
    with pytest.raises(PluginError) as raised:
        create_app(workspace, secret=b"x" * 32)
    assert message in str(raised.value)
    assert "broken" in str(raised.value)


def _path(web, route) -> str:
    ids = {"participants": web.owner.id, "sessions": web.session.id,
           "tensions": "T-1", "commitments": web.promise.id}
    path = route.path.replace("{commitment_id}", web.promise.id)
    path = path.replace("{kind}", "summary").replace("{format}", "html")
    if "{record_id}" in path:
        path = path.replace("{record_id}", ids[path.split("/")[2]])
    return path


def _refused(role, response) -> bool:
    if response.status_code == 403:
        return True
    return role is None and response.status_code == 303 and \
        response.headers["location"].startswith("/login")


def test_the_role_by_route_matrix(web):
    web.session = web.workspace.new_session("Panel", date=web.clock().date())
    table = role_table(web.workspace.config)
    routes = sorted(web.app.state.front.routes.values(),
                    key=lambda item: item[0].path == "/logout")
    checked = 0
    for role in (None, *ROLES):
        client = web.client(role)
        for route, _plugin in routes:
            if route.path == "/login" and role is not None:
                continue  # signing in again is not a page of a role
            expected = (route.permission == PUBLIC
                        or (route.permission == SIGNED_IN and role is not None)
                        or (role is not None and table.allowed(role, route.permission)))
            path = _path(web, route)
            for method in route.methods:
                if method == "GET":
                    response = client.get(path)
                else:
                    token = csrf_of(client.get("/login" if role is None else "/home").text)
                    response = client.post(path, data={"_csrf": token, "note": "News",
                                                       "status": "in_progress",
                                                       "name": "nobody", "password": "x"})
                refused = _refused(role, response)
                assert refused != expected, (
                    f"{role or 'not signed in'} {method} {path}: expected "
                    f"{'allowed' if expected else 'refused'}, got {response.status_code}")
                assert response.status_code < 500, response.text
                checked += 1
    assert checked >= 5 * 20


def test_a_promise_owner_cannot_reach_someone_elses_promise(web):
    client = web.client("promise_owner")
    theirs = web.others_promise.id
    assert client.get(f"/mine/{theirs}").status_code == 404
    token = csrf_of(client.get("/mine").text)
    answer = client.post(f"/mine/{theirs}/progress", data={"_csrf": token, "note": "Hijack"})
    assert answer.status_code == 404
    assert web.workspace.commitment(theirs).updates == ()


def test_password_is_never_in_a_page(web):
    client = web.client("coordinator")
    for path in ("/home", "/records/participants", "/records/commitments", "/reports"):
        page = client.get(path)
        assert page.status_code == 200
        assert PASSWORD not in page.text and "argon2" not in page.text
