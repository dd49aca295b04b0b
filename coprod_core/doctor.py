"""``coprod doctor``: checks of a workspace, each saying what to do.

A check is a function taking a :class:`Checkup` and yielding
:class:`Finding` objects. The checks run in the order of :data:`CHECKS`;
a feature adds its own by appending to that list (privacy adds overdue
rights requests). Earlier checks fill in ``checkup.config`` and
``checkup.workspace``; a later check that needs one that is missing
yields nothing.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from attrs import define, field, frozen

from .errors import CoprodError

OK, WARNING, ERROR = "ok", "warning", "error"


@frozen(kw_only=True)
class Finding:
    check: str
    level: str
    message: str
    #: What to do about it (empty when nothing needs doing).
    fix: str = ""


@define
class Checkup:
    """What the checks share while they run."""

    root: Path
    plugins: Any = None
    config: Any = None
    workspace: Any = None
    notices: list[str] = field(factory=list)


Check = Callable[[Checkup], Iterable[Finding]]


def check_config(c: Checkup) -> Iterator[Finding]:
    from .config import CONFIG_NAME, Config
    try:
        config = Config.from_toml(c.root / CONFIG_NAME)
        c.plugins.registry.storage_backend(config)
    except CoprodError as exc:
        yield Finding(check="config", level=ERROR, message=str(exc),
                      fix="correct coprod.toml; `coprod config check` checks it again")
        return
    c.config = config
    yield Finding(check="config", level=OK,
                  message=f"{c.root / CONFIG_NAME} is valid (backend {config.backend})")


def check_backend(c: Checkup) -> Iterator[Finding]:
    if c.config is None:
        return
    from .workspace import Workspace

    try:
        c.workspace = Workspace.from_config(c.config, plugins=c.plugins, warn=c.notices.append)
    except CoprodError as exc:
        yield Finding(check="backend", level=ERROR, message=str(exc),
                      fix="check [storage] in coprod.toml, and that the server or file is there")
        return
    yield Finding(check="backend", level=OK,
                  message=f"the {c.config.backend} backend opened")


def _cannot_save(c: Checkup) -> str | None:
    return getattr(c.workspace.storage, "cannot_save", None) if c.workspace else None


def check_filesystem(c: Checkup) -> Iterator[Finding]:
    notices = [n for n in c.notices if n != _cannot_save(c)]
    for notice in notices:
        yield Finding(check="filesystem", level=WARNING, message=notice,
                      fix="move the workspace to a local disk, or to PostgreSQL")
    if c.workspace is not None and not notices:
        yield Finding(check="filesystem", level=OK,
                      message="no network filesystem under the workspace")


def check_writable(c: Checkup) -> Iterator[Finding]:
    """Whether changes can be saved (a full disk or a read-only place stops them)."""
    if c.workspace is None:
        return
    reason = _cannot_save(c)
    if reason:
        yield Finding(check="writable", level=WARNING, message=reason,
                      fix="nothing saved is lost: once there is space or permission again, "
                          "the next command finishes any change that was under way")
    else:
        yield Finding(check="writable", level=OK, message="changes can be saved")


def _loose(path: Path) -> bool:
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return bool(stat.S_IMODE(mode) & 0o077)


def check_permissions(c: Checkup) -> Iterator[Finding]:
    from .config import CONFIG_NAME

    paths = [c.root / CONFIG_NAME]
    store = getattr(c.workspace.storage, "path", None) if c.workspace else None
    if isinstance(store, Path):
        paths += [store, Path(f"{store}-wal"), Path(f"{store}-shm")]
    loose = [p for p in paths if _loose(p)]
    for path in loose:
        mode = "700" if path.is_dir() else "600"
        yield Finding(check="permissions", level=WARNING,
                      message=f"{path} can be read by other users of this computer",
                      fix=f"chmod {mode} {path}")
    if not loose:
        yield Finding(check="permissions", level=OK,
                      message="the workspace's files are readable by their owner only")


def check_integrity(c: Checkup) -> Iterator[Finding]:
    if c.workspace is None:
        return
    check = getattr(c.workspace.storage, "check_integrity", None)
    if check is None:
        return
    problems = check()
    if problems:
        shown = "; ".join(problems[:3]) + (f" (and {len(problems) - 3} more)"
                                           if len(problems) > 3 else "")
        yield Finding(check="integrity", level=ERROR, message=shown,
                      fix="restore the latest backup (`coprod backup` makes one), or ask for "
                          "help before writing more")
    else:
        yield Finding(check="integrity", level=OK, message="the stored files are sound")


def check_documents(c: Checkup) -> Iterator[Finding]:
    if c.workspace is None:
        return
    from . import serialise

    storage = c.workspace.storage
    bad: list[str] = []
    total = 0
    for collection, kind in c.workspace.collections.items():
        for doc in storage.iterate(collection):
            total += 1
            try:
                serialise.structure(collection, doc, kind.record_type)
            except Exception as exc:
                bad.append(f"{doc.get('id')} ({' '.join(str(exc).split())[:120]})")
    if bad:
        more = f" and {len(bad) - 5} more" if len(bad) > 5 else ""
        yield Finding(check="documents", level=ERROR,
                      message=f"{len(bad)} records fail to load: {', '.join(bad[:5])}{more}",
                      fix="upgrade coprod if they were written by a newer version; otherwise "
                          "correct them from a backup")
    else:
        yield Finding(check="documents", level=OK, message=f"all {total} records load")


def check_counters(c: Checkup) -> Iterator[Finding]:
    if c.workspace is None:
        return
    from .storage import id_number

    storage = c.workspace.storage
    counters = storage.counters()
    for collection in storage.collections():
        highest = max((id_number(d["id"]) for d in storage.iterate(collection)), default=0)
        if highest > counters.get(collection, 0):
            yield Finding(
                check="counters", level=ERROR,
                message=f"{collection}: the id counter is at {counters.get(collection, 0)} "
                        f"but a record has number {highest}; new records would reuse ids",
                fix="export and import the workspace (`coprod export`, `coprod import`), "
                    "or restore a backup")


def check_leftovers(c: Checkup) -> Iterator[Finding]:
    """Copies a coprod that stopped part-way left: temporary files, partial migrations."""
    from .files import find_leftovers

    found = find_leftovers(c.root)
    for item in found:
        yield Finding(check="leftovers", level=WARNING, message=f"{item.path}: {item.what}",
                      fix=item.fix)
    if not found:
        yield Finding(check="leftovers", level=OK,
                      message="no copies left behind by a coprod that stopped part-way")


def check_privacy(c: Checkup) -> Iterator[Finding]:
    """Rights requests past their due date, and people due for retention review."""
    if c.workspace is None:
        return
    from .services.retention import retention_check
    from .services.rights_requests import overdue_requests_check

    requests = overdue_requests_check(c.workspace)
    for item in requests:
        yield Finding(check="rights_requests", level=WARNING, **item)
    reviews = retention_check(c.workspace)
    for item in reviews:
        yield Finding(check="retention", level=WARNING, **item)
    if not requests:
        yield Finding(check="rights_requests", level=OK,
                      message="no rights request is past its due date")


#: Every check, in order. Append a function to add one.
CHECKS: list[Check] = [
    check_config, check_backend, check_filesystem, check_writable, check_permissions,
    check_leftovers, check_integrity, check_documents, check_counters, check_privacy,
]


def run(root: Path, plugins: Any = None) -> list[Finding]:
    """Run every check on the workspace in ``root``."""
    from .plugins import get_plugin_manager

    checkup = Checkup(root=Path(root), plugins=plugins or get_plugin_manager())
    findings: list[Finding] = []
    try:
        for check in CHECKS:
            try:
                findings.extend(check(checkup))
            except Exception as exc:
                name = getattr(check, "__name__", "check").removeprefix("check_")
                findings.append(Finding(
                    check=name, level=ERROR, message=f"{type(exc).__name__}: {exc}",
                    fix="run again with COPROD_DEBUG=1 and report it"))
                if os.environ.get("COPROD_DEBUG"):
                    raise
    finally:
        if checkup.workspace is not None:
            checkup.workspace.close()
    return findings
