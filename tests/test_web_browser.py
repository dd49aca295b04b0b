"""The web front in a real browser: Playwright driving the system Chromium, and axe-core.

No browser is downloaded: Playwright is pointed at Debian's ``chromium``.
Every page is checked with axe-core at a phone's width (390 px) and a
laptop's (1280 px), and a promise owner's update is followed from signing in
to the public board.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("starlette",
                    reason='the web front needs the web extra: pip install "coprod[web]"')
pytest.importorskip("playwright", reason="the browser tests need Playwright (the test extra)")

CHROMIUM = os.environ.get("COPROD_CHROMIUM") or shutil.which("chromium") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="needs the chromium browser (Debian's package `chromium`, which .ci/run installs)")

WIDTHS = (390, 1280)
SHOTS = os.environ.get("COPROD_SCREENSHOTS")  # a folder to keep the screenshots in


@pytest.fixture
def server(web):
    """The web front served by uvicorn on a free loopback port, in this process."""
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(web.app, host="127.0.0.1", port=port, log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not running.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert running.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(timeout=30)


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM,
                                     args=["--no-sandbox", "--disable-gpu"])
        yield launched
        launched.close()


def _sign_in(page, base: str, name: str) -> None:
    from web_support import PASSWORD

    page.goto(f"{base}/login")
    page.get_by_label("Account name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/home")


def _check(page, label: str, tmp_path: Path) -> None:
    """No axe-core violation, nothing wider than the screen, and a screenshot."""
    from axe_playwright_python.sync_playwright import Axe

    folder = Path(SHOTS) if SHOTS else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{label}.png"), full_page=True)
    results = Axe().run(page)
    assert results.violations_count == 0, f"{label}: {results.generate_report()}"
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth")
    wide = page.evaluate(
        "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right"
        " > document.documentElement.clientWidth).map(e => e.tagName + '.' + e.className"
        " + ': ' + (e.textContent || '').slice(0, 40)).slice(-3)")
    assert overflow <= 0, f"{label} is {overflow}px wider than the screen: {wide}"


def test_an_owner_updates_a_promise_and_the_board_shows_it(server, browser, web, tmp_path):
    context = browser.new_context(viewport={"width": 390, "height": 844},
                                  java_script_enabled=False)
    page = context.new_page()
    _sign_in(page, server, "promise_owner")
    page.get_by_role("link", name="My promises").first.click()
    page.get_by_role("link", name="Publish minutes within a week").click()
    page.get_by_label("What has happened?").fill("Minutes of the March panel went out in 4 days")
    page.get_by_role("button", name="Add news").click()
    assert page.get_by_role("status").inner_text() == "Your news was added."
    page.get_by_label("Where the promise stands now").select_option("in_progress")
    page.get_by_role("button", name="Save where it stands").click()
    assert "The promise is now: under way." in page.get_by_role("status").inner_text()
    public = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    public.goto(server)
    card = public.locator("li.promise", has_text="Publish minutes within a week")
    assert "Minutes of the March panel went out in 4 days" in card.inner_text()
    assert "Under way" in card.inner_text()
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_has_no_axe_violations(server, browser, web, width, tmp_path):
    ws = web.workspace
    session = ws.new_session("Lived-experience panel", date=web.clock().date(),
                             purpose="Plan the year")
    ws.attend(session.id, [web.owner.id, web.other.id])
    ws.update_commitment(web.promise.id, "The first minutes went out in five days")
    ws.move_tension("T-1", "held", note="Named and lived with")
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(server)
    _check(page, f"board-{width}", tmp_path)
    # A phone gets the chart drawn for its width; its words stay at least 15 px.
    shown, hidden = ("svg.narrow", "svg.wide") if width < 600 else ("svg.wide", "svg.narrow")
    assert page.locator(shown).first.is_visible()
    assert not page.locator(hidden).first.is_visible()
    if width < 600:
        label = page.locator("svg.narrow text").first.bounding_box()
        assert label is not None and label["height"] >= 12
    page.goto(f"{server}/login")
    _check(page, f"login-{width}", tmp_path)
    page.get_by_role("button", name="Sign in").click()  # empty: the error summary
    _check(page, f"login-errors-{width}", tmp_path)
    page.goto(f"{server}/nowhere")
    _check(page, f"not-found-{width}", tmp_path)
    _sign_in(page, server, "promise_owner")
    for path, label in (("/home", "home"), ("/mine", "mine"),
                        (f"/mine/{web.promise.id}", "promise"), ("/reports", "reports")):
        page.goto(f"{server}{path}")
        _check(page, f"owner-{label}-{width}", tmp_path)
    page.goto(f"{server}/mine/{web.promise.id}")
    page.get_by_label("Where the promise stands now").select_option("not_delivered")
    page.get_by_role("button", name="Save where it stands").click()
    _check(page, f"promise-error-{width}", tmp_path)
    context.close()
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    _sign_in(page, server, "coordinator")
    for path in ("/records/participants", f"/records/participants/{web.owner.id}",
                 "/records/sessions", f"/records/sessions/{session.id}",
                 "/records/tensions", "/records/tensions/T-1",
                 "/records/commitments", f"/records/commitments/{web.promise.id}"):
        page.goto(f"{server}{path}")
        _check(page, f"coordinator{path.replace('/', '-')}-{width}", tmp_path)
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_html_reports_have_no_axe_violations(browser, memory_workspace, width, tmp_path):
    from coprod_core.reports import Params, build, format_named, kinds, render_bytes

    ws = memory_workspace
    person = ws.add_participant("Dev", role="commissioner")
    tension = ws.raise_tension("Minutes are late", kind="communication")
    ws.make_commitment("Publish minutes", made_by=person.id, authority="can_decide",
                       answers=[tension.id])
    ws.move_commitment("C-1", "agreed")
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    html_format = format_named(ws.plugins, "html")
    for name, kind in kinds(ws.plugins).items():
        if kind.arguments:
            continue
        html = render_bytes(build(ws, name, Params()), html_format, {"workspace": ws})
        path = tmp_path / f"{name}.html"
        path.write_bytes(html)
        page.goto(path.as_uri())
        from axe_playwright_python.sync_playwright import Axe

        results = Axe().run(page)
        assert results.violations_count == 0, f"report {name}: {results.generate_report()}"
