"""Writing a rendered report: one file or a folder, atomically, by the
output-path rule (:func:`coprod_core.files.check_output`)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from coprod_core.errors import CoprodError
from coprod_core.files import (
    atomic_write,
    check_output,
    describe_os_error,
    private_folder,
    shown,
    temp_path,
)

from . import Files, Output


def _chunks(content: bytes | Iterable[bytes]) -> Iterable[bytes]:
    return (content,) if isinstance(content, bytes) else content


def check_target(path: Path, *, force: bool, folder: bool) -> None:
    """Raise unless ``path`` can be written (see :func:`coprod_core.files.check_output`)."""
    check_output(path, force=force, folder=folder)


def write(output: Output, path: Path, *, force: bool = False, private: bool = True,
          ledger: Path | None = None) -> list[Path]:
    """Write ``output`` at ``path`` atomically; returns the files written.

    ``private`` makes the files ``0600`` (and a folder ``0700``) whatever the
    umask: a report with names, or a folder of CSV rows, holds personal data.
    A report without names may pass ``private=False`` and follow the umask.
    """
    path = check_output(path, force=force, folder=isinstance(output, Files))
    if isinstance(output, Files):
        return _write_folder(output, path, private=private)
    atomic_write(path, _chunks(output), private=private, ledger=ledger)
    return [path]


def _write_folder(files: Files, path: Path, *, private: bool) -> list[Path]:
    tmp = temp_path(path)
    old = temp_path(path.with_name(f"{path.name}.old"))
    written = []
    try:
        if private:
            private_folder(tmp)
        else:
            tmp.mkdir()
        for name, content in files:
            safe = Path(name).name
            if not safe or safe in (".", ".."):
                raise CoprodError(f"a report format named a file {name!r}; that is not allowed")
            atomic_write(tmp / safe, _chunks(content), private=private, sync_folder=False)
            written.append(path / safe)
        if os.path.lexists(path):
            path.rename(old)
        tmp.rename(path)
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if old.exists() and not path.exists():
            old.rename(path)
        if isinstance(exc, OSError):
            raise CoprodError(f"cannot write {shown(path)}: {describe_os_error(exc)}") from None
        raise
    shutil.rmtree(old, ignore_errors=True)
    return written
