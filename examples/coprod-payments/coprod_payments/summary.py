"""Totals over payments: what a list footer and a ``payments`` report kind show."""

from __future__ import annotations

from collections.abc import Iterable

from attrs import define

from .model import FeeStatus, Payment


@define
class Totals:
    currency: str | None = None
    records: int = 0
    people: int = 0
    declined: int = 0
    fees_paid: int = 0
    expenses_paid: int = 0
    still_owed: int = 0
    mixed_currencies: bool = False


def totals(payments: Iterable[Payment]) -> Totals:
    """Count records, declined fees and sums paid and still owed, in one pass."""
    result = Totals()
    people: set[str] = set()
    for p in payments:
        result.records += 1
        people.add(p.participant_id)
        if result.currency is None:
            result.currency = p.currency
        elif result.currency != p.currency:
            result.mixed_currencies = True
        if p.fee_status == FeeStatus.DECLINED:
            result.declined += 1
        if p.paid_on is not None:
            result.fees_paid += p.fee_owed
            result.expenses_paid += p.expenses
        else:
            result.still_owed += p.owed
    result.people = len(people)
    return result
