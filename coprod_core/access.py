"""Who may do what: permissions and the roles that hold them, as data.

Like the lifecycles, the roles are a table, not ``if`` chains: each role is
a set of permissions, and a web route (or any other front end) declares the
one permission it needs. An organisation adds roles in ``coprod.toml``::

    [web.roles.panel_chair]
    label = "Panel chair"
    like = "viewer"                       # start from another role's permissions
    permissions = ["records.read"]        # and add these

An account role (``coordinator``...) is not a participant role
(``lived_experience``...): the first says what someone may do in coprod, the
second what perspective a person brings to the work.

The ``[web]`` table of ``coprod.toml`` is checked here too, so that
``coprod config check`` knows it without the web front installed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from attrs import field, frozen

from .errors import InvalidValue

if TYPE_CHECKING:
    from .config import Config, Context

__all__ = [
    "PERMISSIONS", "PUBLIC", "ROLES", "SIGNED_IN", "Role", "RoleTable", "WebSettings",
    "check_config", "role_table", "web_settings",
]

#: A route anyone may see, signed in or not (the public board, the login page).
PUBLIC = "public"
#: A route any signed-in account may see (its own home page, logging out).
SIGNED_IN = "signed_in"

#: Permission -> what it allows, in plain words.
PERMISSIONS: dict[str, str] = {
    "reports.read": "Read and download reports, with no names in them.",
    "reports.names": "Read reports naming the people whose consent covers naming.",
    "commitments.own": "See and update the promises made by the participant the "
                       "account is linked to: progress, status and due date.",
    "sessions.read": "See sessions, who attended and what was raised and promised in them.",
    "sessions.write": "Record sessions, attendance, ratings, and the tensions raised and "
                      "promises made in a session.",
    "records.read": "Browse every participant, session, tension and commitment, with "
                    "names where consent covers naming.",
    "records.write": "Update any tension or commitment.",
    "privacy.export": "Write a person's subject access export.",
    "privacy.erase": "Erase a person everywhere.",
    "privacy.requests": "See and record rights requests.",
    "privacy.retention": "Run the retention review.",
}

_VIEWER = ("reports.read",)
_FACILITATOR = (*_VIEWER, "sessions.read", "sessions.write")

#: Role -> (label, permissions). The built-in roles the issue tracker agreed.
ROLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "viewer": ("Viewer: reports, with no names", _VIEWER),
    "promise_owner": ("Promise owner: their own promises", (*_VIEWER, "commitments.own")),
    "facilitator": ("Facilitator: sessions and what happens in them", _FACILITATOR),
    "coordinator": ("Coordinator: all records, names where consent covers it",
                    (*_FACILITATOR, "reports.names", "records.read", "records.write")),
    "data_officer": ("Data officer: access exports, erasure, rights requests, retention",
                     (*_VIEWER, "privacy.export", "privacy.erase", "privacy.requests",
                      "privacy.retention")),
}

#: The role that must be linked to a participant (whose promises it updates).
LINKED_ROLES = frozenset({"promise_owner"})

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def _frozen_set(values: Iterable[str]) -> frozenset[str]:
    return frozenset(values)


@frozen(kw_only=True)
class Role:
    """An account role: a name, a label people read, and what it may do."""

    name: str
    label: str
    permissions: frozenset[str] = field(converter=_frozen_set)
    #: Whether an account of this role is linked to a participant.
    linked: bool = False

    def may(self, permission: str) -> bool:
        """Whether this role holds ``permission`` (everyone holds ``public``)."""
        return permission in (PUBLIC, SIGNED_IN) or permission in self.permissions


@frozen
class RoleTable:
    """The roles of one workspace: the built-in ones and those its TOML adds."""

    roles: Mapping[str, Role]

    def __getitem__(self, name: str) -> Role:
        if name not in self.roles:
            raise InvalidValue("account role", name, sorted(self.roles))
        return self.roles[name]

    def __contains__(self, name: object) -> bool:
        return name in self.roles

    def __iter__(self) -> Any:
        return iter(self.roles.values())

    def names(self) -> list[str]:
        return list(self.roles)

    def allowed(self, role: str, permission: str) -> bool:
        return role in self.roles and self.roles[role].may(permission)


def _builtin() -> dict[str, Role]:
    return {name: Role(name=name, label=label, permissions=perms, linked=name in LINKED_ROLES)
            for name, (label, perms) in ROLES.items()}


def role_table(config: Config | None, extra_permissions: Iterable[str] = ()) -> RoleTable:
    """The built-in roles plus ``[web.roles]`` from ``config`` (already checked)."""
    roles = _builtin()
    table = {} if config is None else config.table("web").get("roles", {})
    for name, spec in table.items():
        base = roles[spec["like"]].permissions if spec.get("like") else frozenset()
        roles[name] = Role(
            name=name, label=spec.get("label") or name.replace("_", " ").capitalize(),
            permissions=base | frozenset(spec.get("permissions", ())),
            linked=bool(spec.get("linked", False)),
        )
    return RoleTable(roles)


# ---------------------------------------------------------------- [web] in coprod.toml


@frozen(kw_only=True)
class WebSettings:
    """``[web]``: how ``coprod serve`` behaves."""

    #: Whether ``/`` shows the public "You said, we did" board.
    board: bool = True
    #: Whether the board also lists the tensions named as held.
    board_held_tensions: bool = False
    #: Minutes without a request after which a signed-in session ends.
    session_idle_minutes: int = 30
    #: Hours after signing in after which a session ends, however busy.
    session_lifetime_hours: int = 12
    #: Whether the server sits behind HTTPS (cookies are then marked Secure).
    behind_https: bool = False
    #: Seconds the board is kept before it is built again to catch changes
    #: made elsewhere (the command line, another worker). Changes made
    #: through this server are shown at once.
    board_refresh_seconds: int = 30


_SETTING_TYPES: dict[str, type] = {
    "board": bool, "board_held_tensions": bool, "session_idle_minutes": int,
    "session_lifetime_hours": int, "behind_https": bool, "board_refresh_seconds": int,
}
_LIMITS: dict[str, tuple[int, int]] = {
    "session_idle_minutes": (1, 24 * 60),
    "session_lifetime_hours": (1, 24 * 30),
    "board_refresh_seconds": (0, 24 * 3600),
}
_ROLE_KEYS = ("label", "like", "permissions", "linked")


def check_config(table: Any, ctx: Context) -> None:
    """Check ``[web]`` (listed in ``config.SECTION_CHECKERS``)."""
    ctx.no_unknown(table, (*_SETTING_TYPES, "roles"), "web")
    for key, kind in _SETTING_TYPES.items():
        value = ctx.expect(table, key, kind, f"web.{key}")
        if value is not None and key in _LIMITS:
            low, high = _LIMITS[key]
            if not low <= value <= high:
                raise ctx.error(f"web.{key}", f"must be from {low} to {high}, not {value}")
    roles = ctx.expect(table, "roles", dict, "web.roles", {})
    known = set(ROLES)
    for name, spec in roles.items():
        where = f"web.roles.{name}"
        if not _NAME.match(str(name)):
            raise ctx.error(where, "role names are lower-case letters, digits and "
                                   "underscores, starting with a letter")
        if name in ROLES:
            raise ctx.error(where, f"{name} is a built-in role; give the new role "
                                   "another name (start from it with `like`)")
        ctx.expect(roles, name, dict, where)
        ctx.no_unknown(spec, _ROLE_KEYS, where)
        label = ctx.expect(spec, "label", str, f"{where}.label")
        if label is not None and not label.strip():
            raise ctx.error(f"{where}.label", "needs a label people can read")
        like = ctx.expect(spec, "like", str, f"{where}.like")
        if like is not None and like not in known:
            raise ctx.error(f"{where}.like", f"unknown role {like!r}; roles defined before "
                                             f"this one: {', '.join(sorted(known))}")
        ctx.expect(spec, "linked", bool, f"{where}.linked")
        permissions = ctx.expect(spec, "permissions", list, f"{where}.permissions", [])
        for index, permission in enumerate(permissions):
            if permission not in PERMISSIONS:
                raise ctx.error(
                    f"{where}.permissions",
                    f"item {index + 1} ({permission!r}) is not a permission; "
                    f"allowed: {', '.join(PERMISSIONS)}")
        if like is None and not permissions:
            raise ctx.error(f"{where}.permissions",
                            "is missing: give the role permissions, or `like` another role")
        known.add(name)


def web_settings(config: Config | None) -> WebSettings:
    """The ``[web]`` settings of ``config`` (already checked), defaults filled in."""
    table = {} if config is None else config.table("web")
    return WebSettings(**{k: v for k, v in table.items() if k in _SETTING_TYPES})
