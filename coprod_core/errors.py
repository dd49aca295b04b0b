"""Errors meant for people.

Every error a user can cause is a :class:`CoprodError`. The command line turns
one into a single line on stderr and exit code 1; anything else is a bug and
is reported as one (``COPROD_DEBUG=1`` shows the traceback).
"""

from __future__ import annotations

from collections.abc import Iterable


class CoprodError(Exception):
    """Something a person did or asked for cannot be done; the message says why."""

    exit_code = 1


class ConfigError(CoprodError):
    """The workspace configuration is malformed or names something unknown."""

    def __init__(self, message: str, *, path: object = None, key: str | None = None,
                 line: int | None = None) -> None:
        where = []
        if path is not None:
            where.append(_visible(str(path)) + (f", line {line}" if line else ""))
        if key:
            # A quoted TOML key may hold a line break: keep the message on one line.
            where.append(f"`{_visible(key)}`")
        prefix = ": ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message)
        self.path = path
        self.key = key
        self.line = line


def _visible(text: str) -> str:
    """``text`` with control characters escaped, so an error stays on one line."""
    from .text import visible

    return visible(text)


class WorkspaceNotFound(CoprodError):
    """No workspace could be found where one was expected."""


class NotFound(CoprodError):
    """A record named by id does not exist."""

    def __init__(self, kind: str, record_id: str) -> None:
        super().__init__(f"no {kind} with id {record_id}")
        self.kind = kind
        self.record_id = record_id


class InvalidValue(CoprodError):
    """A value is not one of those allowed."""

    def __init__(self, what: str, value: object, allowed: Iterable[str]) -> None:
        from difflib import get_close_matches

        allowed = list(allowed)
        typed = "_".join(str(value).replace("-", " ").split()).lower()
        close = get_close_matches(typed, allowed, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        super().__init__(
            f"unknown {what} {_visible(repr(value))}{hint}; "
            f"allowed: {', '.join(allowed) if allowed else '(none)'}"
        )
        self.what = what
        self.value = value
        self.allowed = allowed


class IllegalMove(CoprodError):
    """A lifecycle move that the table of allowed moves does not permit."""

    def __init__(self, what: str, current: str, target: str, allowed: Iterable[str]) -> None:
        allowed = list(allowed)
        options = ", ".join(allowed) if allowed else "none (this status is final)"
        super().__init__(
            f"cannot move {what} from {current} to {target}; from {current} it can move to: "
            f"{options}"
        )
        self.current = current
        self.target = target
        self.allowed = allowed


class ValidationFailed(CoprodError):
    """A record, a submission or a plugin's validation hook refused a write."""


class PluginError(CoprodError):
    """A plugin could not be loaded or misbehaved."""


class StorageError(CoprodError):
    """The storage backend could not do what was asked."""


class OutputError(CoprodError):
    """A file or folder could not be written where a person asked.

    ``reason`` is the part after the path (for a caller that names the place
    differently); ``errno`` is the operating system's code, when there was one.
    """

    def __init__(self, message: str, *, reason: str = "", code: int | None = None) -> None:
        super().__init__(message)
        self.reason = reason or message
        self.errno = code
