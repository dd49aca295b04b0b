"""Which commitments need following up, and the digest that says so."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from attrs import frozen

from coprod_core.errors import ConfigError, NotFound
from coprod_core.model import Commitment
from coprod_core.storage import Setting

SETTINGS = (
    Setting(key="days_ahead", type=int, default=14,
            help="How many days ahead a commitment counts as coming due."),
    Setting(key="file", type=str, default="reminders.txt",
            help="The digest file written after each change to a commitment, relative to "
                 'the workspace folder; "" turns it off.'),
)

#: Statuses in which a promise is still open (the same as Commitment.is_overdue).
OPEN = ("proposed", "agreed", "in_progress", "partly_delivered")


@frozen
class Options:
    days_ahead: int
    file: str


def options(workspace: Any) -> Options:
    """``[plugins.reminders]`` with the defaults filled in, checked."""
    table = workspace.config.plugin_settings("reminders")
    values = {s.key: table.get(s.key, s.default) for s in SETTINGS}
    if values["days_ahead"] < 0:
        raise ConfigError("must be 0 or more", path=workspace.config.path,
                          key="plugins.reminders.days_ahead")
    return Options(**values)


@frozen
class Due:
    """A commitment to follow up; ``days`` until it is due (negative: overdue)."""

    commitment: Commitment
    days: int


def select(commitments: Iterable[Commitment], today: dt.date, days_ahead: int
           ) -> tuple[list[Due], list[Due]]:
    """(overdue, coming due within ``days_ahead`` days), each soonest due first."""
    overdue: list[Due] = []
    coming: list[Due] = []
    for c in commitments:
        if c.due is None or c.status not in OPEN:
            continue
        days = (c.due - today).days
        if days < 0:
            overdue.append(Due(c, days))
        elif days <= days_ahead:
            coming.append(Due(c, days))
    key = lambda d: (d.days, int(d.commitment.id.split("-")[1]))  # noqa: E731
    return sorted(overdue, key=key), sorted(coming, key=key)


def build(workspace: Any, days_ahead: int) -> tuple[list[Due], list[Due]]:
    return select(workspace.records("commitments", status=list(OPEN)), workspace.today(),
                  days_ahead)


def _who(workspace: Any, participant_id: str) -> str:
    try:
        return f"{workspace.participant(participant_id).display_name} ({participant_id})"
    except NotFound:
        return participant_id


def _when(days: int) -> str:
    if days == 0:
        return "today"
    unit = "day" if abs(days) == 1 else "days"
    return f"in {days} {unit}" if days > 0 else f"{-days} {unit} ago"


def render_text(workspace: Any, days_ahead: int) -> str:
    overdue, coming = build(workspace, days_ahead)
    today = workspace.today()
    org = workspace.config.org
    lines = [f"Commitments to follow up, as of {today}" + (f" ({org})" if org else "")]
    if not overdue and not coming:
        lines += ["", f"Nothing is overdue, and nothing is due in the next {days_ahead} days."]
    for title, items in ((f"Overdue ({len(overdue)})", overdue),
                         (f"Due in the next {days_ahead} days ({len(coming)})", coming)):
        if not items:
            continue
        lines += ["", title]
        for d in items:
            c = d.commitment
            lines.append(f"  {c.id}  due {c.due}, {_when(d.days)}  {c.status}, {c.authority}, "
                         f"made by {_who(workspace, c.made_by)}")
            lines.append(f"  {' ' * len(c.id)}  {c.description}")
    return "\n".join(lines) + "\n"


def as_json(workspace: Any, days_ahead: int) -> dict[str, Any]:
    overdue, coming = build(workspace, days_ahead)

    def item(d: Due) -> dict[str, Any]:
        c = d.commitment
        return {"id": c.id, "due": c.due.isoformat() if c.due else None, "days": d.days,
                "status": str(c.status), "authority": str(c.authority),
                "made_by": c.made_by, "description": c.description}

    return {"today": workspace.today().isoformat(), "days_ahead": days_ahead,
            "overdue": [item(d) for d in overdue], "due_soon": [item(d) for d in coming]}


def write_digest(workspace: Any, path: Path, days_ahead: int) -> None:
    """Replace ``path`` with the digest, so a reader never sees half of one."""
    from coprod_core.files import atomic_write

    atomic_write(path, render_text(workspace, days_ahead))
