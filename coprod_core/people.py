"""Showing people as the rules allow: names only with consent, roles as people read them.

For plugins and report kinds that print people. A name is shown only when
the person agreed to be named (``naming`` consent) and was not erased; a role
is shown by its label, the one ``[roles]`` in ``coprod.toml`` gives or the
built-in one::

    from coprod_core.people import name_if_consented, role_label

    shown = name_if_consented(person) or "a participant"
    heading = role_label(workspace, person.role)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .protection.consent import may_name as _may_name

if TYPE_CHECKING:
    from .model import Participant

__all__ = [
    "ROLE_LABELS",
    "ROLE_ONE",
    "may_name",
    "name_if_consented",
    "role_label",
]

#: The built-in roles as a heading for several people ("Peer researchers").
ROLE_LABELS = {
    "lived_experience": "Lived experience",
    "peer_researcher": "Peer researchers",
    "staff": "Staff",
    "commissioner": "Commissioners",
    "partner": "Partner organisations",
    "volunteer": "Volunteers",
}
#: The built-in roles for one person ("Peer researcher").
ROLE_ONE = {
    "lived_experience": "Lived-experience member",
    "peer_researcher": "Peer researcher",
    "staff": "Member of staff",
    "commissioner": "Commissioner",
    "partner": "Partner organisation",
    "volunteer": "Volunteer",
}


def may_name(person: Participant | None) -> bool:
    """Whether ``person`` may be named: they agreed to it and were not erased."""
    return person is not None and _may_name(person)


def name_if_consented(person: Participant | None) -> str | None:
    """The name to show for ``person`` (their pseudonym first), or None when they
    may not be named."""
    return person.display_name if person is not None and may_name(person) else None


def role_label(workspace_or_config: Any, role: str, *, one: bool = False) -> str:
    """``role`` as people read it: its label in ``[roles]``, else the built-in one.

    :param workspace_or_config: the open workspace, or its configuration.
    :param one: the label for one person ("Peer researcher") rather than a
        heading for several ("Peer researchers").
    """
    config = getattr(workspace_or_config, "config", workspace_or_config)
    if role in config.custom_roles:
        label: str = config.custom_roles[role]
        return label
    table = ROLE_ONE if one else ROLE_LABELS
    return table.get(role, role.replace("_", " ").capitalize())
