"""What the payments plugin does for a person's rights: access and erasure.

Subject access: every payment record of the person, in words they can read.

Erasure keeps the money honest. A payment is a financial record the
organisation must keep, and published totals (money paid, people paid) must
stay true, so the record stays, still linked to the person's tombstone (which
holds only an id, a role and two dates). What could say something about the
person goes: the free-text note, and who recorded the payment when that was
the person themselves. The core's safety net then removes their name,
pseudonym, email and phone from every other string of the collection.
"""

from __future__ import annotations

from typing import Any

from attrs import evolve

from coprod_core.model import Participant
from coprod_core.privacy import MARKER

from .model import Payment, format_amount


def readable(payment: Payment) -> dict[str, Any]:
    """One payment as a person reads it in their subject access export."""

    def money(minor: int) -> str:
        return format_amount(minor, payment.currency)

    return {
        "payment": payment.id,
        "what it was for": payment.activity,
        "date": payment.date.isoformat(),
        "session": payment.session_id,
        "hours": payment.hours,
        "hourly rate": money(payment.rate) if payment.rate is not None else None,
        "fee": money(payment.fee),
        "fee offered or declined": str(payment.fee_status),
        "travel expenses": money(payment.travel),
        "carer expenses": money(payment.carer),
        "benefits advice offered": "yes" if payment.benefits_advice_offered else "no",
        "paid on": payment.paid_on.isoformat() if payment.paid_on else "not yet paid",
        "note": payment.note,
        "recorded": f"{payment.recorded_at.isoformat()} by {payment.recorded_by}",
    }


def subject_access(workspace: Any, participant: Participant) -> dict[str, Any] | None:
    found = [readable(p) for p in workspace.records("payments", participant_id=participant.id)]
    return {"payments": found} if found else None


def erase(workspace: Any, participant_id: str, participant: Participant) -> None:
    """Drop the note (and the person as recorder) from each of their payments."""
    names = {n for n in (participant.name, participant.pseudonym) if n}
    with workspace.operation("payment.erase") as op:
        for before in list(workspace.records("payments", participant_id=participant_id)):
            after = evolve(before, note=None)
            if before.recorded_by in names or before.recorded_by == participant_id:
                after = evolve(after, recorded_by=MARKER)
            if after != before:
                op.write("payments", after, before)
