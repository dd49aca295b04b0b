"""A payment for involvement: fee, expenses, benefits advice, paid date.

Amounts are whole numbers of the currency's minor unit (pence for GBP), so
sums are exact.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum

from attrs import field, frozen
from attrs import validators as v

from coprod_core.errors import CoprodError


class FeeStatus(StrEnum):
    #: The fee was offered and the person takes it.
    OFFERED = "offered"
    #: The person declined the fee (a payment can affect benefits); expenses
    #: are still repaid.
    DECLINED = "declined"


def _utc(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    return value.astimezone(dt.UTC)


_amount = [v.instance_of(int), v.ge(0)]


@frozen(kw_only=True)
class Payment:
    id: str
    participant_id: str
    #: What the involvement was, such as "Lived-experience panel".
    activity: str = field(validator=v.min_len(1))
    #: The day the involvement happened.
    date: dt.date
    session_id: str | None = None
    hours: float | None = field(default=None, validator=v.optional(v.ge(0)))
    #: The hourly rate used, in minor units, when the fee came from hours.
    rate: int | None = field(default=None, validator=v.optional(_amount))
    fee: int = field(default=0, validator=_amount)
    fee_status: FeeStatus = field(default=FeeStatus.OFFERED, converter=FeeStatus)
    travel: int = field(default=0, validator=_amount)
    carer: int = field(default=0, validator=_amount)
    currency: str = field(default="GBP", validator=v.matches_re(r"^[A-Z]{3}$"))
    #: Whether the person was offered advice on how payment affects benefits.
    benefits_advice_offered: bool = False
    note: str | None = None
    paid_on: dt.date | None = None
    recorded_at: dt.datetime = field(converter=_utc)
    recorded_by: str

    @property
    def expenses(self) -> int:
        return self.travel + self.carer

    @property
    def fee_owed(self) -> int:
        return self.fee if self.fee_status == FeeStatus.OFFERED else 0

    @property
    def owed(self) -> int:
        """What is paid to the person: the fee unless declined, and expenses."""
        return self.fee_owed + self.expenses


_SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$"}
_MONEY = re.compile(r"^\s*[£€$]?\s*(\d{1,9})(?:\.(\d{1,2}))?\s*$")


def parse_amount(text: str | float, what: str = "amount") -> int:
    """``"12.5"`` or ``"£12.50"`` -> 1250 minor units."""
    match = _MONEY.match(str(text))
    if match is None:
        raise CoprodError(f"{what} {text!r} is not an amount; write it like 12.50")
    return int(match.group(1)) * 100 + int((match.group(2) or "0").ljust(2, "0"))


def format_amount(minor: int, currency: str) -> str:
    """1250, "GBP" -> ``£12.50``; other currencies as ``12.50 SEK``."""
    text = f"{minor // 100:,}.{minor % 100:02d}"
    symbol = _SYMBOLS.get(currency)
    return f"{symbol}{text}" if symbol else f"{text} {currency}"
