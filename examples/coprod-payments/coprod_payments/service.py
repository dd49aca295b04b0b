"""Recording payments through the Workspace, and reading them back."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

from attrs import evolve, frozen

from coprod_core.errors import ConfigError, CoprodError
from coprod_core.storage import Setting

from .model import FeeStatus, Payment, parse_amount

SETTINGS = (
    Setting(key="hourly_rate", type=(int, float), default=None,
            help="The usual hourly rate for involvement, used with --hours when no --rate "
                 "is given (12.5 means 12.50)."),
    Setting(key="currency", type=str, default="GBP",
            help="The currency of new payments, as a three-letter code."),
    Setting(key="require_benefits_advice", type=bool, default=True,
            help="Refuse to record a fee unless benefits advice was offered."),
)


@frozen
class Options:
    hourly_rate: int | None
    currency: str
    require_benefits_advice: bool


def options(workspace: Any) -> Options:
    """``[plugins.payments]`` with the defaults filled in, checked."""
    table = workspace.config.plugin_settings("payments")
    values = {s.key: table.get(s.key, s.default) for s in SETTINGS}

    def error(key: str, message: str) -> ConfigError:
        return ConfigError(message, path=workspace.config.path, key=f"plugins.payments.{key}")

    rate = values["hourly_rate"]
    if rate is not None:
        if rate < 0 or round(rate * 100) != rate * 100:
            raise error("hourly_rate", "must be an amount of 0 or more, like 25 or 12.50")
        rate = round(rate * 100)
    if not re.match(r"^[A-Z]{3}$", values["currency"]):
        raise error("currency", 'must be a three-letter currency code, like "GBP"')
    return Options(rate, values["currency"], values["require_benefits_advice"])


def record_payment(
    ws: Any,
    participant_id: str,
    *,
    activity: str,
    date: dt.date | None = None,
    session_id: str | None = None,
    hours: float | None = None,
    rate: str | None = None,
    fee: str | None = None,
    declined: bool = False,
    travel: str | None = None,
    carer: str | None = None,
    benefits_advice: bool = False,
    note: str | None = None,
) -> Payment:
    """Record a payment for one piece of involvement; amounts are text like ``"12.50"``."""
    opts = options(ws)
    person = ws.participant(participant_id)
    if person.is_erased:
        raise CoprodError(f"{person.id} was erased; payments cannot be recorded")
    session = ws.session(session_id).id if session_id else None
    if rate is not None and (hours is None or fee is not None):
        raise CoprodError("--rate is the hourly rate for --hours; give --hours with it, "
                          "or give the whole amount with --fee")
    hourly = parse_amount(rate, "--rate") if rate is not None else None
    if fee is not None:
        amount = parse_amount(fee, "--fee")
    elif hours is not None:
        hourly = hourly if hourly is not None else opts.hourly_rate
        if hourly is None:
            raise CoprodError(
                "--hours needs a rate: give --rate, or set plugins.payments.hourly_rate"
            )
        amount = round(hours * hourly)
    else:
        amount = 0
    with ws.operation("payment.record") as op:
        payment = Payment(
            id=op.new_id("payments"), participant_id=person.id, activity=activity.strip(),
            date=date or ws.today(), session_id=session, hours=hours,
            rate=hourly if fee is None and hours is not None else None, fee=amount,
            fee_status=FeeStatus.DECLINED if declined else FeeStatus.OFFERED,
            travel=parse_amount(travel, "--travel") if travel else 0,
            carer=parse_amount(carer, "--carer") if carer else 0,
            currency=opts.currency, benefits_advice_offered=benefits_advice,
            note=note.strip() if note and note.strip() else None,
            recorded_at=ws.now(), recorded_by=ws.actor,
        )
        op.write("payments", payment)
        op.emit("payment.recorded", payment, person.id)
    return payment


def mark_paid(ws: Any, payment_id: str, on: dt.date | None = None) -> Payment:
    with ws.operation("payment.paid") as op:
        before: Payment = ws.record("payments", payment_id)
        if before.paid_on is not None:
            raise CoprodError(f"{before.id} was already paid, on {before.paid_on}")
        after = evolve(before, paid_on=on or ws.today())
        op.write("payments", after, before)
        op.emit("payment.paid", after, after.participant_id)
    return after


def payments(ws: Any, *, participant_id: str | None = None, unpaid: bool = False
             ) -> Iterator[Payment]:
    where = {"participant_id": ws.participant(participant_id).id} if participant_id else {}
    for payment in ws.records("payments", **where):
        if not unpaid or (payment.paid_on is None and payment.owed > 0):
            yield payment
