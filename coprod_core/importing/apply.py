"""Matching incoming records to the workspace and writing them: the inside of an import.

:func:`coprod_core.importing.run_import` drives an :class:`Applier` row by
row inside one operation. For each row it resolves references (a source
reference met earlier in this file or in an earlier import, or a coprod id),
builds the records, checks them all with the workspace's validation, and
only then writes them, so a row is kept whole or not at all.

One piece: the builders of each kind of record share the row being taken
(records it planned, references it met) and the links already known; split
apart they would pass that state back and forth.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from attrs import evolve

from ..errors import CoprodError
from ..model import (
    AttendanceStatus,
    Authority,
    Commitment,
    CommitmentStatus,
    Correction,
    Participant,
    ProgressUpdate,
    Session,
    Tension,
    TensionKind,
    TensionStatus,
    Transition,
    corrected,
    correction_text,
)
from . import (
    SOURCES,
    ImportOptions,
    Incoming,
    IncomingAttendance,
    IncomingCommitment,
    IncomingParticipant,
    IncomingProgress,
    IncomingSession,
    IncomingTension,
    Problem,
    SourceLink,
)

if TYPE_CHECKING:
    from ..operation import Operation
    from ..workspace import Workspace
    from .run import ImportResult

__all__ = ["Applier"]


class _RowProblem(Exception):
    def __init__(self, column: str | None, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


#: What each kind of incoming record becomes.
_COLLECTION = {
    "participant": "participants", "session": "sessions", "attendance": "sessions",
    "tension": "tensions", "commitment": "commitments", "progress": "commitments",
}


class Applier:
    """Writes incoming records through one operation, keeping their source links."""

    def __init__(self, ws: Workspace, op: Operation, options: ImportOptions,
                 result: ImportResult) -> None:
        self.ws = ws
        self.op = op
        self.options = options
        self.result = result
        self.links: dict[str, SourceLink] = {
            link.ref: link for link in ws.records(SOURCES)
        }
        self._emails: dict[str, str] | None = None
        #: The records the row being taken has planned so far: id -> (collection,
        #: record, the record as stored before).
        self._row: dict[str, tuple[str, Any, Any]] = {}
        #: Parents met before their children were: (child id, parent ref, row).
        self._parents: list[tuple[str, str, int]] = []
        #: Records left out because they are about someone who was erased.
        self._erased = 0

    # ------------------------------------------------------------ one row

    def take_row(self, items: list[Incoming]) -> list[Problem]:
        """Write one row's records, or none of them and say why."""
        pending: dict[str, str] = {}
        order: list[str] = []
        steps: list[tuple[Incoming, str, str, str]] = []
        self._row = {}
        try:
            for item in items:
                step = self._plan(item, pending)
                if step is None:
                    continue
                collection, record, previous, action, digest = step
                record_id = _record_id(record)
                if record_id in self._row:
                    # A later item of the row changes a record an earlier one made.
                    self._row[record_id] = (collection, record, self._row[record_id][2])
                else:
                    self._row[record_id] = (collection, record, previous)
                    order.append(record_id)
                pending[item.ref] = record_id
                steps.append((item, record_id, action, digest))
            for record_id in order:
                self.op.validate(*self._row[record_id])
        except _RowProblem as problem:
            return [Problem(row=items[0].row, column=problem.column, message=problem.message)]
        except CoprodError as exc:
            return [Problem(row=items[0].row, column=None, message=str(exc))]
        finally:
            planned, self._row = self._row, {}
        for record_id in order:
            collection, record, previous = planned[record_id]
            self.op.write(collection, record, previous)
        for item, record_id, action, digest in steps:
            self._link(item, record_id, action, digest)
        return []

    def finish(self) -> list[str]:
        """Attach parents listed after their children; say what could not be attached."""
        notes = []
        if self._erased:
            notes.append(f"{self._erased} record{'s' if self._erased > 1 else ''} about people "
                         "who were erased left out: an import never brings back an erased "
                         "person")
        for child_id, parent_ref, row in self._parents:
            parent = self.links.get(parent_ref)
            link = next((lk for lk in self.links.values() if lk.record_id == child_id), None)
            if parent is None or link is None:
                notes.append(f"row {row}: its parent ({parent_ref}) is not in the file or the "
                             "workspace; it was imported without one")
                continue
            self._put_link(evolve(link, parent_id=parent.record_id))
        return notes

    # ------------------------------------------------------------ planning

    def _plan(self, item: Incoming, pending: dict[str, str]
              ) -> tuple[str, Any, Any, str, str] | None:
        link = self.links.get(item.ref)
        digest = item.digest()
        if link is not None and link.digest == digest:
            self.result.count("unchanged", item.KIND)
            self.result.actions.append(("unchanged", item.KIND, item.ref, link.record_id))
            return None
        collection = _COLLECTION[item.KIND]
        previous = None if link is None else self._current(collection, link.record_id)
        build = getattr(self, f"_{item.KIND}")
        record = build(item, previous, pending, digest)
        if record is None:
            return None
        if isinstance(item, IncomingAttendance | IncomingProgress):
            # These change a record met earlier; the record they change is the previous.
            previous = self._current(collection, _record_id(record))
        action = "created" if link is None else "updated"
        return collection, record, previous, action, digest

    def _current(self, collection: str, record_id: str) -> Any:
        if record_id in self._row:
            return self._row[record_id][1]
        try:
            return self.ws.record(collection, record_id)
        except CoprodError:
            return None

    def _resolve(self, ref: str | None, collection: str, pending: dict[str, str],
                 column: str) -> str | None:
        """A coprod id for ``ref``: a coprod id itself, or a source reference met before."""
        if ref is None:
            return None
        if ref in pending:
            return pending[ref]
        if ref in self.links:
            return self.links[ref].record_id
        if self.ws.collections.collection_of(ref) == collection:
            canonical = self.ws.collections.parse_id(collection, ref)
            if self.ws.storage.get(collection, canonical) is None:
                raise _RowProblem(column, str(self.ws.collections.not_found(collection,
                                                                            canonical)))
            return canonical
        raise _RowProblem(column, f"{ref} is not in the file before this row, nor imported "
                                  "earlier")

    def _when(self, value: dt.datetime | dt.date | None, column: str) -> dt.datetime:
        """An event time: a date is taken as midday, and none may be in the future."""
        if value is None:
            return self.ws.now()
        if not isinstance(value, dt.datetime):
            value = dt.datetime.combine(value, dt.time(12), tzinfo=dt.UTC)
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        if value > self.ws.now():
            raise _RowProblem(column, f"{value.date().isoformat()} is in the future; "
                                      "only what has happened can be imported")
        return value

    # ------------------------------------------------------------ builders

    def _new_id(self, collection: str) -> str:
        return self.op.new_id(collection)

    def _participant(self, item: IncomingParticipant, previous: Participant | None,
                     pending: dict[str, str], digest: str) -> Participant | None:
        if previous is None and item.email:
            found = self._by_email(item.email)
            if found is not None:
                # Someone already here: link them, change nothing about them.
                self._put_link(SourceLink(id=self._new_id(SOURCES), ref=item.ref,
                                          record_id=found, kind=item.KIND, digest=digest,
                                          imported_at=self.ws.now()))
                self.result.count("unchanged", item.KIND)
                self.result.actions.append(("matched", item.KIND, item.ref, found))
                pending[item.ref] = found
                return None
        role = item.role or self.options.role
        if role is None:
            raise _RowProblem("role", "this source gives no role; say which with --role "
                                      f"({', '.join(self.ws.config.roles)})")
        if role not in self.ws.config.roles:
            raise _RowProblem("role", f"{role!r} is not a role here; roles: "
                                      f"{', '.join(self.ws.config.roles)}")
        if previous is not None:
            if previous.erased_at is not None:
                self._left_out(item, previous.id)
                return None
            return evolve(previous, name=item.name, pseudonym=item.pseudonym or
                          previous.pseudonym)
        joined = self._when(item.joined, "joined")
        return Participant(id=self._new_id("participants"), name=item.name, role=role,
                           pseudonym=item.pseudonym, created_at=self.ws.now(),
                           joined_at=joined)

    def _typed(self, at: dt.datetime) -> dt.datetime | None:
        """When an imported event was typed in: now, unless that is when it happened."""
        now = self.ws.now()
        return None if at == now else now

    def _left_out(self, item: Incoming, record_id: str) -> None:
        """A record about someone who was erased: never brought back by an import."""
        self.result.count("unchanged", item.KIND)
        self.result.actions.append(("left out", item.KIND, item.ref, record_id))
        self._erased += 1

    def _by_email(self, email: str) -> str | None:
        if self._emails is None:
            self._emails = {p.email.casefold(): p.id for p in self.ws.participants()
                            if p.email}
        return self._emails.get(email.strip().casefold())

    def _session(self, item: IncomingSession, previous: Session | None,
                 pending: dict[str, str], digest: str) -> Session:
        if item.date > self.ws.today():
            raise _RowProblem("date", f"{item.date.isoformat()} is in the future; only "
                                      "meetings that happened can be imported")
        if item.series is not None and item.series not in self.ws.config.series:
            known = ", ".join(self.ws.config.series) or "none yet"
            raise _RowProblem("series", f"{item.series!r} is not a series in [series] of "
                                        f"coprod.toml (series: {known})")
        if previous is not None:
            return _correct(previous, {"title": item.title, "date": item.date,
                                       "purpose": item.purpose or previous.purpose,
                                       "series": item.series or previous.series},
                            at=self.ws.now(), actor=self.ws.actor, source=item.ref)
        return Session(id=self._new_id("sessions"), title=item.title, date=item.date,
                       purpose=item.purpose, series=item.series, created_at=self.ws.now())

    def _attendance(self, item: IncomingAttendance, previous: Any,
                    pending: dict[str, str], digest: str) -> Session | None:
        session_id = self._resolve(item.session_ref, "sessions", pending, "session")
        person = self._resolve(item.participant_ref, "participants", pending, "participant")
        assert session_id is not None and person is not None
        session = self._current("sessions", session_id)
        if session is None:
            raise _RowProblem("session", f"there is no session {session_id}")
        someone = self._current("participants", person)
        if someone is not None and someone.erased_at is not None:
            self._left_out(item, person)
            return None
        try:
            status = AttendanceStatus(item.status)
        except ValueError:
            raise _RowProblem("status", f"{item.status!r} is not an attendance status; "
                                        "allowed: attended, apologies, absent") from None
        return session.with_attendance(person, status)

    def _tension(self, item: IncomingTension, previous: Tension | None,
                 pending: dict[str, str], digest: str) -> Tension:
        try:
            kind = TensionKind(item.kind)
            status = TensionStatus(item.status)
        except ValueError as exc:
            raise _RowProblem("kind", str(exc)) from None
        if previous is not None:
            changed = _correct(previous, {"description": item.description, "kind": kind},
                               at=self.ws.now(), actor=self.ws.actor, source=item.ref)
            if status != previous.status:
                changed = self._move(changed, status, item.status_on, item.note, "status")
            return changed
        raised = self._when(item.raised_on, "raised_on")
        tension = Tension(
            id=self._new_id("tensions"), kind=kind, description=item.description,
            raised_by=self._resolve(item.raised_by_ref, "participants", pending, "raised_by"),
            session_id=self._resolve(item.session_ref, "sessions", pending, "session"),
            status=TensionStatus.RAISED,
            history=(Transition(status="raised", at=raised, actor=self.ws.actor,
                                recorded_at=self._typed(raised)),),
        )
        if status != TensionStatus.RAISED:
            tension = self._move(tension, status, item.status_on or item.raised_on,
                                 item.note, "status")
        return tension

    def _commitment(self, item: IncomingCommitment, previous: Commitment | None,
                    pending: dict[str, str], digest: str) -> Commitment:
        try:
            status = CommitmentStatus(item.status)
        except ValueError:
            raise _RowProblem("status", f"{item.status!r} is not a commitment status; "
                                        f"allowed: {', '.join(CommitmentStatus)}") from None
        if previous is not None:
            changed = _correct(previous, {"description": item.description,
                                          "scope": item.scope or previous.scope,
                                          "due": item.due},
                               at=self.ws.now(), actor=self.ws.actor, source=item.ref)
            if status != previous.status:
                changed = self._walk(changed, status, item, "status")
            return changed
        by = item.made_by or self.options.by
        if by is None:
            raise _RowProblem("made_by", "the source does not say who made this promise; "
                                         "say who with --by P-N")
        authority_text = item.authority or self.options.authority
        if authority_text is None:
            raise _RowProblem("authority", "the source does not say what power the promiser "
                                           "has; say with --authority "
                                           f"({', '.join(Authority)})")
        try:
            authority = Authority(authority_text)
        except ValueError:
            raise _RowProblem("authority", f"{authority_text!r} is not a declared power; "
                                           f"allowed: {', '.join(Authority)}") from None
        made = self._when(item.made_on or item.agreed_on, "made_on")
        commitment = Commitment(
            id=self._new_id("commitments"), description=item.description,
            made_by=self._resolve(by, "participants", pending, "made_by") or "",
            authority=authority, scope=item.scope, due=item.due,
            session_id=self._resolve(item.session_ref, "sessions", pending, "session"),
            answers=tuple(self._resolve(r, "tensions", pending, "answers") or ""
                          for r in item.answers_refs),
            status=CommitmentStatus.PROPOSED,
            history=(Transition(status="proposed", at=made, actor=self.ws.actor,
                                recorded_at=self._typed(made)),),
        )
        return self._walk(commitment, status, item, "status")

    def _walk(self, commitment: Commitment, target: CommitmentStatus,
              item: IncomingCommitment, column: str) -> Commitment:
        """Move a commitment to ``target`` by the shortest allowed path, dated as given."""
        path = _path(commitment.LIFECYCLE, str(commitment.status), str(target))
        if path is None:
            raise _RowProblem(column, f"a commitment cannot go from {commitment.status} to "
                                      f"{target}")
        for step in path:
            on = item.agreed_on if step == "agreed" else item.status_on
            note = item.reason if step == str(target) else None
            commitment = self._move(commitment, step, on, note, column)
        return commitment

    def _move(self, record: Any, status: Any, on: dt.datetime | dt.date | None,
              note: str | None, column: str) -> Any:
        at = self._when(on, column) if on is not None else record.history[-1].at
        if at < record.history[-1].at:
            at = record.history[-1].at
        if record.LIFECYCLE.needs_note and str(status) in record.LIFECYCLE.needs_note and not note:
            note = f"marked {status} in the source this was imported from"
        try:
            return record.moved(status, at=at, actor=self.ws.actor, note=note,
                                recorded_at=self.ws.now())
        except CoprodError as exc:
            raise _RowProblem(column, str(exc)) from None

    def _progress(self, item: IncomingProgress, previous: Any,
                  pending: dict[str, str], digest: str) -> Commitment:
        record_id = self._resolve(item.commitment_ref, "commitments", pending, "commitment")
        assert record_id is not None
        commitment = self._current("commitments", record_id)
        if commitment is None:
            raise _RowProblem("commitment", f"there is no commitment {record_id}")
        at = self._when(item.on, "on")
        return commitment.with_update(ProgressUpdate(at=at, actor=self.ws.actor, note=item.note,
                                                     recorded_at=self._typed(at)))

    # ------------------------------------------------------------ links

    def _link(self, item: Incoming, record_id: str, action: str, digest: str) -> None:
        existing = self.links.get(item.ref)
        url = getattr(item, "url", None)
        link = SourceLink(
            id=existing.id if existing else self._new_id(SOURCES), ref=item.ref,
            record_id=record_id, kind=item.KIND, digest=digest, url=url,
            parent_id=existing.parent_id if existing else None,
            imported_at=self.ws.now(),
        )
        parent_ref = getattr(item, "parent_ref", None)
        if parent_ref:
            parent = self.links.get(parent_ref)
            if parent is not None:
                link = evolve(link, parent_id=parent.record_id)
            else:
                self._parents.append((record_id, parent_ref, item.row))
        self._put_link(link)
        self.result.count(action, item.KIND)
        self.result.actions.append((action, item.KIND, item.ref, record_id))

    def _put_link(self, link: SourceLink) -> None:
        self.op.write(SOURCES, link)
        self.links[link.ref] = link


def _correct(record: Any, changes: dict[str, Any], *, at: dt.datetime, actor: str,
             source: str) -> Any:
    """``record`` with ``changes``; each changed field's earlier value kept in its history."""
    kept = []
    for name, value in list(changes.items()):
        before = getattr(record, name)
        if before == value:
            del changes[name]
            continue
        kept.append(Correction(name=name, before=correction_text(before),
                               after=correction_text(value), at=at, actor=actor,
                               reason=f"changed in {source}"))
    return corrected(record, kept, **changes) if kept else record


def _record_id(record: Any) -> str:
    return str(record.id)


def _path(lc: Any, current: str, target: str) -> list[str] | None:
    """The shortest list of moves from ``current`` to ``target`` (empty when equal)."""
    if current == target:
        return []
    frontier: list[tuple[str, list[str]]] = [(current, [])]
    seen = {current}
    while frontier:
        status, steps = frontier.pop(0)
        for nxt in lc.allowed(status):
            if nxt in seen:
                continue
            if nxt == target:
                return [*steps, nxt]
            seen.add(nxt)
            frontier.append((nxt, [*steps, nxt]))
    return None
