"""The ASGI app: every registered route behind one gate.

Each request passes the same steps, in order, whatever page it is for:

1. the session cookie is read (a missing, forged or expired one starts a
   fresh anonymous session);
2. a POST must carry the session's CSRF token, or it gets 403 and nothing
   runs;
3. a POST repeating an idempotency key already handled is answered as the
   first one was, and nothing runs again;
4. the route's permission is checked against the account's role (anyone
   not signed in is sent to sign in);
5. the view runs in a worker thread with a workspace whose actor is the
   account (``"sam (web)"``), so the audit log says who, and that it was
   the web front;
6. security headers are added to every response, errors included.

One piece: the gate's steps above are one request path, kept in one place
so that their order can be read and checked.
"""

from __future__ import annotations

import contextlib
import queue
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coprod_core.access import PUBLIC, SIGNED_IN, Role, RoleTable, role_table, web_settings
from coprod_core.errors import CoprodError

from .routes import WebRoute, route_table
from .security import COOKIE, OnceOnly, SessionState, Signer, Throttle, load_secret

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response

    from coprod_core.accounts import Account
    from coprod_core.plugins import CoprodPluginManager
    from coprod_core.workspace import Workspace

__all__ = ["Page", "WebFront", "create_app"]

TEMPLATES = Path(str(resources.files(__package__).joinpath("templates")))
ONCE_FIELD = "_once"
CSRF_FIELD = "_csrf"


class WorkspacePool:
    """Open workspaces shared by the request threads, one request at a time each."""

    def __init__(self, opener: Callable[[], Workspace], size: int) -> None:
        self._opener = opener
        self._idle: queue.LifoQueue[Workspace] = queue.LifoQueue()
        self._all: list[Workspace] = []
        self._size = size
        self._lock = threading.Lock()
        #: Whether closing the pool closes its workspaces (not one lent by the caller).
        self.owns = True

    @classmethod
    def of(cls, workspace: Workspace) -> WorkspacePool:
        """A pool of one workspace already open (tests, an in-memory workspace)."""
        pool = cls(lambda: workspace, 1)
        pool._all.append(workspace)
        pool._idle.put(workspace)
        pool.owns = False
        return pool

    @contextlib.contextmanager
    def use(self, actor: str) -> Iterator[Workspace]:
        ws = self._take()
        ws.actor = actor
        try:
            yield ws
        finally:
            ws.actor = "web"
            self._idle.put(ws)

    def _take(self) -> Workspace:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        with self._lock:
            if len(self._all) < self._size:
                ws = self._opener()
                self._all.append(ws)
                return ws
        return self._idle.get()

    def close(self) -> None:
        if not self.owns:
            return
        for ws in self._all:
            with contextlib.suppress(Exception):
                ws.close()
        self._all.clear()


class Page:
    """What a view is given: the request, the workspace, who is asking, and helpers."""

    def __init__(self, front: WebFront, request: Request, route: WebRoute, *,
                 workspace: Workspace, state: SessionState, account: Account | None,
                 role: Role | None, form: dict[str, str]) -> None:
        self.front = front
        self.request = request
        self.route = route
        self.workspace = workspace
        self.state = state
        self.account = account
        self.role = role
        #: The submitted form's fields (a POST), CSRF already checked.
        self.form = form
        #: The path's ``{name}`` parts.
        self.params: dict[str, str] = dict(request.path_params)
        self.query: dict[str, str] = dict(request.query_params)

    def may(self, permission: str) -> bool:
        if permission == PUBLIC:
            return True
        return self.role is not None and self.role.may(permission)

    @property
    def csrf(self) -> str:
        return self.front.signer.csrf(self.state.sid)

    def render(self, template: str, *, status: int = 200, **context: Any) -> Response:
        """The template rendered with ``context`` and what every page needs."""
        from starlette.responses import HTMLResponse

        html = self.front.render(template, page=self, **context)
        return HTMLResponse(html, status_code=status)

    def redirect(self, to: str, message: str | None = None) -> Response:
        """See ``to`` next (303), showing ``message`` once at the top of it."""
        from starlette.responses import RedirectResponse

        self.state = self.state.with_flash(message)
        return RedirectResponse(to, status_code=303)

    def not_found(self, what: str = "page") -> Exception:
        return HTTPError(404, "Not found", f"There is no {what} here.")


class HTTPError(Exception):
    """An error page: its status, title and one plain sentence."""

    def __init__(self, status: int, title: str, message: str) -> None:
        super().__init__(message)
        self.status, self.title, self.message = status, title, message


def _headers(https: bool) -> list[tuple[bytes, bytes]]:
    headers = [
        (b"content-security-policy",
         b"default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; "
         b"object-src 'none'"),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"same-origin"),
        (b"x-frame-options", b"DENY"),
        (b"cross-origin-opener-policy", b"same-origin"),
        (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    ]
    if https:
        headers.append((b"strict-transport-security", b"max-age=31536000"))
    return headers


