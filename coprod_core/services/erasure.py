"""Erasure: a person removed everywhere, leaving a tombstone.

:func:`erase` keeps the id, role, the date the record was created and when
it was erased, so totals stay true; it removes everything else, replaces the
person's name, pseudonym, email and phone in free text everywhere with
:data:`~coprod_core.protection.matcher.MARKER`, lets plugins erase theirs
(``coprod_erase_participant``), deletes the subject access exports coprod
wrote of them, and purges the backend's files. What it visits is what
:func:`coprod_core.finder.find` finds, the finder of the subject access
export.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attrs import evolve, field, frozen

from ..errors import CoprodError
from ..finder import find
from ..model import Participant
from ..protection.matcher import MARKER, Matcher
from ..protection.records import EXPORTS
from ..protection.scrub import (
    scrub_commitment,
    scrub_participant,
    scrub_session,
    scrub_tension,
    tombstone,
)
from ..storage import CORE_COLLECTIONS
from .base import call_plugins

if TYPE_CHECKING:
    from ..workspace import Operation, Workspace

__all__ = ["Erasure", "KeptCopy", "check", "erase", "erase_in", "scrub_audit", "sweep"]


@frozen(kw_only=True)
class Erasure:
    """What an erasure did: counts and ids only, never the values removed."""

    participant_id: str
    tombstone: Participant
    #: Ids of other records whose text or links were changed.
    changed: tuple[str, ...] = ()
    #: Subject access export files deleted (filled once the erasure committed).
    files_deleted: list[str] = field(factory=list)
    #: Copies that may still hold the person and that coprod left, with what to do.
    kept: list[KeptCopy] = field(factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"participant_id": self.participant_id,
                "erased_at": self.tombstone.erased_at and self.tombstone.erased_at.isoformat(),
                "changed": list(self.changed), "files_deleted": list(self.files_deleted),
                "kept": [k.to_json() for k in self.kept]}


@frozen(kw_only=True)
class KeptCopy:
    """A file that may hold an erased person and that erasure did not delete."""

    path: str
    #: Why coprod left it: not its own to delete, changed, not a regular file.
    reason: str
    #: What the people who run coprod should do about it.
    fix: str

    def to_json(self) -> dict[str, str]:
        return {"path": self.path, "reason": self.reason, "fix": self.fix}


def check(ws: Workspace, participant_id: str) -> Participant:
    """The person ``participant_id``, if they can be erased: they exist, not erased yet.

    A front end calls it before asking "are you sure?"; :func:`erase` calls it too.
    """
    person = ws.participant(participant_id)
    if person.is_erased:
        raise CoprodError(
            f"{person.id} was already erased on {person.erased_at:%Y-%m-%d}; nothing changed")
    return person


def erase(ws: Workspace, participant_id: str) -> Erasure:
    """Erase one person everywhere; see the module docstring for what is kept."""
    with ws.operation("participant.erase") as op:
        result = erase_in(ws, op, check(ws, participant_id))
    return result


def erase_in(ws: Workspace, op: Operation, person: Participant) -> Erasure:
    # The finder the subject access export uses says what to visit: an erasure
    # changes nothing the person's export would not have shown.
    found = {(p.collection, p.record_id) for p in find(ws, person).places}
    dead = tombstone(person, ws.now())
    op.write("participants", dead, person)
    changed = _drop_submitted_answers(ws, op, person.id)
    changed += sweep(ws, op, Matcher(person), person=person, author=person.id, plugins=True,
                     only=found)

    own: list[tuple[str, str | None]] = []
    result = Erasure(participant_id=person.id, tombstone=dead, changed=tuple(changed))
    matcher = Matcher(person, with_id=True)
    for doc in list(ws.storage.iterate(EXPORTS)):
        if doc["participant_id"] == person.id:
            own.append((doc["path"], doc.get("content_hash")))
            op.delete(EXPORTS, doc["id"])
        elif _file_mentions(doc["path"], matcher):
            # Another person's export: theirs, never coprod's to delete.
            result.kept.append(KeptCopy(
                path=doc["path"],
                reason=f"it is the export of {doc['participant_id']}, made before "
                       f"{person.id} was erased",
                fix=f"make it again (coprod participant export {doc['participant_id']} -o "
                    f"{doc['path']} --force) if it is still needed; the new one will not "
                    "hold them"))
    op.needs_purge = True
    op.emit("participant.erased", dead)
    # Files are not part of the transaction: remove them once it has committed.
    op.after_commit.append(lambda: _remove_own(ws, person, own, result))
    return result


def _remove_own(ws: Workspace, person: Participant, own: list[tuple[str, str | None]],
                result: Erasure) -> None:
    """Delete the person's own exports that are still as coprod wrote them; list the rest."""
    from ..files import remove_if_unchanged

    for path, expected in own:
        removal = remove_if_unchanged(path, expected)
        if removal.removed:
            result.files_deleted.append(path)
        elif not removal.missing:
            result.kept.append(KeptCopy(
                path=path, reason=removal.reason,
                fix=f"open it: if it is still {person.id}'s export, delete it; if it is "
                    "someone's own file now, remove what it says about them"))
    result.kept.extend(_leftovers_holding(ws, person))


def _leftovers_holding(ws: Workspace, person: Participant) -> list[KeptCopy]:
    """Copies a coprod that stopped part-way left (a backup, a migration) holding them."""
    if ws.root is None:
        return []
    from ..files import find_leftovers

    needles = _needles(person)
    found = []
    for leftover in find_leftovers(ws.root):
        if _holds(Path(leftover.path), needles):
            found.append(KeptCopy(
                path=leftover.path,
                reason=f"{leftover.what}; it still holds {person.id}",
                fix=leftover.fix))
    return found


