"""coprod-payments through the command line, its rules, and its model."""

import datetime as dt
import json

import pytest
from coprod_payments.model import FeeStatus, Payment, format_amount, parse_amount
from coprod_payments.rules import check
from coprod_payments.service import Options, mark_paid, record_payment
from hypothesis import given
from hypothesis import strategies as st

from coprod_core import hookimpl
from coprod_core.errors import CoprodError, ValidationFailed

ADVICE_REFUSED = "error: payments: PAY-1 offers a fee, but benefits advice was not offered"


@pytest.fixture
def people(run):
    run("participant", "add", "Aisha", "--role", "lived_experience")
    run("session", "new", "Panel: hostel curfews", "--date", "2026-01-05")


def _json(result):
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    return json.loads(result.stdout)


def test_record_hours_at_the_configured_rate(run, people):
    assert run("config", "set", "plugins.payments.hourly_rate", "25").exit_code == 0
    result = run("payments", "record", "P-1", "--activity", "Lived-experience panel",
                 "--session", "S-1", "--hours", "2.5", "--travel", "4.80",
                 "--benefits-advice", "--json")
    payment = _json(result)
    assert payment["id"] == "PAY-1"
    assert (payment["fee"], payment["rate"], payment["travel"]) == (6250, 2500, 480)
    assert payment["fee_status"] == "offered"
    assert payment["date"] == "2026-01-05"
    assert payment["currency"] == "GBP"
    assert payment["paid_on"] is None
    assert payment["recorded_by"] == "tester"


def test_record_hours_at_a_given_rate(run, people):
    payment = _json(run("payments", "record", "P-1", "--activity", "Workshop", "--hours", "1.5",
                        "--rate", "20.50", "--benefits-advice", "--date", "2026-01-02",
                        "--json"))
    assert (payment["fee"], payment["rate"], payment["hours"]) == (3075, 2050, 1.5)
    assert payment["date"] == "2026-01-02"


def test_record_prints_the_id(run, people):
    result = run("payments", "record", "p1", "--activity", "Panel", "--fee", "£50",
                 "--benefits-advice")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "PAY-1\n", "")


def test_fee_without_benefits_advice_is_refused_and_nothing_stored(run, people):
    result = run("payments", "record", "P-1", "--activity", "Panel", "--fee", "50")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(ADVICE_REFUSED)
    assert result.stderr.count("\n") == 1
    assert _json(run("payments", "list", "--json")) == []


def test_a_declined_fee_needs_no_advice(run, people):
    payment = _json(run("payments", "record", "P-1", "--activity", "Panel", "--fee", "50",
                        "--declined", "--carer", "12", "--json"))
    assert payment["fee_status"] == "declined"
    assert payment["carer"] == 1200


def test_the_advice_rule_can_be_turned_off(run, people):
    assert run("config", "set", "plugins.payments.require_benefits_advice", "false"
               ).exit_code == 0
    assert run("payments", "record", "P-1", "--activity", "Panel", "--fee", "50").stdout == \
        "PAY-1\n"


def test_hours_need_a_rate(run, people):
    result = run("payments", "record", "P-1", "--activity", "Panel", "--hours", "2")
    assert result.exit_code == 1
    assert result.stderr == ("error: --hours needs a rate: give --rate, or set "
                             "plugins.payments.hourly_rate\n")


def test_mark_paid_then_not_again(run, people):
    run("payments", "record", "P-1", "--activity", "Panel", "--fee", "50", "--benefits-advice")
    result = run("payments", "mark-paid", "PAY-1", "--on", "2026-01-09")
    assert (result.stdout, result.stderr) == ("PAY-1: paid on 2026-01-09\n", "")
    again = run("payments", "mark-paid", "PAY-1")
    assert again.exit_code == 1
    assert again.stderr == "error: PAY-1 was already paid, on 2026-01-09\n"
    assert _json(run("payments", "list", "--unpaid", "--json")) == []


