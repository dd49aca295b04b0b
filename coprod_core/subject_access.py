"""Subject access: everything held about one person, as JSON and as a letter.

:func:`collect` takes what :func:`coprod_core.finder.find` found (the same
finder erasure uses) and arranges it: their record and consents, sessions
they attended or facilitated, their ratings and feedback, tensions they
raised or are party to, commitments they made, text elsewhere that mentions
them (by name, pseudonym, email, phone or id), rights requests, exports,
audit entries naming them or made by them, what plugins hold
(``coprod_subject_access``) and every record of another collection found.
Other people in it are redacted. :mod:`coprod_core.access_letter` writes
it as a letter (:func:`render_html`, :func:`render_markdown`).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import serialise
from .access_letter import (  # noqa: F401 (the letter's names, as they were here)
    Part,
    Words,
    parts,
    purpose_words,
    render_html,
    render_markdown,
    words_for,
)
from .finder import REDACTED, Found, Others, Place, audit_names, find  # noqa: F401
from .protection.records import EXPORTS, REQUESTS

if TYPE_CHECKING:
    from .workspace import Workspace

FORMATS = ("json", "html", "markdown")
_SUFFIXES = {".json": "json", ".html": "html", ".htm": "html", ".md": "markdown",
             ".markdown": "markdown"}


def _doc(record: Any) -> Any:
    doc = serialise.converter.unstructure(record)
    if isinstance(doc, dict):
        doc.pop("schema_version", None)
    return doc


def _plain(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != "schema_version"}


_PATH_PART = re.compile(r"[^.\[\]]+|\[\d+\]")


def value_at(doc: Any, path: str) -> Any:
    """The value at a finder's field path (``history[1].note``) in a document."""
    value = doc
    pending = ""  # keys may hold dots themselves (``extra.panel.contact``)
    for part in _PATH_PART.findall(path):
        if part.startswith("["):
            value = value[int(part[1:-1])]
            continue
        key = f"{pending}.{part}" if pending else part
        if isinstance(value, dict) and key in value:
            value, pending = value[key], ""
        else:
            pending = key
    if pending:
        raise KeyError(path)
    return value


