"""The payment rules, run by ``coprod_validate`` before every write of a payment."""

from __future__ import annotations

from typing import Any

from .model import FeeStatus, Payment


def check(record: Payment, previous: Payment | None, options: Any) -> str | None:
    """Why ``record`` may not be stored, or None."""
    if record.paid_on is not None and record.owed == 0:
        why = ("the fee was declined and there are no expenses to repay"
               if record.fee_status == FeeStatus.DECLINED else "nothing is owed")
        return f"{record.id} cannot be marked paid: {why}"
    if (options.require_benefits_advice and record.fee_owed > 0
            and not record.benefits_advice_offered):
        return (
            f"{record.id} offers a fee, but benefits advice was not offered; a payment can "
            "affect someone's benefits, so offer advice first and record it with "
            "--benefits-advice, or record the fee as --declined"
        )
    if previous is not None and previous.paid_on is not None and record != previous:
        return f"{record.id} was paid on {previous.paid_on} and can no longer be changed"
    return None
