"""``coprod.toml``: read with tomllib, checked key by key, written with tomli-w.

Every error names the file, the line when it is known, the dotted key and
what was expected. Unknown keys are errors, not silently ignored. Each
plugin reads only its own ``[plugins.<name>]`` table.

Tables owned by a feature (``[forms]``, ``[reports]``, ``[privacy]``) are
checked by that feature's own checker, listed in :data:`SECTION_CHECKERS`
and imported only when the configuration is loaded.

One piece: reading, checking and writing ``coprod.toml`` share the
:class:`Context` that names the file, line and key of every problem, and the
bounds every value read is held to.
"""

from __future__ import annotations

import importlib
import math
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from attrs import evolve, field, frozen

from .errors import ConfigError, WorkspaceNotFound
from .inputs import UnreadableFile, read_small_text
from .model import DEFAULT_ROLES

CONFIG_NAME = "coprod.toml"

_ROLE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_LANG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")

#: Top-level table -> "module:function" that checks it. The function takes
#: ``(table, context)`` and raises :class:`ConfigError` via ``context.error``.
SECTION_CHECKERS: dict[str, str] = {
    "privacy": "coprod_core.protection.settings:check_config",
    "forms": "coprod_core.forms.declare:check_forms",
    "reports": "coprod_core.reports.disclosure:check_section",
    "web": "coprod_core.access:check_config",
}

CORE_SECTIONS = ("workspace", "storage", "roles", "plugins")


