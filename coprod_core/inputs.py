"""Files people name for coprod to read: one rule for opening them.

An import, a spreadsheet, an answers file, coprod.toml and the files it
names (an HTML template) are all opened here. Only regular files are read:
a folder, a device (``/dev/zero`` never ends), a pipe (it waits for ever)
or a socket is refused before a byte is read, and every reason a file
cannot be opened is one sentence naming the file.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from .errors import CoprodError

__all__ = ["MAX_SMALL_FILE", "UnreadableFile", "open_input", "read_small_text"]

#: The largest coprod.toml (or file it names, such as an HTML template)
#: coprod reads: far beyond any real one, far below what would exhaust memory.
MAX_SMALL_FILE = 1024 * 1024


class UnreadableFile(CoprodError):
    """A file coprod was asked to read cannot be read; the message says why.

    The message is a phrase to follow the file's name ("is a folder, not a
    file"), so each caller can say which file it means.
    """


def _open_regular(path: str | os.PathLike[str]) -> BinaryIO:
    try:
        # O_NONBLOCK: opening a named pipe must not wait for a writer.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise
    except IsADirectoryError:
        raise UnreadableFile("is a folder, not a file") from None
    except OSError as exc:
        raise UnreadableFile(f"cannot be read ({exc.strerror})") from None
    except ValueError:  # a NUL character: no file can be named so
        raise UnreadableFile("is not a file name (it holds a NUL character)") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        what = "a folder" if stat.S_ISDIR(mode) else "a device, pipe or socket"
        raise UnreadableFile(f"is {what}, not a file; name a regular file")
    # Reads from here on may block as usual.
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def open_input(path: str | os.PathLike[str], what: str = "") -> BinaryIO:
    """``path`` opened for reading in binary, or a one-line :class:`CoprodError`.

    ``what`` names the file in errors ("the import file"); by default its path.
    """
    name = what or str(path) or "the file"
    if not str(path):
        raise UnreadableFile(f"{name}: no file named; give the path of a file")
    try:
        return _open_regular(path)
    except FileNotFoundError:
        raise CoprodError(f"{name} does not exist") from None
    except UnreadableFile as exc:
        raise UnreadableFile(f"{name} {exc}") from None


def read_small_text(path: str | os.PathLike[str], limit: int = MAX_SMALL_FILE) -> str:
    """The UTF-8 text of the regular file at ``path``, of at most ``limit`` bytes.

    Raises FileNotFoundError when there is no such file and
    :class:`UnreadableFile` (a phrase to follow the file's name) otherwise.
    """
    if not str(path):
        raise FileNotFoundError(path)
    with _open_regular(Path(path)) as fh:
        try:
            data = fh.read(limit + 1)
        except OSError as exc:
            raise UnreadableFile(f"cannot be read ({exc.strerror})") from None
    if len(data) > limit:
        raise UnreadableFile(f"is larger than {limit // 1024} KiB, far more than it should be")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise UnreadableFile("is not UTF-8 text; save it as UTF-8") from None


def path_problem(text: str, root: Path | None = None) -> str | None:
    """Why ``text`` cannot name a file or folder, or None.

    Empty text, a part longer than a file name may be, or ``..`` climbing
    above the root of the filesystem (``/../x.db``, or from a workspace two
    folders deep, ``../../../x.db``), which only works by accident and
    usually means a mistake in counting folders. ``root`` is the folder a
    relative path is taken from.
    """
    if not text.strip():
        return "must name a file or folder, not be empty"
    path = Path(text)
    too_long = next((p for p in path.parts if len(p.encode("utf-8", "replace")) > 255), None)
    if too_long is not None:
        return f"has a part of {len(too_long)} characters; a file or folder name has at most 255"
    if not path.is_absolute():
        if root is None:
            return None
        path = Path(os.path.abspath(root)) / path
    depth = 0
    for part in path.parts[1:]:
        depth = depth - 1 if part == ".." else depth + (part != ".")
        if depth < 0:
            return "climbs above the root of the filesystem with `..`; write the path plainly"
    return None
