"""The built-in pages, registered through ``coprod_register_web_routes`` like a plugin's.

Each view parses what was sent, calls one service and shows the result: the
rules live in the services, the same ones the command line calls.

One piece: the built-in pages share their small helpers and are registered
together (:func:`register`); each view is a few lines.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from importlib import resources
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from coprod_core.access import PUBLIC, SIGNED_IN
from coprod_core.errors import CoprodError

from .render import commitment_status
from .routes import WebRoute

if TYPE_CHECKING:
    from starlette.responses import Response

    from .app import Page

# ---------------------------------------------------------------- the board, signing in


def stylesheet(page: Page) -> Response:
    from starlette.responses import Response

    css = resources.files(__package__).joinpath("static/coprod.css").read_bytes()
    return Response(css, media_type="text/css",
                    headers={"cache-control": "public, max-age=3600"})


def start(page: Page) -> Response:
    from starlette.responses import HTMLResponse, RedirectResponse

    if not page.front.settings.board:
        return RedirectResponse("/home" if page.account else "/login", status_code=303)
    from markupsafe import Markup

    def wrap(content: str) -> str:
        # The content was rendered with autoescaping: it is markup already.
        return page.front.render("coprod/board.html", page=page, title="You said, we did",
                                 content=Markup(content))

    board = page.front.board
    if page.account is None and not page.state.flash:
        return HTMLResponse(board.public_page(page, wrap))
    return HTMLResponse(wrap(board.content(page)))


def _start_fast(front: Any, state: Any) -> Response | None:
    """The board for a visitor not signed in, from the cache, or None to go the long way."""
    from starlette.responses import HTMLResponse

    if not front.settings.board or state is None or state.account_id or state.flash:
        return None
    cached = front.board.fresh_public()
    return None if cached is None else HTMLResponse(cached)


start.fast = _start_fast  # type: ignore[attr-defined]


def _next(value: str | None) -> str:
    """Where to go after signing in: a path on this site only, never elsewhere."""
    if not value:
        return "/home"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not value.startswith("/") or value.startswith("//") \
            or "\\" in value:
        return "/home"
    return value


def login_form(page: Page) -> Response:
    if page.account is not None:
        return page.redirect(_next(page.query.get("next")))
    return page.render("coprod/login.html", title="Sign in", errors={}, name="",
                       next=_next(page.query.get("next")), locked=None)


def _locked_message(until: float, page: Page) -> str:
    when = dt.datetime.fromtimestamp(until, dt.UTC)
    minutes = max(1, round((until - page.front.now()) / 60))
    return (f"There were 5 failed attempts to sign in with this account name or from this "
            f"device. Wait {minutes} minute{'s' if minutes != 1 else ''}, then try again "
            f"(after {when:%H:%M} UTC). Your password has not been changed.")


def login(page: Page) -> Response:
    from coprod_core.accounts import authenticate

    name = page.form.get("name", "").strip()
    password = page.form.get("password", "")
    front = page.front
    now = front.now()
    address = page.request.client.host if page.request.client else "unknown"
    keys = (f"name:{name.lower()}", f"address:{address}")
    target = _next(page.form.get("next"))

    def again(status: int, errors: dict[str, str], locked: str | None = None) -> Response:
        return page.render("coprod/login.html", status=status, title="Sign in", errors=errors,
                           name=name, next=target, locked=locked)

    until = front.throttle.locked_until(keys, now)
    if until is not None:
        return again(429, {}, _locked_message(until, page))
    if not name or not password:
        errors = {}
        if not name:
            errors["name"] = "Enter your account name"
        if not password:
            errors["password"] = "Enter your password"
        return again(400, errors)
    account = authenticate(page.workspace, name, password)
    if account is None:
        front.throttle.failed(keys, now)
        until = front.throttle.locked_until(keys, now)
        if until is not None:
            return again(429, {}, _locked_message(until, page))
        # The same words whether the name exists or not.
        return again(400, {"name": "Enter a correct account name and password"})
    front.throttle.succeeded(keys[:1])
    page.state = page.state.signed_in_as(account.id, account.session_epoch, now)
    return page.redirect(target)


def logout(page: Page) -> Response:
    from coprod_core.accounts import end_sessions
    from coprod_core.errors import NotFound

    from .security import SessionState

    if page.account is not None:
        with contextlib.suppress(NotFound):  # removed while signed in: nothing to end
            end_sessions(page.workspace, page.account.name)
    page.state = SessionState.new(page.front.now())
    return page.redirect("/", "You are signed out.")


def home(page: Page) -> Response:
    tasks = [(title, path) for title, path, permission in (
        ("My promises", "/mine", "commitments.own"),
        ("Participants", "/records/participants", "records.read"),
        ("Sessions", "/records/sessions", "records.read"),
        ("Tensions", "/records/tensions", "records.read"),
        ("Commitments", "/records/commitments", "records.read"),
        ("Reports", "/reports", "reports.read"),
    ) if page.may(permission)]
    added = [(r.title, r.path) for r, plugin in page.front.routes.values()
             if plugin != "web" and r.title and "{" not in r.path and page.may(r.permission)]
    return page.render("coprod/home.html", title="Start", tasks=[*tasks, *added])


# ---------------------------------------------------------------- a promise owner's promises


def _own(page: Page, commitment_id: str) -> Any:
    """The commitment if it is the signed-in promise owner's own, else 404."""
    try:
        commitment = page.workspace.commitment(commitment_id)
    except CoprodError:
        raise page.not_found("promise") from None
    account = page.account
    if account is None or commitment.made_by != account.participant_id:
        raise page.not_found("promise")
    return commitment