@frozen
class Context:
    """Where a value came from, for error messages."""

    path: Path | None
    text: str | None = None
    #: The whole document being checked, for a checker that needs another
    #: table (forms need the categories of ``[privacy] protected``).
    data: Mapping[str, Any] | None = field(default=None, eq=False, repr=False)

    def line_of(self, dotted: str) -> int | None:
        if not self.text:
            return None
        last = dotted.rsplit(".", 1)[-1]
        pattern = re.compile(rf"^\s*\"?{re.escape(last)}\"?\s*=", re.MULTILINE)
        found = [m.start() for m in pattern.finditer(self.text)]
        if len(found) != 1:
            table = re.compile(rf"^\s*\[+\s*{re.escape(dotted)}\s*\]+", re.MULTILINE)
            found = [m.start() for m in table.finditer(self.text)]
        if len(found) != 1:
            return None
        return self.text.count("\n", 0, found[0]) + 1

    def error(self, dotted: str, message: str) -> ConfigError:
        return ConfigError(message, path=self.path, key=dotted, line=self.line_of(dotted))

    def expect(self, table: Mapping[str, Any], key: str, kind: type | tuple[type, ...],
               dotted: str, default: Any = None) -> Any:
        """``table[key]`` checked to be of ``kind``; ``default`` when absent."""
        if key not in table:
            return default
        value = table[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        bad_bool = isinstance(value, bool) and bool not in kinds
        if bad_bool or not isinstance(value, kinds):
            names = " or ".join(_type_name(k) for k in kinds)
            raise self.error(dotted, f"must be {names}, not {_type_name(type(value))}")
        return value

    def no_unknown(self, table: Mapping[str, Any], allowed: Any, dotted: str) -> None:
        for key in table:
            if key not in allowed:
                where = f"{dotted}.{key}" if dotted else key
                from difflib import get_close_matches

                close = get_close_matches(key, list(allowed), n=1)
                hint = f" (did you mean `{close[0]}`?)" if close else ""
                raise self.error(
                    where,
                    f"unknown key{hint}; allowed here: {', '.join(sorted(allowed)) or '(none)'}",
                )


def _type_name(kind: type) -> str:
    return {
        str: "a string", int: "an integer", float: "a number", bool: "true or false",
        dict: "a table", list: "a list",
    }.get(kind, kind.__name__)


@frozen(kw_only=True)
class Config:
    """A workspace's configuration, checked."""

    path: Path | None = None
    org: str = ""
    #: The actor used when neither ``--as`` nor ``COPROD_USER`` is given.
    actor: str | None = None
    #: The language pages for people are written in (a BCP 47 tag).
    lang: str = "en-GB"
    backend: str = "sqlite"
    #: The ``[storage]`` table without ``backend``: the backend's own keys.
    storage_options: dict[str, Any] = field(factory=dict)
    #: Roles added in ``[roles.custom]``: name -> label.
    custom_roles: dict[str, str] = field(factory=dict)
    #: ``[plugins.<name>]`` tables, by plugin name.
    plugins: dict[str, dict[str, Any]] = field(factory=dict)
    #: The whole document as read, for the tables features check themselves.
    data: dict[str, Any] = field(factory=dict)
    #: The file's text when read from it unchanged (for line numbers in errors).
    text: str | None = field(default=None, eq=False, repr=False)

    @property
    def roles(self) -> tuple[str, ...]:
        return DEFAULT_ROLES + tuple(r for r in self.custom_roles if r not in DEFAULT_ROLES)

    @property
    def root(self) -> Path | None:
        return None if self.path is None else self.path.parent

    @property
    def categories(self) -> dict[str, str]:
        """Special and protected categories: name -> label (:mod:`coprod_core.categories`)."""
        from .categories import categories

        return categories(self.data)

    @property
    def consent_purposes(self) -> tuple[str, ...]:
        """``record``, ``contact``, ``naming`` and ``special:<c>`` for each category."""
        from .categories import consent_purposes

        return consent_purposes(self.data)

    def table(self, name: str) -> dict[str, Any]:
        """A top-level table as read (empty if absent)."""
        value = self.data.get(name, {})
        return value if isinstance(value, dict) else {}

    def plugin_settings(self, name: str) -> dict[str, Any]:
        return dict(self.plugins.get(name, {}))

    @classmethod
    def from_toml(cls, path: Path) -> Config:
        path = Path(path)
        try:
            text = read_small_text(path)
        except FileNotFoundError:
            raise ConfigError("file not found", path=path) from None
        except UnreadableFile as exc:
            raise ConfigError(str(exc), path=path) from None
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            match = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
            message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
            line = int(match.group(1)) if match else None
            raise ConfigError(f"is not valid TOML: {message}", path=path, line=line) from None
        except RecursionError:
            raise ConfigError(f"is nested more than {MAX_DEPTH} tables or lists deep",
                              path=path) from None
        return cls.from_dict(data, path=path, text=text)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, path: Path | None = None,
                  text: str | None = None) -> Config:
        check_values(data, Context(path, text))
        data = dict(data)
        ctx = Context(path, text, data)
        allowed = (*CORE_SECTIONS, *SECTION_CHECKERS)
        ctx.no_unknown(data, allowed, "")
        for name in allowed:
            if name in data:
                ctx.expect(data, name, dict, name)

        ws = data.get("workspace", {})
        ctx.no_unknown(ws, ("org", "actor", "lang"), "workspace")
        org = ctx.expect(ws, "org", str, "workspace.org", "")
        actor = ctx.expect(ws, "actor", str, "workspace.actor")
        lang = ctx.expect(ws, "lang", str, "workspace.lang", "en-GB")
        if not _LANG.match(lang):
            raise ctx.error("workspace.lang", "must be a language tag such as en-GB, cy "
                            "or pl")

        storage = dict(data.get("storage", {}))
        backend = ctx.expect(storage, "backend", str, "storage.backend", "sqlite")
        storage.pop("backend", None)

        roles = data.get("roles", {})
        ctx.no_unknown(roles, ("custom",), "roles")
        custom = ctx.expect(roles, "custom", (dict, list), "roles.custom", {})
        if isinstance(custom, list):
            custom = {str(r): str(r).replace("_", " ").capitalize() for r in custom}
        for name, label in custom.items():
            if not _ROLE_NAME.match(str(name)):
                raise ctx.error(
                    f"roles.custom.{name}",
                    "role names are lower-case letters, digits and underscores, "
                    "starting with a letter",
                )
            ctx.expect(custom, name, str, f"roles.custom.{name}")
            if not label.strip():
                raise ctx.error(f"roles.custom.{name}", "needs a label people can read")

        plugins = data.get("plugins", {})
        for name in plugins:
            ctx.expect(plugins, name, dict, f"plugins.{name}")

        for section, checker in SECTION_CHECKERS.items():
            if section in data:
                _load(checker)(data[section], ctx)

        return cls(
            path=path, org=org, actor=actor, lang=lang, backend=backend, storage_options=storage,
            custom_roles=dict(custom), plugins={k: dict(v) for k, v in plugins.items()},
            data=data, text=text,
        )

    def check_plugins(self, settings: Mapping[str, Any], backends: Mapping[str, Any]) -> None:
        """Check ``[storage]`` and ``[plugins.*]`` against what plugins declare.

        ``settings`` maps a plugin table name to its declared Settings;
        ``backends`` maps backend names to StorageBackend objects.
        """
        # Line numbers only from the text this config was read from: after
        # set_key the file on disk no longer holds the value being checked.
        ctx = Context(self.path, self.text)
        if self.backend not in backends:
            raise ctx.error(
                "storage.backend",
                f"unknown backend {self.backend!r}; available: {', '.join(sorted(backends))}",
            )
        declared = backends[self.backend].settings
        _check_settings(ctx, self.storage_options, declared, "storage", self.root)
        for name, table in self.plugins.items():
            if name in settings:
                _check_settings(ctx, table, settings[name], f"plugins.{name}", self.root)


