"""coprod-payments: paying people for their time, the way involvement guidance expects.

Each payment record covers one piece of involvement: the fee (offered, or
declined: a payment can affect someone's benefits, so people may say no),
travel and carer expenses, whether benefits advice was offered, and when it
was paid. Records live in their own ``payments`` collection (ids ``PAY-1``...)
in whatever storage the workspace uses, written through the Workspace so
they share its transactions, audit log, validation and events.

Hooks used: ``coprod_register_collections`` (the ``payments`` records),
``coprod_register_settings`` (``[plugins.payments]``),
``coprod_register_commands`` (``coprod payments ...``), ``coprod_validate``
(the payment rules), ``coprod_register_report_kinds`` (the ``payments``
report, :mod:`.report`), ``coprod_register_web_routes`` (a payments page for
coordinators in ``coprod serve``, :mod:`.web`), and ``coprod_subject_access``
and ``coprod_erase_participant`` (a person's rights, :mod:`.privacy`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from coprod_core.model import Participant

from coprod_core import hookimpl

__version__ = "0.1.0"



@hookimpl
def coprod_register_collections(register: Any) -> None:
    from coprod_core.records import Collection

    from .model import Payment

    register("payments", Collection(prefix="PAY", word="payment", record_type=Payment))


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


@hookimpl
def coprod_register_report_kinds(register: Any) -> None:
    from coprod_core.reports import ReportKind

    def build(workspace: Any, params: Any) -> Any:
        from .report import build

        return build(workspace, params)

    register("payments", ReportKind(
        name="payments", title="Payments for involvement", build=build,
        description="Fees offered, declined and paid; travel and carer expenses paid and "
                    "still to pay; benefits advice before a fee.",
    ))


@hookimpl
def coprod_register_web_routes(register: Any) -> None:
    from coprod_web import WebRoute

    from .web import TEMPLATES, payments_page

    register("payments", WebRoute(path="/payments", view=payments_page,
                                  permission="records.read", title="Payments",
                                  templates=TEMPLATES))


@hookimpl
def coprod_subject_access(workspace: Any, participant: Participant) -> dict[str, Any] | None:
    from .privacy import subject_access

    return subject_access(workspace, participant)


@hookimpl
def coprod_erase_participant(workspace: Any, participant_id: str,
                             participant: Participant) -> None:
    from .privacy import erase

    erase(workspace, participant_id, participant)
