"""Accounts: who may sign in to the web front, with which role.

Accounts are records in the workspace (the ``accounts`` collection, ids
``A-1``...), written through operations like everything else, so every
change is audited. Passwords are kept only as argon2id hashes (the ``web``
extra installs argon2-cffi) and follow NIST SP 800-63B: at least 12
characters, no composition rules, and never one on the list of common
passwords shipped in ``coprod_core/data/common-passwords.txt``.

An account's ``session_epoch`` ends its signed-in sessions when it rises:
on signing out, a password reset or disabling the account.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from attrs import evolve, field, frozen

from .access import RoleTable, role_table
from .errors import CoprodError, NotFound, ValidationFailed

if TYPE_CHECKING:
    from .workspace import Workspace

__all__ = [
    "ACCOUNTS", "MIN_PASSWORD", "Account", "accounts", "add_account", "authenticate",
    "check_password", "disable_account", "enable_account", "end_sessions", "find_account",
    "get_account", "remove_account", "reset_password", "roles",
]

ACCOUNTS = "accounts"
MIN_PASSWORD = 12
MAX_PASSWORD = 256
_NAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,63}$")


def _lower(value: str) -> str:
    return value.strip().lower()


@frozen(kw_only=True)
class Account:
    """One person's way into the web front."""

    id: str
    #: What they sign in with; lower case, unique.
    name: str = field(converter=_lower)
    #: An account role (:mod:`coprod_core.access`), not a participant role.
    role: str
    #: The participant the account speaks for (a promise owner's own promises).
    participant_id: str | None = None
    password_hash: str = field(repr=False)
    created_at: dt.datetime
    password_changed_at: dt.datetime
    disabled_at: dt.datetime | None = None
    session_epoch: int = 0

    @property
    def active(self) -> bool:
        return self.disabled_at is None

    def to_json(self) -> dict[str, Any]:
        """What ``coprod account show --json`` prints: never the hash."""
        return {
            "id": self.id, "name": self.name, "role": self.role,
            "participant_id": self.participant_id, "created_at": self.created_at.isoformat(),
            "password_changed_at": self.password_changed_at.isoformat(),
            "disabled_at": self.disabled_at and self.disabled_at.isoformat(),
            "active": self.active,
        }


# ---------------------------------------------------------------- passwords


def _hasher() -> Any:
    try:
        from argon2 import PasswordHasher
    except ImportError:
        raise CoprodError(
            'accounts need the web extra: pip install "coprod[web]"') from None
    # OWASP's argon2id minimum (19 MiB, 2 passes): a fraction of a second per
    # sign-in on a small server, far too slow to guess through.
    return PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)


@lru_cache(maxsize=1)
def _common() -> frozenset[str]:
    text = resources.files("coprod_core").joinpath("data/common-passwords.txt").read_text(
        encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines()
                     if line.strip() and not line.startswith("#"))


