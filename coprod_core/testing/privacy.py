"""Privacy test helpers: plant a person everywhere, open any backend, search files.

Used by coprod's own erasure tests and usable by a backend's or a plugin's:
:func:`scan` searches every file under a folder for every way a person's
name, pseudonym, email and phone could be written (UTF-8, both Unicode
normal forms, JSON ``\\u`` escapes, UTF-16, the ASCII words of the name, the
phone's digits).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from coprod_core.model import Demographic

BACKENDS = ["sqlite", "json", "postgres"]

#: People with non-ASCII letters in their names, and contact details to match.
PEOPLE = [
    {"name": "Zoë Ní Bhriain", "pseudonym": "Kestrelwing", "email": "zoe.nibhriain@example.org",
     "phone": "07700 900461"},
    {"name": "Łukasz Żółć", "pseudonym": "Gwiazdka", "email": "lukasz.zolc@example.net",
     "phone": "+44 7700 900872"},
]
OTHER = {"name": "Siân Ó Dálaigh", "email": "sian.odalaigh@example.com", "phone": "07700 900333"}


def needles(person: dict[str, str]) -> list[bytes]:
    """Every way the person's name, email and phone could sit in a file."""
    found: set[bytes] = set()
    for key in ("name", "email", "phone", "pseudonym"):
        value = person.get(key)
        if not value:
            continue
        for form in ("NFC", "NFD"):
            text = unicodedata.normalize(form, value)
            found.add(text.encode("utf-8"))
            found.add(json.dumps(text).strip('"').encode("ascii"))  # \u escapes
            found.add(text.encode("utf-16-le"))
        for word in value.split():
            if len(word) >= 4 and word.isascii() and word.isalpha():
                found.add(word.encode())
    digits = "".join(c for c in (person.get("phone") or "") if c.isdigit())
    if digits:
        found.add(digits.encode())
    return sorted(found)


def scan(folder: Path, person: dict[str, str]) -> list[tuple[str, bytes]]:
    """(file, needle) for every needle found in any file under ``folder``."""
    hits: list[tuple[str, bytes]] = []
    wanted = needles(person)
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            hits.extend((str(path), n) for n in wanted if n in data)
    return hits


def backend_config(backend: str, pm: Any, tmp_path: Path) -> dict[str, Any]:
    """The ``[storage]`` table for ``backend``, or skip when it cannot run here."""
    backends = pm.registry.table("storage")
    if backend not in backends:
        pytest.skip(f"storage backend {backend!r} is not installed")
    table: dict[str, Any] = {"backend": backend}
    if backend == "postgres":
        url = os.environ.get("COPROD_TEST_POSTGRES_URL")
        if not url:
            pytest.skip("COPROD_TEST_POSTGRES_URL is not set")
        keys = {s.key for s in backends[backend].thing.settings}
        key = next((k for k in ("url", "dsn", "conninfo", "database_url", "uri") if k in keys),
                   None)
        if key is None:
            pytest.skip("cannot tell which [storage] key takes the PostgreSQL address")
        table[key] = url
        if "schema" in keys:
            import uuid

            table["schema"] = f"coprod_privacy_{uuid.uuid4().hex[:16]}"
    return table


@contextmanager
def backend_workspace(backend: str, folder: Path, pm: Any, clock: Any,
                      config: dict[str, Any] | None = None) -> Iterator[Any]:
    """An open workspace on ``backend`` in ``folder``; ``config`` adds tables to coprod.toml."""
    import tomli_w

    from coprod_core.workspace import Workspace

    folder.mkdir(parents=True, exist_ok=True)
    table = backend_config(backend, pm, folder)
    (folder / "coprod.toml").write_text(
        tomli_w.dumps({"workspace": {"org": "Riverside Partnership"}, "storage": table,
                       **(config or {})}),
        encoding="utf-8")
    ws = Workspace.open(folder, plugins=pm, clock=clock, actor="tester")
    try:
        yield ws
    finally:
        ws.close()


