"""Properties of importing Decidim results: stable, idempotent, faithful, whatever the file."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coprod_core.importing import ImportOptions, importers, run_import
from coprod_core.importing.readers import html_to_text, unguard
from coprod_core.testing import FakeClock
from coprod_core.transfer import load, write_export
from coprod_core.workspace import Workspace

HEADER = ["id", "parent/id", "title/en", "title/es", "description/en", "start_date",
          "end_date", "status/key", "status/name/en", "progress", "created_at", "updated_at",
          "url"]

_words = st.text(alphabet="abcdeé ñ&<>;'=", min_size=1, max_size=12)
# A title always has words outside any markup ("Result"); the rest may be awkward.
_title = st.builds(lambda w, pad: (" " * pad) + "Result " + w + (" " * pad), _words,
                   st.integers(0, 2))
_day = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2025, 12, 31))


@st.composite
def results_files(draw: st.DrawFn) -> list[list[str]]:
    count = draw(st.integers(1, 8))
    numbers = draw(st.lists(st.integers(1, 10_000), min_size=count, max_size=count,
                            unique=True))
    rows = []
    for i, number in enumerate(numbers):
        parent = draw(st.sampled_from(["", *[str(n) for n in numbers if n != number]]))
        start = draw(_day)
        updated = start + dt.timedelta(days=draw(st.integers(0, 300)))
        progress = draw(st.one_of(st.just(""), st.sampled_from(
            ["0", "12.5", "40", "99.9", "100"])))
        description = draw(st.one_of(st.just(""), _words.map(lambda w: f"<p>{w}&nbsp;x</p>")))
        rows.append([
            str(number), parent, draw(_title), "" if i % 2 else "título",
            description, start.isoformat(),
            draw(st.one_of(st.just(""), _day.map(dt.date.isoformat))),
            draw(st.sampled_from(["", "in_progress", "finished", "unknown"])),
            draw(st.sampled_from(["", "In progress"])), progress,
            f"{start.isoformat()} 09:00:00 UTC", f"{updated.isoformat()} 10:30:00 UTC",
            f"https://decidim.example.org/results/{number}",
        ])
    return rows


def _write(path: Path, rows: list[list[str]]) -> None:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def _dump(ws: Workspace) -> str:
    out = io.StringIO()
    write_export(ws.storage, out)
    data = json.loads(out.getvalue())
    data.pop("exported_at", None)
    return json.dumps(data, sort_keys=True)


def _workspace(plugin_manager: object) -> Workspace:
    ws = Workspace.in_memory(plugins=plugin_manager, clock=FakeClock(dt.datetime(
        2026, 11, 1, 12, tzinfo=dt.UTC)), actor="tester")
    ws.add_participant("Cllr Rivers", role="commissioner")
    return ws


OPTIONS = ImportOptions(by="P-1", authority="can_influence", mapping={
    "decidim": {"statuses": {"finished": "delivered", "in_progress": "in_progress"}}})


@settings(max_examples=20, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=results_files())
def test_import_export_import_is_stable(tmp_path_factory, plugin_manager, rows):
    path = tmp_path_factory.mktemp("results") / "results.csv"
    _write(path, rows)
    importer = importers(plugin_manager)["decidim-results"]
    ws = _workspace(plugin_manager)
    result = run_import(ws, importer, path, OPTIONS)
    assert result.problems == []
    assert result.created["commitment"] == len(rows)
    first = _dump(ws)
    # Importing the same file again changes nothing, record or counter.
    again = run_import(ws, importer, path, OPTIONS)
    assert again.created == {} and again.updated == {}
    assert _dump(ws) == first
    # Exported, loaded into an empty workspace and imported again: still the same.
    fresh = Workspace.in_memory(plugins=plugin_manager, clock=ws.clock, actor="tester")
    load(fresh.storage, json.loads(first))
    run_import(fresh, importer, path, OPTIONS)
    assert _dump(fresh) == first
    # Every result is there, as Decidim said it, and its parent is kept.
    by_ref = {link.ref: link for link in ws.records("sources")}
    for row in rows:
        link = by_ref[f"decidim:results/{row[0]}"]
        promise = ws.commitment(link.record_id)
        assert promise.description == html_to_text(unguard(row[2].strip()))
        assert str(promise.due or "") == row[6]
        if row[1]:
            assert link.parent_id == by_ref[f"decidim:results/{row[1]}"].record_id


@settings(max_examples=25)
@given(text=st.text(max_size=60))
def test_html_to_text_never_leaves_tags_or_entities(text):
    out = html_to_text(f"<p>{text.replace('<', ' ').replace('&', ' ')}&nbsp;<b>x</b></p>")
    assert out is not None
    assert "<b>" not in out and "&nbsp;" not in out and "\xa0" not in out
