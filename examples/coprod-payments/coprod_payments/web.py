"""The payments page of the web front: what is owed and paid, for coordinators.

Registered through ``coprod_register_web_routes``; its template extends the
web front's base layout, so it has the same header, menu and styles.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .model import format_amount
from .service import payments
from .summary import totals

TEMPLATES = Path(__file__).parent / "templates"


def payments_page(page: Any) -> Any:
    """``/payments``: every payment, or only those still owed (``?unpaid=yes``)."""
    unpaid = page.query.get("unpaid") == "yes"
    found = list(payments(page.workspace, unpaid=unpaid))
    summary = totals(found)
    currency = summary.currency or "GBP"
    rows = [{"id": p.id, "participant": p.participant_id, "activity": p.activity,
             "date": p.date, "fee": format_amount(p.fee_owed, p.currency),
             "expenses": format_amount(p.expenses, p.currency),
             "paid": p.paid_on, "declined": p.fee_status == "declined"} for p in found]
    return page.render("payments/list.html", title="Payments", rows=rows, unpaid=unpaid,
                       owed=format_amount(summary.still_owed, currency),
                       paid=format_amount(summary.fees_paid + summary.expenses_paid, currency))
