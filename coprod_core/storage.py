"""The storage protocol every backend implements.

A backend keeps *collections* of documents (the four the core models, plus
any a plugin adds, such as ``payments``) and an append-only audit log. It
knows nothing of the model: documents are the JSON-ready dicts that
:mod:`coprod_core.serialise` produces, each with an ``id`` such as ``P-12``.

Rules every backend keeps (the conformance suite in
:mod:`coprod_core.testing` checks them):

- every write happens inside :meth:`Storage.transaction`; a write outside
  one raises :class:`~coprod_core.errors.StorageError`; when the block
  raises, nothing written inside it is kept, and the exception propagates;
- a nested ``transaction()`` joins the outer one;
- a collection name that :func:`check_collection` refuses raises
  :class:`~coprod_core.errors.StorageError` from every method, reads too;
- :meth:`Storage.iterate` yields documents in id-number order and streams
  (memory stays flat however large the collection);
- ``where`` filters match top-level fields by equality; a list or tuple value
  matches any of its items;
- :meth:`Storage.next_number` never returns a committed number twice for a
  collection, even after a delete;
- after :meth:`Storage.purge`, no byte of a deleted or overwritten document
  is left in what the backend stores.

:class:`BaseStorage` implements the nesting, the write check and the name
check once; the built-in backends subclass it.

Optional capability: ``rewrite_audit(change) -> int`` replaces, inside a
transaction, each audit entry for which ``change(entry)`` returns a new dict
(None keeps it), and returns how many changed. An erasure uses it to remove
a person's name from the entries where they were the actor; without it the
erasure warns that the audit log still names them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from attrs import field, frozen

from .errors import StorageError

__all__ = [
    "CORE_COLLECTIONS", "INDEXED_FIELDS", "BaseStorage", "Document", "Setting", "Storage",
    "StorageBackend", "Where", "check_collection", "id_number", "matches",
]

Document = dict[str, Any]
Where = Mapping[str, Any]

#: The four collections of the core model.
CORE_COLLECTIONS = ("participants", "sessions", "tensions", "commitments")

#: Fields that reports and lists filter on; backends with columns index these.
INDEXED_FIELDS: dict[str, tuple[str, ...]] = {
    "participants": ("role",),
    "sessions": ("date",),
    "tensions": ("kind", "status", "session_id", "raised_by"),
    "commitments": ("status", "authority", "made_by", "session_id", "due"),
}

_COLLECTION_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


def check_collection(name: str) -> str:
    """Raise unless ``name`` is a valid collection name (lower-case identifier)."""
    if not isinstance(name, str) or not _COLLECTION_NAME.match(name):
        raise StorageError(
            f"collection name {name!r} must be lower-case letters, digits and underscores"
        )
    return name


def matches(doc: Document, where: Where | None) -> bool:
    """Whether ``doc`` passes the ``where`` filter (the reference semantics)."""
    if not where:
        return True
    for key, wanted in where.items():
        value = doc.get(key)
        if isinstance(wanted, list | tuple | set | frozenset):
            if value not in wanted:
                return False
        elif value != wanted:
            return False
    return True


def id_number(record_id: str) -> int:
    return int(str(record_id).rsplit("-", 1)[1])


@runtime_checkable
class Storage(Protocol):
    """What the Workspace needs from a backend.

    A backend plugin returns one of these from :attr:`StorageBackend.open`.
    The conformance suite (:class:`coprod_core.testing.conformance.StorageConformance`)
    checks every rule written here; run it against a new backend.

    Errors: every method raises :class:`~coprod_core.errors.StorageError`
    (one line, for the person at the keyboard) for a problem of the medium
    (a locked file, a lost connection, a full disk) and for a collection name
    that :func:`check_collection` refuses, on reads as well as writes. Any
    other exception is a bug in the backend.

    Writes (:meth:`put`, :meth:`put_many`, :meth:`delete`, :meth:`next_number`,
    :meth:`append_audit`) are allowed only inside :meth:`transaction`: a write
    outside a transaction must raise ``StorageError`` and keep nothing.
    """

    #: The backend's registered name (``sqlite``, ``json``, ``postgres``, ...):
    #: the same as its :class:`StorageBackend`'s ``name``, shown by ``coprod doctor``.
    name: str

    def transaction(self) -> AbstractContextManager[None]:
        """A block whose writes are all kept, or none are.

        When the block raises, nothing written inside it is kept and the
        exception propagates unchanged. A ``transaction()`` opened inside
        another joins it: only the outermost one commits.

        :raises StorageError: when the transaction cannot begin or commit (a
            lock held too long, a lost connection); nothing is kept.
        """

    def get(self, collection: str, record_id: str) -> Document | None:
        """The document with ``record_id``, or None when there is none.

        Returns a copy: changing it changes nothing stored.

        :raises StorageError: for an invalid collection name or an unreadable medium.
        """

    def put(self, collection: str, doc: Document) -> None:
        """Insert or replace ``doc`` (keyed by ``doc["id"]``, such as ``"P-12"``).

        :raises StorageError: outside a transaction, for an invalid collection
            name, or when the medium refuses the write.
        """

    def put_many(self, collection: str, docs: Iterable[Document]) -> int:
        """Insert or replace many documents; returns how many.

        ``docs`` may be a generator (bulk imports stream): consume it once. If
        it raises, the exception propagates and the transaction rolls back.

        :raises StorageError: as :meth:`put`.
        """

    def delete(self, collection: str, record_id: str) -> bool:
        """Remove a document; True if it existed, False if there was none.

        :raises StorageError: as :meth:`put`.
        """

    def iterate(self, collection: str, where: Where | None = None) -> Iterator[Document]:
        """Stream the documents that match ``where``, in id-number order.

        ``where`` matches top-level fields by equality; a list or tuple value
        matches any of its items (:func:`matches` is the reference). Memory
        stays flat however large the collection: fetch in pages.

        :raises StorageError: for an invalid collection name or an unreadable medium.
        """

    def count(self, collection: str, where: Where | None = None) -> int:
        """How many documents match ``where`` (as :meth:`iterate` would yield).

        :raises StorageError: as :meth:`iterate`.
        """

    def next_number(self, collection: str, count: int = 1) -> int:
        """Allocate ``count`` consecutive id numbers of ``collection``; return the first.

        Never returns a committed number twice for a collection, even after a
        delete. Called inside a transaction; a rolled-back allocation may be reused.

        :raises StorageError: outside a transaction or for an invalid collection name.
        """

    def counters(self) -> dict[str, int]:
        """The last id number allocated per collection (for export and migrate).

        A collection whose records were all deleted still has its counter, so
        that a copy never reuses one of its ids.
        """

    def append_audit(self, entry: Document) -> None:
        """Append one entry to the audit log (inside the operation's transaction).

        :raises StorageError: outside a transaction or when the medium refuses.
        """

    def iterate_audit(self) -> Iterator[Document]:
        """Stream the audit log, oldest first."""

    def collections(self) -> list[str]:
        """The collections that hold at least one document."""

    def purge(self) -> None:
        """Make deleted or overwritten documents unrecoverable from the backend's files.

        Called after an erasure, outside any transaction. A backend does what
        its medium allows (SQLite checkpoints and truncates its WAL; a server
        rewrites the affected tables) and documents what operators must still
        do (backups, replicas).
        """

    def close(self) -> None:
        """Release files and connections. Called once; the storage is not used after."""


class BaseStorage:
    """What every backend shares; subclass it and implement :meth:`_begin`.

    - :meth:`transaction` nests: an inner block joins the outermost one, and
      only the outermost calls :meth:`_begin`, the backend's own
      begin-commit-or-roll-back;
    - :meth:`_require_tx` is the check every write makes first: a write
      outside a transaction raises :class:`~coprod_core.errors.StorageError`;
    - :meth:`_collection` is the check every method makes of the collection
      name it is given, reads included, so that a name that production would
      refuse is refused in tests too.

    A backend needs none of this to conform (the protocol is what counts),
    but the four built-in ones use it, and a new one saves itself three
    subtle pieces of code.
    """

    #: The backend's registered name.
    name: str = ""
    _depth: int = 0

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """A block whose writes are all kept, or none are; nested blocks join."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        with self._begin():
            self._depth = 1
            try:
                yield
            finally:
                self._depth = 0

    def _begin(self) -> AbstractContextManager[None]:
        """The outermost transaction: begin, then commit when the block ends or roll
        back when it raises (re-raising). Writes inside see ``in_transaction`` true."""
        raise NotImplementedError(f"{type(self).__name__} must implement _begin()")

    @property
    def in_transaction(self) -> bool:
        """Whether a transaction is open (writes are allowed)."""
        return self._depth > 0

    def _require_tx(self) -> None:
        if not self._depth:
            raise StorageError("writes must happen inside storage.transaction()")

    @staticmethod
    def _collection(name: str) -> str:
        return check_collection(name)


# Optional extras a backend may offer (found with getattr, not required):
#
# - ``notices: list[str]``: warnings found on opening (a network filesystem);
# - ``check_integrity() -> list[str]``: problems found in the stored files;
# - ``backup(target: Path)``: a consistent copy while others may be writing.


@frozen(kw_only=True)
class Setting:
    """One key a backend or a plugin reads from its table in ``coprod.toml``."""

    key: str
    type: type | tuple[type, ...]
    default: Any = None
    help: str = ""
    #: For a number: the lowest and highest values allowed (None: no bound).
    minimum: float | None = None
    maximum: float | None = None
    #: For text naming a file or folder: checked to be a path that can exist.
    path: bool = False

    def problem(self, value: Any, root: Path | None = None) -> str | None:
        """Why ``value`` (already of the right type) is not allowed, or None.

        ``root`` is the workspace folder a relative path is taken from.
        """
        if isinstance(value, int | float) and not isinstance(value, bool):
            low, high = self.minimum, self.maximum
            if low is not None and value < low:
                return f"must be at least {low:g}" + (f" and at most {high:g}" if high else "")
            if high is not None and value > high:
                return f"must be at most {high:g}"
        if self.path and isinstance(value, str):
            return path_problem(value, root)
        return None


def path_problem(text: str, root: Path | None = None) -> str | None:
    """Why ``text`` cannot name a file or folder, or None.

    Empty text, a part longer than a file name may be, or ``..`` climbing
    above the root of the filesystem (``/../x.db``, or from a workspace two
    folders deep, ``../../../x.db``), which only works by accident and
    usually means a mistake in counting folders. ``root`` is the folder a
    relative path is taken from.
    """
    if not text.strip():
        return "must name a file or folder, not be empty"
    path = Path(text)
    too_long = next((p for p in path.parts if len(p.encode("utf-8", "replace")) > 255), None)
    if too_long is not None:
        return f"has a part of {len(too_long)} characters; a file or folder name has at most 255"
    if not path.is_absolute():
        if root is None:
            return None
        path = Path(os.path.abspath(root)) / path
    depth = 0
    for part in path.parts[1:]:
        depth = depth - 1 if part == ".." else depth + (part != ".")
        if depth < 0:
            return "climbs above the root of the filesystem with `..`; write the path plainly"
    return None


def _settings(values: Iterable[Setting]) -> tuple[Setting, ...]:
    return tuple(values)


@frozen(kw_only=True)
class StorageBackend:
    """A backend as a plugin registers it.

    ``open(root, options)`` returns a :class:`Storage`; ``root`` is the
    workspace folder (None for a workspace with no folder) and ``options`` is
    the ``[storage]`` table without ``backend``.
    """

    name: str
    open: Callable[[Path | None, Mapping[str, Any]], Storage]
    settings: tuple[Setting, ...] = field(default=(), converter=_settings)
    description: str = ""