def _normalise(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


def check_password(password: str, *, name: str = "") -> None:
    """Refuse a password NIST SP 800-63B would: too short, common, or the account name."""
    password = _normalise(password)
    if len(password) < MIN_PASSWORD:
        raise ValidationFailed(
            f"a password needs at least {MIN_PASSWORD} characters (this one has "
            f"{len(password)}); a few words in a row are easy to remember")
    if len(password) > MAX_PASSWORD:
        raise ValidationFailed(f"a password may have at most {MAX_PASSWORD} characters")
    folded = password.lower()
    stripped = re.sub(r"[\d\W_]+$", "", folded)
    if folded in _common() or (stripped and len(stripped) < len(folded) and
                               stripped in _common() and len(stripped) <= 8):
        raise ValidationFailed(
            "that password is on the list of common passwords people try first; "
            "choose another")
    if len(set(folded)) <= 2 or _is_run(folded):
        raise ValidationFailed(
            "that password is a repeated or running pattern people try first; choose another")
    if name and len(name) >= 4 and name.lower() in folded:
        raise ValidationFailed("a password must not contain the account name")


def _is_run(text: str) -> bool:
    """``123456789012``, ``abcdefghijkl``: each character one after the last."""
    steps = {ord(b) - ord(a) for a, b in itertools.pairwise(text)}
    return len(steps) == 1 and steps <= {1, -1}


def _hash(password: str) -> str:
    return str(_hasher().hash(_normalise(password)))


# ---------------------------------------------------------------- reading


def roles(ws: Workspace) -> RoleTable:
    """The account roles of ``ws``: the built-in ones and ``[web.roles]``."""
    return role_table(ws.config)


def accounts(ws: Workspace) -> Iterator[Account]:
    return ws.records(ACCOUNTS)


def find_account(ws: Workspace, name: str) -> Account | None:
    for account in ws.records(ACCOUNTS, name=_lower(name)):
        return account
    return None


def get_account(ws: Workspace, name: str) -> Account:
    account = find_account(ws, name)
    if account is None:
        missing = NotFound("account", _lower(name))
        missing.args = (f"no account named {_lower(name)!r}; "
                        "see them with `coprod account list`",)
        raise missing
    return account


def _check_name(name: str) -> str:
    name = _lower(name)
    if not _NAME.match(name):
        raise ValidationFailed(
            f"{name!r} cannot be an account name: use 2 to 64 lower-case letters, digits "
            "and . _ @ -, starting with a letter or digit")
    return name


# ---------------------------------------------------------------- changing


def add_account(ws: Workspace, name: str, *, role: str, password: str,
                participant_id: str | None = None) -> Account:
    """Create an account; a ``promise_owner`` names the participant it speaks for."""
    name = _check_name(name)
    chosen = roles(ws)[role]
    if chosen.linked and participant_id is None:
        raise ValidationFailed(
            f"a {role} account speaks for one participant: name them with --participant P-3")
    if participant_id is not None and not chosen.linked:
        raise ValidationFailed(
            f"only {', '.join(r.name for r in roles(ws) if r.linked)} accounts are linked "
            f"to a participant; leave out --participant for a {role}")
    check_password(password, name=name)
    hashed = _hash(password)
    with ws.operation("account.add") as op:
        if find_account(ws, name) is not None:
            raise CoprodError(f"there is already an account named {name!r}")
        pid = None
        if participant_id is not None:
            person = ws.participant(participant_id)
            if person.is_erased:
                raise CoprodError(f"{person.id} was erased; no account can speak for them")
            pid = person.id
        now = ws.now()
        account = Account(id=op.new_id(ACCOUNTS), name=name, role=chosen.name,
                          participant_id=pid, password_hash=hashed, created_at=now,
                          password_changed_at=now)
        op.write(ACCOUNTS, account)
        if pid:
            op.touch(pid)
    return account


def _change(ws: Workspace, name: str, operation: str, **changes: Any) -> Account:
    with ws.operation(operation) as op:
        before = get_account(ws, name)
        values = {k: (v(before) if callable(v) else v) for k, v in changes.items()}
        after = evolve(before, **values)
        op.write(ACCOUNTS, after, before)
    return after


def _next_epoch(account: Account) -> int:
    return account.session_epoch + 1


def disable_account(ws: Workspace, name: str) -> Account:
    """Stop an account signing in, and end its sessions; it can be enabled again."""
    if not get_account(ws, name).active:
        raise CoprodError(f"the account {_lower(name)!r} is already disabled")
    return _change(ws, name, "account.disable", disabled_at=ws.now(), session_epoch=_next_epoch)


def enable_account(ws: Workspace, name: str) -> Account:
    if get_account(ws, name).active:
        raise CoprodError(f"the account {_lower(name)!r} is not disabled")
    return _change(ws, name, "account.enable", disabled_at=None)


def reset_password(ws: Workspace, name: str, password: str) -> Account:
    """Give an account a new password, ending every session signed in with the old one."""
    check_password(password, name=_lower(name))
    hashed = _hash(password)
    return _change(ws, name, "account.password", password_hash=hashed,
                   password_changed_at=ws.now(), session_epoch=_next_epoch)


def end_sessions(ws: Workspace, name: str) -> Account:
    """Sign an account out everywhere (the web front's "Sign out")."""
    return _change(ws, name, "account.sign_out", session_epoch=_next_epoch)


def remove_account(ws: Workspace, name: str) -> Account:
    """Delete an account. The audit log keeps that it existed, never its password."""
    with ws.operation("account.remove") as op:
        account = get_account(ws, name)
        op.delete(ACCOUNTS, account.id)
    return account


# ---------------------------------------------------------------- signing in

_DUMMY: list[str] = []


def authenticate(ws: Workspace, name: str, password: str) -> Account | None:
    """The active account ``name`` if ``password`` is its password, else None.

    As slow for a name that does not exist as for a wrong password, so the
    time taken does not say which accounts exist.
    """
    from argon2.exceptions import InvalidHashError, VerificationError

    hasher = _hasher()
    account = find_account(ws, name) if _NAME.match(_lower(name)) else None
    if account is None:
        if not _DUMMY:
            _DUMMY.append(_hash("a password nobody has, for timing"))
        target = _DUMMY[0]
    else:
        target = account.password_hash
    try:
        hasher.verify(target, _normalise(password))
    except (VerificationError, InvalidHashError):
        return None
    if account is None or not account.active:
        return None
    if account.participant_id is not None:
        try:
            if ws.participant(account.participant_id).is_erased:
                return None
        except NotFound:
            return None
    return account
