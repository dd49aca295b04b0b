"""The plugin manager: one factory, lazy loading, broken plugins reported.

Built-in plugins and third-party plugins are found the same way, through the
``coprod`` entry-point group. Each entry point is loaded on its own: one that
fails to import is recorded with the reason and how to disable it, and every
command that does not need it still works. ``COPROD_STRICT_PLUGINS=1`` makes
such a failure fatal, for plugin developers.

Environment variables:

- ``COPROD_LOAD_PLUGINS``: comma-separated allow-list of installed plugins
  (built-ins always load unless disabled);
- ``COPROD_DISABLE_PLUGINS``: comma-separated block-list, built-ins included;
- ``COPROD_STRICT_PLUGINS``: ``1`` to fail on the first broken plugin.

Under the test suite only built-in plugins load, unless ``COPROD_LOAD_PLUGINS``
names others or a test registers a plugin itself.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any, NamedTuple

import pluggy

from . import hookspecs
from .errors import PluginError

GROUP = "coprod"
DIST = "coprod"

_manager: pluggy.PluginManager | None = None


class PluginInfo(NamedTuple):
    """One plugin as ``coprod plugins`` lists it."""

    name: str
    version: str | None
    builtin: bool
    hooks: tuple[str, ...] = ()
    error: str | None = None


class Registered(NamedTuple):
    """One thing a plugin registered through a ``coprod_register_*`` hook."""

    name: str
    thing: Any
    plugin: str


class _State:
    """What the factory learned while loading, kept on the manager."""

    def __init__(self) -> None:
        self.infos: dict[str, PluginInfo] = {}
        self.registries: dict[str, dict[str, Registered]] = {}
        self.dists: dict[str, Any] = {}


def _names(variable: str) -> set[str] | None:
    raw = os.environ.get(variable)
    if raw is None:
        return None
    return {n.strip() for n in raw.split(",") if n.strip()}


def _under_tests() -> bool:
    return "PYTEST_CURRENT_TEST" in os.environ


def strict_mode() -> bool:
    return os.environ.get("COPROD_STRICT_PLUGINS", "") not in ("", "0", "false", "no")


def new_plugin_manager() -> pluggy.PluginManager:
    """A plugin manager with coprod's hooks and no plugins registered."""
    pm = pluggy.PluginManager(GROUP)
    pm.add_hookspecs(hookspecs)
    pm.coprod_state = _State()  # type: ignore[attr-defined]
    return pm


def get_plugin_manager(*, fresh: bool = False) -> pluggy.PluginManager:
    """The process's plugin manager, loading entry points on first use."""
    global _manager
    if _manager is None or fresh:
        pm = new_plugin_manager()
        load_entry_points(pm)
        if fresh:
            return pm
        _manager = pm
        for info in failures(pm):
            # Once per process, on stderr, so the person knows what is missing and why.
            print(f"warning: {broken_message(info)}", file=sys.stderr)
    return _manager


def broken_message(info: PluginInfo) -> str:
    """How a plugin that failed to load is reported: its name, why, how to disable it."""
    return (f"plugin {info.name!r} failed to load ({info.error}); "
            f"disable it with COPROD_DISABLE_PLUGINS={info.name}")


def reset_plugin_manager() -> None:
    """Forget the process's plugin manager (tests and long-lived processes)."""
    global _manager
    _manager = None


def load_entry_points(pm: pluggy.PluginManager, *, strict: bool | None = None) -> None:
    """Register every allowed plugin in the ``coprod`` entry-point group."""
    from importlib.metadata import entry_points

    strict = strict_mode() if strict is None else strict
    allow = _names("COPROD_LOAD_PLUGINS")
    block = _names("COPROD_DISABLE_PLUGINS") or set()
    state: _State = pm.coprod_state  # type: ignore[attr-defined]
    found = [(_dist_name(ep.dist) == DIST, ep) for ep in entry_points(group=GROUP)]
    for builtin, ep in sorted(found, key=lambda f: (not f[0], f[1].name)):
        if ep.name in block or pm.has_plugin(ep.name):
            continue
        if not builtin and (allow is not None and ep.name not in allow):
            continue
        if not builtin and allow is None and _under_tests():
            continue
        # The version is read from the dist's metadata only when it is shown.
        state.dists[ep.name] = ep.dist
        version = None
        try:
            module = ep.load()
            pm.register(module, name=ep.name)
            _check_hook_names(pm, module, ep.name)
        except Exception as exc:
            reason = " ".join(f"{type(exc).__name__}: {exc}".split())
            if strict:
                raise PluginError(
                    f"plugin {ep.name!r} failed to load ({reason}); "
                    f"disable it with COPROD_DISABLE_PLUGINS={ep.name}"
                ) from exc
            if os.environ.get("COPROD_DEBUG"):
                import traceback

                traceback.print_exc(file=sys.stderr)
            state.infos[ep.name] = PluginInfo(
                name=ep.name, version=version, builtin=builtin, error=reason
            )
            continue
        state.infos[ep.name] = PluginInfo(name=ep.name, version=version, builtin=builtin)