def test_a_declined_fee_with_nothing_else_cannot_be_marked_paid(run, people):
    run("payments", "record", "P-1", "--activity", "Panel", "--fee", "50", "--declined")
    result = run("payments", "mark-paid", "PAY-1")
    assert result.exit_code == 1
    assert result.stderr == ("error: payments: PAY-1 cannot be marked paid: the fee was "
                             "declined and there are no expenses to repay\n")
    assert _json(run("payments", "show", "PAY-1", "--json"))["paid_on"] is None


def test_declined_fee_still_repays_expenses(run, people):
    run("payments", "record", "P-1", "--activity", "Panel", "--fee", "50", "--declined",
        "--travel", "3.20")
    assert _json(run("payments", "mark-paid", "PAY-1", "--json"))["paid_on"] == "2026-01-05"


def test_list_with_totals_and_filters(run, people):
    run("participant", "add", "Ben", "--role", "lived_experience")
    run("payments", "record", "P-1", "--activity", "Panel", "--fee", "50", "--benefits-advice",
        "--travel", "4.80", "--date", "2026-01-02")
    run("payments", "record", "P-2", "--activity", "Panel", "--fee", "50", "--declined",
        "--travel", "2")
    run("payments", "mark-paid", "PAY-1")
    result = run("payments", "list")
    assert result.stderr == ""
    assert result.stdout.splitlines() == [
        "id     date        participant  activity  fee       expenses  paid",
        "PAY-1  2026-01-02  P-1          Panel     £50.00    £4.80     2026-01-05",
        "PAY-2  2026-01-05  P-2          Panel     declined  £2.00     not yet",
        "2 payment(s) to 2 participant(s): £50.00 fees and £4.80 expenses paid, £2.00 still "
        "to pay; 1 fee(s) declined",
    ]
    assert [p["id"] for p in _json(run("payments", "list", "--participant", "p2", "--json"))] \
        == ["PAY-2"]
    assert [p["id"] for p in _json(run("payments", "list", "--unpaid", "--json"))] == ["PAY-2"]
    assert run("payments", "list", "--participant", "P-1", "--unpaid").stdout == \
        "no payments match\n"


def test_show(run, people):
    run("config", "set", "plugins.payments.hourly_rate", "12.5")
    run("payments", "record", "P-1", "--activity", "Workshop", "--hours", "3",
        "--benefits-advice", "--note", "Paid by bank transfer")
    result = run("payments", "show", "PAY-1")
    assert result.stdout.splitlines() == [
        "id:              PAY-1",
        "participant:     P-1",
        "activity:        Workshop",
        "date:            2026-01-05",
        "fee:             £37.50 (offered)",
        "from:            3 hours at £12.50",
        "to pay:          £37.50",
        "benefits advice: offered",
        "paid:            not yet",
        "note:            Paid by bank transfer",
        "recorded:        2026-01-05 10:00 by tester",
    ]


@pytest.mark.parametrize(("args", "message"), [
    (("P-9", "--activity", "Panel"), "error: no participant with id P-9\n"),
    (("P-1", "--activity", "Panel", "--session", "S-7"), "error: no session with id S-7\n"),
    (("P-1", "--activity", "Panel", "--fee", "12.345"),
     "error: --fee '12.345' is not an amount; write it like 12.50\n"),
    (("P-1", "--activity", "Panel", "--rate", "20"),
     "error: --rate is the hourly rate for --hours; give --hours with it, or give the whole "
     "amount with --fee\n"),
    (("P-1", "--activity", "Panel", "--hours", "2", "--rate", "20,5"),
     "error: --rate '20,5' is not an amount; write it like 12.50\n"),
    (("P-1", "--activity", "Panel", "--travel", "-3"),
     "error: --travel '-3' is not an amount; write it like 12.50\n"),
])
def test_mistakes_are_one_line_and_store_nothing(run, people, args, message):
    result = run("payments", "record", *args)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", message)
    assert _json(run("payments", "list", "--json")) == []


def test_unknown_payment(run):
    result = run("payments", "show", "PAY-4")
    assert (result.exit_code, result.stderr) == (1, "error: no payment with id PAY-4\n")
    result = run("payments", "show", "C-4")
    assert result.stderr == "error: 'C-4' is not a payment id; payment ids look like PAY-12\n"