def _needles(person: Participant) -> list[bytes]:
    """How the person's name, email and phone sit in a file's bytes (UTF-8, both forms)."""
    import unicodedata

    found = set()
    for value in (person.name, person.pseudonym, person.email, person.phone):
        if value:
            for form in ("NFC", "NFD"):
                found.add(unicodedata.normalize(form, value).encode("utf-8"))
    return sorted(found)


def _holds(path: Path, needles: list[bytes]) -> bool:
    """Whether a regular file (or any under a folder) holds a needle; links not followed."""
    import os
    import stat

    try:
        st = os.lstat(path)
    except OSError:
        return False
    if stat.S_ISDIR(st.st_mode):
        return any(_holds(child, needles) for child in path.iterdir())
    if not stat.S_ISREG(st.st_mode):
        return False
    keep = max((len(n) for n in needles), default=1)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | os.O_NONBLOCK)
    except OSError:
        return False
    with os.fdopen(fd, "rb") as fh:
        tail = b""
        while block := fh.read(1 << 20):
            chunk = tail + block
            if any(n in chunk for n in needles):
                return True
            tail = chunk[-keep:]
    return False


def _drop_submitted_answers(ws: Workspace, op: Operation, participant_id: str) -> list[str]:
    """Their submissions keep who, which form and when (counts stay true), not answers."""
    from ..forms.submit import submissions

    changed = []
    for before in list(submissions(ws, participant_id=participant_id)):
        if before.answers:
            op.write("submissions", evolve(before, answers={}), before)
            changed.append(before.id)
    return changed


def sweep(ws: Workspace, op: Operation, matcher: Matcher, *, person: Participant,
          author: str | None = None, plugins: bool = False,
          only: set[tuple[str, str]] | None = None) -> list[str]:
    """Replace what ``matcher`` finds in every record's text with :data:`MARKER`.

    ``person`` is the one being found, as they were before the change (their
    own record is the caller's to write); feedback by ``author`` is replaced
    whole. With ``plugins``, ``coprod_erase_participant`` runs before the
    sweep of other collections. ``only`` (``(collection, id)`` pairs: what
    :func:`coprod_core.finder.find` found) limits the sweep to those records.
    Returns the ids changed.
    """
    skip = person.id
    changed: list[str] = []

    def wanted(collection: str, record_id: str) -> bool:
        return only is None or (collection, record_id) in only

    # Collect the changed records first, write after: a backend may not like
    # writes in the middle of an iteration. Only changed ones are kept in memory.
    pending: list[tuple[str, Any, Any]] = []

    def collect(collection: str, pairs: Iterable[tuple[Any, Any]]) -> None:
        pending.extend((collection, b, a) for b, a in pairs if a != b)

    collect("participants", ((p, scrub_participant(p, matcher)) for p in ws.participants()
                             if p.id != skip and not p.is_erased
                             and wanted("participants", p.id)))
    collect("sessions", ((s, scrub_session(s, matcher, author)) for s in ws.sessions()
                         if wanted("sessions", s.id)))
    collect("tensions", ((t, scrub_tension(t, matcher)) for t in ws.tensions()
                         if wanted("tensions", t.id)))
    collect("commitments", ((c, scrub_commitment(c, matcher)) for c in ws.commitments()
                            if wanted("commitments", c.id)))
    for collection, before, after in pending:
        op.write(collection, after, before)
        changed.append(after.id)

    if plugins:
        call_plugins(ws, "coprod_erase_participant", "erasing a participant",
                     participant_id=person.id, participant=person)

    # A safety net for plugin collections: no string anywhere still names them.
    core = {*CORE_COLLECTIONS, EXPORTS}
    for collection in ws.storage.collections():
        if collection in core:
            continue
        updates = []
        for doc in ws.storage.iterate(collection):
            if not wanted(collection, str(doc.get("id"))):
                continue
            scrubbed = matcher.scrub_value(doc)
            if scrubbed != doc:
                updates.append(scrubbed)
        for doc in updates:
            ws.storage.put(collection, doc)
            op.touch(doc["id"])
            changed.append(doc["id"])
    scrub_audit(ws, matcher)
    return changed


def scrub_audit(ws: Workspace, matcher: Matcher) -> None:
    """Remove the person's name where they were the actor of an audit entry."""
    rewrite = getattr(ws.storage, "rewrite_audit", None)

    def change(entry: dict[str, Any]) -> dict[str, Any] | None:
        actor = entry.get("actor")
        return {**entry, "actor": MARKER} if matcher.mentions(actor) else None

    if rewrite is not None:
        rewrite(change)
    elif any(change(e) for e in ws.storage.iterate_audit()):
        ws.warn(f"the {ws.storage.name} backend cannot rewrite its audit log, which still "
                "names this person as the actor of some changes")


def _file_mentions(path: str, matcher: Matcher) -> bool:
    """Whether the file at ``path`` mentions the person: a regular file only, never
    followed through a link, never opened in a way that could wait (a named pipe)."""
    import os
    import stat

    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return False
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | os.O_NONBLOCK)
    except OSError:
        return False
    with os.fdopen(fd, "rb") as fh:
        text = fh.read().decode("utf-8", errors="replace")
    return matcher.mentions(text) or matcher.mentions(html.unescape(text))
