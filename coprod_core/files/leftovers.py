"""Copies a coprod that stopped part-way left behind (see :mod:`coprod_core.files`)."""

from __future__ import annotations

import json
import os
import shutil
import stat
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

from attrs import frozen

from ..errors import OutputError
from .write import _DEPTH, _OLD_TEMP, _TEMP, LEDGER, atomic_write, is_temp_name, private_folder


def mark_stopped(entry: Path) -> None:
    """Note in a ledger entry that its coprod stopped (so the copy is a leftover now)."""
    with suppress(OSError, ValueError, OutputError):
        data = json.loads(entry.read_text(encoding="utf-8"))
        data["pid"] = None
        atomic_write(entry, json.dumps(data))






@frozen(kw_only=True)
class Leftover:
    """A copy a coprod that stopped part-way left behind."""

    path: str
    #: ``temporary`` (a file being written) or ``migration`` (a partial migrate target).
    kind: str
    #: The process that was writing it.
    pid: int | None = None
    #: What it is, in words.
    what: str = ""
    #: How to remove it.
    fix: str = ""


def _alive(pid: int | None) -> bool:
    if pid is None or pid <= 0:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _temp_pid(name: str) -> int | None:
    match = _TEMP.match(name) or _OLD_TEMP.match(name)
    return int(match.group("pid")) if match else None


def _walk(root: Path, depth: int = _DEPTH) -> Iterator[Path]:
    """The paths ``depth`` levels under ``root`` (not following links), the ledger left out.

    Two levels hold what coprod writes in a workspace (coprod.toml, the
    database, reports in a folder of their own); a backend sweeps its own
    folders deeper down (the json backend does, on opening).
    """
    try:
        entries = list(os.scandir(root))
    except OSError:
        return
    for entry in entries:
        if entry.name == LEDGER:
            continue
        yield Path(entry.path)
        if depth > 1 and entry.is_dir(follow_symlinks=False) and not is_temp_name(entry.name):
            yield from _walk(Path(entry.path), depth - 1)


def _temp_leftover(path: Path, pid: int | None) -> Leftover:
    folder = path.is_dir() and not path.is_symlink()
    return Leftover(
        path=str(path), kind="temporary", pid=pid,
        what="a temporary " + ("folder" if folder else "file") + " a coprod that stopped "
             "part-way left behind (it may hold personal data)",
        fix=f"rm {'-r ' if folder else ''}'{path}'")


def find_leftovers(root: str | os.PathLike[str]) -> list[Leftover]:
    """The copies a coprod that stopped part-way left, for the workspace in ``root``.

    Temporary files and folders in the workspace (found by their name), those
    written elsewhere (found through the ledger), and partial migration
    targets. A copy that a running coprod is still writing is not listed.
    """
    workspace = Path(root)
    found: list[Leftover] = []
    for path in _walk(workspace):
        pid = _temp_pid(path.name)
        if pid is not None and not _alive(pid):
            found.append(_temp_leftover(path, pid))
    ledger = workspace / LEDGER
    for entry in sorted(ledger.glob("*.json")) if ledger.is_dir() else ():
        try:
            data = json.loads(entry.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        pid = data.get("pid") if isinstance(data.get("pid"), int) else None
        if _alive(pid):
            continue
        if "temp" in data:
            temp = Path(str(data["temp"]))
            if os.path.lexists(temp) and is_temp_name(temp.name):
                found.append(_temp_leftover(temp, pid))
        elif "migration" in data:
            target = str(data.get("migration"))
            found.append(Leftover(
                path=target, kind="migration", pid=pid,
                what=f"a partial copy made by a `coprod migrate --to {data.get('backend')}` "
                     "that stopped before it finished (it holds personal data)",
                fix=str(data.get("fix") or f"remove {target}") +
                    f", then delete {entry}"))
    return found


def sweep_leftovers(root: str | os.PathLike[str]) -> list[Leftover]:
    """Remove the temporary copies :func:`find_leftovers` finds; return what is left.

    Partial migration targets are not removed (``doctor`` names them and
    says how). Nothing is touched that is not a coprod temporary file or
    folder; a read-only workspace is left as it is.
    """
    workspace = Path(root)
    kept = []
    for item in find_leftovers(workspace):
        if item.kind != "temporary":
            kept.append(item)
            continue
        path = Path(item.path)
        try:
            st = os.lstat(path)
            if stat.S_ISDIR(st.st_mode):
                shutil.rmtree(path)
            elif stat.S_ISREG(st.st_mode):
                os.unlink(path)
            else:
                kept.append(item)
                continue
        except OSError:
            kept.append(item)
    ledger = workspace / LEDGER
    if ledger.is_dir():
        remaining = {i.path for i in kept}
        for entry in ledger.glob("*.json"):
            with suppress(OSError, ValueError):
                data = json.loads(entry.read_text(encoding="utf-8"))
                if "temp" in data and not _alive(data.get("pid")) and \
                        str(data["temp"]) not in remaining:
                    entry.unlink()
    return kept


def record_migration(root: Path, backend: str, target: str, fix: str) -> Path | None:
    """Note in the ledger that a migration to ``target`` is under way (None if read-only)."""
    ledger = Path(root) / LEDGER
    entry = ledger / f"migrate-{os.getpid()}.json"
    try:
        private_folder(ledger)
        atomic_write(entry, json.dumps({"migration": target, "backend": backend,
                                        "fix": fix, "pid": os.getpid()}))
    except (OSError, OutputError):
        return None
    return entry

