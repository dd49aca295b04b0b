"""coprod-payments: paying people for their time, the way involvement guidance expects.

Each payment record covers one piece of involvement: the fee (offered, or
declined: a payment can affect someone's benefits, so people may say no),
travel and carer expenses, whether benefits advice was offered, and when it
was paid. Records live in their own ``payments`` collection (ids ``PAY-1``...)
in whatever storage the workspace uses, written through the Workspace so
they share its transactions, audit log, validation and events.

Hooks used: ``coprod_register_settings`` (``[plugins.payments]``),
``coprod_register_commands`` (``coprod payments ...``) and
``coprod_validate`` (the payment rules). A ``payments`` report kind is one
more hook implementation that builds its document from :mod:`.summary`.
"""

from __future__ import annotations

from typing import Any

import pluggy

from coprod_core.records import add_collection

from .model import Payment

hookimpl = pluggy.HookimplMarker("coprod")

__version__ = "0.1.0"

add_collection("payments", prefix="PAY", word="payment", record_type=Payment)


@hookimpl
def coprod_register_settings(register: Any) -> None:
    from .service import SETTINGS

    register("payments", SETTINGS)


@hookimpl
def coprod_register_commands(register: Any) -> None:
    from .cli import payments

    register("payments", payments)


@hookimpl
def coprod_validate(workspace: Any, collection: str, record: Any, previous: Any) -> str | None:
    if collection != "payments":
        return None
    from .rules import check
    from .service import options

    return check(record, previous, options(workspace))
