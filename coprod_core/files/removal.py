"""Removing a file coprod wrote, only if it is still that file (see :mod:`coprod_core.files`)."""

from __future__ import annotations

import hashlib
import os
import stat

from attrs import frozen

from .write import _kind, describe_os_error


def file_hash(path: str | os.PathLike[str]) -> str:
    """The SHA-256 of a file's content, as ``sha256:<hex>``."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 16), b""):
            digest.update(block)
    return f"sha256:{digest.hexdigest()}"


def data_hash(data: str | bytes) -> str:
    """The hash :func:`file_hash` gives for a file holding ``data``."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return f"sha256:{hashlib.sha256(raw).hexdigest()}"


@frozen(kw_only=True)
class Removal:
    """What :func:`remove_if_unchanged` did with a file."""

    path: str
    removed: bool
    #: Why it was left (empty when removed, or when it was already gone).
    reason: str = ""
    #: Whether there was nothing at the path any more.
    missing: bool = False


def remove_if_unchanged(path: str | os.PathLike[str], expected_hash: str | None) -> Removal:
    """Remove ``path`` only if it is a regular file whose content hash is ``expected_hash``.

    A symbolic link is never followed (nor removed), a folder, device node,
    named pipe or socket is never touched, and a file whose content changed
    since coprod wrote it (someone replaced or edited it) is left. Each time
    something is left, :attr:`Removal.reason` says why, in words a person can
    act on.
    """
    text = os.fspath(path)
    try:
        st = os.lstat(text)
    except FileNotFoundError:
        return Removal(path=text, removed=False, missing=True)
    except OSError as exc:
        return Removal(path=text, removed=False, reason=describe_os_error(exc))
    kind = _kind(st.st_mode)
    if kind is not None:
        return Removal(path=text, removed=False,
                       reason=f"it is {kind} now, not the file coprod wrote; it was left "
                              "untouched")
    if expected_hash is None:
        return Removal(path=text, removed=False,
                       reason="coprod kept no fingerprint of the file it wrote, so it cannot "
                              "tell it is the same file; check it and delete it yourself")
    try:
        fd = os.open(text, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | os.O_NONBLOCK)
    except OSError as exc:
        return Removal(path=text, removed=False, reason=describe_os_error(exc))
    try:
        opened = os.fstat(fd)
        if (opened.st_dev, opened.st_ino) != (st.st_dev, st.st_ino) or not \
                stat.S_ISREG(opened.st_mode):
            return Removal(path=text, removed=False,
                           reason="it changed while coprod looked at it; it was left")
        digest = hashlib.sha256()
        while block := os.read(fd, 1 << 16):
            digest.update(block)
    finally:
        os.close(fd)
    if f"sha256:{digest.hexdigest()}" != expected_hash:
        return Removal(path=text, removed=False,
                       reason="its content changed since coprod wrote it (it was edited or "
                              "replaced); check it and delete it yourself if it holds the "
                              "person")
    try:
        os.unlink(text)
    except OSError as exc:
        return Removal(path=text, removed=False, reason=describe_os_error(exc))
    return Removal(path=text, removed=True)