def collect(ws: Workspace, participant_id: str, found: Found | None = None) -> dict[str, Any]:
    """Everything held about one person, as a JSON-ready dict.

    Built from :func:`coprod_core.finder.find`, the finder erasure uses, so
    it shows whatever an erasure of the person would change. Other people
    are redacted (:class:`~coprod_core.finder.Others`): their names,
    pseudonyms, contact details and ids read ``[another person]``. ``held``
    lists every record and field found.
    """
    from .services.base import call_plugins

    person = ws.participant(participant_id)
    pid = person.id
    found = found or find(ws, person)
    others = Others(ws.storage.iterate("participants"), person)
    hide = others.redact_value
    out: dict[str, Any] = {
        "about": pid,
        "organisation": ws.config.org,
        "made_at": ws.now().isoformat(),
        "record": _doc(person),
        "consents": [_doc(c) for c in person.consents],
        "sessions_attended": [], "sessions_facilitated": [], "ratings": [], "feedback": [],
        "tensions": [], "commitments": [], "mentions": [], "rights_requests": [],
        "exports": [], "audit": [], "plugins": {}, "other_records": {}, "held": [],
    }

    def mention(place: Place, doc: dict[str, Any], skip: tuple[str, ...] = ()) -> None:
        for path in place.fields:
            if path.startswith(skip):
                continue
            text = value_at(doc, path)
            if isinstance(text, str):
                out["mentions"].append({"record": _record_id(place, pid), "field": path,
                                        "text": others.redact(text)})

    for place in found.places:
        doc = found.docs[(place.collection, place.record_id)]
        out["held"].append({**place.to_json(), "record": _record_id(place, pid)})
        if place.collection == "participants":
            if place.record_id != pid:
                mention(place, doc)
        elif place.collection == "sessions":
            s = serialise.structure("sessions", doc)
            status = s.status_of(pid)
            title = others.redact(s.title)
            if status is not None:
                out["sessions_attended"].append(
                    {"session": s.id, "title": title, "date": s.date.isoformat(),
                     "status": str(status)})
            if pid in s.facilitators:
                out["sessions_facilitated"].append(
                    {"session": s.id, "title": title, "date": s.date.isoformat()})
            out["ratings"].extend({"session": s.id, "rung": str(r.rung)}
                                  for r in s.ratings if r.participant_id == pid)
            out["feedback"].extend({"session": s.id, "text": others.redact(f.text)}
                                   for f in s.feedback if f.participant_id == pid)
            own = tuple(f"feedback[{i}]" for i, f in enumerate(s.feedback)
                        if f.participant_id == pid)
            mention(place, doc, ("attendance", "ratings", "facilitators", *own))
        elif place.collection == "tensions":
            roles = [r for r, yes in (("raised it", doc.get("raised_by") == pid),
                                      ("party to it", pid in doc.get("between", ()))) if yes]
            if roles:
                out["tensions"].append({"how": roles, **hide(_plain(doc))})
            else:
                mention(place, doc)
        elif place.collection == "commitments":
            if doc.get("made_by") == pid:
                out["commitments"].append(hide(_plain(doc)))
            else:
                mention(place, doc)
        elif place.collection == REQUESTS and place.whole:
            out["rights_requests"].append(hide(_plain(doc)))
        elif place.collection == EXPORTS and place.whole:
            out["exports"].append(_plain(doc))
        else:
            shown = (hide(_plain(doc)) if place.whole else
                     {"id": doc.get("id"), **{p: hide(value_at(doc, p)) for p in place.fields}})
            out["other_records"].setdefault(place.collection, []).append(shown)
    out["audit"] = [{**e, "actor": others.redact(str(e.get("actor", ""))),
                     "ids": [others.redact_id(str(i)) for i in e.get("ids") or ()]}
                    for e in found.audit]
    held = call_plugins(ws, "coprod_subject_access", "collecting a subject access export",
                         participant=person)
    out["plugins"] = {name: hide(data) for name, data in held.items() if data}
    return out


def _record_id(place: Place, pid: str) -> str:
    """A record's id as the export shows it: another person's record id is theirs."""
    if place.collection == "participants" and place.record_id != pid:
        return REDACTED
    return place.record_id


# ---------------------------------------------------------------- formats


def render(data: dict[str, Any], fmt: str, words: Words | None = None) -> str:
    """The export in ``fmt``: JSON (portable, complete) or the letter in HTML or Markdown."""
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt == "html":
        return render_html(data, words)
    return render_markdown(data, words)


def format_for(path: Path, fmt: str | None) -> str:
    """The format asked for, or the one the file's suffix names (JSON otherwise)."""
    if fmt is None:
        return _SUFFIXES.get(path.suffix.lower(), "json")
    if fmt not in FORMATS:
        from .errors import InvalidValue

        raise InvalidValue("export format", fmt, FORMATS)
    return fmt


def export(ws: Workspace, participant_id: str, path: str | Path, *, fmt: str | None = None,
           force: bool = False) -> Path:
    """Write one person's subject access export to ``path``, atomically.

    Refuses a path that exists unless ``force``. The export is recorded (in
    the ``exports`` collection, with the path) so that erasing the person
    later deletes the file too.
    """
    from .files import atomic_write, check_output, data_hash, ledger_of
    from .protection.records import ExportRecord

    target = check_output(Path(path).expanduser().absolute(), force=force)
    chosen = format_for(target, fmt)
    with ws.operation("participant.export") as op:
        person = ws.participant(participant_id)
        text = render(collect(ws, person.id), chosen, words_for(ws))
        record = ExportRecord(id=op.new_id(EXPORTS), participant_id=person.id,
                              path=str(target), format=chosen, at=ws.now(),
                              content_hash=data_hash(text))
        op.write(EXPORTS, record)
        op.touch(person.id)
        atomic_write(target, text, ledger=ledger_of(ws.root))
    return target
