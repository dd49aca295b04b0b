"""The subject access export as a letter a person can read: HTML and Markdown.

:func:`parts` turns what :func:`coprod_core.subject_access.collect` gathered
into blocks (headings, sentences, lists, tables) in plain English;
:func:`render_html` and :func:`render_markdown` write the same blocks. The
labels come from the workspace (:class:`Words`): the question each answer
was given to, role and category labels, and the words of each consent
statement, found by its version. Everything from the records is escaped:
HTML metacharacters in both formats, Markdown's too in Markdown, so that a
name such as ``<script>`` or ``[x](javascript:...)`` reads as written and
runs nothing, whatever shows the file.

One piece: the letter's blocks and their two renderings change together (a
kind of block added to :func:`parts` needs both writers), and the escaping
that keeps them safe is easiest to check beside them.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Mapping
from importlib import resources
from typing import TYPE_CHECKING, Any

from attrs import field, frozen

from .finder import REDACTED

if TYPE_CHECKING:
    from .workspace import Workspace

__all__ = ["Part", "Words", "parts", "purpose_words", "render_html", "render_markdown",
           "words_for"]


@frozen
class Part:
    """One block of the letter: a heading, a sentence, a list, a table or a quote."""

    kind: str  # "h1", "h2", "p", "note", "ul", "table", "quote"
    content: Any


def _mapping(value: Mapping[str, str]) -> dict[str, str]:
    return dict(value)


@frozen(kw_only=True)
class Words:
    """What the letter says things with, from the workspace it was made in."""

    #: The language of the page (``[workspace] lang``).
    lang: str = "en-GB"
    #: A consent statement's version (its hash, or a label) -> its words.
    statements: dict[str, str] = field(factory=dict, converter=_mapping)
    #: An answer's key (``age_band``, ``panel.contact``) -> the question asked.
    questions: dict[str, str] = field(factory=dict, converter=_mapping)
    #: Role name -> label.
    roles: dict[str, str] = field(factory=dict, converter=_mapping)
    #: Category name -> label (special and protected categories).
    categories: dict[str, str] = field(factory=dict, converter=_mapping)


def words_for(ws: Workspace) -> Words:
    """The labels and statements of ``ws``: its forms, roles and categories."""
    from .errors import CoprodError
    from .forms import statement_version
    from .forms.submit import catalogue

    statements: dict[str, str] = {}
    questions: dict[str, str] = {}
    try:
        forms = catalogue(ws).forms.values()
    except CoprodError:  # a broken form must not stop a person getting their data
        forms = ()  # type: ignore[assignment]
    for form in forms:
        for fld in form.fields:
            if fld.type == "consent":
                text = " ".join(str(fld.options.get("statement", "")).split())
                statements[statement_version(str(fld.options.get("statement", "")))] = text
            key = fld.demographic_key or fld.extra_key
            if key:
                questions.setdefault(key, fld.label)
    roles = {r: r.replace("_", " ").capitalize() for r in ws.config.roles}
    roles.update(ws.config.custom_roles)
    return Words(lang=ws.config.lang, statements=statements, questions=questions,
                 roles=roles, categories=ws.config.categories)


_PURPOSES = {
    "record": "keeping your record",
    "contact": "contacting you",
    "naming": "naming you in reports",
}

_OPERATIONS = {
    "participant.add": "your record was made",
    "participant.add_many": "your record was made (with others)",
    "participant.update": "your details were changed",
    "participant.consent": "an answer about consent was recorded",
    "participant.export": "a copy of your record was made",
    "participant.erase": "your details were erased",
    "session.attend": "attendance at a session was recorded",
    "session.rate": "where a session sat on the ladder was recorded",
    "privacy.request.add": "a request about your data was recorded",
    "privacy.request.done": "a request about your data was answered",
    "session.new": "a session was added",
    "session.update": "a session was changed",
    "tension.raise": "a tension was raised",
    "tension.move": "a tension moved on",
    "commitment.make": "a promise was made",
    "commitment.move": "a promise moved on",
    "commitment.update": "progress on a promise was noted",
}

#: What a record is, by the letter of its id.
_KINDS = {"P": "the record of", "S": "session", "T": "tension", "C": "promise",
          "R": "request", "X": "copy", "F": "form"}

#: A field of a record, in words; ``[n]`` is dropped first.
_FIELDS = {
    "title": "its title", "purpose": "what it was for", "agreed_next": "what was agreed next",
    "description": "its description", "scope": "what could be done",
    "history.note": "a note on a change", "history.actor": "who made a change",
    "updates.note": "a progress note", "updates.actor": "who wrote a progress note",
    "feedback.text": "what someone said", "consents.recorded_by": "who recorded a consent",
    "recorded_by": "who recorded it", "note": "a note",
}


def purpose_words(purpose: str, words: Words | None = None) -> str:
    """What a consent purpose is for, in plain words."""
    if purpose.startswith("special:"):
        category = purpose.split(":", 1)[1]
        label = (words.categories.get(category) if words else None) \
            or category.replace("_", " ")
        return f"keeping answers about your {label[:1].lower() + label[1:]}"
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


def _where(record: str, path: str) -> str:
    """``history[1].note`` of ``C-2`` as "Promise C-2, a note on a change"."""
    if record == REDACTED:
        what = "Another person's record"
    else:
        kind = _KINDS.get(record.split("-", 1)[0], "record")
        what = f"{kind[:1].upper()}{kind[1:]} {record}"
    plain = re.sub(r"\[\d+\]", "", path)
    return f"{what}, {_FIELDS.get(plain, plain.replace('_', ' ').replace('.', ' '))}"


def _answer(question: str, value: Any) -> str:
    """``How old are you? 30``, ``Age band: 35-44``: a question and its answer."""
    question = question.strip().replace("_", " ")
    if question.endswith(("?", ":")):
        return f"{question} {value}"
    return f"{question[:1].upper()}{question[1:]}: {value}"


def _answers(consents: list[dict[str, Any]]) -> list[str]:
    """Each consent record's answer: yes, or no, saying whether it was declined or withdrawn."""
    given_before: set[str] = set()
    out = []
    for doc in consents:
        if doc["given"]:
            given_before.add(doc["purpose"])
            out.append("yes")
        else:
            out.append("no (withdrawn)" if doc["purpose"] in given_before else "no (declined)")
    return out


