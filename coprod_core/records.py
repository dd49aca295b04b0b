"""Collections that plugins keep beside the core's four.

A plugin with records of its own (the payments example keeps ``payments``)
declares the collection once, when its module is imported::

    from coprod_core.records import add_collection

    add_collection("payments", prefix="PAY", word="payment", record_type=Payment)

From then on ``op.new_id("payments")`` gives ``PAY-1``, ``PAY-2``...;
``op.write("payments", payment)`` validates and stores it through whichever
backend the workspace uses, in the same transaction and audit log as
everything else; and ``ws.record("payments", "pay1")`` and
``ws.records("payments")`` read it back as ``record_type`` objects. The
record type is an attrs class with an ``id``; it is stored as the document
:mod:`coprod_core.serialise` makes of it.
"""

from __future__ import annotations

import re

from . import ids, model
from .errors import PluginError
from .storage import check_collection

_PREFIX = re.compile(r"^[A-Z]{1,3}$")


def add_collection(name: str, *, prefix: str, word: str, record_type: type) -> None:
    """Declare collection ``name``: ids ``<prefix>-<n>``, one record is a ``word``.

    Declaring the same collection again with the same prefix is harmless (a
    module imported twice); a name or prefix already used for something
    else is a :class:`PluginError`.
    """
    check_collection(name)
    if not _PREFIX.match(prefix):
        raise PluginError(f"id prefix {prefix!r} of {name!r} must be 1 to 3 capital letters")
    if name in ids.KINDS and ids.KINDS[name][0] != prefix:
        raise PluginError(
            f"collection {name!r} already exists with ids like {ids.KINDS[name][0]}-1"
        )
    for other, (taken, _word) in ids.KINDS.items():
        if taken == prefix and other != name:
            raise PluginError(f"id prefix {prefix!r} is already used by collection {other!r}")
    ids.KINDS[name] = (prefix, word)
    model.RECORD_TYPES[name] = record_type
