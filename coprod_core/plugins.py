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

- ``COPROD_TRACE_PLUGINS``: ``1`` to print each hook call on stderr: the
  hook, the plugin and the time it took.

Under the test suite only built-in plugins load, unless ``COPROD_LOAD_PLUGINS``
names others or a test registers a plugin itself. The kit's pytest plugin
(:mod:`coprod_core.testing.fixtures`) says so for the whole process when
pytest starts, so a manager built while tests are collected obeys it too.

Hooks are called through pluggy (``pm.hook.coprod_...``), so ``wrapper=True``
implementations and pluggy's call monitoring see every call. Each
implementation is wrapped once, when its plugin is registered, so that a
failure, a wrong return value or a registration names the plugin and the hook.

One piece: loading, registering and calling the hooks share the manager's
state and each other's attribution of results to plugins.
"""

from __future__ import annotations

import difflib
import os
import sys
import time
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, NamedTuple

import pluggy

from . import hookspecs
from .errors import CoprodError, PluginError
from .hookcalls import CURRENT as _CURRENT
from .hookcalls import ISOLATED as _ISOLATE
from .hookcalls import PluginFailed, current_plugin, isolating, strict_mode
from .hookcalls import flag as _flag
from .registry import Entry, Registry

__all__ = [
    "CoprodPluginManager", "PluginFailed", "PluginInfo", "current_plugin", "failures",
    "get_plugin_manager", "isolating", "load_entry_points", "new_plugin_manager", "plugin_infos",
    "strict_mode", "using",
]

GROUP = "coprod"
DIST = "coprod"

#: Set by the kit's pytest plugin: only built-in plugins load in this process.
UNDER_TESTS = "_coprod_under_tests"

_manager: CoprodPluginManager | None = None

Registered = Entry


class PluginInfo(NamedTuple):
    """One plugin as ``coprod plugins`` lists it."""

    name: str
    version: str | None
    builtin: bool
    hooks: tuple[str, ...] = ()
    error: str | None = None


class _BadResult(Exception):
    """A hook returned a value of the wrong shape (reported without a type name)."""


def _names(variable: str) -> set[str] | None:
    raw = os.environ.get(variable)
    if raw is None:
        return None
    return {n.strip() for n in raw.split(",") if n.strip()}


def _under_tests() -> bool:
    return bool(getattr(sys, UNDER_TESTS, False))


def _stderr_warning(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


class CoprodPluginManager(pluggy.PluginManager):
    """pluggy's manager with coprod's hooks, a typed :attr:`registry` and load records."""

    def __init__(self) -> None:
        super().__init__(GROUP)
        self.add_hookspecs(hookspecs)
        #: Every ``coprod_register_*`` table, checked (:mod:`coprod_core.registry`).
        self.registry = Registry(self)
        #: Plugins found while loading entry points, with why one failed.
        self.infos: dict[str, PluginInfo] = {}
        #: Entry-point name -> its distribution (versions are read when shown).
        self.dists: dict[str, Any] = {}
        #: How a refused registration is reported (once per table build).
        self.warn: Callable[[str], None] = _stderr_warning
        #: ``COPROD_TRACE_PLUGINS=1``: each call of an implementation on stderr.
        self.trace_calls = _flag("COPROD_TRACE_PLUGINS")

    def register(self, plugin: object, name: str | None = None) -> str | None:
        """Register ``plugin``; refuse one implementing a hook coprod lacks (a typo).

        As in pytest, an implementation marked ``optionalhook=True`` may name
        a hook this version lacks (a plugin written for a newer coprod).
        """
        plugin_name = super().register(plugin, name)
        if plugin_name is None:
            return None
        try:
            _check_hook_names(self, plugin, plugin_name)
        except PluginError:
            super().unregister(plugin)
            raise
        for caller in self.get_hookcallers(plugin) or ():
            for impl in caller.get_hookimpls():
                if impl.plugin is plugin and not impl.hookwrapper:
                    # pluggy calls ``impl.function``: wrapping it keeps every
                    # pluggy feature (wrappers, monitoring) and names the plugin.
                    _replace_function(impl, _attributed(self, caller.name, impl))
        self.registry.forget()
        return plugin_name

    def unregister(self, plugin: object | None = None, name: str | None = None) -> Any:
        found = super().unregister(plugin, name)
        self.registry.forget()
        return found

    def set_blocked(self, name: str) -> None:
        super().set_blocked(name)
        self.registry.forget()


def _replace_function(impl: pluggy.HookImpl, function: Any) -> None:
    attribute = "function"  # Final for pluggy's users; replaced once, at registration
    setattr(impl, attribute, function)


class UnknownHook(PluginError):
    """A plugin implements a hook coprod does not have."""

    def __init__(self, plugin: str, detail: str) -> None:
        self.detail = detail
        super().__init__(f"plugin {plugin!r} {detail}")


def _check_hook_names(pm: pluggy.PluginManager, plugin: object, name: str) -> None:
    known = _hook_names()
    for caller in pm.get_hookcallers(plugin) or ():
        if caller.spec is not None:
            continue
        for impl in caller.get_hookimpls():
            if impl.plugin is plugin and not impl.optionalhook:
                close = difflib.get_close_matches(caller.name, known, n=1)
                hint = (f"did you mean {close[0]}?" if close
                        else f"the hooks are {', '.join(known)}")
                raise UnknownHook(name, f"implements {caller.name}, which is not a "
                                        f"coprod hook; {hint}")


def _hook_names() -> list[str]:
    return sorted(n for n in dir(hookspecs) if n.startswith("coprod_"))


def _subject_access_result(result: Any) -> None:
    import json

    if not isinstance(result, dict):
        raise _BadResult(f"returned {type(result).__name__} {result!r:.40}; it must return "
                         "a dict of what the plugin holds, or None")
    try:
        json.dumps(result, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise _BadResult(f"returned a dict that is not JSON ({exc}); use text, numbers, "
                         "booleans, lists and dicts") from None


def _validate_result(result: Any) -> None:
    if not isinstance(result, str):
        raise _BadResult(f"returned {type(result).__name__} {result!r:.40}; it must return "
                         "None to allow the write or a message saying why not")


#: What a hook's implementations may return, checked at the door (None is always allowed).
_RESULT_CHECKS: dict[str, Callable[[Any], None]] = {
    "coprod_subject_access": _subject_access_result,
    "coprod_validate": _validate_result,
}


class Refusal(str):
    """A ``coprod_validate`` message, with the plugin that returned it."""

    plugin: str


def _attributed(pm: CoprodPluginManager, hook: str, impl: pluggy.HookImpl) -> Any:
    function = impl.function
    plugin = impl.plugin_name
    if impl.wrapper:
        return _attributed_wrapper(function, plugin)
    check = _RESULT_CHECKS.get(hook)
    refusals = hook == "coprod_validate"

    def call(*args: Any) -> Any:
        token = _CURRENT.set(plugin)
        started = time.perf_counter() if pm.trace_calls else 0.0
        try:
            result = function(*args)
            if result is not None and check is not None:
                check(result)
        except Exception as exc:
            handler = _ISOLATE.get().get(hook)
            # An error meant for people (a refusal, a bad setting) passes as it is, unless
            # the caller isolates the plugins; a registry's own refusals always pass.
            if isinstance(exc, CoprodError) and (handler is None or isinstance(exc, PluginError)):
                raise
            reason = (str(exc) if isinstance(exc, _BadResult)
                      else " ".join(f"{type(exc).__name__}: {exc}".split()))
            failure = PluginFailed(plugin, hook, reason)
            if handler is None:
                raise failure from exc
            handler(failure)
            return None
        finally:
            _CURRENT.reset(token)
            if pm.trace_calls:
                took = (time.perf_counter() - started) * 1000
                print(f"trace: {hook} {plugin} {took:.3f} ms", file=sys.stderr)
        if refusals and result:
            result = Refusal(result)
            result.plugin = plugin
        made = _RESULTS.get()
        if made is not None and result is not None:
            made[id(result)] = plugin
        return result

    return call


def _attributed_wrapper(function: Callable[..., Any], plugin: str) -> Any:
    """A ``wrapper=True`` implementation, run with its plugin named as the current one."""

    def wrapper(*args: Any) -> Generator[Any, Any, Any]:
        token = _CURRENT.set(plugin)
        try:
            inner = function(*args)
            sent = next(inner)
        finally:
            _CURRENT.reset(token)
        thrown: BaseException | None = None
        result: Any = None
        try:
            result = yield sent
        except BaseException as exc:
            thrown = exc
        token = _CURRENT.set(plugin)
        try:
            if thrown is not None:
                inner.throw(thrown)
            else:
                inner.send(result)
        except StopIteration as stop:
            return stop.value
        finally:
            _CURRENT.reset(token)
        raise RuntimeError(f"the wrapper of plugin {plugin!r} yielded more than once")

    return wrapper


def call_attributed(pm: pluggy.PluginManager, hook: str, **kwargs: Any) -> list[tuple[str, Any]]:
    """Call ``hook`` through pluggy; each non-None result with the plugin that returned it.

    A result a wrapper put in place of the plugins' is credited to ``"a wrapper"``.
    """
    made: dict[int, str] = {}
    token = _RESULTS.set(made)
    try:
        results = getattr(pm.hook, hook)(**kwargs)
    finally:
        _RESULTS.reset(token)
    return [(made.get(id(r), "a wrapper"), r) for r in results]


#: While :func:`call_attributed` runs: id of each result -> the plugin that returned it.
_RESULTS: ContextVar[dict[int, str] | None] = ContextVar("coprod_results", default=None)


def new_plugin_manager() -> CoprodPluginManager:
    """A plugin manager with coprod's hooks and no plugins registered."""
    return CoprodPluginManager()


