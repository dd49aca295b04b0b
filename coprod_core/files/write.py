"""Writing files: atomic, owner-only, by the output-path rule (see :mod:`coprod_core.files`)."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import stat
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any

from ..errors import OutputError

#: How every temporary file coprod makes ends, so that it can be found again.
TEMP_SUFFIX = ".coprod-tmp"
#: The workspace folder that records temporary files written outside the workspace
#: and migrations under way, so that a killed coprod's copies can be found.
LEDGER = ".coprod-tmp"
#: How many folder levels of the workspace find_leftovers looks through.
_DEPTH = 2
#: The longest path shown whole in a message; longer ones are cut.
_SHOWN = 400
_TEMP = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)(?:-\d+)?\.coprod-tmp$")
# Names of an older coprod's temporary files (`.NAME.PID.tmp`), swept the same way.
_OLD_TEMP = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.tmp$")


def _failed(target: str | os.PathLike[str], exc: OSError) -> OutputError:
    reason = describe_os_error(exc)
    return OutputError(f"cannot write {shown(target)}: {reason}", reason=reason,
                       code=exc.errno)


def shown(path: str | os.PathLike[str]) -> str:
    """``path`` as a message shows it: cut when very long, invisible characters visible."""
    text = os.fspath(path)
    if len(text) > _SHOWN:
        text = f"{text[:200]}…{text[-100:]} ({len(text)} characters)"
    return text.encode("unicode_escape", "backslashreplace").decode("ascii") \
        if not text.isprintable() else text


def describe_os_error(exc: OSError) -> str:
    """What went wrong, in plain words, with what to do where there is something."""
    code = exc.errno
    if code == errno.ENOSPC or code == errno.EDQUOT:
        return "the disk is full; free some space and try again"
    if code == errno.EROFS:
        return "the filesystem is read-only; choose a place you can write to"
    if code in (errno.EACCES, errno.EPERM):
        return "permission denied; choose a place you can write to"
    if code == errno.ENAMETOOLONG:
        return "the name is too long; use at most 255 characters per name"
    if code == errno.ENOENT:
        return "the folder does not exist"
    return (exc.strerror or str(exc)).lower()


def cannot_save(where: str | os.PathLike[str], code: int | None) -> str:
    """The plain line for a workspace that can be read but not written: why, and until when.

    ``code`` is the ``errno`` of the failure (``ENOSPC``, ``EROFS``, ``EACCES``...).
    """
    if code in (errno.ENOSPC, errno.EDQUOT):
        until = "there is space on its disk again: free some space"
    elif code == errno.EROFS:
        until = "its filesystem is writable again (it is mounted read-only)"
    elif code in (errno.EACCES, errno.EPERM):
        until = "you may write there again: check its permissions"
    else:
        until = "the problem is solved: " + os.strerror(code).lower() if code else \
            "the problem is solved"
    return (f"changes cannot be saved to {shown(where)} until {until}; you can still "
            "list, show, report and run doctor")


def write_problem(folder: str | os.PathLike[str], *, space: bool = False) -> int | None:
    """Why nothing can be written in ``folder`` (an errno: read-only, no permission, and
    with ``space`` a full disk), or None."""
    try:
        info = os.statvfs(folder)
    except OSError:
        return None
    if info.f_flag & os.ST_RDONLY:
        return errno.EROFS
    if space and info.f_bavail == 0:
        return errno.ENOSPC
    if not os.access(folder, os.W_OK | os.X_OK):
        return errno.EACCES
    return None


def temp_path(target: Path) -> Path:
    """The temporary file written beside ``target`` before it replaces it.

    Its name holds the process id (so a stopped process's copies can be told from a
    running one's) and the thread's (the web front writes from several threads).
    """
    return target.with_name(
        f".{target.name}.{os.getpid()}-{threading.get_native_id()}{TEMP_SUFFIX}")


def is_temp_name(name: str) -> bool:
    """Whether a file name is one of coprod's temporary files (this or an older version)."""
    return bool(_TEMP.match(name) or _OLD_TEMP.match(name))


def fsync_folder(folder: Path) -> None:
    """Make a rename or a new file in ``folder`` durable (where the platform allows)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        with suppress(OSError):  # some filesystems refuse fsync on a folder
            os.fsync(fd)
    finally:
        os.close(fd)


def _kind(mode: int) -> str | None:
    """What a non-regular file is, in words (None for a regular file)."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _lstat(path: Path) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise _failed(path, exc) from None


def check_output(path: str | os.PathLike[str], *, force: bool = False,
                 folder: bool = False) -> Path:
    """Raise :class:`OutputError` unless ``path`` may be written; return it as a Path.

    The rule for every ``-o``: the folder must exist and be writable; the
    path must not exist, or (with ``force``) be a regular file (a real
    folder, when ``folder``). A device node, a named pipe, a socket or a
    symbolic link is never replaced, with or without ``force``.
    """
    text = os.fspath(path)
    if "\x00" in text:
        raise OutputError(f"cannot write {shown(text)}: a file name cannot hold a NUL "
                          "character")
    target = Path(text)
    for part in target.parts:
        if len(os.fsencode(part)) > 255:
            raise OutputError(
                f"cannot write {shown(text)}: a name in it is {len(part)} characters long; "
                "use at most 255 characters per name")
    parent = target.parent
    parent_stat = _lstat(parent) if str(parent) else None
    if str(parent) and parent_stat is None:
        raise OutputError(f"cannot write {shown(text)}: folder {shown(parent)} does not exist")
    if parent_stat is not None and not stat.S_ISDIR(os.stat(parent).st_mode):
        raise OutputError(f"cannot write {shown(text)}: {shown(parent)} is a file, not a folder")
    where = parent if str(parent) else Path(".")
    if not os.access(where, os.W_OK | os.X_OK):
        reason = "is on a read-only filesystem" if _read_only(where) else "is not writable"
        raise OutputError(f"cannot write {shown(text)}: folder {shown(where)} {reason}")
    st = _lstat(target)
    if st is None:
        return target
    kind = _kind(st.st_mode)
    if folder and kind == "a folder":
        kind = None
    elif folder and kind is None:
        raise OutputError(f"{shown(text)} is a file; this report writes a folder: name a "
                          "folder")
    if kind == "a folder":
        raise OutputError(f"{shown(text)} is a folder; name a file to write to")
    if kind is not None:
        raise OutputError(f"{shown(text)} is {kind}, not a regular file; coprod writes only "
                          "regular files and never replaces anything else: name a file")
    if not force:
        raise OutputError(f"{shown(text)} already exists; choose another name or add --force "
                          "to replace it")
    return target


def _read_only(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def _still_replaceable(target: Path, folder: bool, *, started: bool = True) -> None:
    """What is at ``target`` is something we may replace (checked before writing, and
    again just before the rename, in case it changed meanwhile)."""
    st = _lstat(target)
    if st is None:
        return
    kind = _kind(st.st_mode)
    if (kind is None and not folder) or (kind == "a folder" and folder):
        return
    if started:
        raise OutputError(f"{shown(target)} became {kind or 'a file'} while coprod was "
                          "writing; nothing was replaced")
    raise OutputError(f"{shown(target)} is {kind or 'a file'}, not "
                      f"{'a folder' if folder else 'a regular file'}; coprod writes only "
                      "regular files and never replaces anything else: name a file")


def _ledger_entry(ledger: Path | None, tmp: Path) -> Path | None:
    """Record ``tmp`` in the workspace's ledger when it lies outside the workspace."""
    if ledger is None:
        return None
    try:
        inside = tmp.absolute().relative_to(ledger.parent.absolute())
    except ValueError:
        inside = None
    if inside is not None and len(inside.parts) <= _DEPTH:
        return None  # where find_leftovers looks: found by its name
    key = hashlib.sha256(os.fsencode(tmp.absolute())).hexdigest()[:16]
    entry = ledger / f"{os.getpid()}-{key}.json"
    try:
        private_folder(ledger)
        with open(entry, "w", encoding="utf-8") as fh:
            json.dump({"temp": str(tmp.absolute()), "pid": os.getpid()}, fh)
    except OSError:
        return None  # a read-only workspace: the copy still goes where it was asked
    return entry


@contextmanager
def _replacing(target: Path, *, ledger: Path | None, sync_folder: bool = True
               ) -> Iterator[Path]:
    """The temporary path beside ``target``; once the block has filled it, it replaces
    ``target`` (if what is there may be replaced); on any failure it is removed."""
    _still_replaceable(target, folder=False, started=False)
    tmp = temp_path(target)
    entry = _ledger_entry(ledger, tmp)
    try:
        # A copy this pid left before (a reused pid, or an earlier failure).
        with suppress(FileNotFoundError):
            os.unlink(tmp)
        try:
            yield tmp
            _still_replaceable(target, folder=False)
            os.replace(tmp, target)
        except BaseException:
            with suppress(OSError):
                os.unlink(tmp)
            raise
        if sync_folder:
            fsync_folder(target.parent if str(target.parent) else Path("."))
    except OSError as exc:
        raise _failed(target, exc) from None
    finally:
        if entry is not None:
            with suppress(OSError):
                entry.unlink()


@contextmanager
def atomic_open(path: str | os.PathLike[str], mode: str = "wb", *, private: bool = True,
                encoding: str | None = None, newline: str | None = None,
                ledger: Path | None = None, sync_folder: bool = True) -> Iterator[IO[Any]]:
    """A file to write that replaces ``path`` whole when the block ends without error.

    ``private`` (the default) makes it ``0600`` whatever the umask.
    ``sync_folder=False`` leaves fsyncing the folder to a caller that
    replaces many files in it (the json backend).
    ``ledger`` is the workspace's :data:`LEDGER` folder: a temporary file
    outside the workspace is recorded there, so that a killed coprod's copy
    can be found and removed. OS errors become :class:`OutputError`.
    """
    flags = os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0)
    with _replacing(Path(path), ledger=ledger, sync_folder=sync_folder) as tmp:
        fd = os.open(tmp, flags, 0o600 if private else 0o666)
        try:
            if private:
                os.fchmod(fd, 0o600)  # exactly, whatever the umask took away
            fh = os.fdopen(fd, mode, encoding=encoding, newline=newline)
        except BaseException:
            os.close(fd)
            raise
        with fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())


