"""Writing a rendered report: one file or a folder, atomically, never over
something that exists unless asked."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from coprod_core.errors import CoprodError

from . import Files, Output


def _chunks(content: bytes | Iterable[bytes]) -> Iterable[bytes]:
    return (content,) if isinstance(content, bytes) else content


def check_target(path: Path, *, force: bool, folder: bool) -> None:
    """Raise unless ``path`` can be written: its folder exists and is writable,
    and it does not exist (or ``force``, with the same kind of thing there)."""
    parent = path.parent if str(path.parent) else Path(".")
    if parent.exists() and not parent.is_dir():
        raise CoprodError(f"cannot write {path}: {parent} is a file, not a folder")
    if not parent.is_dir():
        raise CoprodError(f"cannot write {path}: folder {parent} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise CoprodError(f"cannot write {path}: folder {parent} is not writable")
    if path.exists() or path.is_symlink():
        if not force:
            raise CoprodError(f"{path} already exists; add --force to replace it")
        if folder and not path.is_dir():
            raise CoprodError(f"{path} is a file; this report writes a folder: name a folder")
        if not folder and path.is_dir():
            raise CoprodError(f"{path} is a folder; name a file to write the report to")


def write(output: Output, path: Path, *, force: bool = False) -> list[Path]:
    """Write ``output`` at ``path`` atomically; returns the files written."""
    path = Path(path)
    folder = isinstance(output, Files)
    check_target(path, force=force, folder=folder)
    try:
        if isinstance(output, Files):
            return _write_folder(output, path)
        _write_file(_chunks(output), path)
        return [path]
    except OSError as exc:
        raise CoprodError(f"cannot write {path}: {exc.strerror or exc}") from None


def _write_file(chunks: Iterable[bytes], path: Path) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666)
    try:
        with os.fdopen(fd, "wb") as fh:
            for chunk in chunks:
                fh.write(chunk)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _write_folder(files: Files, path: Path) -> list[Path]:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    old = path.with_name(f".{path.name}.{os.getpid()}.old")
    tmp.mkdir()
    written = []
    try:
        for name, content in files:
            safe = Path(name).name
            if not safe or safe in (".", ".."):
                raise CoprodError(f"a report format named a file {name!r}; that is not allowed")
            _write_file(_chunks(content), tmp / safe)
            written.append(path / safe)
        if path.exists():
            path.rename(old)
        tmp.rename(path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if old.exists() and not path.exists():
            old.rename(path)
        raise
    shutil.rmtree(old, ignore_errors=True)
    return written
