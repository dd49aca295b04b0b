"""docs/configuration.md documents exactly the keys coprod.toml accepts.

The accepted keys are found by asking the configuration itself, not from a
list kept here: each table is probed with an unknown key and the error's
"allowed here" list is read back, recursively; tables that take any name
(``[plugins.<name>]``, ``[roles.custom]``) are recognised as such; the
storage keys come from each registered backend's Settings and the plugin
keys from each registered settings table. A feature that adds a table
(through ``SECTION_CHECKERS``) or a key is therefore caught until its keys
are documented.

In the reference, a key is documented by a table row whose first cell is
the dotted key in backticks (`` `workspace.org` ``). Storage keys sit under
a heading naming their backend (``backend = "sqlite"``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from coprod_core import hookimpl
from coprod_core.config import SECTION_CHECKERS, Config
from coprod_core.errors import ConfigError

REFERENCE = Path(__file__).resolve().parents[1] / "docs" / "configuration.md"
PROBE = "zz_probe"
ANY = "<name>"


def _registries(pm: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    return pm.registry.things("storage"), pm.registry.things("settings")


def _nest(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    for part in reversed(path):
        value = {part: value}
    return value


def _error(pm: Any, data: dict[str, Any]) -> ConfigError | None:
    backends, settings = _registries(pm)
    try:
        Config.from_dict(data).check_plugins(settings, backends)
    except ConfigError as exc:
        return exc
    return None


def _allowed(error: ConfigError | None, where: str) -> list[str] | None:
    """The keys an "unknown key" error at ``where`` lists, or None."""
    if error is None or error.key != where or "allowed here:" not in str(error):
        return None
    listed = str(error).split("allowed here:", 1)[1].strip()
    return [] if listed == "(none)" else [k.strip() for k in listed.split(",")]


def _probe(pm: Any, path: tuple[str, ...]) -> set[str]:
    """Dotted keys accepted at and below the table ``path``."""
    dotted = ".".join(path)
    where = f"{dotted}.{PROBE}" if path else PROBE
    found: set[str] = {dotted} if path else set()
    allowed = _allowed(_error(pm, _nest(path, {PROBE: {}})), where)
    if allowed is None:
        # Any name is accepted here: look at what a named entry may hold.
        inner = _allowed(_error(pm, _nest((*path, PROBE), {PROBE: {}})), f"{where}.{PROBE}")
        for key in inner or ():
            found |= {k.replace(f"{dotted}.{PROBE}", f"{dotted}.{ANY}", 1)
                      for k in _probe(pm, (*path, PROBE, key))}
        if inner:
            found.add(f"{dotted}.{ANY}")
        return found
    for key in allowed:
        child = (*path, key)
        if path == () and key == "storage":
            found.add("storage")
            continue
        probed = _error(pm, _nest(child, {PROBE: {}}))
        inside = f"{'.'.join(child)}.{PROBE}"
        # A table of named entries refuses an empty entry at a key inside it.
        named = probed is not None and str(probed.key or "").startswith(f"{inside}.")
        if _allowed(probed, inside) is not None or named or path == ():
            found |= _probe(pm, child)
        else:
            found.add(".".join(child))
    return found


def accepted_keys(pm: Any) -> tuple[set[str], dict[str, set[str]]]:
    """(keys outside [storage], storage keys by backend)."""
    backends, settings = _registries(pm)
    keys = _probe(pm, ())
    keys.add("storage.backend")
    keys.add(f"plugins.{ANY}")
    for table, declared in settings.items():
        keys |= {f"plugins.{table}.{s.key}" for s in declared}
    storage = {name: {f"storage.{s.key}" for s in b.settings} for name, b in backends.items()}
    return keys, storage


def documented_keys() -> tuple[set[str], dict[str, set[str]]]:
    keys: set[str] = set()
    storage: dict[str, set[str]] = {}
    backend = None
    for line in REFERENCE.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^#+\s", line)
        if heading:
            named = re.search(r'backend = "([a-z0-9_]+)"', line)
            backend = named.group(1) if named else None
            for section in re.findall(r"`\[([a-z_.<>]+)\]`", line):
                keys.add(section)
            continue
        row = re.match(r"^\|\s*`([a-z_][a-z0-9_.<>]*)`\s*\|", line)
        if row:
            key = row.group(1)
            if key.startswith("storage.") and key != "storage.backend":
                assert backend, f"{key} is documented outside a backend's heading"
                storage.setdefault(backend, set()).add(key)
            else:
                keys.add(key)
    return keys, storage


@pytest.fixture
def keys(plugin_manager):
    return accepted_keys(plugin_manager), documented_keys()


def test_every_accepted_key_is_documented(keys):
    (accepted, accepted_storage), (documented, documented_storage) = keys
    assert accepted - documented == set(), "add these keys to docs/configuration.md"
    for backend, backend_keys in accepted_storage.items():
        missing = backend_keys - documented_storage.get(backend, set())
        assert missing == set(), f"document these keys of backend {backend!r}"


def test_every_documented_key_is_accepted(keys):
    (accepted, accepted_storage), (documented, documented_storage) = keys
    assert documented - accepted == set(), "docs/configuration.md names keys coprod rejects"
    for backend, backend_keys in documented_storage.items():
        assert backend in accepted_storage, f"no backend {backend!r} is registered"
        assert backend_keys - accepted_storage[backend] == set()


def test_the_probe_finds_the_core_keys(plugin_manager):
    accepted, storage = accepted_keys(plugin_manager)
    assert {"workspace", "workspace.org", "workspace.actor", "storage", "storage.backend",
            "roles", "roles.custom", "plugins", "plugins.<name>"} <= accepted
    assert storage["sqlite"] == {"storage.path", "storage.timeout"}


def test_the_probe_finds_a_plugins_settings(plugin_manager, register_plugin):

    from coprod_core.storage import Setting

    class Greeter:
        @hookimpl
        def coprod_register_settings(self, register):
            register("greeter", (Setting(key="greeting", type=str, default="hello"),))

    register_plugin(Greeter())
    accepted, _storage = accepted_keys(plugin_manager)
    assert "plugins.greeter.greeting" in accepted


def test_the_probe_finds_a_features_table(plugin_manager, monkeypatch, tmp_path):
    (tmp_path / "kit_feature_checker.py").write_text(
        "def check(table, ctx):\n"
        "    ctx.no_unknown(table, ('enabled', 'audience'), 'digest')\n"
        "    ctx.expect(table, 'enabled', bool, 'digest.enabled')\n"
        "    ctx.expect(table, 'audience', str, 'digest.audience')\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(SECTION_CHECKERS, "digest", "kit_feature_checker:check")
    accepted, _storage = accepted_keys(plugin_manager)
    assert {"digest", "digest.enabled", "digest.audience"} <= accepted
    assert "digest.enabled" not in documented_keys()[0]
