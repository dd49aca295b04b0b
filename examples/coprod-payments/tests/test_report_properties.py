"""For any set of payments, the payments report gives no hidden count, no
amount beside one, and no name away, in any format."""

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coprod_core.reports import Params
from coprod_core.testing import FakeClock
from coprod_core.testing.reports import check_report
from coprod_core.testing.strategies import fill_workspace, programmes
from coprod_core.workspace import Workspace


@st.composite
def paid_programmes(draw):
    programme = draw(programmes(max_people=16, max_sessions=2))
    n = len(programme["people"])
    payments = draw(st.lists(st.fixed_dictionaries({
        "who": st.integers(0, n - 1),
        "fee": st.sampled_from((None, "20", "50")),
        "declined": st.booleans(),
        "travel": st.sampled_from((None, "3.00", "4.80")),
        "carer": st.sampled_from((None, "12")),
        "advice": st.booleans(),
        "paid": st.booleans(),
    }), max_size=30))
    return programme, payments


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(paid_programmes(), st.booleans())
def test_the_payments_report_gives_nothing_away(plugin_manager, data, names):
    from coprod_payments.service import mark_paid, record_payment

    programme, payments = data
    clock = FakeClock()
    ws = Workspace.in_memory(org="O", plugins=plugin_manager, clock=clock, actor="t", data={
        "reports": {"disclosure": {"rounding": programme["rounding"]}},
        "plugins": {"payments": {"require_benefits_advice": False}}})
    try:
        ids = fill_workspace(ws, programme, clock)
        for p in payments:
            if not (p["fee"] or p["travel"] or p["carer"]):
                continue
            made = record_payment(
                ws, ids[p["who"]], activity="Panel", date=dt.date(2026, 1, 5), fee=p["fee"],
                declined=p["declined"] and bool(p["fee"]), travel=p["travel"],
                carer=p["carer"], benefits_advice=p["advice"] and bool(p["fee"]))
            if p["paid"] and made.owed:
                mark_paid(ws, made.id)
        check_report(ws, "payments", Params(names=names))
    finally:
        ws.close()
