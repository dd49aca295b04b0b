"""Privacy by design: consent rules, erasure, retention and rights requests.

The rules (docs/privacy.md explains them for a data-protection officer):

- **Consent covers what is stored.** A demographic answer in a special
  category is stored only while ``special:<category>`` consent is given.
  Email and phone are not stored once ``contact`` consent is withdrawn (and,
  with ``require_contact_consent = true`` in ``[privacy]``, not before it is
  given). :func:`check_participant` refuses any write that breaks these rules,
  whoever makes it (the core, an intake form, an import).
- **Withdrawal is immediate.** :func:`apply_withdrawal` runs inside the
  consent operation: ``contact`` removes email and phone, ``special:<c>``
  removes the answers in that category, ``record`` erases the person. Plugins
  drop what they hold through ``coprod_consent_withdrawn``.
- **Erasure leaves a tombstone.** :func:`erase` keeps the id, role, the date
  the record was created and when it was erased, so totals stay true; it
  removes everything else, replaces the person's name, pseudonym, email and
  phone in free text everywhere with :data:`MARKER`, lets plugins erase
  theirs (``coprod_erase_participant``), deletes the subject access exports
  coprod wrote of them, and purges the backend's files.
- **Retention.** ``[privacy] retention`` says how long a person may be
  inactive before their record is reviewed for erasure (:func:`review`).
- **Rights requests** are records in the ``rights_requests`` collection
  (ids ``R-1``...), due one calendar month after they were received.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attrs import evolve, field, frozen
from attrs import validators as v

from . import ids
from .errors import CoprodError, InvalidValue, PluginError, ValidationFailed
from .model import Participant

if TYPE_CHECKING:
    from .config import Context
    from .workspace import Operation, Workspace

#: What replaces a name, pseudonym, email or phone in free text after erasure.
MARKER = "[removed]"
#: The name a tombstone carries (a participant's name may not be empty).
ERASED_NAME = "[erased]"

REQUESTS = "rights_requests"
EXPORTS = "exports"
#: Collections this module owns; the generic sweeps treat them on their own.
OWN_COLLECTIONS = (REQUESTS, EXPORTS)

#: The rights a person can exercise under UK GDPR that coprod records.
REQUEST_TYPES: tuple[str, ...] = (
    "access", "erasure", "rectification", "restriction", "objection", "portability",
)


# ---------------------------------------------------------------- configuration


@frozen
class Period:
    """A retention period: a whole number of days or calendar months."""

    count: int
    unit: str  # "days" or "months"

    _TEXT = re.compile(r"^\s*(\d{1,5})\s*(day|week|month|year)s?\s*$", re.IGNORECASE)

    @classmethod
    def parse(cls, value: object) -> Period:
        """``730`` (days), ``"30 days"``, ``"8 weeks"``, ``"24 months"``, ``"2 years"``."""
        if isinstance(value, int) and not isinstance(value, bool):
            if value < 1:
                raise ValueError("must be at least 1 day")
            return cls(value, "days")
        match = cls._TEXT.match(str(value))
        if match is None:
            raise ValueError(
                f"{value!r} is not a period; write a number of days, weeks, months or "
                "years, such as \"24 months\" or \"730 days\""
            )
        count, unit = int(match.group(1)), match.group(2).lower()
        if count < 1:
            raise ValueError("must be at least 1 day")
        if unit == "week":
            return cls(count * 7, "days")
        if unit == "year":
            return cls(count * 12, "months")
        return cls(count, unit + "s")

    def after(self, day: dt.date) -> dt.date:
        """The date this period after ``day`` (months are calendar months)."""
        if self.unit == "days":
            return day + dt.timedelta(days=self.count)
        return add_months(day, self.count)

    def __str__(self) -> str:
        return f"{self.count} {self.unit if self.count != 1 else self.unit[:-1]}"


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved on by calendar months; the 31st becomes a shorter month's last day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def check_config(table: Any, ctx: Context) -> None:
    """Check ``[privacy]`` in coprod.toml (listed in ``config.SECTION_CHECKERS``)."""
    ctx.no_unknown(table, ("retention", "require_contact_consent"), "privacy")
    if "retention" in table:
        value = ctx.expect(table, "retention", (str, int), "privacy.retention")
        try:
            Period.parse(value)
        except ValueError as exc:
            raise ctx.error("privacy.retention", str(exc)) from None
    ctx.expect(table, "require_contact_consent", bool, "privacy.require_contact_consent")


def retention(ws: Workspace) -> Period | None:
    value = ws.config.table("privacy").get("retention")
    return None if value is None else Period.parse(value)


def _require_contact_consent(ws: Workspace) -> bool:
    return bool(ws.config.table("privacy").get("require_contact_consent", False))


# ---------------------------------------------------------------- consent rules


def check_participant(ws: Workspace, person: Participant) -> None:
    """Refuse to store data about ``person`` that their consent does not cover."""
    if person.erased_at is not None:
        return
    for answer in person.demographics:
        if answer.category and not person.has_consent(f"special:{answer.category}"):
            raise ValidationFailed(
                f"{person.id}: the answer {answer.key!r} is about {answer.category}, a special "
                f"category; it cannot be stored without consent for special:{answer.category}. "
                f"Record it first: coprod participant consent {person.id} "
                f"special:{answer.category} --give --statement-version V --method M"
            )
    if person.email or person.phone:
        contact = person.consent("contact")
        if contact is not None and not contact.given:
            raise ValidationFailed(
                f"{person.id} withdrew consent to be contacted on {contact.at:%Y-%m-%d}; "
                "email and phone cannot be stored unless they give it again"
            )
        if contact is None and _require_contact_consent(ws):
            raise ValidationFailed(
                f"{person.id}: email and phone need consent for contact "
                "([privacy] require_contact_consent is true in coprod.toml)"
            )


def apply_withdrawal(ws: Workspace, op: Operation, person: Participant,
                     purpose: str) -> Participant:
    """``person`` (already holding the withdrawal) without the data it covered.

    Called by :meth:`Workspace.record_consent` inside its operation. Plugins
    drop what they hold through ``coprod_consent_withdrawn``. Withdrawing
    ``record`` erases the person: nothing may be kept.
    """
    if purpose == "record":
        return _erase_in(ws, op, person).tombstone
    if purpose == "contact":
        if person.email or person.phone:
            # Contact details written into notes are covered by the same consent.
            sweep(ws, op, Matcher(person, names=False), person=person)
        person = evolve(person, email=None, phone=None)
    elif purpose.startswith("special:"):
        category = purpose.split(":", 1)[1]
        person = evolve(person, demographics=tuple(
            d for d in person.demographics if d.category != category))
    if ws.plugins.hook.coprod_consent_withdrawn.get_hookimpls():
        # Stored first, so a plugin that drops what it keeps on the record
        # itself (its ``extra`` keys) writes on top of it; read back after.
        op.write("participants", person, ws.participant(person.id))
        _call_plugins(ws, "coprod_consent_withdrawn",
                      "dropping data after a withdrawal of consent",
                      participant=person, purpose=purpose)
        person = ws.participant(person.id)
    op.needs_purge = True
    return person


def may_name(person: Participant) -> bool:
    """Whether a report may name ``person``: consent for naming given, not erased."""
    return person.erased_at is None and person.has_consent("naming")


# ---------------------------------------------------------------- finding a person in text


def _variants(text: str, *, folded: bool = True) -> set[str]:
    """The forms ``text`` may be written in: either Unicode normal form, as
    given, in capitals, and (``folded``) case-folded: ``ß`` in capitals is
    ``SS``, which a case-insensitive match alone does not find."""
    forms = {text, text.upper(), *([text.casefold()] if folded else [])}
    return {unicodedata.normalize(nf, f) for f in forms for nf in ("NFC", "NFD")}


class Matcher:
    """Finds the ways a person is written in free text: name, pseudonym, contact, id.

    Several-word names, emails and phones are matched whatever their case (or
    spacing, for phones); single words (a first name alone, a pseudonym such
    as "River") only as written or in capitals, so that "river" in a
    sentence is left alone. Each part of a name of three letters or more
    is matched too: people are often written by their first name.
    ``any_case`` matches single words whatever their case too (reports take
    no chances: "river" is redacted with "River").
    """

    def __init__(self, person: Participant, *, names: bool = True, with_id: bool = False,
                 any_case: bool = False) -> None:
        loose: set[str] = set()
        exact: set[str] = set()
        for name in (person.name, person.pseudonym):
            if not name or not names or person.erased_at is not None:
                continue
            words = name.split()
            if len(words) > 1:
                loose.update(_variants(name))
            else:
                exact.update(_variants(name, folded=False))
            for word in words:
                if len(word) >= 3:
                    exact.update(_variants(word, folded=False))
        if person.email:
            loose.update(_variants(person.email))
        parts = [rf"(?<!\w)(?:{'|'.join(self._sorted(loose))})(?!\w)"] if loose else []
        if person.phone and sum(c.isdigit() for c in person.phone) >= 6:
            digits = [c for c in person.phone if c.isdigit()]
            parts.append(r"(?<!\d)\+?" + r"[\s\-.()]*".join(digits) + r"(?!\d)")
        if with_id:
            parts.append(rf"(?<![\w-]){re.escape(person.id)}(?!\d)")
        self._loose = re.compile("|".join(parts), re.IGNORECASE) if parts else None
        if any_case:
            exact = {v for word in exact for v in _variants(word)}
        self._exact = (re.compile(rf"(?<!\w)(?:{'|'.join(self._sorted(exact))})(?!\w)",
                                  re.IGNORECASE if any_case else 0)
                       if exact else None)

    @staticmethod
    def _sorted(phrases: Iterable[str]) -> list[str]:
        return [re.escape(p) for p in sorted(phrases, key=lambda p: (-len(p), p))]

    def mentions(self, text: str | None) -> bool:
        if not text:
            return False
        return any(r is not None and r.search(text) for r in (self._loose, self._exact))

    def scrub(self, text: str, marker: str = MARKER) -> str:
        for regex in (self._loose, self._exact):
            if regex is not None:
                text = regex.sub(marker, text)
        return text

    def scrub_optional(self, text: str | None) -> str | None:
        return None if text is None else self.scrub(text)

    def scrub_value(self, value: Any) -> Any:
        """Any JSON-like value with every string scrubbed."""
        if isinstance(value, str):
            return self.scrub(value)
        if isinstance(value, dict):
            return {k: self.scrub_value(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return type(value)(self.scrub_value(v) for v in value)
        return value

    def finds_in(self, value: Any) -> bool:
        """Whether any string inside a JSON-like value mentions the person."""
        if isinstance(value, str):
            return self.mentions(value)
        if isinstance(value, dict):
            return any(self.finds_in(v) for v in value.values())
        if isinstance(value, list | tuple):
            return any(self.finds_in(v) for v in value)
        return False


def refers_to(value: Any, participant_id: str) -> bool:
    """Whether a JSON-like value holds ``participant_id`` as a value anywhere."""
    if isinstance(value, str):
        return value == participant_id
    if isinstance(value, dict):
        return any(refers_to(v, participant_id) for v in value.values())
    if isinstance(value, list | tuple):
        return any(refers_to(v, participant_id) for v in value)
    return False


# ---------------------------------------------------------------- erasure


@frozen(kw_only=True)
class Erasure:
    """What an erasure did: counts and ids only, never the values removed."""

    participant_id: str
    tombstone: Participant
    #: Ids of other records whose text or links were changed.
    changed: tuple[str, ...] = ()
    #: Subject access export files deleted (filled once the erasure committed).
    files_deleted: list[str] = field(factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"participant_id": self.participant_id,
                "erased_at": self.tombstone.erased_at and self.tombstone.erased_at.isoformat(),
                "changed": list(self.changed), "files_deleted": list(self.files_deleted)}


def tombstone(person: Participant, when: dt.datetime) -> Participant:
    """What is kept of an erased person: id, role, the day they were added, when erased."""
    created = dt.datetime.combine(person.created_at.date(), dt.time(), tzinfo=dt.UTC)
    return Participant(id=person.id, name=ERASED_NAME, role=person.role, created_at=created,
                       erased_at=when)


def erase(ws: Workspace, participant_id: str) -> Erasure:
    """Erase one person everywhere; see the module docstring for what is kept."""
    with ws.operation("participant.erase") as op:
        person = ws.participant(participant_id)
        if person.erased_at is not None:
            raise CoprodError(
                f"{person.id} was already erased on {person.erased_at:%Y-%m-%d}; nothing changed")
        result = _erase_in(ws, op, person)
    return result


def _erase_in(ws: Workspace, op: Operation, person: Participant) -> Erasure:
    dead = tombstone(person, ws.now())
    op.write("participants", dead, person)
    changed = sweep(ws, op, Matcher(person), person=person, author=person.id, plugins=True)

    files: list[str] = []
    matcher = Matcher(person, with_id=True)
    for doc in list(ws.storage.iterate(EXPORTS)):
        # Exports of other people can mention this person (a tension they
        # both took part in): those go too, to be made again if needed.
        if doc["participant_id"] == person.id or _file_mentions(doc["path"], matcher):
            files.append(doc["path"])
            op.delete(EXPORTS, doc["id"])
    op.needs_purge = True
    op.emit("participant.erased", dead)
    result = Erasure(participant_id=person.id, tombstone=dead, changed=tuple(changed))
    # Files are not part of the transaction: remove them once it has committed.
    op.after_commit.append(lambda: result.files_deleted.extend(_remove_files(files, ws.warn)))
    return result


def sweep(ws: Workspace, op: Operation, matcher: Matcher, *, person: Participant,
          author: str | None = None, plugins: bool = False) -> list[str]:
    """Replace what ``matcher`` finds in every record's text with :data:`MARKER`.

    ``person`` is the one being found, as they were before the change (their
    own record is the caller's to write); feedback by ``author`` is replaced
    whole. With ``plugins``, ``coprod_erase_participant`` runs before the
    sweep of other collections. Returns the ids changed.
    """
    from .storage import CORE_COLLECTIONS

    skip = person.id
    changed: list[str] = []
    # Collect the changed records first, write after: a backend may not like
    # writes in the middle of an iteration. Only changed ones are kept in memory.
    pending: list[tuple[str, Any, Any]] = []

    def collect(collection: str, pairs: Iterable[tuple[Any, Any]]) -> None:
        pending.extend((collection, b, a) for b, a in pairs if a != b)

    collect("participants", ((p, _scrub_participant(p, matcher)) for p in ws.participants()
                             if p.id != skip and p.erased_at is None))
    collect("sessions", ((s, _scrub_session(s, matcher, author)) for s in ws.sessions()))
    collect("tensions", ((t, _scrub_tension(t, matcher)) for t in ws.tensions()))
    collect("commitments", ((c, _scrub_commitment(c, matcher)) for c in ws.commitments()))
    for collection, before, after in pending:
        op.write(collection, after, before)
        changed.append(after.id)

    if plugins:
        _call_plugins(ws, "coprod_erase_participant", "erasing a participant",
                      participant_id=person.id, participant=person)

    # A safety net for plugin collections: no string anywhere still names them.
    core = {*CORE_COLLECTIONS, EXPORTS}
    for collection in ws.storage.collections():
        if collection in core:
            continue
        updates = []
        for doc in ws.storage.iterate(collection):
            scrubbed = matcher.scrub_value(doc)
            if scrubbed != doc:
                updates.append(scrubbed)
        for doc in updates:
            ws.storage.put(collection, doc)
            op.touch(doc["id"])
            changed.append(doc["id"])
    _scrub_audit(ws, matcher)
    return changed


def _scrub_audit(ws: Workspace, matcher: Matcher) -> None:
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
    import html

    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return matcher.mentions(text) or matcher.mentions(html.unescape(text))


def _remove_files(paths: Iterable[str], warn: Any) -> list[str]:
    removed = []
    for path in paths:
        try:
            Path(path).unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:
            warn(f"could not delete the export {path} ({exc.strerror}); delete it by hand")
            continue
        removed.append(path)
    return removed


def _scrub_actor(actor: str, matcher: Matcher) -> str:
    return MARKER if matcher.mentions(actor) else actor


def _scrub_participant(p: Participant, m: Matcher) -> Participant:
    consents = tuple(evolve(c, recorded_by=_scrub_actor(c.recorded_by, m)) for c in p.consents)
    demographics = tuple(evolve(d, value=m.scrub_value(d.value)) for d in p.demographics)
    return evolve(p, consents=consents, demographics=demographics, extra=m.scrub_value(p.extra))


def _scrub_session(s: Any, m: Matcher, author: str | None) -> Any:
    feedback = tuple(
        evolve(f, text=MARKER if f.participant_id == author else m.scrub(f.text))
        for f in s.feedback
    )
    return evolve(s, title=m.scrub(s.title), purpose=m.scrub_optional(s.purpose),
                  agreed_next=m.scrub_optional(s.agreed_next), feedback=feedback)


def _scrub_history(history: Iterable[Any], m: Matcher) -> tuple[Any, ...]:
    return tuple(evolve(step, note=m.scrub_optional(step.note),
                        actor=_scrub_actor(step.actor, m)) for step in history)


def _scrub_tension(t: Any, m: Matcher) -> Any:
    return evolve(t, description=m.scrub(t.description), history=_scrub_history(t.history, m))


def _scrub_commitment(c: Any, m: Matcher) -> Any:
    updates = tuple(evolve(u, note=m.scrub(u.note), actor=_scrub_actor(u.actor, m))
                    for u in c.updates)
    return evolve(c, description=m.scrub(c.description), scope=m.scrub_optional(c.scope),
                  history=_scrub_history(c.history, m), updates=updates)


def _call_plugins(ws: Workspace, hook: str, doing: str, **kwargs: Any) -> dict[str, Any]:
    """Call every implementation of ``hook``; a failure names the plugin and undoes all."""
    from .plugins import call_each

    results: dict[str, Any] = {}
    for plugin, call in call_each(ws.plugins, hook, workspace=ws, **kwargs):
        try:
            results[plugin] = call()
        except CoprodError:
            raise
        except Exception as exc:
            raise PluginError(
                f"plugin {plugin!r} failed while {doing} ({type(exc).__name__}: {exc}); "
                "nothing was changed"
            ) from exc
    return results


# ---------------------------------------------------------------- retention


@frozen(kw_only=True)
class Due:
    """A person whose record is due for review under the retention period."""

    participant_id: str
    role: str
    last_active: dt.date
    #: What they last did, in words: "attended S-4", "raised T-2"...
    last_activity: str
    due_since: dt.date

    @property
    def reason(self) -> str:
        return (f"inactive since {self.last_active} (last: {self.last_activity}); "
                f"due for review since {self.due_since}")

    def to_json(self) -> dict[str, Any]:
        return {"participant_id": self.participant_id, "role": self.role,
                "last_active": self.last_active.isoformat(), "last_activity": self.last_activity,
                "due_since": self.due_since.isoformat(), "reason": self.reason}


def last_activity(ws: Workspace) -> dict[str, tuple[dt.date, str]]:
    """Each person's (not erased) latest activity: the day and what it was.

    Activity is being added, a consent given or withdrawn, attending a
    session or sending apologies (not being absent), facilitating one, any
    move of a tension they raised or are party to, and any move or progress
    note of a commitment they made.
    """
    latest: dict[str, tuple[dt.date, str]] = {}

    def seen(pid: str, day: dt.date, what: str) -> None:
        if pid in latest and latest[pid][0] > day:
            return
        latest[pid] = (day, what)

    for p in ws.participants():
        if p.erased_at is not None:
            continue
        latest[p.id] = (p.created_at.date(), "added")
        for record in p.consents:
            state = "given" if record.given else "withdrawn"
            seen(p.id, record.at.date(), f"consent for {record.purpose} {state}")
    for s in ws.sessions():
        for a in s.attendance:
            if a.participant_id in latest and a.status != "absent":
                seen(a.participant_id, s.date, f"{a.status} {s.id}")
        for f in s.facilitators:
            if f in latest:
                seen(f, s.date, f"facilitated {s.id}")
    for t in ws.tensions():
        moved = t.history[-1].at.date()
        for pid in {t.raised_by, *t.between}:
            if pid in latest:
                seen(pid, moved, f"{'raised' if pid == t.raised_by else 'party to'} {t.id}")
    for promise in ws.commitments():
        if promise.made_by in latest:
            moved = max([promise.history[-1].at, *(u.at for u in promise.updates)]).date()
            seen(promise.made_by, moved, f"made {promise.id}")
    return latest


def review(ws: Workspace, today: dt.date | None = None) -> list[Due]:
    """The people inactive for longer than ``[privacy] retention``, longest first."""
    period = retention(ws)
    if period is None:
        raise CoprodError(
            "no retention period is set; add it to coprod.toml, for example: "
            "[privacy] retention = \"24 months\""
        )
    today = today or ws.today()
    roles = {p.id: p.role for p in ws.participants() if p.erased_at is None}
    due = []
    for pid, (day, what) in last_activity(ws).items():
        since = period.after(day)
        if since <= today:
            due.append(Due(participant_id=pid, role=roles[pid], last_active=day,
                           last_activity=what, due_since=since))
    return sorted(due, key=lambda d: (d.last_active, ids.number_of(d.participant_id)))


# ---------------------------------------------------------------- rights requests


def _optional_text(value: str | None) -> str | None:
    return (value or "").strip() or None


@frozen(kw_only=True)
class RightsRequest:
    """A request from a person to exercise a right over their data."""

    id: str
    type: str = field(validator=v.in_(REQUEST_TYPES))
    #: The participant it is about, when they are in the records.
    participant_id: str | None = None
    received: dt.date
    #: One calendar month after it was received (ICO guidance).
    due: dt.date
    done: dt.date | None = None
    note: str | None = field(default=None, converter=_optional_text)
    created_at: dt.datetime

    def status(self, today: dt.date) -> str:
        if self.done is not None:
            return "done late" if self.done > self.due else "done"
        return "overdue" if today > self.due else "open"

    def to_json(self, today: dt.date) -> dict[str, Any]:
        return {"id": self.id, "type": self.type, "participant_id": self.participant_id,
                "received": self.received.isoformat(), "due": self.due.isoformat(),
                "done": self.done and self.done.isoformat(), "note": self.note,
                "status": self.status(today)}


@frozen(kw_only=True)
class ExportRecord:
    """That a subject access export of a person was written, and where."""

    id: str
    participant_id: str
    #: The absolute path written, so that an erasure can delete the file.
    path: str
    format: str
    at: dt.datetime


def _declare_collections() -> None:
    from .records import add_collection

    add_collection(REQUESTS, prefix="R", word="rights request", record_type=RightsRequest)
    add_collection(EXPORTS, prefix="X", word="subject access export", record_type=ExportRecord)


def due_date(received: dt.date) -> dt.date:
    """One calendar month after ``received``: 3 March -> 3 April, 31 January -> 28/29 February."""
    return add_months(received, 1)


def requests(ws: Workspace) -> Iterator[RightsRequest]:
    return ws.records(REQUESTS)


def get_request(ws: Workspace, request_id: str) -> RightsRequest:
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
        record = RightsRequest(
            id=op.new_id(REQUESTS), type=kind, participant_id=pid, received=received,
            due=due_date(received), note=note, created_at=ws.now(),
        )
        op.write(REQUESTS, record)
        if pid:
            op.touch(pid)
    return record


def complete_request(ws: Workspace, request_id: str, *, on: dt.date | None = None
                     ) -> RightsRequest:
    """Mark a request done on ``on`` (default today)."""
    with ws.operation("privacy.request.done") as op:
        before = get_request(ws, request_id)
        if before.done is not None:
            raise CoprodError(f"{before.id} was already marked done on {before.done}")
        day = on or ws.today()
        if day < before.received:
            raise CoprodError(
                f"{before.id} was received on {before.received}; it cannot be done before")
        if day > ws.today():
            raise CoprodError(f"done date {day} is in the future")
        after = evolve(before, done=day)
        op.write(REQUESTS, after, before)
    return after


# ---------------------------------------------------------------- checks for `coprod doctor`


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


def retention_check(workspace: Workspace) -> list[dict[str, str]]:
    """Problems for ``coprod doctor``: people due for review under the retention period.

    Same shape as :func:`overdue_requests_check`; an empty list when no
    ``[privacy] retention`` is set or nobody is due.
    """
    period = retention(workspace)
    if period is None:
        return []
    due = review(workspace)
    if not due:
        return []
    return [{
        "message": f"{len(due)} participant{'s are' if len(due) != 1 else ' is'} past the "
                   f"retention period ({period} inactive)",
        "fix": "review them with `coprod privacy review`; erase with "
               "`coprod privacy review --erase`",
    }]


_declare_collections()
