"""Report figures come from when things happened, and "overdue" means one thing.

Random commitments (legal histories, progress updates, moved due dates) are
stored in a workspace; every report and list is then asked about a day, and
each figure is compared with the same figure computed from the model.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coprod_core import reports
from coprod_core.model import Participant
from coprod_core.reports import Params
from coprod_core.testing import FakeClock
from coprod_core.testing import strategies as cs
from coprod_core.workspace import Workspace

AUTHORITY = {"can_decide": "Can decide", "can_influence": "Can influence",
             "can_only_raise": "Can only raise it"}


def _workspace(pm: Any, clock: FakeClock) -> Workspace:
    return Workspace.in_memory(plugins=pm, clock=clock, actor="tester",
                               data={"reports": {"disclosure": {"off": True}}})


def _store(ws: Workspace, promises: list[Any]) -> list[Any]:
    stored = []
    with ws.operation("test.store") as op:
        op.write("participants", Participant(
            id="P-1", name="Sam", role="commissioner",
            created_at=dt.datetime(1990, 1, 1, tzinfo=dt.UTC)))
        for n, c in enumerate(promises, start=1):
            from attrs import evolve

            c = evolve(c, id=f"C-{n}", made_by="P-1", session_id=None, answers=())
            op.write("commitments", c)
            stored.append(c)
    return stored


def _block(report: Any, title: str) -> Any:
    for section in report.sections:
        for b in section.blocks:
            if getattr(b, "title", None) == title:
                return b
            for item in getattr(b, "items", ()):
                if getattr(item, "label", None) == title:
                    return item
    raise AssertionError(title)


promise_lists = st.lists(cs.commitments(max_moves=5), min_size=1, max_size=6)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(promises=promise_lists, as_of=st.dates(min_value=dt.date(1991, 1, 1),
                                                max_value=dt.date(2099, 1, 1)))
def test_overdue_is_the_same_in_every_report_and_list(plugin_manager, promises, as_of):
    clock = FakeClock()
    # Midday: the same calendar day in UTC and in the workspace's zone (Europe/London).
    clock.set(dt.datetime.combine(as_of, dt.time(12), tzinfo=dt.UTC))
    with _workspace(plugin_manager, clock) as ws:
        stored = _store(ws, promises)
        late = {c.id for c in stored if c.is_overdue(as_of)}
        # The list (no period: today is as_of) and the summary.
        assert {c.id for c in ws.commitments(overdue=True)} == late
        summary = reports.build(ws, "summary", Params())
        assert _block(summary, "Promises overdue").value == len(late)
        # "You said, we did": each overdue promise says so, and no other does.
        report = reports.build(ws, "commitments", Params())
        ledger = list(_block(report, "You said, we did").rows)
        said = {row[0] for row in ledger if "Overdue since" in str(row[6])}
        assert said == late
        for row in ledger:
            c = next(x for x in stored if x.id == row[0])
            if c.id in late:
                assert str(row[6]).endswith(f"{c.due_on(as_of).day} "
                                            f"{c.due_on(as_of):%b %Y}")
        kept = _block(report, "Promises kept, by the power to deliver them")
        assert kept.totals[7] == len({c.id for c in stored if c.id in late
                                      and c.status_on(as_of) != "proposed"})


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(promises=promise_lists, end=st.dates(min_value=dt.date(1991, 1, 1),
                                             max_value=dt.date(2099, 1, 1)))
def test_a_period_report_counts_from_event_times(plugin_manager, promises, end):
    clock = FakeClock()
    clock.set(dt.datetime(2100, 1, 1, tzinfo=dt.UTC))
    with _workspace(plugin_manager, clock) as ws:
        stored = _store(ws, promises)
        report = reports.build(ws, "commitments", Params(period_to=end))
        made = [c for c in stored if c.history[0].at.date() <= end]
        ledger = list(_block(report, "You said, we did").rows)
        assert [row[0] for row in ledger] == [c.id for c in made]
        counted = [c for c in made if c.status_on(end) != "proposed"]
        kept = _block(report, "Promises kept, by the power to deliver them")
        assert kept.totals[1] == len(counted)
        for column, status in ((2, "delivered"), (3, "partly_delivered"),
                               (4, "not_delivered"), (5, "withdrawn")):
            assert kept.totals[column] == sum(c.status_on(end) == status for c in counted)
        assert kept.totals[7] == sum(c.is_overdue(end) for c in counted)
        summary = reports.build(ws, "summary", Params(period_to=end))
        assert _block(summary, "Promises made").value == len(made)
        assert _block(summary, "Promises overdue").value == sum(c.is_overdue(end) for c in made)
        for row in ledger:
            c = next(x for x in made if x.id == row[0])
            assert row[5] == c.due_on(end)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(tensions=st.lists(cs.tensions(max_moves=5), min_size=1, max_size=6),
       end=st.none() | st.dates(min_value=dt.date(1991, 1, 1), max_value=dt.date(2099, 1, 1)))
def test_tension_figures_are_worked_out_from_event_times(plugin_manager, tensions, end):
    import statistics

    from attrs import evolve

    clock = FakeClock()
    clock.set(dt.datetime(2100, 1, 1, tzinfo=dt.UTC))
    with _workspace(plugin_manager, clock) as ws:
        stored = []
        with ws.operation("test.store") as op:
            for n, t in enumerate(tensions, start=1):
                t = evolve(t, id=f"T-{n}", raised_by=None, session_id=None, between=())
                op.write("tensions", t)
                stored.append(t)
        report = reports.build(ws, "tensions", Params(period_to=end))
        counted = [t for t in stored if end is None or t.history[0].at.date() <= end]
        assert _block(report, "Tensions raised").value == len(counted)

        def days(t, status):
            entered = t.entered(status)
            return None if entered is None else (entered - t.history[0].at).total_seconds() / 86400

        for label, status in (("Median days until acknowledged", "acknowledged"),
                              ("Median days until resolved", "resolved")):
            values = [d for d in (days(t, status) for t in counted) if d is not None]
            shown = _block(report, label).value
            expected = statistics.median(values) if values else None
            shown = shown.value if hasattr(shown, "value") else shown
            # Figures are shown to one decimal place.
            assert shown == (None if expected is None else round(expected, 1))
