"""The registry: one typed table per extension point, owned by the plugin manager.

Each ``coprod_register_*`` hook fills one table. :data:`TABLES` says, for
each, the hook, the word used in messages, the type a registration must have
and the rule its name follows; adding an extension point is one entry there
(and its hook in :mod:`coprod_core.hookspecs`).

A table is built the first time it is read, by calling its hook through
pluggy with a ``register`` callback, and built again after a plugin is
registered or unregistered. Every registration gets the same checks at the
door:

- the type (a report kind registered as ``None`` is refused);
- the name: a registered name equal to the thing's own ``name`` where it has
  one (``register(kind)`` alone uses it), and the table's name rule;
- duplicates: a name registered by two plugins is an error naming both.

A refused registration names the plugin and the hook, is reported once as a
warning, and is left out; the other plugins' registrations stay usable.
Looking the refused name up gives the reason. ``COPROD_STRICT_PLUGINS=1``
makes a refusal fatal.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

from .errors import PluginError

if TYPE_CHECKING:
    from .plugins import CoprodPluginManager
    from .records import Collections

__all__ = ["TABLES", "Entry", "Registry", "Table", "TableSpec"]

_LOWER_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")


class TableSpec(NamedTuple):
    """One extension point: which hook fills it and what it accepts."""

    #: The key the table is read by (``registry.table("report_kinds")``).
    key: str
    #: The ``coprod_register_*`` hook that fills it.
    hook: str
    #: The word for one registration in messages ("report kind").
    word: str
    #: ``"module:Class"`` a registration must be an instance of (imported
    #: only when the table is built, so ``coprod --help`` stays light).
    kind: str
    #: Whether the thing carries its own ``name``, which must equal the registered one.
    named: bool = False
    #: A pattern the name must match, when the thing carries none ("" for none).
    pattern: str = ""
    #: Whether the type is a tuple of ``kind`` (settings declare several keys).
    many: bool = False

    # A NamedTuple, not attrs: the commands table is read by ``coprod --help``.

    def expected(self) -> type:
        module, _, attr = self.kind.partition(":")
        found: type = getattr(importlib.import_module(module), attr)
        return found


#: Every extension point the core knows. One entry adds one.
TABLES: tuple[TableSpec, ...] = (
    TableSpec("storage", "coprod_register_storage", "storage backend",
              "coprod_core.storage:StorageBackend", named=True),
    TableSpec("settings", "coprod_register_settings", "settings table",
              "coprod_core.storage:Setting", pattern=_LOWER_NAME.pattern, many=True),
    TableSpec("collections", "coprod_register_collections", "collection",
              "coprod_core.records:Collection", pattern=r"^[a-z][a-z0-9_]{0,62}$"),
    TableSpec("field_types", "coprod_register_field_types", "field type",
              "coprod_core.forms:FieldType", pattern=_LOWER_NAME.pattern),
    TableSpec("forms", "coprod_register_forms", "form",
              "coprod_core.forms:FormDefinition", named=True),
    TableSpec("report_kinds", "coprod_register_report_kinds", "report kind",
              "coprod_core.reports:ReportKind", named=True),
    TableSpec("report_formats", "coprod_register_report_formats", "report format",
              "coprod_core.reports:ReportFormat", named=True),
    # click makes a command's name from its function's; the registered name
    # is the word people type, so it is not compared with ``command.name``.
    TableSpec("commands", "coprod_register_commands", "command", "click:Command",
              pattern=_LOWER_NAME.pattern),
    TableSpec("importers", "coprod_register_importers", "importer",
              "coprod_core.importing:Importer", named=True),
    # Built only when the web front starts (``coprod serve``), so the class is
    # imported only where its plugin is installed and used.
    TableSpec("web_routes", "coprod_register_web_routes", "web route",
              "coprod_web.routes:WebRoute", pattern=_LOWER_NAME.pattern),
)

_SPECS = MappingProxyType({spec.key: spec for spec in TABLES})


class Entry(NamedTuple):
    """One registration: its name, the thing registered, and the plugin that did it."""

    name: str
    thing: Any
    plugin: str


class Table(Mapping[str, Entry]):
    """The checked registrations of one extension point, by name (read-only)."""

    def __init__(self, spec: TableSpec, entries: Mapping[str, Entry],
                 refused: Mapping[str, str], problems: tuple[str, ...]) -> None:
        self.spec = spec
        self._entries = dict(entries)
        #: Names left out, with why (a lookup of one of them says so).
        self.refused = MappingProxyType(dict(refused))
        #: Every problem found while building the table, one line each.
        self.problems = problems

    def __getitem__(self, name: str) -> Entry:
        return self._entries[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def things(self) -> dict[str, Any]:
        """Name -> the registered thing, sorted by name."""
        return {name: self._entries[name].thing for name in sorted(self._entries)}

    def thing(self, name: str) -> Any:
        """The thing registered as ``name``; an unknown or refused name says what is allowed."""
        if name in self._entries:
            return self._entries[name].thing
        if name in self.refused:
            raise PluginError(self.refused[name])
        from .errors import InvalidValue

        raise InvalidValue(self.spec.word, name, sorted(self._entries))


class Registry:
    """Every table, built lazily from the plugin manager's hooks."""

    def __init__(self, pm: CoprodPluginManager) -> None:
        self._pm = pm
        self._tables: dict[str, Table] = {}
        self._collections: Collections | None = None

    def forget(self) -> None:
        """Drop every built table (a plugin was registered or unregistered)."""
        self._tables.clear()
        self._collections = None

    def table(self, key: str) -> Table:
        """The table ``key`` (one of :data:`TABLES`), built on first use."""
        found = self._tables.get(key)
        if found is None:
            found = self._tables[key] = self._build(_SPECS[key])
        return found

    def things(self, key: str) -> dict[str, Any]:
        return self.table(key).things()

    @property
    def collections(self) -> Collections:
        """The collections a workspace with these plugins has, the core's first."""
        if self._collections is None:
            from .records import Collections

            table = self.table("collections")
            self._collections = Collections.checked(
                {name: (entry.thing, entry.plugin) for name, entry in table.items()})
        return self._collections

    def storage_backend(self, config: Any) -> Any:
        """Check ``config`` against the registered backends and settings; its backend."""
        backends = self.things("storage")
        config.check_plugins(self.things("settings"), backends)
        return backends[config.backend]

    # ------------------------------------------------------------ building

    def _build(self, spec: TableSpec) -> Table:
        from .hookcalls import PluginFailed, current_plugin, isolating, strict_mode

        expected = spec.expected()
        pattern = re.compile(spec.pattern) if spec.pattern else None
        entries: dict[str, Entry] = {}
        refused: dict[str, str] = {}
        problems: list[str] = []
        disable = "disable it with COPROD_DISABLE_PLUGINS={}"

        def refuse(plugin: str, name: str | None, message: str, line: str = "") -> None:
            line = line or f"plugin {plugin!r} {message} ({spec.hook}); {disable.format(plugin)}"
            if strict_mode():
                raise PluginError(line)
            problems.append(line)
            if name is not None:
                refused.setdefault(name, line)

        def register(name: Any, thing: Any = _MISSING) -> None:
            plugin = current_plugin() or "?"
            if thing is _MISSING:
                if not spec.named:
                    raise PluginError(
                        f"plugin {plugin!r} called register with one argument in {spec.hook}; "
                        f"a {spec.word} is registered as register(name, {spec.key[:-1]})")
                name, thing = getattr(name, "name", None), name
            if not isinstance(name, str) or not name:
                raise PluginError(f"plugin {plugin!r} registered a {spec.word} without a name "
                                  f"({spec.hook})")
            if name in entries:
                raise PluginError(
                    f"{spec.word} {name!r} is registered by both {entries[name].plugin!r} and "
                    f"{plugin!r} ({spec.hook}); disable one with COPROD_DISABLE_PLUGINS")
            wanted = f"{expected.__module__}.{expected.__qualname__}"
            if spec.many:
                if not isinstance(thing, tuple | list) or not all(
                        isinstance(t, expected) for t in thing):
                    return refuse(plugin, name, f"registered {spec.word} {name!r} as "
                                  f"{_describe(thing)}, not a tuple of {wanted}")
                thing = tuple(thing)
            elif not isinstance(thing, expected):
                return refuse(plugin, name, f"registered {spec.word} {name!r} as "
                              f"{_describe(thing)}, not a {wanted}")
            own = getattr(thing, "name", None) if spec.named else None
            if spec.named and own != name:
                return refuse(plugin, name, f"registered {spec.word} {name!r} whose name is "
                              f"{own!r}; register it as register({spec.key[:-1]}) to use its "
                              "own name")
            if pattern is not None and not pattern.match(name):
                return refuse(plugin, name, f"registered {spec.word} {name!r}, which is not a "
                              "lower-case name of letters, digits and underscores")
            entries[name] = Entry(name, thing, plugin)

        if spec.key == "collections":
            from .records import core_entries

            for name, core in core_entries().items():
                entries[name] = Entry(name, core, "coprod")
        def failed(failure: PluginFailed) -> None:
            # What a plugin registered before its hook broke is left out with it.
            for name in [n for n, e in entries.items() if e.plugin == failure.plugin]:
                del entries[name]
            refuse(failure.plugin, None, "", f"plugin {failure.plugin!r} failed in {spec.hook} "
                   f"({failure.reason}); {disable.format(failure.plugin)}")

        with isolating(spec.hook, failed):
            getattr(self._pm.hook, spec.hook)(register=register)
        for line in problems:
            self._pm.warn(line)
        return Table(spec, entries, refused, tuple(problems))


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


_MISSING: Any = _Missing()


def _describe(thing: Any) -> str:
    return "None" if thing is None else f"{type(thing).__name__} {thing!r}"[:80]

