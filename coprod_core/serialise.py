"""Model objects to documents and back.

Backends store what :func:`unstructure` returns: plain JSON-ready dicts with a
``schema_version``. :func:`structure` migrates an older document first; each
migration is a pure function from one version's document to the next's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

from . import model
from .errors import StorageError

if TYPE_CHECKING:
    import cattrs

SCHEMA_VERSION = 1

T = TypeVar("T")

#: (collection, from_version) -> function returning the document at from_version + 1.
MIGRATIONS: dict[tuple[str, int], Callable[[dict[str, Any]], dict[str, Any]]] = {}


def _make_converter() -> cattrs.Converter:
    import cattrs

    conv = cattrs.Converter(omit_if_default=False)
    conv.register_unstructure_hook(dt.datetime, lambda d: d.isoformat())
    conv.register_structure_hook(dt.datetime, lambda s, _t: dt.datetime.fromisoformat(s))
    conv.register_unstructure_hook(dt.date, lambda d: d.isoformat())
    conv.register_structure_hook(dt.date, lambda s, _t: dt.date.fromisoformat(s))
    conv.register_unstructure_hook(StrEnum, lambda e: e.value)
    conv.register_structure_hook(Any, lambda v, _t: v)
    return conv


_converter: cattrs.Converter | None = None


def get_converter() -> cattrs.Converter:
    """The converter every document goes through, built on first use.

    cattrs is imported only then, so commands that touch no record (``coprod
    --help``, a list of an empty collection) do not pay for it.
    """
    global _converter
    if _converter is None:
        _converter = _make_converter()
    return _converter


def __getattr__(name: str) -> Any:
    # ``serialise.converter`` stays available, built lazily.
    if name == "converter":
        return get_converter()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def unstructure(record: Any) -> dict[str, Any]:
    """The document a backend stores for ``record``."""
    doc: dict[str, Any] = get_converter().unstructure(record)
    doc["schema_version"] = SCHEMA_VERSION
    return doc


def migrate(collection: str, doc: dict[str, Any]) -> dict[str, Any]:
    """Bring ``doc`` up to :data:`SCHEMA_VERSION` by applying migrations in turn."""
    version = doc.get("schema_version", 1)
    if version > SCHEMA_VERSION:
        raise StorageError(
            f"record {doc.get('id')} was written by a newer coprod (schema {version}); "
            "upgrade coprod to read it"
        )
    while version < SCHEMA_VERSION:
        doc = MIGRATIONS[(collection, version)](dict(doc))
        version += 1
        doc["schema_version"] = version
    return doc


def structure(collection: str, doc: dict[str, Any]) -> Any:
    """The model object for a stored document of ``collection``."""
    doc = migrate(collection, doc)
    body = {k: v for k, v in doc.items() if k != "schema_version"}
    return get_converter().structure(body, model.RECORD_TYPES[collection])


def structure_as(cls: type[T], data: Any) -> T:
    """Structure any value as ``cls`` with the same hooks the documents use."""
    return get_converter().structure(data, cls)
