"""Rights requests: recording a request a person made, and marking it done.

A request is due one calendar month after it was received
(:func:`~coprod_core.protection.records.due_date`); ``coprod doctor`` warns
about those overdue (:func:`overdue_requests_check`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING

from attrs import evolve

from ..errors import CoprodError, InvalidValue
from ..protection.records import REQUEST_TYPES, REQUESTS, RightsRequest, due_date
from .base import change, commit

if TYPE_CHECKING:
    from ..workspace import Workspace

__all__ = ["add_request", "complete_request", "get_request", "overdue_requests_check",
           "requests"]


def requests(ws: Workspace) -> Iterator[RightsRequest]:
    """Every rights request, in the order they were recorded."""
    return ws.records(REQUESTS)


def get_request(ws: Workspace, request_id: str) -> RightsRequest:
    """One rights request by its id (``R-3``)."""
    return ws.record(REQUESTS, request_id)


def add_request(ws: Workspace, kind: str, *, received: dt.date | None = None,
                participant_id: str | None = None, note: str | None = None) -> RightsRequest:
    """Record a rights request received on ``received`` (default today)."""
    if kind not in REQUEST_TYPES:
        raise InvalidValue("request type", kind, REQUEST_TYPES)
    received = received or ws.today()
    if received > ws.today():
        raise CoprodError(f"received date {received} is in the future")
    with ws.operation("privacy.request.add") as op:
        pid = None
        if participant_id is not None:
            pid = ws.participant(participant_id).id
        record = commit(op, REQUESTS, RightsRequest(
            id=op.new_id(REQUESTS), type=kind, participant_id=pid, received=received,
            due=due_date(received), note=note, created_at=ws.now(),
        ), event=None)
        if pid:
            op.touch(pid)
    return record


def complete_request(ws: Workspace, request_id: str, *, on: dt.date | None = None
                     ) -> RightsRequest:
    """Mark a request done on ``on`` (default today)."""

    def done(before: RightsRequest) -> RightsRequest:
        if before.done is not None:
            raise CoprodError(f"{before.id} was already marked done on {before.done}")
        day = on or ws.today()
        if day < before.received:
            raise CoprodError(
                f"{before.id} was received on {before.received}; it cannot be done before")
        if day > ws.today():
            raise CoprodError(f"done date {day} is in the future")
        return evolve(before, done=day)

    return change(ws, "privacy.request.done", REQUESTS, request_id, done, event=None)


def overdue_requests_check(workspace: Workspace) -> list[dict[str, str]]:
    """Problems for ``coprod doctor``: rights requests past their due date and not done.

    Returns one ``{"message": ..., "fix": ...}`` per overdue request, plain
    sentences naming ids and dates only (never personal values); an empty
    list when all is well. A doctor check can turn each into a finding with
    ``Finding(check="rights_requests", level=WARNING, **item)``.
    """
    today = workspace.today()
    found = []
    for r in requests(workspace):
        if r.status(today) == "overdue":
            late = (today - r.due).days
            found.append({
                "message": f"rights request {r.id} ({r.type}, received {r.received}) was due "
                           f"on {r.due} and is {late} day{'s' if late != 1 else ''} overdue",
                "fix": f"answer it, then mark it done with `coprod privacy requests done {r.id}`",
            })
    return found
