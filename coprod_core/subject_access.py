"""Subject access: everything held about one person, as JSON and in plain English.

:func:`collect` walks every collection once and gathers what concerns the
person: their record and consents, sessions they attended or facilitated,
their ratings and feedback, tensions they raised or are party to,
commitments they made, text elsewhere that mentions them (by name,
pseudonym, email, phone or id), rights requests, exports, audit entries
naming them, what plugins hold (``coprod_subject_access``) and any record
of another collection that refers to them. :func:`render_markdown` and
:func:`render_html` write the same content for the person to read.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attrs import frozen

from . import serialise
from .errors import CoprodError
from .protection.matcher import Matcher, refers_to
from .protection.records import EXPORTS, OWN_COLLECTIONS, REQUESTS
from .services.audit import names as audit_names
from .storage import CORE_COLLECTIONS

__all__ = ["FORMATS", "audit_names", "collect", "export", "parts", "render"]

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


def collect(ws: Workspace, participant_id: str) -> dict[str, Any]:
    """Everything held about one person, as a JSON-ready dict."""
    from .services.base import call_plugins

    person = ws.participant(participant_id)
    pid = person.id
    match = Matcher(person, with_id=True)
    out: dict[str, Any] = {
        "about": pid,
        "organisation": ws.config.org,
        "made_at": ws.now().isoformat(),
        "record": _doc(person),
        "consents": [_doc(c) for c in person.consents],
        "sessions_attended": [], "sessions_facilitated": [], "ratings": [], "feedback": [],
        "tensions": [], "commitments": [], "mentions": [], "rights_requests": [],
        "exports": [], "audit": [], "plugins": {}, "other_records": {},
    }

    def mention(record_id: str, where: str, text: str | None) -> None:
        if match.mentions(text):
            out["mentions"].append({"record": record_id, "field": where, "text": text})

    def history(record_id: str, steps: Any, label: str = "history") -> None:
        for i, step in enumerate(steps):
            mention(record_id, f"{label}[{i}].note", step.note)
            mention(record_id, f"{label}[{i}].actor", step.actor)

    for s in ws.sessions():
        status = s.status_of(pid)
        if status is not None:
            out["sessions_attended"].append(
                {"session": s.id, "title": s.title, "date": s.date.isoformat(),
                 "status": str(status)})
        if pid in s.facilitators:
            out["sessions_facilitated"].append(
                {"session": s.id, "title": s.title, "date": s.date.isoformat()})
        out["ratings"].extend({"session": s.id, "rung": str(r.rung)}
                              for r in s.ratings if r.participant_id == pid)
        for f in s.feedback:
            if f.participant_id == pid:
                out["feedback"].append({"session": s.id, "text": f.text})
            else:
                mention(s.id, "feedback", f.text)
        for name in ("title", "purpose", "agreed_next"):
            mention(s.id, name, getattr(s, name))
    for t in ws.tensions():
        roles = [r for r, yes in (("raised it", t.raised_by == pid),
                                  ("party to it", pid in t.between)) if yes]
        if roles:
            out["tensions"].append({"how": roles, **_doc(t)})
        else:
            mention(t.id, "description", t.description)
            history(t.id, t.history)
    for c in ws.commitments():
        if c.made_by == pid:
            out["commitments"].append(_doc(c))
        else:
            for name in ("description", "scope"):
                mention(c.id, name, getattr(c, name))
            history(c.id, c.history)
            history(c.id, c.updates, "updates")
    for other in ws.participants():
        if other.id != pid:
            for i, record in enumerate(other.consents):
                mention(other.id, f"consents[{i}].recorded_by", record.recorded_by)
    for doc in ws.storage.iterate(REQUESTS, {"participant_id": pid}):
        out["rights_requests"].append({k: v for k, v in doc.items() if k != "schema_version"})
    for doc in ws.storage.iterate(EXPORTS, {"participant_id": pid}):
        out["exports"].append({k: v for k, v in doc.items() if k != "schema_version"})
    out["audit"] = [e for e in ws.audit() if audit_names(e.get("ids"), pid)]
    held = call_plugins(ws, "coprod_subject_access", "collecting a subject access export",
                         participant=person)
    out["plugins"] = {name: data for name, data in held.items() if data}
    core = {*CORE_COLLECTIONS, *OWN_COLLECTIONS}
    for collection in ws.storage.collections():
        if collection in core:
            continue
        # An account's password hash is not information about the person.
        found = [{k: v for k, v in doc.items() if k not in ("schema_version", "password_hash")}
                 for doc in ws.storage.iterate(collection)
                 if refers_to(doc, pid) or match.finds_in(doc)]
        if found:
            out["other_records"][collection] = found
    return out


# ---------------------------------------------------------------- readable version


@frozen
class Part:
    """One block of the readable export: a heading, a sentence, a list or a table."""

    kind: str  # "h1", "h2", "p", "ul", "table"
    content: Any


_PURPOSES = {
    "record": "keeping your record",
    "contact": "contacting you",
    "naming": "naming you in reports",
}


def purpose_words(purpose: str) -> str:
    if purpose.startswith("special:"):
        return f"keeping answers about your {purpose.split(':', 1)[1].replace('_', ' ')}"
    return _PURPOSES.get(purpose, purpose)


def _when(value: str | None) -> str:
    if not value:
        return ""
    try:
        return f"{dt.datetime.fromisoformat(value):%d %B %Y}".lstrip("0")
    except ValueError:
        return value


def _flat(value: Any, prefix: str = "") -> list[str]:
    if isinstance(value, dict):
        items = []
        for k, v in value.items():
            items.extend(_flat(v, f"{prefix}{k}: "))
        return items
    if isinstance(value, list):
        return [line for v in value for line in _flat(v, prefix)]
    return [f"{prefix}{value}"]


def parts(data: dict[str, Any]) -> list[Part]:
    """The readable export as a list of blocks, for any output format."""
    r = data["record"]
    org = data["organisation"] or "we"
    out = [
        Part("h1", f"What {org} {'hold' if org == 'we' else 'holds'} about you"),
        Part("p", f"This was made on {_when(data['made_at'])}. It lists everything coprod "
                  f"holds about you, under the number {data['about']}. "
                  "If anything is wrong, tell us and we will correct it."),
        Part("h2", "Your record"),
    ]
    if r.get("erased_at"):
        out.append(Part("p", f"Your details were erased on {_when(r['erased_at'])}. "
                             "We keep only your number, your role and the day you joined, "
                             "so that our totals stay true."))
    rows = [("Name you chose", r.get("name")), ("Pseudonym", r.get("pseudonym")),
            ("Role", str(r.get("role", "")).replace("_", " ")), ("Email", r.get("email")),
            ("Phone", r.get("phone")), ("Added on", _when(r.get("created_at")))]
    out.append(Part("ul", [f"{k}: {v}" for k, v in rows if v]))
    if r.get("demographics"):
        out.append(Part("p", "Answers you gave about yourself:"))
        out.append(Part("ul", [f"{d['key']}: {d['value']}" for d in r["demographics"]]))
    for key, value in sorted(r.get("extra", {}).items()):
        out.append(Part("ul", [f"{key}: {line}" for line in _flat(value)]))

    out.append(Part("h2", "What you agreed to"))
    if data["consents"]:
        out.append(Part("table", (
            ("Date", "For", "Your answer", "How", "Statement", "Recorded by"),
            [(_when(c["at"]), purpose_words(c["purpose"]), "yes" if c["given"] else "withdrawn",
              c["method"], c["statement_version"], c["recorded_by"]) for c in data["consents"]],
        )))
    else:
        out.append(Part("p", "We hold no record of consent."))

    ratings = {x["session"]: x["rung"].replace("_", "-") for x in data["ratings"]}
    said = {x["session"]: x["text"] for x in data["feedback"]}
    out.append(Part("h2", "Sessions"))
    if data["sessions_attended"]:
        out.append(Part("table", (
            ("Date", "Session", "You were", "Where you felt it sat on the ladder", "What you said"),
            [(s["date"], f"{s['title']} ({s['session']})", s["status"],
              ratings.get(s["session"], ""), said.get(s["session"], ""))
             for s in data["sessions_attended"]],
        )))
    else:
        out.append(Part("p", "We hold no record of you at a session."))
    if data["sessions_facilitated"]:
        out.append(Part("p", "Sessions you facilitated:"))
        out.append(Part("ul", [f"{s['date']}: {s['title']} ({s['session']})"
                               for s in data["sessions_facilitated"]]))

    out.append(Part("h2", "Tensions you raised or are part of"))
    out.append(Part("ul", [f"{t['id']} ({' and '.join(t['how'])}): {t['description']} "
                           f"Now: {t['status']}." for t in data["tensions"]]
                    or ["None."]))
    out.append(Part("h2", "Promises you made"))
    out.append(Part("ul", [f"{c['id']}: {c['description']} Now: {c['status'].replace('_', ' ')}."
                           for c in data["commitments"]] or ["None."]))
    for c in data["commitments"]:
        if c.get("updates"):
            out.append(Part("ul", [f"{c['id']} progress, {_when(u['at'])}: {u['note']}"
                                   for u in c["updates"]]))
    out.append(Part("h2", "Notes that mention you"))
    out.append(Part("ul", [f"{m['record']} ({m['field']}): {m['text']}" for m in data["mentions"]]
                    or ["None."]))
    out.append(Part("h2", "Requests you made about your data"))
    out.append(Part("ul", [f"{q['id']}: {q['type']}, received {q['received']}, due {q['due']}"
                           + (f", done {q['done']}" if q.get("done") else "")
                           for q in data["rights_requests"]] or ["None."]))
    if data["exports"]:
        out.append(Part("h2", "Copies of this record we made for you"))
        out.append(Part("ul", [f"{_when(x['at'])}: {x['format']}" for x in data["exports"]]))
    for name, held in data["plugins"].items():
        out.append(Part("h2", f"Held by the {name} add-on"))
        out.append(Part("ul", _flat(held)))
    for collection, docs in data["other_records"].items():
        out.append(Part("h2", f"Other records ({collection.replace('_', ' ')})"))
        for doc in docs:
            out.append(Part("ul", [f"{k.replace('_', ' ')}: {line}" for k, v in doc.items()
                                   if v not in (None, "", [], {}) for line in _flat(v)]))
    out.append(Part("h2", "Changes to your record"))
    out.append(Part("p", "Each change is logged: when, who made it and what it was. "
                         "The log never holds the details themselves."))
    out.append(Part("table", (
        ("When", "Who", "What"),
        [(_when(e.get("at")), e.get("actor", ""), e.get("operation", "").replace(".", " "))
         for e in data["audit"]],
    )))
    return out


def _md(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_markdown(data: dict[str, Any]) -> str:
    lines: list[str] = []
    for part in parts(data):
        if part.kind == "h1":
            lines += [f"# {_md(part.content)}", ""]
        elif part.kind == "h2":
            lines += [f"## {_md(part.content)}", ""]
        elif part.kind == "p":
            lines += [_md(part.content), ""]
        elif part.kind == "ul":
            lines += [f"- {_md(item)}" for item in part.content] + [""]
        elif part.kind == "table":
            headers, rows = part.content
            if not rows:
                lines += ["None.", ""]
                continue
            lines.append("| " + " | ".join(headers) + " |")
            lines.append("|" + "---|" * len(headers))
            lines += ["| " + " | ".join(_md(c) for c in row) + " |" for row in rows]
            lines.append("")
    return "\n".join(lines)


def render_html(data: dict[str, Any]) -> str:
    e = html.escape
    body: list[str] = []
    for part in parts(data):
        if part.kind in ("h1", "h2", "p"):
            body.append(f"<{part.kind}>{e(str(part.content))}</{part.kind}>")
        elif part.kind == "ul":
            body.append("<ul>" + "".join(f"<li>{e(str(i))}</li>" for i in part.content)
                        + "</ul>")
        elif part.kind == "table":
            headers, rows = part.content
            if not rows:
                body.append("<p>None.</p>")
                continue
            head = "".join(f"<th scope=\"col\">{e(h)}</th>" for h in headers)
            cells = "".join("<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in row) + "</tr>"
                            for row in rows)
            body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{cells}</tbody></table>")
    title = e(f"Your record ({data['about']})")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>{title}</title>\n<style>body{{font-family:sans-serif;max-width:48rem;"
        "margin:2rem auto;line-height:1.5}table{border-collapse:collapse}"
        "td,th{border:1px solid #999;padding:.3rem;text-align:left}</style>\n</head>\n"
        "<body>\n" + "\n".join(body) + "\n</body>\n</html>\n"
    )


def render(data: dict[str, Any], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt == "html":
        return render_html(data)
    return render_markdown(data)


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
    from .config import write_atomic
    from .protection.records import ExportRecord

    target = Path(path).expanduser().absolute()
    chosen = format_for(target, fmt)
    if target.is_dir():
        raise CoprodError(f"{target} is a folder; name a file to write the export to")
    if target.exists() and not force:
        raise CoprodError(f"{target} already exists; choose another file or add --force "
                          "to replace it")
    if not target.parent.is_dir():
        raise CoprodError(f"cannot write {target}: folder {target.parent} does not exist")
    with ws.operation("participant.export") as op:
        person = ws.participant(participant_id)
        text = render(collect(ws, person.id), chosen)
        record = ExportRecord(id=op.new_id(EXPORTS), participant_id=person.id,
                              path=str(target), format=chosen, at=ws.now())
        op.write(EXPORTS, record)
        op.touch(person.id)
        try:
            write_atomic(target, text)
        except OSError as exc:
            raise CoprodError(f"cannot write {target}: {exc.strerror}") from None
    return target