def _consents(data: dict[str, Any], words: Words) -> list[Part]:
    consents = data["consents"]
    if not consents:
        return [Part("p", "We hold no record of consent.")]
    answers = _answers(consents)
    latest: dict[str, tuple[str, str]] = {}
    for doc, answer in zip(consents, answers, strict=True):
        latest[doc["purpose"]] = (answer, _when(doc["at"]))
    now = []
    for purpose, (answer, when) in latest.items():
        what = purpose_words(purpose, words)
        what = what[:1].upper() + what[1:]
        if answer == "yes":
            now.append(f"{what}: yes, since {when}.")
        elif answer == "no (declined)":
            now.append(f"{what}: you said no on {when}.")
        else:
            now.append(f"{what}: you said yes, then withdrew on {when}.")
    out = [Part("p", "Where each answer stands now:"), Part("ul", now),
           Part("p", "Every answer you gave, oldest first:"),
           Part("table", (
               ("Date", "For", "Your answer", "How", "Recorded by"),
               [(_when(c["at"]), purpose_words(c["purpose"], words), answer, c["method"],
                 c["recorded_by"]) for c, answer in zip(consents, answers, strict=True)],
           ))]
    versions = list(dict.fromkeys(c["statement_version"] for c in consents))
    out.append(Part("p", "What you were told when you were asked:"))
    for version in versions:
        text = words.statements.get(version)
        if text:
            out.append(Part("quote", text))
            out.append(Part("note", f"Version of this statement: {version}"))
        else:
            out.append(Part("note", f"Statement version {version}: we do not hold its words "
                                    "in coprod; ask us and we will send them."))
    return out


