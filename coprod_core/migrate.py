"""Copying a workspace to another backend, verified before the switch."""

from __future__ import annotations

import sys
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
    import click

    from . import transfer
    from .config import CONFIG_NAME, Config, dump, write_atomic
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
            total = transfer.size(source)
            if total > PROGRESS_FROM:
                with click.progressbar(length=total, label=f"copying to {to}",
                                       file=sys.stderr) as bar:
                    copied = transfer.copy(source, target, bar.update)
            else:
                copied = transfer.copy(source, target)
            problems = transfer.verify(source, target)
            if problems:
                raise CoprodError(
                    f"the copy to {to} does not match the source ({'; '.join(problems[:3])}); "
                    "coprod.toml was not changed")
            audit = sum(1 for _ in target.iterate_audit())
        finally:
            target.close()
    write_atomic(root / CONFIG_NAME, dump(target_config))
    return Migrated(source=config.backend, target=to, records=copied, audit=audit)