def _check_settings(ctx: Context, table: Mapping[str, Any], declared: Any, dotted: str,
                    root: Path | None = None) -> None:
    by_key = {s.key: s for s in declared}
    ctx.no_unknown(table, by_key, dotted)
    for key, setting in by_key.items():
        value = ctx.expect(table, key, setting.type, f"{dotted}.{key}")
        if value is None:
            continue
        problem = setting.problem(value, root)
        if problem:
            raise ctx.error(f"{dotted}.{key}", problem)


def _text(path: Path | None) -> str | None:
    """The text of the file at ``path``, or None (for line numbers in errors)."""
    try:
        return None if path is None else read_small_text(path)
    except (OSError, UnreadableFile):
        return None


# ---------------------------------------------------------------- reading, bounded

#: How deeply tables and lists may nest in coprod.toml.
MAX_DEPTH = 32


def check_values(data: Mapping[str, Any], ctx: Context) -> None:
    """What any value in coprod.toml must be, whatever its key.

    Tables and lists nest at most :data:`MAX_DEPTH` deep; keys and text hold
    no control characters other than new lines and tabs; numbers are finite
    (TOML allows ``inf`` and ``nan``, which no setting means). Checked
    without recursion, so no document can exhaust the stack.
    """
    stack: list[tuple[str, Any, int]] = [("", data, 0)]
    while stack:
        dotted, value, depth = stack.pop()
        if isinstance(value, Mapping | list):
            if depth > MAX_DEPTH:
                raise ctx.error(dotted, f"is nested more than {MAX_DEPTH} tables or lists deep")
            items = value.items() if isinstance(value, Mapping) else (
                (f"[{i}]", v) for i, v in enumerate(value))
            for key, item in items:
                key = str(key)
                if not key.startswith("["):
                    _check_string(ctx, f"{dotted}.{key}".lstrip("."), key, "key")
                child = f"{dotted}{key}" if key.startswith("[") else f"{dotted}.{key}".lstrip(".")
                stack.append((child, item, depth + 1))
        elif isinstance(value, str):
            _check_string(ctx, dotted, value, "text")
        elif isinstance(value, float) and not math.isfinite(value):
            raise ctx.error(dotted, f"must be a finite number, not {value}")


