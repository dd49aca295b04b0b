"""Collections of records: the core's and those plugins keep beside them.

A plugin with records of its own (the payments example keeps ``payments``)
declares the collection through the ``coprod_register_collections`` hook::

    from coprod_core import hookimpl


    @hookimpl
    def coprod_register_collections(register):
        from coprod_core.records import Collection
        from .model import Payment

        register("payments", Collection(prefix="PAY", word="payment", record_type=Payment))

The plugin manager's registry keeps every collection, the core's first, as
a :class:`Collections` table; each workspace reads its own from its plugin
manager (``ws.collections``), so two workspaces with different plugins can
be open side by side.

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
from collections.abc import Iterator, Mapping
from types import MappingProxyType

from attrs import frozen

from . import ids
from .errors import CoprodError, NotFound, PluginError

__all__ = ["Collection", "Collections", "core_collections"]

_PREFIX = re.compile(r"^[A-Z]{1,3}$")


@frozen(kw_only=True)
class Collection:
    """A collection of records, as ``coprod_register_collections`` registers it."""

    #: One to three capital letters: ids look like ``PAY-12``.
    prefix: str
    #: The word for one record, used in messages ("no payment with id PAY-9").
    word: str
    #: The attrs class (with an ``id``) that documents are structured as.
    record_type: type


def core_collections() -> dict[str, Collection]:
    """The collections of the core: the four of the model, and those privacy and forms keep."""
    from .model import CORE_RECORD_TYPES
    from .privacy import ExportRecord, RightsRequest

    types = {**CORE_RECORD_TYPES, "rights_requests": RightsRequest, "exports": ExportRecord}
    return {name: Collection(prefix=prefix, word=word, record_type=types[name])
            for name, (prefix, word) in ids.CORE_KINDS.items()}


class Collections(Mapping[str, Collection]):
    """Every collection a workspace has, by name; reads and writes ids of each.

    Ids are parsed by one rule (:func:`coprod_core.ids.split`) for every
    collection; this table supplies the prefix and the word.
    """

    def __init__(self, collections: Mapping[str, Collection]) -> None:
        self._by_name = MappingProxyType(dict(collections))
        self._by_prefix = {c.prefix: name for name, c in collections.items()}

    @classmethod
    def checked(cls, registered: Mapping[str, tuple[Collection, str]]) -> Collections:
        """The table of ``name -> (collection, plugin)``; a prefix taken twice names both."""
        from .storage import check_collection

        taken: dict[str, str] = {}
        for name, (collection, plugin) in registered.items():
            check_collection(name)
            if not _PREFIX.match(collection.prefix):
                raise PluginError(f"plugin {plugin!r}: id prefix {collection.prefix!r} of "
                                  f"{name!r} must be 1 to 3 capital letters "
                                  "(coprod_register_collections)")
            if collection.prefix in taken:
                raise PluginError(
                    f"plugin {plugin!r}: id prefix {collection.prefix!r} is already used by "
                    f"collection {taken[collection.prefix]!r} (coprod_register_collections)")
            taken[collection.prefix] = name
        return cls({name: collection for name, (collection, _p) in registered.items()})

    def __getitem__(self, name: str) -> Collection:
        try:
            return self._by_name[name]
        except KeyError:
            raise CoprodError(
                f"no collection named {name!r}; a plugin declares its own with "
                "coprod_register_collections"
            ) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_name)

    def __len__(self) -> int:
        return len(self._by_name)

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def format_id(self, collection: str, number: int) -> str:
        return f"{self[collection].prefix}-{number}"

    def parse_id(self, collection: str, text: str) -> str:
        """Normalise ``text`` (``p12``, ``P-12``) to the canonical id of a ``collection`` record."""
        found = self[collection]
        return ids.parse_as(found.prefix, found.word, text)

    def collection_of(self, record_id: str) -> str | None:
        """The collection an id belongs to, or None if it has no known prefix."""
        parts = ids.split(record_id)
        return None if parts is None else self._by_prefix.get(parts[0])

    def not_found(self, collection: str, record_id: str) -> NotFound:
        return NotFound(self[collection].word, record_id)