def get_plugin_manager(*, fresh: bool = False) -> CoprodPluginManager:
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


@contextmanager
def using(pm: CoprodPluginManager) -> Iterator[CoprodPluginManager]:
    """Make ``pm`` the process's plugin manager for the block, then restore the previous one.

    For what must run with a chosen set of plugins (the CLI reference, tests).
    """
    global _manager
    previous, _manager = _manager, pm
    try:
        yield pm
    finally:
        _manager = previous


def broken_message(info: PluginInfo) -> str:
    """How a plugin that failed to load is reported: its name, why, how to disable it."""
    return (f"plugin {info.name!r} failed to load ({info.error}); "
            f"disable it with COPROD_DISABLE_PLUGINS={info.name}")


def load_entry_points(pm: CoprodPluginManager, *, strict: bool | None = None) -> None:
    """Register every allowed plugin in the ``coprod`` entry-point group."""
    from importlib.metadata import entry_points

    strict = strict_mode() if strict is None else strict
    allow = _names("COPROD_LOAD_PLUGINS")
    block = _names("COPROD_DISABLE_PLUGINS") or set()
    found = [(_dist_name(ep.dist) == DIST, ep) for ep in entry_points(group=GROUP)]
    for builtin, ep in sorted(found, key=lambda f: (not f[0], f[1].name)):
        if ep.name in block or pm.has_plugin(ep.name):
            continue
        if not builtin and (allow is not None and ep.name not in allow):
            continue
        if not builtin and allow is None and _under_tests():
            continue
        # The version is read from the dist's metadata only when it is shown.
        pm.dists[ep.name] = ep.dist
        try:
            module = ep.load()
            pm.register(module, name=ep.name)
        except Exception as exc:
            reason = (exc.detail if isinstance(exc, UnknownHook)
                      else " ".join(f"{type(exc).__name__}: {exc}".split()))
            if strict:
                raise PluginError(
                    f"plugin {ep.name!r} failed to load ({reason}); "
                    f"disable it with COPROD_DISABLE_PLUGINS={ep.name}"
                ) from exc
            if os.environ.get("COPROD_DEBUG"):
                import traceback

                traceback.print_exc(file=sys.stderr)
            pm.infos[ep.name] = PluginInfo(name=ep.name, version=None, builtin=builtin,
                                           error=reason)
            continue
        pm.infos[ep.name] = PluginInfo(name=ep.name, version=None, builtin=builtin)


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


def failures(pm: CoprodPluginManager) -> list[PluginInfo]:
    """The plugins that failed to load, with why."""
    return [i for i in pm.infos.values() if i.error]


def plugin_infos(pm: CoprodPluginManager) -> list[PluginInfo]:
    """Every plugin: loaded ones with the hooks they implement, and failed ones."""
    state = pm
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
