"""The payment rules, run by ``coprod_validate`` before every write of a payment."""

from __future__ import annotations

from typing import Any

from attrs import evolve

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
    # A paid payment is a financial record: fixed, except that an erasure may
    # remove its note and the person as its recorder (see privacy.py).
    if (previous is not None and previous.paid_on is not None and record != previous
            and not _only_erased(record, previous)):
        return f"{record.id} was paid on {previous.paid_on} and can no longer be changed"
    return None


def _only_erased(record: Payment, previous: Payment) -> bool:
    """Whether ``record`` is ``previous`` with only its note and recorder removed."""
    from coprod_core.privacy import MARKER

    return (record.recorded_by in (previous.recorded_by, MARKER)
            and record == evolve(previous, note=None, recorded_by=record.recorded_by))