@pytest.mark.parametrize(("key", "value", "message"), [
    ("currency", '"pounds"', "`plugins.payments.currency`: must be a three-letter currency"),
    ("hourly_rate", "-1", "`plugins.payments.hourly_rate`: must be an amount of 0 or more"),
    ("hourly_rate", '"25"', "`plugins.payments.hourly_rate`: must be an integer or a number"),
    ("rate", "25", "`plugins.payments.rate`: unknown key"),
])
def test_bad_settings_are_one_line(run, people, workspace_dir, key, value, message):
    config = workspace_dir / "coprod.toml"
    config.write_text(config.read_text() + f"\n[plugins.payments]\n{key} = {value}\n")
    result = run("payments", "record", "P-1", "--activity", "Panel", "--declined")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert message in result.stderr
    assert result.stderr.count("\n") == 1


def test_currency_setting(run, people):
    run("config", "set", "plugins.payments.currency", "EUR")
    run("payments", "record", "P-1", "--activity", "Panel", "--fee", "20", "--benefits-advice")
    assert "€20.00" in run("payments", "list").stdout


def test_events_and_audit(memory_workspace, register_plugin):
    seen = []

    class Listener:
        @hookimpl
        def coprod_on_event(self, event):
            seen.append((event.name, event.ids))

    register_plugin(Listener())
    ws = memory_workspace
    ws.add_participant("Aisha", role="lived_experience")
    record_payment(ws, "P-1", activity="Panel", fee="30", benefits_advice=True)
    mark_paid(ws, "PAY-1")
    assert seen[-2:] == [("payment.recorded", ("PAY-1", "P-1")),
                         ("payment.paid", ("PAY-1", "P-1"))]
    assert [e["operation"] for e in ws.audit()][-2:] == ["payment.record", "payment.paid"]


def test_erased_participants_cannot_be_paid(memory_workspace):
    from attrs import evolve

    ws = memory_workspace
    person = ws.add_participant("Aisha", role="lived_experience")
    with ws.operation("test.erase") as op:
        op.write("participants", evolve(person, erased_at=ws.now()), person)
    with pytest.raises(CoprodError, match="P-1 was erased"):
        record_payment(ws, "P-1", activity="Panel", declined=True)


def test_paid_records_cannot_be_changed(memory_workspace):
    from attrs import evolve

    ws = memory_workspace
    ws.add_participant("Aisha", role="lived_experience")
    paid = mark_paid(ws, record_payment(ws, "P-1", activity="Panel", travel="5").id)
    with pytest.raises(ValidationFailed, match="was paid on 2026-01-05 and can no longer"), \
            ws.operation("test.change") as op:
        op.write("payments", evolve(paid, travel=900), paid)
    assert ws.record("payments", "PAY-1").travel == 500


# ------------------------------------------------------------ properties

amounts = st.integers(0, 10**9)


@given(amounts, st.sampled_from(["GBP", "EUR", "USD"]))
def test_amounts_round_trip(minor, currency):
    assert parse_amount(format_amount(minor, currency).replace(",", "")) == minor


AT = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)

payments = st.builds(
    Payment, id=st.just("PAY-1"), participant_id=st.just("P-1"), activity=st.just("Panel"),
    date=st.just(dt.date(2026, 1, 5)), fee=amounts, fee_status=st.sampled_from(FeeStatus),
    travel=amounts, carer=amounts, benefits_advice_offered=st.booleans(),
    paid_on=st.none() | st.just(dt.date(2026, 1, 9)), recorded_at=st.just(AT),
    recorded_by=st.just("t"),
)


@given(payments, st.booleans())
def test_rules(payment, require_advice):
    refusal = check(payment, None, Options(None, "GBP", require_advice))
    nothing_owed = payment.paid_on is not None and payment.owed == 0
    no_advice = require_advice and payment.fee_owed > 0 and not payment.benefits_advice_offered
    assert (refusal is not None) == (nothing_owed or no_advice)
    assert payment.owed == payment.fee_owed + payment.travel + payment.carer
    assert payment.fee_owed == (payment.fee if payment.fee_status == "offered" else 0)
