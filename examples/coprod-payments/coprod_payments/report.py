"""The ``payments`` report kind: fees offered, declined and paid; expenses paid and owed.

Counts of people are declared as :attr:`ValueType.PEOPLE`, so the core's
small-number suppression hides and rounds them before any format writes the
report. So are counts of payments: each payment is one person paid once (as
the summary report counts each attendance), and one payment tells that one
person was paid.

Each count says which people or payments it counts (a :class:`Count` with an
:class:`Of`), so the core can tell that the "All fees" row adds up the rows
above it and that "People who declined a fee" is the same number as the
"Declined" row, and hide whatever would give a hidden count away. Each sum of
money is an :class:`Amount`: hidden with the count of payments it goes with,
or when it is about few people, and added up like the counts, so that one
person's fee cannot be read off a row or worked out from a total.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from coprod_core.reports import (
    Amount,
    Breakdown,
    Column,
    Count,
    Metric,
    Metrics,
    Paragraph,
    Params,
    Ratio,
    Report,
    Section,
    Table,
    ValueType,
    of,
)

from .model import FeeStatus, Payment, format_amount

PEOPLE, TEXT, PERCENT = ValueType.PEOPLE, ValueType.TEXT, ValueType.PERCENT
# What is counted. The people with a payment record in the period (by whether
# they took, were still owed or declined a fee, and claimed travel or carer
# expenses); the payment records (by what happened to their fee, and whether
# benefits advice came first); and the money (by what it was for and where it
# stands).
PEOPLE_PAID, PAYMENTS, MONEY = of("people"), of("payments"), of("money")
FEE_STATES = ("paid", "to_pay", "declined")


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
EXPENSES = tuple(key for key, _label in EXPENSE_ROWS)


def build(workspace: Any, params: Params) -> Report:
    fees: dict[str, _Group] = defaultdict(_Group)
    expenses_paid: dict[str, _Group] = defaultdict(_Group)
    expenses_owed: dict[str, _Group] = defaultdict(_Group)
    everyone: set[str] = set()
    all_fees: set[str] = set()
    all_expenses: set[str] = set()
    records = with_fee = with_advice = 0
    still_owed = Money()
    owing: set[str] = set()
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
        if payment.paid_on is None and payment.owed:
            still_owed.add(payment.owed, payment.currency)
            owing.add(payment.participant_id)

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
        rows=[(label, Count(fees[key].payments, PAYMENTS.narrowed(fee=key)),
               Count(len(fees[key].people), PEOPLE_PAID.narrowed(**{key: "yes"})),
               Amount(str(fees[key].money), of=MONEY.narrowed(item="fee", state=key),
                      people=len(fees[key].people), counted=PAYMENTS.narrowed(fee=key)))
              for key, label in FEE_ROWS if fees[key].payments],
        totals=("All fees", Count(sum(g.payments for g in fees.values()),
                                  PAYMENTS.narrowed(fee=FEE_STATES)),
                Count(len(all_fees), PEOPLE_PAID.narrowed(fee="yes")),
                Amount(str(fee_total), of=MONEY.narrowed(item="fee"), people=len(all_fees),
                       counted=PAYMENTS.narrowed(fee=FEE_STATES)))
        if all_fees else None,
        empty="No fees were offered in this period.",
    )

    def expense_people(kind: str) -> int:
        return len(expenses_paid[kind].people | expenses_owed[kind].people)

    paid_people = set().union(*(g.people for g in expenses_paid.values()))
    owed_people = set().union(*(g.people for g in expenses_owed.values()))
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
        rows=[(label, Count(expense_people(key), PEOPLE_PAID.narrowed(**{key: "yes"})),
               Amount(str(expenses_paid[key].money), of=MONEY.narrowed(item=key, state="paid"),
                      people=len(expenses_paid[key].people)),
               Amount(str(expenses_owed[key].money),
                      of=MONEY.narrowed(item=key, state="to_pay"),
                      people=len(expenses_owed[key].people)))
              for key, label in EXPENSE_ROWS if expense_people(key)],
        totals=("All expenses", Count(len(all_expenses), PEOPLE_PAID.narrowed(expenses="yes")),
                Amount(str(paid_total), of=MONEY.narrowed(item=EXPENSES, state="paid"),
                       people=len(paid_people)),
                Amount(str(owed_total), of=MONEY.narrowed(item=EXPENSES, state="to_pay"),
                       people=len(owed_people)))
        if all_expenses else None,
        empty="No expenses were claimed in this period.",
    )
    taken = PAYMENTS.narrowed(fee=("paid", "to_pay"))
    advice = Table(
        title="Benefits advice before a fee",
        description="Fees people took, and how many of them came after an offer of advice on "
                    "how payment affects benefits.",
        columns=(Column(key="what", label="Fees taken"),
                 Column(key="count", label="Payments", type=PEOPLE),
                 Column(key="share", label="Share", type=PERCENT)),
        rows=[("With benefits advice offered", Count(with_advice, taken.narrowed(advice="yes")),
               Ratio(with_advice, with_fee, numerator_of=taken.narrowed(advice="yes"),
                     denominator_of=taken)),
              ("Without", Count(with_fee - with_advice, taken.narrowed(advice="no")),
               Ratio(with_fee - with_advice, with_fee,
                     numerator_of=taken.narrowed(advice="no"), denominator_of=taken))]
        if with_fee else [],
        empty="No fees were taken in this period.",
    )
    sections = [
        Section(title="At a glance", blocks=[Metrics(items=[
            Metric(label="People offered a fee or expenses",
                   value=Count(len(everyone), PEOPLE_PAID), type=PEOPLE),
            Metric(label="People who declined a fee",
                   value=Count(len(fees["declined"].people),
                               PEOPLE_PAID.narrowed(declined="yes")),
                   type=PEOPLE, note="A payment can affect benefits; nobody has to take one."),
            Metric(label="Payments", value=Count(records, PAYMENTS), type=PEOPLE,
                   note="Each person counted once for each payment."),
            Metric(label="Still to pay",
                   value=Amount(str(still_owed), of=MONEY.narrowed(state="to_pay"),
                                people=len(owing)),
                   type=TEXT, note="Fees taken and expenses not yet paid."),
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
        breakdowns=(
            # Each payment's fee was taken and paid, taken and owed, declined, or
            # there was none; all money is a fee or an expense, paid or owed.
            Breakdown(population="payments", name="fee", parts=(*FEE_STATES, "none")),
            Breakdown(population="money", name="item", parts=("fee", *EXPENSES)),
            Breakdown(population="money", name="state", parts=FEE_STATES),
        ),
    )


def _in_period(payments: Iterable[Payment], params: Params) -> Iterable[Payment]:
    return (p for p in payments if params.covers(p.date))
