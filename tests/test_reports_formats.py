"""Formats: escaping of every text field, spreadsheet safety, the JSON schema, templates."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from coprod_core.errors import ConfigError
from coprod_core.model import Demographic
from coprod_core.reports import Files, Params, build, format_named, render, render_bytes
from coprod_core.testing import FakeClock
from coprod_core.workspace import Workspace

ROOT = Path(__file__).resolve().parent.parent
PAYLOADS = (
    '<script>alert("x")</script>',
    "\"><img src=x onerror=alert('y')>",
    '=HYPERLINK("http://evil.example","click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A2)",
    "x\tTAB",
    "x\rCR",
    "x\nLF",
    "{n} & ' \" `code` | pipe *star* _under_ [link](javascript:alert(1))",
)
ALL_KINDS = ("summary", "commitments", "tensions", "participation", "ladder", "session")
#: Every element and attribute the built-in HTML may contain.
TAGS = {"html", "head", "meta", "title", "style", "body", "header", "div", "p", "h1", "h2",
        "h3", "main", "section", "aside", "strong", "ul", "li", "span", "table", "caption",
        "thead", "tbody", "tfoot", "tr", "th", "td", "abbr", "figure", "figcaption", "svg",
        "line", "text", "rect", "polyline", "circle", "desc", "details", "summary", "footer"}


def line(text: str) -> str:
    """A payload as a one-line field (a name, a title) may hold it: no tabs or line breaks."""
    return " ".join(text.replace("\t", " ").splitlines())


def hostile(plugin_manager: Any) -> Workspace:
    """A workspace whose every text field holds a payload (one-line fields, one line)."""
    clock = FakeClock()
    payload = iter(PAYLOADS * 20)
    ws = Workspace.in_memory(
        org=PAYLOADS[0] + PAYLOADS[2], plugins=plugin_manager, clock=clock, actor=PAYLOADS[1],
        data={"roles": {"custom": {"carer": PAYLOADS[0]}},
              "reports": {"demographics": ["ethnicity", PAYLOADS[1]]}},
    )
    people = []
    for i in range(12):
        role = ("lived_experience", "staff", "carer")[i % 3]
        person = ws.add_participant(f"N{i}{line(next(payload))}", role=role,
                                    pseudonym=line(next(payload)) if i % 2 else None)
        ws.record_consent(person.id, "naming", given=True, statement_version=line(next(payload)),
                          method="written")
        ws.record_consent(person.id, "special:ethnicity", given=True, statement_version="v",
                          method="written")
        ws.update_participant(person.id, demographics=(
            Demographic(key="ethnicity", value=next(payload), category="ethnicity"),
            Demographic(key=PAYLOADS[1], value=next(payload))))
        people.append(person.id)
    for n in range(3):
        clock.set(dt.date(2026, 1 + n, 5))
        session = ws.new_session(f"S{n}{line(next(payload))}", date=clock.now.date(),
                                 purpose=next(payload), agreed_next=next(payload))
        ws.attend(session.id, people)
        for pid in people:
            ws.rate(session.id, pid, ("co_design", "informing", "engagement")[n])
        tension = ws.raise_tension(next(payload), kind="power", session_id=session.id,
                                   note=next(payload))
        clock.advance(days=2)
        ws.move_tension(tension.id, "acknowledged", note=next(payload))
        ws.move_tension(tension.id, "held", note=next(payload))
        commitment = ws.make_commitment(
            next(payload), made_by=people[1], authority="can_decide", scope=next(payload),
            due=dt.date(2026, 6, 1), session_id=session.id, answers=[tension.id],
            note=next(payload))
        ws.move_commitment(commitment.id, "agreed", note=next(payload))
        ws.update_commitment(commitment.id, next(payload))
    return ws


@pytest.fixture
def ws(plugin_manager):
    workspace = hostile(plugin_manager)
    yield workspace
    workspace.close()


def outputs(ws: Workspace, fmt: str) -> dict[str, Any]:
    """Every kind in ``fmt``, with names on: kind -> bytes or {file: bytes}."""
    found = {}
    for kind in ALL_KINDS:
        args = ("S-1",) if kind == "session" else ()
        report = build(ws, kind, Params(names=True, args=args))
        out = render(report, format_named(ws.plugins, fmt), {"workspace": ws})
        if isinstance(out, Files):
            found[kind] = {name: b"".join((c,) if isinstance(c, bytes) else c)
                           for name, c in out}
        else:
            found[kind] = out if isinstance(out, bytes) else b"".join(out)
    return found


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes.update(name for name, _value in attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_escapes_every_text_field(ws):
    for kind, page in outputs(ws, "html").items():
        text = page.decode("utf-8")
        parser = Tags()
        parser.feed(text)
        assert parser.tags <= TAGS, kind
        assert not any(a.startswith("on") for a in parser.attributes), kind
        assert "<script" not in text and "<img" not in text, kind
        # The payloads are there, as text people can read.
        assert any('<script>alert("x")</script>' in t for t in parser.text), kind


def test_html_is_self_contained(ws):
    page = outputs(ws, "html")["summary"].decode()
    assert "Content-Security-Policy" in page
    assert "http://" not in page.replace("http://www.w3.org/2000/svg", "") \
        .replace("http://evil.example", "")
    assert "<link" not in page and "@import" not in page and "url(" not in page


def test_csv_prefixes_every_formula_and_quotes_every_field(ws):
    everything = ""
    for kind, files in outputs(ws, "csv").items():
        assert "00-about.csv" in files
        for name, data in files.items():
            assert data.startswith(b"\xef\xbb\xbf"), (kind, name)
            text = data.decode("utf-8-sig")
            assert text.startswith('"'), (kind, name)
            for row in csv.reader(io.StringIO(text)):
                for value in row:
                    if value.startswith(("=", "+", "-", "@", "\t", "\r", "\n")):
                        float(value)  # only numbers may start so (a negative gap)
            everything += text
    for payload in PAYLOADS[2:6]:
        assert f"'{payload}" in everything.replace('""', '"')


def test_csv_keeps_numbers_as_numbers(plugin_manager):
    from coprod_core.reports import Column, Report, Section, Table, ValueType
    from coprod_core.reports.disclosure import Rule, apply

    report = apply(Report(kind="k", title="T", generated_at=dt.datetime.now(dt.UTC),
                          sections=[Section(title="S", blocks=[Table(
                              title="Numbers", columns=(
                                  Column(key="a", label="A"),
                                  Column(key="b", label="B", type=ValueType.NUMBER)),
                              rows=[("Ælfrida -x", -1.5), ("Zoë", 12)])])]), Rule())
    files = dict(render(report, format_named(plugin_manager, "csv")))
    body = b"".join(files["01-numbers.csv"]).decode("utf-8-sig")
    assert body.splitlines() == ['"A","B"', '"Ælfrida -x","-1.5"', '"Zoë","12"']


def test_markdown_escapes_markup(ws):
    for kind, data in outputs(ws, "markdown").items():
        text = data.decode()
        assert not re.search(r"(?<!\\)[<>]", text.replace("\n> **", "\n")), kind
        assert "[link](javascript" not in text, kind


def validate(instance: Any, schema: dict[str, Any], root: dict[str, Any], path: str = "$"
             ) -> None:
    """A small JSON Schema checker: the keywords docs/report-schema.json uses."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        return validate(instance, root["$defs"][name], root, path)
    if "anyOf" in schema:
        errors = []
        for option in schema["anyOf"]:
            try:
                validate(instance, option, root, path)
                return None
            except AssertionError as exc:
                errors.append(str(exc))
        raise AssertionError(f"{path}: matches no option: {errors}")
    if "const" in schema:
        assert instance == schema["const"], path
    if "enum" in schema:
        assert instance in schema["enum"], f"{path}: {instance!r}"
    kinds = schema.get("type")
    if kinds:
        kinds = kinds if isinstance(kinds, list) else [kinds]
        checks = {"object": dict, "array": list, "string": str, "boolean": bool,
                  "null": type(None), "integer": int, "number": (int, float)}
        ok = any(isinstance(instance, checks[k]) and not (
            k in ("integer", "number") and isinstance(instance, bool)) for k in kinds)
        assert ok, f"{path}: {instance!r} is not {kinds}"
    if isinstance(instance, dict):
        for key in schema.get("required", ()):
            assert key in instance, f"{path}: missing {key}"
        props = schema.get("properties", {})
        if schema.get("additionalProperties") is False:
            extra = set(instance) - set(props)
            assert not extra, f"{path}: unexpected {extra}"
        for key, value in instance.items():
            if key in props:
                validate(value, props[key], root, f"{path}.{key}")
            elif isinstance(schema.get("additionalProperties"), dict):
                validate(value, schema["additionalProperties"], root, f"{path}.{key}")
    if isinstance(instance, list) and "items" in schema:
        for i, item in enumerate(instance):
            validate(item, schema["items"], root, f"{path}[{i}]")
    return None


