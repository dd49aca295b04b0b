"""``coprod payments``: record, list, show and mark payments paid."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

from coprod_core.commandline import (
    DATE,
    echo_created,
    echo_fields,
    echo_json,
    echo_records,
    echo_table,
    json_option,
    pass_workspace,
    to_json,
)


@click.group()
def payments() -> None:
    """Payments and expenses for involvement (the coprod-payments plugin).

    People may decline a fee (a payment can affect benefits); travel and
    carer expenses are repaid either way. Amounts are written like 12.50.
    """


@payments.command("record")
@click.argument("participant_id", metavar="PARTICIPANT_ID")
@click.option("--activity", required=True, help="What the involvement was.")
@click.option("--date", "date", type=DATE, help="The day it happened. Default: today.")
@click.option("--session", "session_id", metavar="ID", help="The session it was for.")
@click.option("--hours", type=click.FloatRange(min=0),
              help="Hours of involvement, paid at the rate.")
@click.option("--rate", metavar="AMOUNT",
              help="The hourly rate. Default: [plugins.payments] hourly_rate.")
@click.option("--fee", metavar="AMOUNT", help="A fixed fee, instead of hours at a rate.")
@click.option("--declined", is_flag=True, help="The person declined the fee.")
@click.option("--travel", metavar="AMOUNT", help="Travel expenses to repay.")
@click.option("--carer", metavar="AMOUNT", help="Carer or childcare expenses to repay.")
@click.option("--benefits-advice", is_flag=True,
              help="Advice on how payment affects benefits was offered.")
@click.option("--note", help="Anything else to record.")
@json_option
@pass_workspace
def record(ws: Any, participant_id: str, activity: str, date: dt.date | None,
           session_id: str | None, hours: float | None, rate: str | None, fee: str | None,
           declined: bool, travel: str | None, carer: str | None, benefits_advice: bool,
           note: str | None, as_json: bool) -> None:
    """Record a payment to PARTICIPANT_ID for one piece of involvement. Prints the new id."""
    from .service import record_payment

    payment = record_payment(
        ws, participant_id, activity=activity, date=date, session_id=session_id, hours=hours,
        rate=rate, fee=fee, declined=declined, travel=travel, carer=carer,
        benefits_advice=benefits_advice, note=note,
    )
    echo_created(payment, as_json)


@payments.command("list")
@click.option("--participant", "participant_id", metavar="ID",
              help="Only payments to this participant.")
@click.option("--unpaid", is_flag=True, help="Only payments with something still to pay.")
@json_option
@pass_workspace
def list_(ws: Any, participant_id: str | None, unpaid: bool, as_json: bool) -> None:
    """List payments, oldest first, with totals."""
    from .model import format_amount
    from .service import payments as find
    from .summary import totals

    if as_json:
        echo_records(find(ws, participant_id=participant_id, unpaid=unpaid))
        return
    records = list(find(ws, participant_id=participant_id, unpaid=unpaid))
    echo_table(
        ("id", "date", "participant", "activity", "fee", "expenses", "paid"),
        ((p.id, p.date, p.participant_id, p.activity,
          "declined" if p.fee_status == "declined" else format_amount(p.fee, p.currency),
          format_amount(p.expenses, p.currency), p.paid_on or "not yet")
         for p in records),
        empty="no payments match",
    )
    if records:
        t = totals(records)
        def money(minor: int) -> str:
            return format_amount(minor, t.currency or "GBP")

        click.echo(
            f"{t.records} payment(s) to {t.people} participant(s): "
            f"{money(t.fees_paid)} fees and {money(t.expenses_paid)} expenses paid, "
            f"{money(t.still_owed)} still to pay; {t.declined} fee(s) declined"
        )


def _show(payment: Any) -> None:
    from .model import format_amount

    def money(m: int) -> str:
        return format_amount(m, payment.currency)

    rate = (f"{payment.hours:g} hours at {money(payment.rate)}"
            if payment.hours is not None and payment.rate is not None else None)
    echo_fields([
        ("id", payment.id), ("participant", payment.participant_id),
        ("activity", payment.activity), ("date", payment.date), ("session", payment.session_id),
        ("fee", f"{money(payment.fee)} ({payment.fee_status})"), ("from", rate),
        ("travel", money(payment.travel) if payment.travel else None),
        ("carer", money(payment.carer) if payment.carer else None),
        ("to pay", money(payment.owed)),
        ("benefits advice", "offered" if payment.benefits_advice_offered else "not offered"),
        ("paid", payment.paid_on or "not yet"), ("note", payment.note),
        ("recorded", f"{payment.recorded_at:%Y-%m-%d %H:%M} by {payment.recorded_by}"),
    ])


@payments.command("show")
@click.argument("payment_id", metavar="ID")
@json_option
@pass_workspace
def show(ws: Any, payment_id: str, as_json: bool) -> None:
    """Show one payment."""
    payment = ws.record("payments", payment_id)
    if as_json:
        echo_json(to_json(payment))
    else:
        _show(payment)


@payments.command("mark-paid")
@click.argument("payment_id", metavar="ID")
@click.option("--on", "on", type=DATE, help="The day it was paid. Default: today.")
@json_option
@pass_workspace
def mark_paid(ws: Any, payment_id: str, on: dt.date | None, as_json: bool) -> None:
    """Record that payment ID was paid."""
    from .service import mark_paid as pay

    payment = pay(ws, payment_id, on)
    if as_json:
        echo_json(to_json(payment))
    else:
        click.echo(f"{payment.id}: paid on {payment.paid_on}")
