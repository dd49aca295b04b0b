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

import importlib
import re
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import NamedTuple

from attrs import frozen

from . import ids
from .errors import CoprodError, NotFound, PluginError

__all__ = ["Collection", "Collections", "CoreCollection", "core_collections"]

_PREFIX = re.compile(r"^[A-Z]{1,3}$")


@frozen(kw_only=True)
class Collection:
    """A collection of records, as ``coprod_register_collections`` registers it."""

    prefix: str
    """One to three capital letters: ids look like ``PAY-12``."""
    word: str
    """The word for one record, used in messages ("no payment with id PAY-9")."""
    record_type: type
    """The attrs class (with an ``id``) that documents are structured as."""


class CoreCollection(NamedTuple):
    """A core collection whose record class is imported the first time it is needed.

    Opening a workspace must not import privacy or accounts (``participant
    list`` starts fast); their ids are read from the prefix alone.
    """

    prefix: str
    word: str
    #: ``module:Class`` of the record type.
    where: str

    def resolve(self) -> Collection:
        module, _, name = self.where.partition(":")
        record_type = getattr(importlib.import_module(module), name)
        return Collection(prefix=self.prefix, word=self.word, record_type=record_type)


#: Where the record class of each core collection is defined.
_CORE_TYPES = MappingProxyType({
    "participants": "coprod_core.model:Participant",
    "sessions": "coprod_core.model:Session",
    "tensions": "coprod_core.model:Tension",
    "commitments": "coprod_core.model:Commitment",
    "submissions": "coprod_core.model:Submission",
    "rights_requests": "coprod_core.protection.records:RightsRequest",
    "exports": "coprod_core.protection.records:ExportRecord",
    "accounts": "coprod_core.accounts:Account",
    "sources": "coprod_core.importing:SourceLink",
})


def core_entries() -> dict[str, CoreCollection]:
    """The core's collections as the registry holds them (record classes not imported)."""
    return {name: CoreCollection(prefix, word, _CORE_TYPES[name])
            for name, (prefix, word) in ids.CORE_KINDS.items()}


def core_collections() -> dict[str, Collection]:
    """The collections of the core: the four of the model, and those privacy, forms and
    accounts keep."""
    return {name: entry.resolve() for name, entry in core_entries().items()}


class Collections(Mapping[str, Collection]):
    """Every collection a workspace has, by name; reads and writes ids of each.

    Ids are parsed by one rule (:func:`coprod_core.ids.split`) for every
    collection; this table supplies the prefix and the word.
    """

    def __init__(self, collections: Mapping[str, Collection | CoreCollection]) -> None:
        self._by_name = dict(collections)
        self._by_prefix = {c.prefix: name for name, c in collections.items()}

    @classmethod
    def checked(cls, registered: Mapping[str, tuple[Collection | CoreCollection, str]]
                ) -> Collections:
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
        found = self._kind(name)
        if isinstance(found, CoreCollection):
            found = self._by_name[name] = found.resolve()
        return found

    def _kind(self, name: str) -> Collection | CoreCollection:
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
        return f"{self._kind(collection).prefix}-{number}"

    def parse_id(self, collection: str, text: str) -> str:
        """Normalise ``text`` (``p12``, ``P-12``) to the canonical id of a ``collection`` record."""
        found = self._kind(collection)
        return ids.parse_as(found.prefix, found.word, text)

    def collection_of(self, record_id: str) -> str | None:
        """The collection an id belongs to, or None if it has no known prefix."""
        parts = ids.split(record_id)
        return None if parts is None else self._by_prefix.get(parts[0])

    def not_found(self, collection: str, record_id: str) -> NotFound:
        return NotFound(self._kind(collection).word, record_id)
