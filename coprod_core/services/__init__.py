"""The services: every change to the records, whichever front end asks for it.

One module per record kind or concern: :mod:`.participants`,
:mod:`.consent`, :mod:`.sessions`, :mod:`.tensions`, :mod:`.commitments`,
:mod:`.erasure`, :mod:`.retention` and :mod:`.rights_requests`. Each
service is a function taking the open :class:`~coprod_core.workspace.Workspace`
first (``participants.add(ws, "Ada", role="member")``); the workspace's
methods (``ws.add_participant(...)``) are the same services under the
names the Python API has always had.

Every write goes through :mod:`.base`: read, change, validate, write,
audit, and an event after the commit, in one operation. This package
imports nothing itself, so that a front end pays only for the services it
uses.
"""

__all__ = [
    "base", "commitments", "consent", "erasure", "participants", "retention",
    "rights_requests", "sessions", "tensions",
]
