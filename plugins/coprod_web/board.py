"""The public "You said, we did" board.

It is built from the same :class:`~coprod_core.reports.Report` documents as
``coprod report commitments`` (and ``tensions``, for the held ones), after
the same disclosure step: one suppression, one redaction of names, never a
second implementation. The page is built once and kept until the record
changes: at once for a change made through this server (the cache listens
to ``coprod_on_event``), and within ``[web] board_refresh_seconds`` for a
change made elsewhere.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from coprod_core.reports import Params, Table, build

if TYPE_CHECKING:
    from coprod_core.workspace import Workspace

    from .app import Page, WebFront

from coprod_core import hookimpl


def _ledger(report: Any) -> tuple[Table | None, list[Any]]:
    """The table of every promise, and the report's other sections."""
    ledger, others = None, []
    for section in report.sections:
        tables = [b for b in section.blocks if isinstance(b, Table)
                  and {"ref", "promise"} <= {c.key for c in b.columns}]
        if tables:
            ledger = tables[0]
        else:
            others.append(section)
    return ledger, others


def _held(report: Any) -> list[Any]:
    return [s for s in report.sections
            if any(isinstance(b, Table) and "held" in b.title.lower() for b in s.blocks)]


class BoardCache:
    """The board's page, built once and kept until the record changes."""

    def __init__(self, front: WebFront) -> None:
        self.front = front
        self._lock = threading.Lock()
        self._page: str | None = None
        #: The whole page as a visitor who is not signed in sees it (the same for all).
        self._public: bytes | None = None
        self._built_at = 0.0
        self._generation = 0
        self._plugin_name = f"coprod_web.board.{id(self)}"
        front.plugins.register(self, name=self._plugin_name)

    @hookimpl
    def coprod_on_event(self, event: Any) -> None:
        with self._lock:
            self._generation += 1
            self._page = self._public = None

    def close(self) -> None:
        if self.front.plugins.has_plugin(self._plugin_name):
            self.front.plugins.unregister(name=self._plugin_name)

    def content(self, page: Page) -> str:
        """The board's content (without the layout, which differs per visitor)."""
        now = self.front.now()
        refresh = self.front.settings.board_refresh_seconds
        with self._lock:
            cached, generation = self._page, self._generation
            if cached is not None and now - self._built_at < refresh:
                return cached
        html = self.build(page)
        with self._lock:
            if generation == self._generation:
                self._page, self._public, self._built_at = html, None, now
        return html

    def public_page(self, page: Page, wrap: Any) -> bytes:
        """The whole page for a visitor not signed in, with no message to show:
        ``wrap(content)`` once per change, then the same bytes for everyone."""
        content = self.content(page)
        with self._lock:
            if self._public is not None and self._page is content:
                return self._public
        whole = str(wrap(content)).encode("utf-8")
        with self._lock:
            if self._page is content:
                self._public = whole
        return whole

    def fresh_public(self) -> bytes | None:
        """The public page if it is built and fresh, without touching the workspace
        (served straight from the event loop: the board is the page most read)."""
        now = self.front.now()
        with self._lock:
            if self._public is not None and \
                    now - self._built_at < self.front.settings.board_refresh_seconds:
                return self._public
        return None

    def build(self, page: Page) -> str:
        ws: Workspace = page.workspace
        promises = build(ws, "commitments", Params())
        ledger, kept = _ledger(promises)
        cards = []
        if ledger is not None:
            keys = [c.key for c in ledger.columns]
            cards = [dict(zip(keys, row, strict=True)) for row in ledger.rows]
        held = []
        if self.front.settings.board_held_tensions:
            held = _held(build(ws, "tensions", Params()))
        template = self.front.env.get_template("coprod/board_content.html")
        return str(template.render(promises=promises, cards=cards, kept=kept, held=held,
                                   built=promises.generated_at))