@contextmanager
def atomic_path(path: str | os.PathLike[str], *, ledger: Path | None = None
                ) -> Iterator[Path]:
    """A temporary path beside ``path`` for a writer that opens files by name
    (SQLite's backup); it replaces ``path`` when the block ends without error.

    The writer creates the file; it is made ``0600`` and fsynced before it
    replaces ``path``. On any failure it is removed. See :func:`atomic_open`.
    """
    target = Path(path)
    with _replacing(target, ledger=ledger) as tmp:
        yield tmp
        fd = os.open(tmp, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise OutputError(f"cannot write {shown(target)}: the copy was not a file")
            os.fchmod(fd, 0o600)
            os.fsync(fd)
        finally:
            os.close(fd)


def ledger_of(root: Path | None) -> Path | None:
    """The ledger folder of the workspace in ``root`` (None for a workspace with no folder)."""
    return None if root is None else Path(root) / LEDGER


def atomic_write(path: str | os.PathLike[str], data: str | bytes | Iterable[bytes], *,
                 private: bool = True, ledger: Path | None = None,
                 sync_folder: bool = True) -> None:
    """Replace ``path`` with ``data`` (text is written as UTF-8); see :func:`atomic_open`."""
    with atomic_open(path, "wb", private=private, ledger=ledger,
                     sync_folder=sync_folder) as fh:
        if isinstance(data, str):
            fh.write(data.encode("utf-8"))
        elif isinstance(data, bytes | bytearray):
            fh.write(data)
        else:
            for chunk in data:
                fh.write(chunk)


def private_folder(path: str | os.PathLike[str], *, parents: bool = False) -> Path:
    """Create ``path`` as a folder ``0700`` whatever the umask (if it is not there yet).

    A folder that is already there is left as it is. With ``parents``,
    missing parents are created too (``0700`` as well).
    """
    folder = Path(path)
    if parents and not folder.parent.exists() and folder.parent != folder:
        private_folder(folder.parent, parents=True)
    try:
        os.mkdir(folder, 0o700)
    except FileExistsError:
        return folder
    os.chmod(folder, 0o700)
    return folder


