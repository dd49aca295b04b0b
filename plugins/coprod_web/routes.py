"""Routes: what a page is, and the table every page, built in or not, is checked into.

A plugin adds a page with ``coprod_register_web_routes``::

    @hookimpl
    def coprod_register_web_routes(register):
        from coprod_web import WebRoute

        register("payments", WebRoute(path="/payments", view=payments_page,
                                      permission="records.read", title="Payments",
                                      templates=Path(__file__).parent / "templates"))

Every route names the permission it needs. The table refuses a route
without one, a permission that no role can hold, and two routes on the same
path and method.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attrs import field, frozen

from coprod_core.access import PERMISSIONS, PUBLIC, SIGNED_IN
from coprod_core.errors import PluginError

if TYPE_CHECKING:
    from coprod_core.plugins import CoprodPluginManager

__all__ = ["METHODS", "WebRoute", "route_table"]

METHODS = frozenset({"GET", "POST"})
_PATH = re.compile(r"^/([A-Za-z0-9._~{}/-]*)$")


def _methods(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(m.upper() for m in values)


def _optional_path(value: str | Path | None) -> Path | None:
    return None if value is None else Path(value)


@frozen(kw_only=True)
class WebRoute:
    """One page of the web front."""

    #: Where it is: ``"/payments"``, ``"/payments/{payment_id}"``.
    path: str
    #: ``view(page)``: returns a Starlette response (``page.render(...)``).
    view: Callable[[Any], Any]
    #: The permission it needs, or ``"public"``, or ``"signed_in"``.
    permission: str
    methods: tuple[str, ...] = field(default=("GET",), converter=_methods)
    #: Shown in the menu, to those who may open it, when given (GET routes).
    title: str | None = None
    #: A folder of Jinja templates the view renders (which may extend
    #: ``"coprod/base.html"``).
    templates: Path | None = field(default=None, converter=_optional_path)


def check_route(name: str, route: Any, plugin: str) -> WebRoute:
    """The route as registered, or a PluginError naming the plugin and what is wrong."""
    def refuse(why: str) -> PluginError:
        return PluginError(
            f"plugin {plugin!r} registered web route {name!r}, which {why}; "
            f"disable it with COPROD_DISABLE_PLUGINS={plugin}")

    if not isinstance(route, WebRoute):
        raise refuse("is not a coprod_web.WebRoute")
    if not route.permission:
        raise refuse("declares no permission (every page must)")
    if route.permission not in (PUBLIC, SIGNED_IN, *PERMISSIONS):
        raise refuse(f"needs permission {route.permission!r}, which does not exist; "
                     f"permissions: public, signed_in, {', '.join(PERMISSIONS)}")
    if not _PATH.match(route.path) or "//" in route.path:
        raise refuse(f"has path {route.path!r}; a path starts with / and holds letters, "
                     "digits, - _ . ~ and {name} parts")
    if not route.methods or set(route.methods) - METHODS:
        raise refuse(f"has methods {route.methods}; allowed: GET, POST")
    if not callable(route.view):
        raise refuse("has a view that cannot be called")
    if route.templates is not None and not route.templates.is_dir():
        raise refuse(f"names a templates folder that does not exist: {route.templates}")
    return route


def route_table(pm: CoprodPluginManager) -> dict[str, tuple[WebRoute, str]]:
    """Every registered route, checked: name -> (route, plugin).

    The registry's ``web_routes`` table checks the type and the name; a route
    that is not a :class:`WebRoute` is left out there with a warning naming
    the plugin. Here each route is checked further, and a route without a
    valid permission, path or methods is an error: a page must never be
    served with a permission nobody meant.
    """
    routes: dict[str, tuple[WebRoute, str]] = {}
    taken: dict[tuple[str, str], str] = {}
    for name, entry in pm.registry.table("web_routes").items():
        route = check_route(name, entry.thing, entry.plugin)
        for method in route.methods:
            key = (route.path, method)
            if key in taken:
                raise PluginError(
                    f"web route {method} {route.path} is registered by both "
                    f"{taken[key]!r} and {entry.plugin!r}; disable one with "
                    "COPROD_DISABLE_PLUGINS")
            taken[key] = entry.plugin
        routes[name] = (route, entry.plugin)
    return routes