def mine(page: Page) -> Response:
    account = page.account
    pid = account.participant_id if account else None
    promises = list(page.workspace.records("commitments", made_by=pid)) if pid else []
    return page.render("coprod/mine.html", title="My promises", promises=promises,
                       today=page.workspace.today())


def promise(page: Page, *, errors: dict[str, str] | None = None,
            values: dict[str, str] | None = None, status: int = 200) -> Response:
    commitment = _own(page, page.params["commitment_id"])
    lifecycle = commitment.LIFECYCLE
    moves = lifecycle.allowed(commitment.status)
    return page.render(
        "coprod/promise.html", status=status, title=commitment.description, c=commitment,
        moves=[(m, commitment_status(m)) for m in moves],
        needs_reason=sorted(lifecycle.needs_note), final=lifecycle.is_final(commitment.status),
        errors=errors or {}, values=values or {}, today=page.workspace.today())


def _redo(page: Page, field: str, message: str) -> Response:
    """The promise's page again, with the error beside the field and every value kept."""
    return promise(page, errors={field: message}, values=dict(page.form), status=400)


def add_progress(page: Page) -> Response:
    commitment = _own(page, page.params["commitment_id"])
    note = page.form.get("note", "").strip()
    if not note:
        return _redo(page, "note", "Write what has happened")
    try:
        page.workspace.update_commitment(commitment.id, note)
    except CoprodError as exc:
        return _redo(page, "note", str(exc))
    return page.redirect(f"/mine/{commitment.id}", "Your news was added.")


def move_status(page: Page) -> Response:
    commitment = _own(page, page.params["commitment_id"])
    target = page.form.get("status", "")
    reason = page.form.get("reason", "").strip() or None
    lifecycle = commitment.LIFECYCLE
    if target not in lifecycle.allowed(commitment.status):
        return _redo(page, "status", "Choose where the promise stands now")
    if target in lifecycle.needs_note and not reason:
        return _redo(page, "reason", f"Say why the promise is {commitment_status(target).lower()}"
                                     ": people will read it")
    try:
        page.workspace.move_commitment(commitment.id, target, note=reason)
    except CoprodError as exc:
        return _redo(page, "status", str(exc))
    return page.redirect(f"/mine/{commitment.id}",
                         f"The promise is now: {commitment_status(target).lower()}.")


# ---------------------------------------------------------------- the table


def register(register: Any) -> None:
    """Every built-in page, as ``coprod_register_web_routes`` registers them."""
    from .browse import LISTS, record_list, record_show, report_download, reports_index

    r = register
    r("stylesheet", WebRoute(path="/static/coprod.css", view=stylesheet, permission=PUBLIC))
    r("board", WebRoute(path="/", view=start, permission=PUBLIC))
    r("login_form", WebRoute(path="/login", view=login_form, permission=PUBLIC))
    r("login", WebRoute(path="/login", view=login, permission=PUBLIC, methods=("POST",)))
    r("logout", WebRoute(path="/logout", view=logout, permission=SIGNED_IN, methods=("POST",)))
    r("home", WebRoute(path="/home", view=home, permission=SIGNED_IN, title="Start"))
    r("mine", WebRoute(path="/mine", view=mine, permission="commitments.own",
                       title="My promises"))
    r("promise", WebRoute(path="/mine/{commitment_id}", view=promise,
                          permission="commitments.own"))
    r("promise_progress", WebRoute(path="/mine/{commitment_id}/progress", view=add_progress,
                                   permission="commitments.own", methods=("POST",)))
    r("promise_status", WebRoute(path="/mine/{commitment_id}/status", view=move_status,
                                 permission="commitments.own", methods=("POST",)))
    for collection, spec in LISTS.items():
        r(f"{collection}_list", WebRoute(path=f"/records/{collection}", view=record_list,
                                         permission="records.read", title=spec["title"]))
        r(f"{collection}_show", WebRoute(path=f"/records/{collection}/{{record_id}}",
                                         view=record_show, permission="records.read"))
    r("reports", WebRoute(path="/reports", view=reports_index, permission="reports.read",
                          title="Reports"))
    r("report", WebRoute(path="/reports/{kind}/{format}", view=report_download,
                         permission="reports.read"))
