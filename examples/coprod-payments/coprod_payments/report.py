"""The ``payments`` report kind: fees offered, declined and paid; expenses paid and owed.

Counts of people are declared as :attr:`ValueType.PEOPLE`, so the core's
small-number suppression hides and rounds them before any format writes the
report. So are counts of payments: each payment is one person paid once (as
the summary report counts each attendance), and one payment tells that one
person was paid. Amounts of money are shown as they are.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from coprod_core.reports import (
    Column,
    Metric,
    Metrics,
    Paragraph,
    Params,
    Ratio,
    Report,
    Section,
    Table,
    ValueType,
)

from .model import FeeStatus, Payment, format_amount

PEOPLE, TEXT, PERCENT = ValueType.PEOPLE, ValueType.TEXT, ValueType.PERCENT


class Money:
    """Sums of money by currency, written as people read them (``£12.50``)."""

    def __init__(self) -> None:
        self.by_currency: Counter[str] = Counter()

    def add(self, minor: int, currency: str) -> None:
        self.by_currency[currency] += minor

    def __str__(self) -> str:
        amounts = [format_amount(m, c) for c, m in sorted(self.by_currency.items()) if m]
        return " and ".join(amounts) or "£0.00"


class _Group:
    """One row's running figures: how many payments, to how many people, how much."""

    def __init__(self) -> None:
        self.payments = 0
        self.people: set[str] = set()
        self.money = Money()

    def add(self, payment: Payment, minor: int) -> None:
        self.payments += 1
        self.people.add(payment.participant_id)
        self.money.add(minor, payment.currency)


FEE_ROWS = (
    ("paid", "Offered and paid"),
    ("to_pay", "Offered, not yet paid"),
    ("declined", "Declined"),
)
EXPENSE_ROWS = (("travel", "Travel"), ("carer", "Carer or childcare"))


def build(workspace: Any, params: Params) -> Report:
    fees: dict[str, _Group] = defaultdict(_Group)
    expenses_paid: dict[str, _Group] = defaultdict(_Group)
    expenses_owed: dict[str, _Group] = defaultdict(_Group)
    everyone: set[str] = set()
    all_fees: set[str] = set()
    all_expenses: set[str] = set()
    records = with_fee = with_advice = 0
    still_owed = Money()
    for payment in _in_period(workspace.records("payments"), params):
        records += 1
        everyone.add(payment.participant_id)
        if payment.fee:
            all_fees.add(payment.participant_id)
            if payment.fee_status == FeeStatus.DECLINED:
                fees["declined"].add(payment, payment.fee)
            else:
                with_fee += 1
                with_advice += payment.benefits_advice_offered
                fees["paid" if payment.paid_on else "to_pay"].add(payment, payment.fee)
        for kind, minor in (("travel", payment.travel), ("carer", payment.carer)):
            if minor:
                all_expenses.add(payment.participant_id)
                (expenses_paid if payment.paid_on else expenses_owed)[kind].add(payment, minor)
        if payment.paid_on is None:
            still_owed.add(payment.owed, payment.currency)

    fee_total = Money()
    for group in fees.values():
        for currency, minor in group.money.by_currency.items():
            fee_total.add(minor, currency)
    fee_table = Table(
        title="Fees for people's time",
        description="Fees offered for involvement in this period: taken and paid, taken and "
                    "still to pay, or declined (a payment can affect someone's benefits, so "
                    "people may say no).",
        columns=(Column(key="what", label="What happened"),
                 Column(key="payments", label="Payments", type=PEOPLE),
                 Column(key="people", label="People", type=PEOPLE),
                 Column(key="amount", label="Amount", type=TEXT)),
        rows=[(label, fees[key].payments, len(fees[key].people), str(fees[key].money))
              for key, label in FEE_ROWS if fees[key].payments],
        totals=("All fees", sum(g.payments for g in fees.values()), len(all_fees),
                str(fee_total)) if all_fees else None,
        empty="No fees were offered in this period.",
    )

    def expense_people(kind: str) -> int:
        return len(expenses_paid[kind].people | expenses_owed[kind].people)

    paid_total, owed_total = Money(), Money()
    for groups, total in ((expenses_paid, paid_total), (expenses_owed, owed_total)):
        for group in groups.values():
            for currency, minor in group.money.by_currency.items():
                total.add(minor, currency)
    expense_table = Table(
        title="Travel and carer expenses",
        description="Expenses repaid to people who took part, whether or not they took a fee.",
        columns=(Column(key="what", label="Expense"),
                 Column(key="people", label="People", type=PEOPLE),
                 Column(key="paid", label="Paid", type=TEXT),
                 Column(key="owed", label="Still to pay", type=TEXT)),
        rows=[(label, expense_people(key), str(expenses_paid[key].money),
               str(expenses_owed[key].money)) for key, label in EXPENSE_ROWS
              if expense_people(key)],
        totals=("All expenses", len(all_expenses), str(paid_total), str(owed_total))
        if all_expenses else None,
        empty="No expenses were claimed in this period.",
    )
    advice = Table(
        title="Benefits advice before a fee",
        description="Fees people took, and how many of them came after an offer of advice on "
                    "how payment affects benefits.",
        columns=(Column(key="what", label="Fees taken"),
                 Column(key="count", label="Payments", type=PEOPLE),
                 Column(key="share", label="Share", type=PERCENT)),
        rows=[("With benefits advice offered", with_advice,
               Ratio(with_advice, with_fee)),
              ("Without", with_fee - with_advice,
               Ratio(with_fee - with_advice, with_fee))] if with_fee else [],
        empty="No fees were taken in this period.",
    )
    sections = [
        Section(title="At a glance", blocks=[Metrics(items=[
            Metric(label="People offered a fee or expenses", value=len(everyone), type=PEOPLE),
            Metric(label="People who declined a fee", value=len(fees["declined"].people),
                   type=PEOPLE, note="A payment can affect benefits; nobody has to take one."),
            Metric(label="Payments", value=records, type=PEOPLE,
                   note="Each person counted once for each payment."),
            Metric(label="Still to pay", value=str(still_owed), type=TEXT,
                   note="Fees taken and expenses not yet paid."),
        ])]),
        Section(title="Fees", blocks=[
            Paragraph(text="We offer a fee for each piece of involvement. People may decline "
                           "it and still have their expenses repaid."),
            fee_table,
        ]),
        Section(title="Expenses", blocks=[expense_table]),
        Section(title="Benefits advice", blocks=[advice]),
    ]
    return Report(
        kind="payments", title="Payments for involvement",
        organisation=workspace.config.org, period_from=params.period_from,
        period_to=params.period_to, parameters=params.shown(), generated_at=workspace.now(),
        summary="What people were offered and paid for their time in this period, what "
                "they declined, and the expenses repaid.",
        sections=sections,
    )


def _in_period(payments: Iterable[Payment], params: Params) -> Iterable[Payment]:
    return (p for p in payments if params.covers(p.date))
