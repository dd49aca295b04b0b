"""Small workspaces shared by the report tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from coprod_core.testing import FakeClock
from coprod_core.workspace import Workspace


def fill_small(ws: Workspace) -> Workspace:
    """Three lived-experience members and two staff at one session, with one promise."""
    for name in ("Aisha", "Ben", "Zoë"):
        ws.add_participant(name, role="lived_experience")
    for name in ("Sam", "Tam"):
        ws.add_participant(name, role="staff")
    ws.record_consent("P-3", "naming", given=True, statement_version="v1", method="written")
    session = ws.new_session("Panel", date=dt.date(2026, 1, 5), agreed_next="Meet again.")
    ws.attend(session.id, ["P-1", "P-2", "P-3", "P-4", "P-5"])
    ws.rate(session.id, "P-1", "consultation")
    ws.raise_tension("Curfews", kind="power", session_id=session.id)
    ws.make_commitment("Ask the board", made_by="P-4", authority="can_influence",
                       session_id=session.id, answers=["T-1"])
    return ws


def small_workspace(plugin_manager: Any, **data: Any) -> Workspace:
    ws = Workspace.in_memory(org="Riverside", plugins=plugin_manager, clock=FakeClock(),
                             actor="tester", data=data or None)
    return fill_small(ws)