class SecurityHeaders:
    """ASGI middleware adding the security headers to every response."""

    def __init__(self, app: Any, https: bool) -> None:
        self.app = app
        self.headers = _headers(https)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _v in message.get("headers", [])}
                extra = [h for h in self.headers if h[0] not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, with_headers)


class WebFront:
    """One running web front: settings, roles, routes, templates, the workspace pool."""

    def __init__(self, pool: WorkspacePool, workspace: Workspace, *, secret: bytes) -> None:
        self.pool = pool
        self.config = workspace.config
        self.plugins: CoprodPluginManager = workspace.plugins
        self.clock = workspace.clock
        self.settings = web_settings(self.config)
        self.roles: RoleTable = role_table(self.config)
        self.signer = Signer(secret)
        self.throttle = Throttle()
        self.once = OnceOnly()
        self.routes = route_table(self.plugins)
        from .board import BoardCache

        self.board = BoardCache(self)
        self.env = self._environment()

    # ------------------------------------------------------------ templates

    def _environment(self) -> Any:
        import jinja2

        folders = [str(r.templates) for r, _p in self.routes.values() if r.templates]
        loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(list(dict.fromkeys(folders))),
                                      jinja2.FileSystemLoader(str(TEMPLATES))])
        env = jinja2.Environment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined,
                                 trim_blocks=True, lstrip_blocks=True)
        from . import render

        env.globals.update(render.GLOBALS)
        env.filters.update(render.FILTERS)
        env.globals["organisation"] = self.config.org or "coprod"
        return env

    def render(self, template: str, **context: Any) -> str:
        page: Page | None = context.get("page")
        menu = []
        if page is not None:
            menu = [(r.title, r.path) for r, _p in self.routes.values()
                    if r.title and "GET" in r.methods and "{" not in r.path
                    and r.permission != PUBLIC and page.may(r.permission)
                    and (page.account is not None)]
        flash = page.state.flash if page is not None else None
        if page is not None and flash:
            page.state = page.state.with_flash(None)
        return str(self.env.get_template(template).render(
            menu=menu, flash=flash, board_on=self.settings.board, **context))

    # ------------------------------------------------------------ time and sessions

    def now(self) -> float:
        return self.clock().timestamp()

    def session(self, request: Request) -> tuple[SessionState, str | None]:
        """The request's session, and why a previous one ended (for the sign-in page)."""
        now = self.now()
        state = self.signer.load(request.cookies.get(COOKIE))
        if state is None:
            return SessionState.new(now), None
        if state.account_id is not None:
            idle = self.settings.session_idle_minutes * 60
            lifetime = self.settings.session_lifetime_hours * 3600
            if now - state.seen > idle:
                return SessionState.new(now), (
                    f"You were signed out after {self.settings.session_idle_minutes} minutes "
                    "without activity. Sign in again.")
            if now - state.signed_in >= lifetime:
                return SessionState.new(now), (
                    f"You were signed out {self.settings.session_lifetime_hours} hours after "
                    "signing in. Sign in again.")
        return state, None

    def account_of(self, ws: Workspace, state: SessionState) -> Account | None:
        if state.account_id is None:
            return None
        from coprod_core.accounts import ACCOUNTS

        try:
            account: Account = ws.record(ACCOUNTS, state.account_id)
        except CoprodError:
            return None
        if not account.active or account.session_epoch != state.epoch:
            return None
        if account.role not in self.roles:
            return None
        return account

    def set_cookie(self, response: Response, state: SessionState) -> None:
        response.set_cookie(
            COOKIE, self.signer.dump(state), httponly=True, samesite="lax",
            secure=self.settings.behind_https, path="/",
            max_age=self.settings.session_lifetime_hours * 3600)

    # ------------------------------------------------------------ the gate

    def endpoint(self, route: WebRoute) -> Callable[[Request], Any]:
        async def handle(request: Request) -> Response:
            from starlette.concurrency import run_in_threadpool

            fast = getattr(route.view, "fast", None)
            if fast is not None and request.method == "GET":
                # Anonymous visitors of a cached page: no thread, no workspace, no cookie.
                cookie = request.cookies.get(COOKIE)
                state = self.signer.load(cookie) if cookie else SessionState(sid="")
                answer: Response | None = fast(self, state)
                if answer is not None:
                    return answer
            form: dict[str, str] = {}
            if request.method == "POST":
                try:
                    async with request.form(max_files=0, max_fields=200) as data:
                        form = {k: v for k, v in data.items() if isinstance(v, str)}
                except Exception:
                    return self.error_page(400, "That form could not be read",
                                           "Go back, reload the page and try again.")
            return await run_in_threadpool(self.run, route, request, form)

        handle.__name__ = getattr(route.view, "__name__", "view")
        handle.permission = route.permission  # type: ignore[attr-defined]
        return handle

    def run(self, route: WebRoute, request: Request, form: dict[str, str]) -> Response:
        state, ended = self.session(request)
        if request.method == "POST" and not self.signer.csrf_ok(state.sid, form.get(CSRF_FIELD)):
            return self.error_page(
                403, "This form has expired",
                "It was not sent from a page of this site, or you were signed out since. "
                "Nothing was saved. Go back, reload the page and try again.", state=state)
        once = form.get(ONCE_FIELD)
        once_key = f"{state.sid}:{once}" if once else None
        if once_key:
            location = self.once.seen(once_key)
            if location is not None:
                from starlette.responses import RedirectResponse

                response: Response = RedirectResponse(location, status_code=303)
                self.set_cookie(response, state)
                return response
        try:
            with self.pool.use("web") as ws:
                account = self.account_of(ws, state)
                if account is None and state.account_id is not None:
                    state = SessionState.new(self.now())
                    ended = ended or "You were signed out. Sign in again."
                role = self.roles[account.role] if account else None
                ws.actor = f"{account.name} (web)" if account else "web"
                page = Page(self, request, route, workspace=ws, state=state, account=account,
                            role=role, form=form)
                page.ended = ended  # type: ignore[attr-defined]
                if route.permission != PUBLIC and account is None:
                    from urllib.parse import quote

                    response = page.redirect(f"/login?next={quote(request.url.path)}", ended)
                elif route.permission not in (PUBLIC, SIGNED_IN) and not page.may(
                        route.permission):
                    response = self.error_page(
                        403, "You cannot open this page",
                        "Your account's role does not allow it. Ask a coordinator if you "
                        "need it.", page=page)
                else:
                    response = route.view(page)
                state = page.state
        except HTTPError as exc:
            return self.error_page(exc.status, exc.title, exc.message, state=state)
        except CoprodError as exc:
            return self.error_page(400, "That could not be done", str(exc), state=state)
        except Exception:
            traceback.print_exc(file=sys.stderr)
            return self.error_page(
                500, "Something went wrong on our side",
                "Nothing was saved. Try again; if it keeps happening, tell the person who "
                "runs this site.", state=state)
        if once_key and response.status_code == 303:
            self.once.remember(once_key, response.headers["location"])
        self.set_cookie(response, evolve_seen(state, self.now()))
        if state.account_id is not None:
            response.headers["cache-control"] = "no-store"
        return response

    def error_page(self, status: int, title: str, message: str, *,
                   state: SessionState | None = None, page: Page | None = None) -> Response:
        """A plain page saying what went wrong: never a traceback."""
        from starlette.responses import HTMLResponse

        try:
            html = self.render("coprod/error.html", page=page, title=title, message=message,
                               status=status)
        except Exception:  # the error page itself must not fail
            from html import escape

            html = f"<!DOCTYPE html><title>{escape(title)}</title><h1>{escape(title)}</h1>" \
                   f"<p>{escape(message)}</p>"
        response = HTMLResponse(html, status_code=status)
        chosen = page.state if page is not None else state
        if chosen is not None:
            self.set_cookie(response, chosen)
        return response


