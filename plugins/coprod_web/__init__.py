"""coprod_web: the web front, ``coprod serve`` (the ``web`` extra).

A built-in plugin like the others: it adds the ``serve`` command through
``coprod_register_commands`` and its own pages through
``coprod_register_web_routes``, the hook other plugins use to add theirs.
Starlette, Jinja2, uvicorn and the rest are imported only when the web
front runs; without them ``coprod serve`` says which extra to install.

Plugins use :class:`WebRoute` to declare a page and receive a :class:`Page`
in their view.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import Page
    from .routes import WebRoute

__all__ = ["Page", "WebRoute", "create_app"]

from coprod_core import hookimpl

EXTRA_HINT = 'the web front needs the web extra: pip install "coprod[web]"'


def __getattr__(name: str) -> Any:
    # Public names, imported on first use so that loading the plugin stays cheap.
    if name == "WebRoute":
        from .routes import WebRoute

        return WebRoute
    if name in ("Page", "create_app"):
        from . import app

        return getattr(app, name)
    raise AttributeError(name)


@hookimpl
def coprod_register_commands(register: Any) -> None:
    from .serve import serve

    register("serve", serve)


@hookimpl
def coprod_register_web_routes(register: Any) -> None:
    from .pages import register as builtin

    builtin(register)
