"""Privacy by design: consent rules, erasure, retention and rights requests.

The rules (docs/privacy.md explains them for a data-protection officer):

- **Consent covers what is stored.** A demographic answer in a special
  category is stored only while ``special:<category>`` consent is given.
  Email and phone are not stored once ``contact`` consent is withdrawn (and,
  with ``require_contact_consent = true`` in ``[privacy]``, not before it is
  given). :func:`check_participant` refuses any write that breaks these rules,
  whoever makes it (the core, an intake form, an import).
- **Withdrawal is immediate.** :func:`apply_withdrawal` runs inside the
  consent operation: ``contact`` removes email and phone, ``special:<c>``
  removes the answers in that category, ``record`` erases the person. Plugins
  drop what they hold through ``coprod_consent_withdrawn``.
- **Erasure leaves a tombstone.** :func:`erase` keeps the id, role, the date
  the record was created and when it was erased, so totals stay true; it
  removes everything else, replaces the person's name, pseudonym, email and
  phone in free text everywhere with :data:`MARKER`, lets plugins erase
  theirs (``coprod_erase_participant``), deletes the subject access exports
  coprod wrote of them, and purges the backend's files.
- **Retention.** ``[privacy] retention`` says how long a person may be
  inactive before their record is reviewed for erasure (:func:`review`).
- **Rights requests** are records in the ``rights_requests`` collection
  (ids ``R-1``...), due one calendar month after they were received.

This module gathers the public names of data protection in one place, as
plugins and scripts have always imported them. The code lives by concern:
the rules and records in :mod:`coprod_core.protection` (settings, consent,
matcher, scrub, records), the operations in :mod:`coprod_core.services`
(consent, erasure, retention, rights_requests).
"""


from .errors import PluginError
from .protection.consent import check_participant, may_name
from .protection.matcher import MARKER, Matcher, refers_to
from .protection.records import (
    EXPORTS,
    OWN_COLLECTIONS,
    REQUEST_TYPES,
    REQUESTS,
    ExportRecord,
    RightsRequest,
    due_date,
)
from .protection.scrub import ERASED_NAME, tombstone
from .protection.settings import Period, add_months, check_config, retention
from .services.consent import apply_withdrawal
from .services.erasure import Erasure, erase, sweep
from .services.retention import Due, last_activity, retention_check, review
from .services.rights_requests import (
    add_request,
    complete_request,
    get_request,
    overdue_requests_check,
    requests,
)

__all__ = [
    "ERASED_NAME", "EXPORTS", "MARKER", "OWN_COLLECTIONS", "REQUESTS", "REQUEST_TYPES", "Due",
    "Erasure", "ExportRecord", "Matcher", "Period", "PluginError", "RightsRequest",
    "add_months", "add_request", "apply_withdrawal", "check_config", "check_participant",
    "complete_request", "due_date", "erase", "get_request", "last_activity", "may_name",
    "overdue_requests_check", "refers_to", "requests", "retention", "retention_check",
    "review", "sweep", "tombstone",
]