def evolve_seen(state: SessionState, now: float) -> SessionState:
    from attrs import evolve

    return evolve(state, seen=now)


def create_app(source: Workspace | str | Path, *, plugins: CoprodPluginManager | None = None,
               pool_size: int = 8, secret: bytes | None = None) -> Any:
    """The web front as an ASGI app.

    ``source`` is a workspace folder (each request thread gets a workspace
    from a pool of up to ``pool_size`` open on it) or an open
    :class:`~coprod_core.workspace.Workspace`, shared one request at a time
    (tests, an in-memory workspace).
    """
    from starlette.applications import Starlette
    from starlette.exceptions import HTTPException
    from starlette.routing import Route

    from coprod_core.workspace import Workspace

    if isinstance(source, Workspace):
        first = source
        pool = WorkspacePool.of(source)
    else:
        root = Path(source)
        first = Workspace.open(root, plugins=plugins, actor="web")
        pool = WorkspacePool(lambda: Workspace.open(root, plugins=first.plugins, actor="web"),
                             pool_size)
        pool._all.append(first)
        pool._idle.put(first)
    front = WebFront(pool, first, secret=secret if secret is not None else load_secret(first.root))

    routes = []
    for route, _plugin in front.routes.values():
        routes.append(Route(route.path, front.endpoint(route), methods=list(route.methods)))

    async def http_error(request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 500)
        titles = {404: ("Not found", "There is no page at this address."),
                  405: ("Not allowed", "This page cannot be used that way.")}
        title, message = titles.get(status, ("That could not be done", "Go back and try again."))
        return front.error_page(status, title, message)

    async def server_error(request: Request, exc: Exception) -> Response:
        return front.error_page(500, "Something went wrong on our side",
                                "Nothing was saved. Try again later.")

    @contextlib.asynccontextmanager
    async def lifespan(app: Any) -> Any:
        yield
        front.board.close()
        pool.close()

    app = Starlette(routes=routes, lifespan=lifespan,
                    exception_handlers={HTTPException: http_error, 500: server_error})
    app.state.front = front
    app.add_middleware(SecurityHeaders, https=front.settings.behind_https)
    return app