def _check_hook_names(pm: pluggy.PluginManager, plugin: object, name: str) -> None:
    """Refuse a plugin implementing a hook coprod does not have (a typo, usually).

    As in pytest, an implementation marked ``optionalhook=True`` may name a
    hook this version lacks (a plugin written for a newer coprod).
    """
    for caller in pm.get_hookcallers(plugin) or ():
        if caller.spec is not None:
            continue
        for impl in caller.get_hookimpls():
            if impl.plugin is plugin and not impl.optionalhook:
                pm.unregister(plugin)
                raise PluginError(
                    f"it implements {caller.name}, which is not a coprod hook; "
                    f"the hooks are {', '.join(sorted(_hook_names()))}"
                )


def _hook_names() -> list[str]:
    return [n for n in dir(hookspecs) if n.startswith("coprod_")]


def _dist_name(dist: Any) -> str | None:
    """A distribution's normalised name, without parsing its METADATA when avoidable.

    Parsing METADATA imports the email package: a few milliseconds on every
    start, for a name the dist-info folder's name already gives.
    """
    if dist is None:
        return None
    name = getattr(dist, "_normalized_name", None)
    if not isinstance(name, str):
        name = dist.name
    return str(name).replace("-", "_").replace(".", "_").lower()


def _dist_version(dist: Any) -> str | None:
    try:
        return None if dist is None else str(dist.version)
    except Exception:  # a dist with broken metadata still gets listed
        return None


def failures(pm: pluggy.PluginManager) -> list[PluginInfo]:
    """The plugins that failed to load, with why."""
    state: _State = pm.coprod_state  # type: ignore[attr-defined]
    return [i for i in state.infos.values() if i.error]


def plugin_infos(pm: pluggy.PluginManager) -> list[PluginInfo]:
    """Every plugin: loaded ones with the hooks they implement, and failed ones."""
    state: _State = getattr(pm, "coprod_state", _State())
    infos = []
    for name, plugin in pm.list_name_plugin():
        if plugin is None:
            continue
        known = state.infos.get(name)
        hooks = tuple(sorted(c.name for c in pm.get_hookcallers(plugin) or ()))
        version = (_dist_version(state.dists[name]) if name in state.dists
                   else getattr(plugin, "__version__", None))
        builtin = known.builtin if known else False
        infos.append(PluginInfo(name=name, version=version, builtin=builtin, hooks=hooks))
    infos.extend(i._replace(version=_dist_version(state.dists.get(i.name)))
                 for i in failures(pm))
    return sorted(infos, key=lambda i: (not i.builtin, i.name))


def call_each(
    pm: pluggy.PluginManager, hook_name: str, **kwargs: Any
) -> list[tuple[str, Callable[[], Any]]]:
    """Each implementation of a hook as ``(plugin_name, call)``, in pluggy's order.

    Used where the core must know which plugin returned or raised what.
    """
    caller = getattr(pm.hook, hook_name)
    calls: list[tuple[str, Callable[[], Any]]] = []
    for impl in reversed(caller.get_hookimpls()):
        args = {k: kwargs[k] for k in impl.argnames if k in kwargs}

        def call(_f: Callable[..., Any] = impl.function, _a: dict[str, Any] = args) -> Any:
            return _f(**_a)

        calls.append((impl.plugin_name, call))
    return calls


def registry(pm: pluggy.PluginManager, hook_name: str, what: str) -> dict[str, Registered]:
    """Everything registered through one ``coprod_register_*`` hook, by name.

    Collected once per plugin manager. A name registered twice is a
    :class:`PluginError` naming both plugins.
    """
    state: _State = pm.coprod_state  # type: ignore[attr-defined]
    if hook_name in state.registries:
        return state.registries[hook_name]
    items: dict[str, Registered] = {}
    for impl in reversed(getattr(pm.hook, hook_name).get_hookimpls()):
        plugin = impl.plugin_name

        def register(name: str, thing: Any, _plugin: str = plugin) -> None:
            if not isinstance(name, str) or not name:
                raise PluginError(f"plugin {_plugin!r} registered a {what} without a name")
            if name in items:
                raise PluginError(
                    f"{what} {name!r} is registered by both {items[name].plugin!r} and "
                    f"{_plugin!r}; disable one with COPROD_DISABLE_PLUGINS"
                )
            items[name] = Registered(name, thing, _plugin)

        try:
            impl.function(**({"register": register} if "register" in impl.argnames else {}))
        except PluginError:
            raise
        except Exception as exc:
            raise PluginError(
                f"plugin {plugin!r} failed in {hook_name} ({type(exc).__name__}: {exc}); "
                f"disable it with COPROD_DISABLE_PLUGINS={plugin}"
            ) from exc
    state.registries[hook_name] = items
    return items


def forget_registries(pm: pluggy.PluginManager) -> None:
    """Drop cached registries, after a plugin is registered or unregistered."""
    pm.coprod_state.registries.clear()  # type: ignore[attr-defined]