def _check_string(ctx: Context, dotted: str, value: str, what: str) -> None:
    from .text import TextRefused, check_text

    try:
        check_text(value, f"the {what}", lines=True)
    except TextRefused as exc:
        raise ctx.error(dotted, str(exc)) from None


def _load(dotted: str) -> Callable[[Any, Context], None]:
    module, _, name = dotted.partition(":")
    return getattr(importlib.import_module(module), name)


# ---------------------------------------------------------------- finding


def find_workspace(start: Path | None = None) -> Path:
    """The folder holding ``coprod.toml``: ``start`` or the nearest parent."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    raise WorkspaceNotFound(
        f"no coprod workspace here or in any parent folder of {here}; "
        "create one with `coprod init` or name one with --workspace or COPROD_WORKSPACE"
    )


def resolve_workspace(option: str | os.PathLike[str] | None) -> Path:
    """``--workspace``, then ``COPROD_WORKSPACE``, then walk up from the current folder."""
    chosen = option or os.environ.get("COPROD_WORKSPACE")
    if chosen:
        folder = Path(chosen).expanduser()
        if folder.name == CONFIG_NAME:
            folder = folder.parent
        if not (folder / CONFIG_NAME).is_file():
            raise WorkspaceNotFound(
                f"{folder} is not a coprod workspace (no {CONFIG_NAME}); "
                f"create one with `coprod init {folder}`"
            )
        return folder.resolve()
    return find_workspace()


# ---------------------------------------------------------------- writing


_BACKEND_HINTS = {
    "sqlite": '# The SQLite database file, relative to this folder.\n# path = "coprod.db"',
    "json": '# The folder of record files, relative to this folder.\n# path = "coprod-data"',
    "postgres": ("# The server: a URL here, or (better, it may hold a password) the name of\n"
                 "# an environment variable that holds it.\n"
                 '# url_env = "COPROD_POSTGRES_URL"'),
}


def default_toml(org: str = "", backend: str = "sqlite") -> str:
    """The commented ``coprod.toml`` written by ``coprod init``."""
    import tomli_w

    org_line = tomli_w.dumps({"org": org}).strip()
    return f"""\
# coprod workspace configuration.
# Reference: docs/configuration.md. Check it with `coprod config check`.

[workspace]
# The organisation's name, shown on reports.
{org_line}
# Who is recorded as making changes when neither --as nor COPROD_USER is set
# (otherwise the operating-system user name).
# actor = "panel-coordinator"

[storage]
# Where records are kept: "sqlite" (one file here, the default), "json"
# (a folder of files) or "postgres" (a server).
backend = "{backend}"
{_BACKEND_HINTS.get(backend, "# This backend's keys: see docs/storage.md.")}

[roles]
# Roles beyond lived_experience, peer_researcher, staff, commissioner,
# partner and volunteer: name = "Label people read".
# custom = {{ carer = "Carer or family member" }}
"""


def parse_value(text: str) -> Any:
    """A command-line value as TOML would read it (``30``, ``true``, ``[1, 2]``), else text."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text
    except RecursionError:
        raise ConfigError(f"the value is nested more than {MAX_DEPTH} lists or tables deep"
                          ) from None


def set_key(config: Config, dotted: str, value: Any) -> Config:
    """A new Config with ``dotted`` set to ``value``, checked, not yet written."""
    parts = dotted.split(".")
    if not all(parts):
        raise ConfigError(f"`{dotted}` is not a dotted key such as workspace.org")
    data = _deep_copy(config.data)
    table = data
    for i, part in enumerate(parts[:-1]):
        nxt = table.setdefault(part, {})
        if not isinstance(nxt, dict):
            raise ConfigError(f"`{'.'.join(parts[: i + 1])}` is a value, not a table",
                              path=config.path)
        table = nxt
    table[parts[-1]] = value
    return evolve(Config.from_dict(data, path=config.path), path=config.path)


def dump(config: Config) -> str:
    import tomli_w

    return tomli_w.dumps(config.data)


def _deep_copy(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _deep_copy(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_deep_copy(v) for v in data]
    return data
