"""Property tests of the spreadsheet import: all rows or none, problems named by row and field."""

from __future__ import annotations

import csv

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coprod_core.forms.importer import ImportInvalid, import_csv
from coprod_core.forms.submit import catalogue
from coprod_core.plugins import get_plugin_manager
from coprod_core.testing import FakeClock
from coprod_core.testing.form_strategies import answer_sets, forms, invalid_answer
from coprod_core.workspace import Workspace

PM = get_plugin_manager(fresh=True)
SETTINGS = settings(max_examples=30, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.function_scoped_fixture])


def _write(path, form, rows):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(form.field_names)
        for answers in rows:
            out.writerow([answers.get(name, "") for name in form.field_names])


@SETTINGS
@given(data=st.data())
def test_every_valid_row_is_imported_as_typed(tmp_path, data):
    form = data.draw(forms())
    drawn = data.draw(st.lists(answer_sets(form, text=True), min_size=1, max_size=5))
    ws = Workspace.in_memory(plugins=PM, clock=FakeClock(),
                             data={"forms": {form.name: form.to_table()}})
    path = tmp_path / f"{form.name}.csv"
    _write(path, form, [given_ for given_, _ in drawn])
    cat = catalogue(ws)
    result = import_csv(ws, cat, cat.form(form.name), path, chunk=2)
    assert result.imported == result.created == len(drawn)
    people = list(ws.participants())
    assert [p.name for p in people] == [stored["name"] for _, stored in drawn]
    for person, (_, stored) in zip(people, drawn, strict=True):
        extra_and_demographics = {**person.extra, **{d.key: d.value for d in person.demographics}}
        for fld in form.fields:
            if fld.name in stored and (fld.extra_key or fld.demographic_key) and not fld.special:
                assert extra_and_demographics[fld.extra_key or fld.demographic_key] == \
                    stored[fld.name]


@SETTINGS
@given(data=st.data())
def test_one_invalid_cell_is_named_by_row_and_field_and_nothing_is_imported(tmp_path, data):
    form = data.draw(forms())
    drawn = data.draw(st.lists(answer_sets(form, text=True), min_size=1, max_size=5))
    rows = [dict(given_) for given_, _ in drawn]
    victim_row = data.draw(st.integers(0, len(rows) - 1))
    victim = data.draw(st.sampled_from(form.fields))
    bad = data.draw(invalid_answer(victim))
    rows[victim_row][victim.name] = ",".join(bad) if isinstance(bad, list) else str(bad)
    ws = Workspace.in_memory(plugins=PM, clock=FakeClock(),
                             data={"forms": {form.name: form.to_table()}})
    path = tmp_path / f"{form.name}.csv"
    _write(path, form, rows)
    cat = catalogue(ws)
    with pytest.raises(ImportInvalid) as refused:
        import_csv(ws, cat, cat.form(form.name), path, chunk=2)
    assert [(row, name) for row, name, _ in refused.value.problems] == [
        (victim_row + 2, victim.name)]
    assert ws.count("participants") == 0
    assert ws.count("submissions") == 0
