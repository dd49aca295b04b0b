"""Copying a workspace to another backend, verified before the switch."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from attrs import frozen

from .errors import CoprodError


@frozen(kw_only=True)
class Migrated:
    source: str
    target: str
    records: int
    audit: int


#: Show a progress bar when a copy holds more records than this.
PROGRESS_FROM = 2000


def migrate_workspace(root: Path, to: str, options: dict[str, Any], *,
                      actor: str | None = None, plugins: Any = None) -> Migrated:
    """Copy the workspace at ``root`` to backend ``to``; switch coprod.toml once verified."""

    from . import transfer
    from .config import CONFIG_NAME, Config, dump
    from .files import atomic_write, mark_stopped, record_migration
    from .plugins import get_plugin_manager
    from .workspace import Workspace

    if to == "memory":
        raise CoprodError("the memory backend keeps nothing once coprod stops; "
                          "migrate to sqlite, json or postgres")
    pm = plugins or get_plugin_manager()
    config = Config.from_toml(root / CONFIG_NAME)
    data = {k: v for k, v in config.data.items()}
    data["storage"] = {"backend": to, **options}
    target_config = Config.from_dict(data, path=config.path)
    target_backend = pm.registry.storage_backend(target_config)
    if to == config.backend and dict(options) == dict(config.storage_options):
        raise CoprodError(f"the workspace already uses the {to} backend with these settings")

    with Workspace.from_config(config, plugins=pm, actor=actor) as ws:
        source = ws.storage
        target = target_backend.open(root, target_config.storage_options)
        try:
            if not transfer.is_empty(target):
                raise CoprodError(
                    f"the {to} target already holds records; choose an empty "
                    "location (another --path or --schema)")
            # Until coprod.toml is switched, the copy is a partial one that doctor names.
            where, fix = _target_of(root, to, target_config.storage_options)
            entry = record_migration(root, to, where, fix)
            try:
                copied, audit = _copy(source, target, to)
            except BaseException:
                if entry is not None:
                    mark_stopped(entry)
                raise
        finally:
            target.close()
    atomic_write(root / CONFIG_NAME, dump(target_config))
    if entry is not None:
        entry.unlink(missing_ok=True)
    return Migrated(source=config.backend, target=to, records=copied, audit=audit)


def _copy(source: Any, target: Any, to: str) -> tuple[int, int]:
    """Copy every record and the audit log, then check the copy record by record."""
    import click

    from . import transfer

    total = transfer.size(source)
    if total > PROGRESS_FROM:
        with click.progressbar(length=total, label=f"copying to {to}", file=sys.stderr) as bar:
            copied = transfer.copy(source, target, bar.update)
    else:
        copied = transfer.copy(source, target)
    problems = transfer.verify(source, target)
    if problems:
        raise CoprodError(
            f"the copy to {to} does not match the source ({'; '.join(problems[:3])}); "
            "coprod.toml was not changed; `coprod doctor` says how to remove the copy")
    return copied, sum(1 for _ in target.iterate_audit())


def _target_of(root: Path, to: str, options: Mapping[str, Any]) -> tuple[str, str]:
    """Where a migration to ``to`` writes, and how to remove a partial copy there."""
    if to in ("sqlite", "json"):
        default = "coprod.db" if to == "sqlite" else "coprod-data"
        path = Path(str(options.get("path", default))).expanduser()
        path = path if path.is_absolute() else root / path
        if to == "sqlite":
            return str(path), f"rm '{path}' '{path}-wal' '{path}-shm'"
        return str(path), f"rm -r '{path}'"
    if to == "postgres":
        schema = options.get("schema", "public")
        return (f"the PostgreSQL schema {schema}",
                f"drop its coprod tables (in psql: DROP SCHEMA \"{schema}\" CASCADE; for "
                "the public schema, drop the doc_* and coprod_* tables)")
    return (f"the {to} backend's storage", f"remove what the {to} backend wrote "
            f"(its settings: {', '.join(sorted(options)) or 'none'})")
