"""Model objects to documents and back.

Backends store what :func:`unstructure` returns: plain JSON-ready dicts with a
``schema_version``. :func:`structure` migrates an older document first; each
migration is a pure function from one version's document to the next's.

To change the shape of a record: raise :data:`SCHEMA_VERSION` and register
what turns the previous version's document into the new one, for each
collection whose documents change::

    SCHEMA_VERSION = 2

    def _participant_1_to_2(doc):
        doc["name"] = doc.pop("known_as")
        return doc

    MIGRATIONS[("participants", 1)] = _participant_1_to_2

Older documents are then read in the new shape and written back in it the
next time they are saved (tests/test_storage_sqlite.py shows one at work).
"""

from __future__ import annotations

import datetime as dt
import typing
from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

from . import model
from .errors import StorageError, ValidationFailed

if TYPE_CHECKING:
    import cattrs


__all__ = [
    "MIGRATIONS", "SCHEMA_VERSION", "migrate", "structure", "structure_as", "unstructure",
    "unstructurer",
]
SCHEMA_VERSION = 1

T = TypeVar("T")

#: (collection, from_version) -> function returning the document at from_version + 1.
MIGRATIONS: dict[tuple[str, int], Callable[[dict[str, Any]], dict[str, Any]]] = {}


_last_timestamp: tuple[dt.datetime | None, str] = (None, "")


def _timestamp(value: dt.datetime) -> str:
    # Records written together share one timestamp object: format it once.
    global _last_timestamp
    last = _last_timestamp
    if value is last[0]:
        return last[1]
    text = value.isoformat()
    _last_timestamp = (value, text)
    return text


def _optional_datetime(value: dt.datetime | None) -> str | None:
    return None if value is None else _timestamp(value)


def _is_attrs_tuple(kind: Any) -> bool:
    import attrs

    args = typing.get_args(kind)
    return (typing.get_origin(kind) is tuple and len(args) == 2 and args[1] is Ellipsis
            and attrs.has(args[0]))


def _make_converter() -> cattrs.Converter:
    import cattrs
    from cattrs.fns import identity

    conv = cattrs.Converter(omit_if_default=False)
    # Bulk writes unstructure hundreds of thousands of records: hooks that
    # cattrs can inline (identity) or that avoid a generator per field keep
    # that cheap (bench/bulk_insert.py).
    conv.register_unstructure_hook_func(lambda t: t == str | None, identity)
    conv.register_unstructure_hook(dt.datetime, _timestamp)
    conv.register_unstructure_hook_func(lambda t: t == dt.datetime | None, _optional_datetime)
    conv.register_unstructure_hook_factory(
        _is_attrs_tuple,
        lambda t: _list_of(conv.get_unstructure_hook(typing.get_args(t)[0])),
    )
    conv.register_unstructure_hook_factory(
        lambda t: t == dict[str, Any],
        lambda t: _empty_fast(conv.gen_unstructure_mapping(t)),
    )
    conv.register_structure_hook(dt.datetime, lambda s, _t: dt.datetime.fromisoformat(s))
    conv.register_unstructure_hook(dt.date, lambda d: d.isoformat())
    conv.register_structure_hook(dt.date, lambda s, _t: dt.date.fromisoformat(s))
    conv.register_unstructure_hook(StrEnum, lambda e: e.value)
    conv.register_structure_hook(Any, lambda v, _t: v)
    return conv


def _empty_fast(hook: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def unstructure_mapping(value: Any) -> Any:
        return hook(value) if value else {}

    return unstructure_mapping


def _list_of(hook: Callable[[Any], Any]) -> Callable[[Any], list[Any]]:
    def unstructure_items(items: Any) -> list[Any]:
        return [hook(item) for item in items] if items else []

    return unstructure_items



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


def unstructurer(cls: type) -> Callable[[Any], dict[str, Any]]:
    """:func:`unstructure` for many records of one class (the hook looked up once)."""
    hook = get_converter().get_unstructure_hook(cls)
    version = SCHEMA_VERSION

    def unstructure_one(record: Any) -> dict[str, Any]:
        doc: dict[str, Any] = hook(record)
        doc["schema_version"] = version
        return doc

    return unstructure_one


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


def structure(collection: str, doc: dict[str, Any], record_type: type | None = None) -> Any:
    """The ``record_type`` object for a stored document of ``collection``.

    ``record_type`` defaults to the model's class for a core collection; a
    workspace passes its own (``ws.collections[name].record_type``). The
    model's rules apply to what is read as to what is written: a stored
    document that breaks one (written by hand, or by an older coprod) is a
    :class:`~coprod_core.errors.ValidationFailed` naming the record.
    """
    doc = migrate(collection, doc)
    body = {k: v for k, v in doc.items() if k != "schema_version"}
    try:
        return get_converter().structure(body, record_type or model.CORE_RECORD_TYPES[collection])
    except Exception as exc:
        refusal = _refusal(exc)
        if refusal is None:
            raise
        raise ValidationFailed(
            f"{doc.get('id', collection)} as stored breaks a rule ({refusal}); correct it from "
            "a backup, or run `coprod doctor` to list every such record"
        ) from None


def _refusal(exc: BaseException) -> ValidationFailed | None:
    """The model's refusal inside ``exc`` (cattrs groups the errors it meets), if any."""
    if isinstance(exc, ValidationFailed):
        return exc
    for inner in getattr(exc, "exceptions", ()):
        found = _refusal(inner)
        if found is not None:
            return found
    return None


def structure_as(cls: type[T], data: Any) -> T:
    """Structure any value as ``cls`` with the same hooks the documents use."""
    return get_converter().structure(data, cls)
