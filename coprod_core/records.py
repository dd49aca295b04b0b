"""Collections that plugins keep beside the core's four.

A plugin with records of its own (the payments example keeps ``payments``)
declares the collection through the ``coprod_register_collections`` hook::

    @hookimpl
    def coprod_register_collections(register):
        from coprod_core.records import Collection
        from .model import Payment

        register("payments", Collection(prefix="PAY", word="payment", record_type=Payment))

The core applies every registration (:func:`declare_collections`) when a
workspace is opened; :func:`add_collection` does the same for one
collection directly (core features and tests).

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
from typing import Any

from attrs import frozen

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


@frozen(kw_only=True)
class Collection:
    """A plugin's collection, as ``coprod_register_collections`` registers it."""

    #: One to three capital letters: ids look like ``PAY-12``.
    prefix: str
    #: The word for one record, used in messages ("no payment with id PAY-9").
    word: str
    #: The attrs class (with an ``id``) that documents are structured as.
    record_type: type


def declare_collections(pm: Any) -> None:
    """Apply every collection the plugins registered (once per plugin manager)."""
    from .plugins import registry

    for name, item in registry(pm, "coprod_register_collections", "collection").items():
        collection = item.thing
        if not isinstance(collection, Collection):
            raise PluginError(
                f"plugin {item.plugin!r} registered collection {name!r} as "
                f"{type(collection).__name__}, not coprod_core.records.Collection"
            )
        try:
            add_collection(name, prefix=collection.prefix, word=collection.word,
                           record_type=collection.record_type)
        except Exception as exc:
            raise PluginError(f"plugin {item.plugin!r}: {exc}") from None