def parts(data: dict[str, Any], words: Words | None = None) -> list[Part]:
    """The letter as a list of blocks, for any output format."""
    words = words or Words()
    r = data["record"]
    org = data["organisation"] or "we"
    out = [
        Part("h1", f"What {org} {'hold' if org == 'we' else 'holds'} about you"),
        Part("p", f"This was made on {_when(data['made_at'])}. It lists everything coprod "
                  f"holds about you, under the number {data['about']}. "
                  "If anything is wrong, tell us and we will correct it."),
        Part("p", "Where a note also names someone else, we have written "
                  "[another person] instead: what is theirs is theirs to see."),
        Part("h2", "Your record"),
    ]
    if r.get("erased_at"):
        out.append(Part("p", f"Your details were erased on {_when(r['erased_at'])}. "
                             "We keep only your number, your role and the day you joined, "
                             "so that our totals stay true."))
    role = str(r.get("role", ""))
    rows = [("Name you chose", r.get("name")), ("Pseudonym", r.get("pseudonym")),
            ("Role", words.roles.get(role, role.replace("_", " "))), ("Email", r.get("email")),
            ("Phone", r.get("phone")), ("Added on", _when(r.get("created_at")))]
    out.append(Part("ul", [f"{k}: {v}" for k, v in rows if v]))
    if r.get("demographics"):
        out.append(Part("p", "Answers you gave about yourself:"))
        lines = []
        for d in r["demographics"]:
            line = _answer(words.questions.get(d["key"]) or d["key"], d["value"])
            if d.get("category"):
                label = words.categories.get(d["category"], d["category"].replace("_", " "))
                line += f" (kept with your consent: {label})"
            lines.append(line)
        out.append(Part("ul", lines))
    extra = r.get("extra", {})
    if extra:
        out.append(Part("p", "Other answers kept on your record:"))
        out.append(Part("ul", [_answer(words.questions.get(key) or key.rpartition(".")[2], line)
                               for key, value in sorted(extra.items())
                               for line in _flat(value)]))

    out.append(Part("h2", "What you agreed to"))
    out.extend(_consents(data, words))

    ratings = {x["session"]: x["rung"].replace("_", "-") for x in data["ratings"]}
    said = {x["session"]: x["text"] for x in data["feedback"]}
    out.append(Part("h2", "Sessions"))
    if data["sessions_attended"]:
        out.append(Part("table", (
            ("Date", "Session", "You were", "Where you felt it sat on the ladder",
             "What you said"),
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
    out.append(Part("ul", [f"{_where(m['record'], m['field'])}: {m['text']}"
                           for m in data["mentions"]] or ["None."]))
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
        [(_when(e.get("at")), e.get("actor", ""),
          _OPERATIONS.get(e.get("operation", ""),
                          e.get("operation", "").replace(".", " ").replace("_", " ")))
         for e in data["audit"]],
    )))
    return out


# ---------------------------------------------------------------- Markdown

#: Characters Markdown (CommonMark and its common extensions) gives a meaning
#: anywhere in a line: emphasis, code, links and images, tables, strikethrough.
_MD_INLINE = re.compile(r"([\\`*_{}\[\]#|~])")
#: What starts a block when it starts a line: a list, a quote, a heading rule.
_MD_LIST_NUMBER = re.compile(r"^(\d+)([.)])")


