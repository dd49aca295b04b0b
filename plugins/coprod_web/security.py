"""Sessions, CSRF tokens and sign-in throttling.

A session lives in a signed cookie (HMAC-SHA256 with the server's secret):
a random session id, the account and its ``session_epoch``, when it signed
in and when it was last seen. Nothing can be changed in it without the
secret. It ends after ``[web] session_idle_minutes`` without a request,
``session_lifetime_hours`` after signing in, or when the account's epoch
rises (signing out, a password reset, disabling the account), whichever
comes first. Signing in always starts a new session id.

The CSRF token of a form is an HMAC of the session id, so it is tied to
the browser's session and cannot be made without the secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import threading
from collections import deque
from pathlib import Path
from typing import Any

from attrs import evolve, frozen

from coprod_core.errors import ConfigError

COOKIE = "coprod_session"
SECRET_FILE = ".coprod-web-secret"
SECRET_ENV = "COPROD_WEB_SECRET"
#: Failed sign-ins within the window that lock an account name or an address.
MAX_FAILURES = 5
LOCK_SECONDS = 15 * 60


def load_secret(root: Path | None) -> bytes:
    """``COPROD_WEB_SECRET``, else the workspace's secret file, made on first use.

    The file is created owner-only, once, before workers start, so every
    worker signs with the same key. Without a folder (an in-memory
    workspace) a fresh key is made for the process.
    """
    from_env = os.environ.get(SECRET_ENV)
    if from_env:
        if len(from_env) < 32:
            raise ConfigError(f"{SECRET_ENV} must hold at least 32 characters")
        return from_env.encode("utf-8")
    if root is None:
        return secrets.token_bytes(32)
    path = root / SECRET_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes().strip()
    with os.fdopen(fd, "wb") as fh:
        fh.write(secrets.token_hex(32).encode("ascii"))
    return path.read_bytes().strip()


@frozen(kw_only=True)
class SessionState:
    """What the session cookie holds."""

    sid: str
    account_id: str | None = None
    epoch: int = 0
    #: Seconds since the epoch: when this session signed in, and the last request.
    signed_in: float = 0.0
    seen: float = 0.0
    #: A one-time message for the next page ("Your update was saved").
    flash: str | None = None

    @classmethod
    def new(cls, now: float) -> SessionState:
        return cls(sid=secrets.token_urlsafe(24), seen=now)

    def signed_in_as(self, account_id: str, epoch: int, now: float) -> SessionState:
        # A new session id at every sign-in: a session fixed before it is worthless.
        return SessionState(sid=secrets.token_urlsafe(24), account_id=account_id, epoch=epoch,
                            signed_in=now, seen=now)

    def with_flash(self, message: str | None) -> SessionState:
        return evolve(self, flash=message)


class Signer:
    """Signs and checks session cookies and CSRF tokens with one secret."""

    def __init__(self, secret: bytes) -> None:
        self._key = hashlib.sha256(b"coprod-session:" + secret).digest()
        self._csrf_key = hashlib.sha256(b"coprod-csrf:" + secret).digest()

    def dump(self, state: SessionState) -> str:
        payload = json.dumps({"s": state.sid, "a": state.account_id, "e": state.epoch,
                              "i": state.signed_in, "l": state.seen, "f": state.flash},
                             separators=(",", ":")).encode("utf-8")
        body = base64.urlsafe_b64encode(payload).rstrip(b"=")
        mac = base64.urlsafe_b64encode(hmac.digest(self._key, body, "sha256")).rstrip(b"=")
        return (body + b"." + mac).decode("ascii")

    def load(self, value: str | None) -> SessionState | None:
        """The state a cookie holds, or None if it is missing, forged or garbled."""
        if not value or "." not in value or len(value) > 4096:
            return None
        body, _, mac = value.encode("ascii", "replace").partition(b".")
        expected = base64.urlsafe_b64encode(hmac.digest(self._key, body, "sha256")).rstrip(b"=")
        if not hmac.compare_digest(mac, expected):
            return None
        try:
            padded = body + b"=" * (-len(body) % 4)
            data: dict[str, Any] = json.loads(base64.urlsafe_b64decode(padded))
            return SessionState(sid=str(data["s"]), account_id=data.get("a"),
                                epoch=int(data.get("e", 0)), signed_in=float(data.get("i", 0)),
                                seen=float(data.get("l", 0)), flash=data.get("f"))
        except (ValueError, KeyError, TypeError):
            return None

    def csrf(self, sid: str) -> str:
        return hmac.new(self._csrf_key, sid.encode("utf-8"), "sha256").hexdigest()

    def csrf_ok(self, sid: str, token: object) -> bool:
        return isinstance(token, str) and hmac.compare_digest(self.csrf(sid), token)


class Throttle:
    """Failed sign-ins per account name and per address, in this process.

    After :data:`MAX_FAILURES` failures within :data:`LOCK_SECONDS`, the name
    (or address) is locked until the oldest of them is that old. Names that
    do not exist are counted the same way, so a lock says nothing about
    which accounts exist.
    """

    def __init__(self) -> None:
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        found = self._failures.setdefault(key, deque())
        while found and now - found[0] >= LOCK_SECONDS:
            found.popleft()
        return found

    def locked_until(self, keys: tuple[str, ...], now: float) -> float | None:
        """When the first locked key of ``keys`` unlocks, or None when none is locked."""
        with self._lock:
            until = [self._recent(k, now)[0] + LOCK_SECONDS for k in keys
                     if len(self._recent(k, now)) >= MAX_FAILURES]
        return max(until) if until else None

    def failed(self, keys: tuple[str, ...], now: float) -> None:
        with self._lock:
            for key in keys:
                self._recent(key, now).append(now)
            if len(self._failures) > 100_000:
                # Bounded memory under a flood of made-up names: forget the stale.
                for key in [k for k, v in self._failures.items() if not v]:
                    del self._failures[key]

    def succeeded(self, keys: tuple[str, ...]) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)


class OnceOnly:
    """Form submissions already handled, by idempotency key: a repeat is answered
    with the first answer's redirect and records nothing (bounded, this process)."""

    def __init__(self, size: int = 10_000) -> None:
        self._done: dict[str, str] = {}
        self._size = size
        self._lock = threading.Lock()

    def seen(self, key: str) -> str | None:
        with self._lock:
            return self._done.get(key)

    def remember(self, key: str, location: str) -> None:
        with self._lock:
            self._done[key] = location
            while len(self._done) > self._size:
                self._done.pop(next(iter(self._done)))