def test_json_matches_the_documented_schema(ws):
    schema = json.loads((ROOT / "docs" / "report-schema.json").read_text())
    for kind, data in outputs(ws, "json").items():
        document = json.loads(data)
        assert document["schema_version"] == 1
        assert document["kind"] == kind
        validate(document, schema, schema)


def test_json_marks_hidden_cells(plugin_manager):
    from reports_support import small_workspace

    ws = small_workspace(plugin_manager)
    document = json.loads(render_bytes(build(ws, "summary"),
                                       format_named(plugin_manager, "json")))
    people = next(b for s in document["sections"] for b in s["blocks"]
                  if b.get("title") == "People by role")
    assert people["rows"][0] == ["Lived experience", {"hidden": True}, {"hidden": True}]


# ---------------------------------------------------------------- templates


def template_ws(tmp_path: Path, plugin_manager: Any, text: str) -> Workspace:
    (tmp_path / "brand.html").write_text(text, encoding="utf-8")
    ws = Workspace.create(tmp_path / "ws", org="Riverside", plugins=plugin_manager)
    ws.close()
    config = tmp_path / "ws" / "coprod.toml"
    config.write_text(config.read_text() + '\n[reports]\nhtml_template = "../brand.html"\n')
    return Workspace.open(tmp_path / "ws", plugins=plugin_manager)


def test_an_organisation_can_use_its_own_template(tmp_path, plugin_manager):
    ws = template_ws(tmp_path, plugin_manager,
                     "<html><title>$title</title><body><h1>$organisation</h1>$body"
                     "<p>Made $generated; costs $$5</p></body></html>")
    page = render_bytes(build(ws, "summary"), format_named(plugin_manager, "html"),
                        {"workspace": ws}).decode()
    assert page.startswith("<html><title>Summary</title><body><h1>Riverside</h1>")
    assert "costs $5" in page and "People by role" in page
    ws.close()


@pytest.mark.parametrize(("text", "message"), [
    ("<html>$title</html>", "has no \\$body"),
    ("<html>$body $colour</html>", "uses \\$colour; allowed"),
    ("<html>$body costs $5</html>", "stray \\$"),
])
def test_a_broken_template_is_a_clear_error(tmp_path, plugin_manager, text, message):
    ws = template_ws(tmp_path, plugin_manager, text)
    with pytest.raises(ConfigError, match=message) as caught:
        render_bytes(build(ws, "summary"), format_named(plugin_manager, "html"),
                     {"workspace": ws})
    assert "reports.html_template" in str(caught.value)
    ws.close()