def md_escape(text: Any) -> str:
    """Text that Markdown shows as written: never a link, an image, raw HTML or markup.

    ``&`` and ``<`` become entities (CommonMark passes raw HTML through and
    decodes entities, so ``&lt;script`` must not become ``<script``); the
    ASCII punctuation Markdown gives a meaning to is backslash-escaped,
    which CommonMark shows as the character itself. Line breaks become
    spaces, so nothing typed can start a new block. ``(`` and ``!`` need no
    escape once ``[`` has one: without it there is no link or image.
    """
    value = " ".join(str(text).split())
    value = value.replace("&", "&amp;").replace("<", "&lt;")
    value = _MD_INLINE.sub(r"\\\1", value)
    if value[:1] in ("-", "+", ">", "="):
        return "\\" + value
    return _MD_LIST_NUMBER.sub(r"\1\\\2", value)


def render_markdown(data: dict[str, Any], words: Words | None = None) -> str:
    e = md_escape
    lines: list[str] = []
    for part in parts(data, words):
        if part.kind == "h1":
            lines += [f"# {e(part.content)}", ""]
        elif part.kind == "h2":
            lines += [f"## {e(part.content)}", ""]
        elif part.kind == "p":
            lines += [e(part.content), ""]
        elif part.kind == "note":
            lines += [f"*{e(part.content)}*", ""]
        elif part.kind == "quote":
            lines += [f"> {e(part.content)}", ""]
        elif part.kind == "ul":
            lines += [f"- {e(item)}" for item in part.content] + [""]
        elif part.kind == "table":
            headers, rows = part.content
            if not rows:
                lines += ["None.", ""]
                continue
            lines.append("| " + " | ".join(e(h) for h in headers) + " |")
            lines.append("|" + "---|" * len(headers))
            lines += ["| " + " | ".join(e(c) for c in row) + " |" for row in rows]
            lines.append("")
    return "\n".join(lines)


# ---------------------------------------------------------------- HTML


def _css() -> str:
    return resources.files(__package__).joinpath("access_letter.css").read_text(
        encoding="utf-8")


def render_html(data: dict[str, Any], words: Words | None = None) -> str:
    words = words or Words()
    e = html.escape
    body: list[str] = []
    title = ""
    for part in parts(data, words):
        if part.kind == "h1":
            title = str(part.content)
        elif part.kind in ("h2", "p"):
            body.append(f"<{part.kind}>{e(str(part.content))}</{part.kind}>")
        elif part.kind == "note":
            body.append(f'<p class="note">{e(str(part.content))}</p>')
        elif part.kind == "quote":
            body.append(f"<blockquote><p>{e(str(part.content))}</p></blockquote>")
        elif part.kind == "ul":
            body.append("<ul>" + "".join(f"<li>{e(str(i))}</li>" for i in part.content)
                        + "</ul>")
        elif part.kind == "table":
            headers, rows = part.content
            if not rows:
                body.append("<p>None.</p>")
                continue
            head = "".join(f'<th scope="col">{e(h)}</th>' for h in headers)
            cells = "".join(
                "<tr>" + "".join(f'<td data-label="{e(h)}">{e(str(c))}</td>'
                                 for h, c in zip(headers, row, strict=True)) + "</tr>"
                for row in rows)
            body.append(f'<table class="cards"><thead><tr>{head}</tr></thead>'
                        f"<tbody>{cells}</tbody></table>")
    org = data.get("organisation") or ""
    page_title = f"Your record ({data['about']})"
    masthead = (f'<p class="org">{e(org)}</p>\n' if org else "") + f"<h1>{e(title)}</h1>"
    return (
        f'<!DOCTYPE html>\n<html lang="{e(words.lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'\">\n"
        f"<title>{e(page_title)}</title>\n"
        f"<style>\n{_css()}</style>\n</head>\n<body>\n"
        f'<header class="masthead"><div class="wrap">\n{masthead}\n</div></header>\n'
        '<main class="wrap" id="main">\n' + "\n".join(body) + "\n</main>\n"
        '<footer class="wrap"><p>Made with coprod. If anything here is wrong, or you want us '
        "to delete it, tell us.</p></footer>\n</body>\n</html>\n"
    )