def postgres_leftovers(url: str, person: dict[str, str], schema: str | None = None
                       ) -> list[str]:
    """Tables of the server (of ``schema``, or all) still holding one of the person's needles."""
    import psycopg

    hits = []
    with psycopg.connect(url, autocommit=True) as conn:
        tables = [t for t in conn.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema NOT IN ('pg_catalog', 'information_schema') "
            "AND table_type = 'BASE TABLE'").fetchall() if schema in (None, t[0])]
        for schema, table in tables:
            for needle in needles(person):
                try:
                    text = needle.decode("utf-8")
                except UnicodeDecodeError:
                    continue
                if "\x00" in text:  # the UTF-16 forms: PostgreSQL text has no NUL
                    continue
                row = conn.execute(
                    f'SELECT 1 FROM "{schema}"."{table}" t WHERE t::text LIKE %s LIMIT 1',
                    (f"%{text}%",)).fetchone()
                if row:
                    hits.append(f"{schema}.{table}: {text}")
    return hits


def drop_postgres_schema(url: str, schema: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def plant(ws: Any, person: dict[str, str], clock: Any) -> dict[str, Any]:
    """Put ``person`` in every place the model allows; return where."""
    name, pseudonym = person["name"], person["pseudonym"]
    first = name.split()[0]
    other = ws.add_participant(OTHER["name"], role="staff", email=OTHER["email"],
                               phone=OTHER["phone"])
    p = ws.add_participant(name, role="lived_experience", pseudonym=pseudonym,
                           email=person["email"], phone=person["phone"],
                           extra={"test.note": f"prefers {first}"})
    for purpose in ("record", "contact", "naming", "special:health"):
        ws.record_consent(p.id, purpose, given=True, statement_version="v2", method="written")
    ws.update_participant(p.id, demographics=(
        Demographic(key="health", value="diabetes (type 1)", category="health"),
        Demographic(key="age_band", value="35-44"),
    ))
    clock.advance(days=1)
    attended = ws.new_session(f"Panel: curfews, with {first}", date=dt.date(2026, 1, 6),
                              purpose=f"Hear from {name} about curfews",
                              agreed_next=f"Call {person['phone']} with the outcome")
    ws.attend(attended.id, [p.id, other.id])
    ws.rate(attended.id, p.id, "co_design")
    from attrs import evolve

    from coprod_core.model import Feedback

    with ws.operation("test.feedback") as op:
        s = ws.session(attended.id)
        after = evolve(s, feedback=(
            Feedback(participant_id=p.id, text="It felt like we were heard"),
            Feedback(participant_id=other.id, text=f"{pseudonym} led the second half"),
        ))
        op.write("sessions", after, s)
    facilitated = ws.new_session("Peer research training", date=dt.date(2026, 1, 8),
                                 facilitators=[p.id])
    raised = ws.raise_tension("Curfews were set without the panel", kind="power",
                              raised_by=p.id, session_id=attended.id)
    between = ws.raise_tension("Staff and panel disagree on risk assessments",
                               kind="lived_vs_professional", raised_by=other.id,
                               between=[p.id, "staff"])
    mentioned = ws.raise_tension(f"{name} was talked over", kind="communication",
                                 raised_by=other.id, note=f"Email from {person['email']}")
    ws.move_tension(mentioned.id, "acknowledged", note=f"{pseudonym} agreed to follow up")
    made = ws.make_commitment("Bring the panel's evidence to the board", made_by=p.id,
                              authority="can_influence", scope="I can present it")
    ws.update_commitment(made.id, "Slides drafted")
    promise = ws.make_commitment(f"Pay {first} for preparation time", made_by=other.id,
                                 authority="can_decide", scope=f"Ring {person['phone']}")
    ws.move_commitment(promise.id, "agreed", note=f"Agreed with {p.id}")
    ws.update_commitment(promise.id, f"{name} confirmed the amount")
    # The person also used coprod: their name is the actor on a change.
    actor, ws.actor = ws.actor, name
    ws.move_commitment(promise.id, "in_progress")
    ws.record_consent(other.id, "record", given=True, statement_version="v2",
                      method="verbal")
    ws.actor = actor
    from coprod_core.privacy import add_request

    request = add_request(ws, "access", participant_id=p.id,
                          note=f"Asked by {first} at the drop-in")
    with ws.operation("test.payment") as op:
        ws.storage.put("payments", {"id": "Y-1", "participant_id": p.id, "amount": 25,
                                    "paid_to": name, "schema_version": 1})
        op.touch("Y-1")
    return {"participant": p, "other": other, "attended": attended, "facilitated": facilitated,
            "raised": raised, "between": between, "mentioned": mentioned, "made": made,
            "promise": promise, "request": request}
