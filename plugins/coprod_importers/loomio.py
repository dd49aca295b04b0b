"""Loomio: a group's export, newline-delimited JSON, one ``{"table", "record"}`` a line.

People (``users``) become participants; only their name, username and when
they joined are read: never a credential, and their email only to match
someone already in the workspace. Discussions and polls become sessions (or
tensions, by the mapping); outcomes become promises, with the statement as
the promise, its author as the person who made it, and ``review_on`` as the
due date. Every other table is left alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

from coprod_core.errors import CoprodError
from coprod_core.importing import (
    ImportOptions,
    Incoming,
    IncomingCommitment,
    IncomingParticipant,
    IncomingSession,
    IncomingTension,
    Problem,
)
from coprod_core.importing.readers import JsonLinesImporter, html_to_text, parse_date, parse_when

__all__ = ["LoomioGroup"]

#: The only fields read from a Loomio user: no credential is ever read.
USER_FIELDS = ("id", "name", "username", "email", "created_at")
_AS = ("sessions", "tensions")


class LoomioGroup(JsonLinesImporter):
    """A Loomio group export."""

    name: ClassVar[str] = "loomio"
    summary: ClassVar[str] = ("A Loomio group export (JSON lines): members, discussions and "
                              "polls as sessions or tensions, outcomes as promises.")

    def read(self, path: Path, options: ImportOptions) -> Iterator[Incoming | Problem]:
        table = options.mapping.get("loomio", {})
        as_ = {"discussions": table.get("discussions", "sessions"),
               "polls": table.get("polls", "sessions")}
        for key, value in as_.items():
            if value not in _AS:
                raise CoprodError(f"[import.loomio] {key} = {value!r}: allowed: "
                                  f"{', '.join(_AS)}")
        role = table.get("role") or options.role
        authority = table.get("authority") or options.authority
        kind = table.get("tension_kind", "other")
        #: Poll id -> the ref of the record its outcomes answer or belong to.
        polls: dict[str, tuple[str, str]] = {}
        discussions: dict[str, tuple[str, str]] = {}
        seen_table = False
        for number, line in self.lines(path):
            if isinstance(line, Problem):
                yield line
                continue
            name, record = line.get("table"), line.get("record")
            if not isinstance(name, str) or not isinstance(record, dict):
                if number == 1:
                    raise CoprodError(f"{path.name} is not a Loomio group export: each line "
                                      'must be {"table": ..., "record": {...}}')
                yield Problem(row=number, column=None,
                              message='expected {"table": ..., "record": {...}}')
                continue
            seen_table = True
            try:
                if name == "users":
                    if role is None:
                        raise CoprodError("Loomio does not say which perspective people bring: "
                                          "say which role with --role ROLE")
                    yield self._user(number, record, role)
                elif name in ("discussions", "polls"):
                    item = self._topic(number, name, record, as_[name], kind)
                    (discussions if name == "discussions" else polls)[str(record.get("id"))] = (
                        item.ref, as_[name])
                    if name == "polls" and record.get("discussion_id") is not None:
                        parent = discussions.get(str(record["discussion_id"]))
                        if parent is not None and as_[name] == "sessions" == parent[1]:
                            # A poll inside a discussion that is already a session.
                            polls[str(record.get("id"))] = parent
                            continue
                    yield item
                elif name == "outcomes":
                    if authority is None:
                        raise CoprodError("Loomio outcomes do not say what power the person has: "
                                          "say with --authority can_decide|can_influence|"
                                          "can_only_raise")
                    yield self._outcome(number, record, polls, authority)
            except _Bad as bad:
                yield Problem(row=number, column=bad.column, message=bad.message)
        if not seen_table:
            raise CoprodError(f"{path.name} is not a Loomio group export")

    def _user(self, number: int, record: dict[str, Any], role: str) -> IncomingParticipant:
        user = {k: record.get(k) for k in USER_FIELDS}
        name = _text(user.get("name")) or _text(user.get("username"))
        if not name:
            raise _Bad("name", "this person has no name or username")
        return IncomingParticipant(
            ref=f"loomio:users/{user['id']}", row=number, name=name, role=role,
            email=_text(user.get("email")),
            joined=_when(user, "created_at").date() if user.get("created_at") else None,
        )

    def _topic(self, number: int, table: str, record: dict[str, Any], as_: str,
               kind: str) -> Incoming:
        title = _text(record.get("title"))
        if not title:
            raise _Bad("title", f"this {table[:-1]} has no title")
        body = html_to_text(_text(record.get("description") or record.get("details")))
        ref = f"loomio:{table}/{record.get('id')}"
        created = _when(record, "created_at")
        if as_ == "tensions":
            status = "resolved" if record.get("closed_at") else "raised"
            return IncomingTension(
                ref=ref, row=number, description=title if not body else f"{title}: {body}",
                kind=kind, raised_on=created,
                raised_by_ref=_user_ref(record.get("author_id")),
                status=status, status_on=_when(record, "closed_at") if status != "raised" else None,
                note="closed in Loomio" if status != "raised" else None,
            )
        closed = _when(record, "closed_at") if record.get("closed_at") else None
        day = (closed or created).date()
        return IncomingSession(ref=ref, row=number, title=title, date=day, purpose=body)

    def _outcome(self, number: int, record: dict[str, Any],
                 polls: dict[str, tuple[str, str]], authority: str) -> IncomingCommitment:
        statement = html_to_text(_text(record.get("statement")))
        if not statement:
            raise _Bad("statement", "this outcome has no statement")
        poll = polls.get(str(record.get("poll_id")))
        made = _when(record, "created_at")
        try:
            due = parse_date(_text(record.get("review_on")))
        except ValueError:
            raise _Bad("review_on", f"{record.get('review_on')!r} is not a date") from None
        return IncomingCommitment(
            ref=f"loomio:outcomes/{record.get('id')}", row=number, description=statement,
            made_by=_user_ref(record.get("author_id")), authority=authority,
            made_on=made, agreed_on=made, due=due, status="agreed",
            session_ref=poll[0] if poll and poll[1] == "sessions" else None,
            answers_refs=(poll[0],) if poll and poll[1] == "tensions" else (),
        )


class _Bad(Exception):
    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _user_ref(user_id: Any) -> str | None:
    return None if user_id is None else f"loomio:users/{user_id}"


def _when(record: dict[str, Any], key: str) -> Any:
    try:
        when = parse_when(_text(record.get(key)))
    except ValueError:
        raise _Bad(key, f"{record.get(key)!r} is not a date and time") from None
    if when is None:
        raise _Bad(key, f"{key} is missing")
    return when
