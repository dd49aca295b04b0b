"""The in-memory backend: fast, for tests and throwaway Python sessions.

Nothing survives the process. Documents are kept as JSON text so that a
caller can never change a stored document by changing a dict it was given.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from coprod_core import hookimpl

__version__ = "0.1.0"


class MemoryStorage:
    name = "memory"

    def __init__(self) -> None:
        self._data: dict[str, dict[int, str]] = {}
        self._counters: dict[str, int] = {}
        self._audit: list[str] = []
        self._depth = 0
        self._snapshot: tuple[Any, ...] | None = None

    @contextmanager
    def transaction(self) -> Iterator[None]:
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self._snapshot = (
            {c: dict(d) for c, d in self._data.items()},
            dict(self._counters),
            list(self._audit),  # a copy, as rewrite_audit may change entries
        )
        self._depth = 1
        try:
            yield
        except BaseException:
            data, counters, audit = self._snapshot
            self._data, self._counters, self._audit = data, counters, audit
            raise
        finally:
            self._depth = 0
            self._snapshot = None

    def _require_tx(self) -> None:
        if not self._depth:
            from coprod_core.errors import StorageError

            raise StorageError("writes must happen inside storage.transaction()")

    def get(self, collection: str, record_id: str) -> dict[str, Any] | None:
        from coprod_core.storage import id_number

        text = self._data.get(collection, {}).get(id_number(record_id))
        return None if text is None else json.loads(text)

    def put(self, collection: str, doc: dict[str, Any]) -> None:
        from coprod_core.storage import check_collection, id_number

        self._require_tx()
        check_collection(collection)
        self._data.setdefault(collection, {})[id_number(doc["id"])] = json.dumps(doc)

    def put_many(self, collection: str, docs: Iterable[dict[str, Any]]) -> int:
        n = 0
        for doc in docs:
            self.put(collection, doc)
            n += 1
        return n

    def delete(self, collection: str, record_id: str) -> bool:
        from coprod_core.storage import id_number

        self._require_tx()
        return self._data.get(collection, {}).pop(id_number(record_id), None) is not None

    def iterate(
        self, collection: str, where: Mapping[str, Any] | None = None
    ) -> Iterator[dict[str, Any]]:
        from coprod_core.storage import matches

        docs = self._data.get(collection, {})
        for number in sorted(docs):
            text = docs.get(number)
            if text is None:
                continue
            doc = json.loads(text)
            if matches(doc, where):
                yield doc

    def count(self, collection: str, where: Mapping[str, Any] | None = None) -> int:
        if not where:
            return len(self._data.get(collection, {}))
        return sum(1 for _ in self.iterate(collection, where))

    def next_number(self, collection: str, count: int = 1) -> int:
        self._require_tx()
        first = self._counters.get(collection, 0) + 1
        self._counters[collection] = first + count - 1
        return first

    def counters(self) -> dict[str, int]:
        return dict(sorted(self._counters.items()))

    def append_audit(self, entry: dict[str, Any]) -> None:
        self._require_tx()
        self._audit.append(json.dumps(entry))

    def iterate_audit(self) -> Iterator[dict[str, Any]]:
        for text in list(self._audit):
            yield json.loads(text)

    def rewrite_audit(self, change: Any) -> int:
        """Replace each audit entry for which ``change(entry)`` returns a new one."""
        self._require_tx()
        count = 0
        for i, text in enumerate(self._audit):
            new = change(json.loads(text))
            if new is not None:
                self._audit[i] = json.dumps(new)
                count += 1
        return count

    def collections(self) -> list[str]:
        return sorted(c for c, d in self._data.items() if d)

    def purge(self) -> None:
        pass  # nothing outlives the process

    def close(self) -> None:
        pass


def _open(_root: Path | None, _options: Mapping[str, Any]) -> MemoryStorage:
    return MemoryStorage()


@hookimpl
def coprod_register_storage(register: Any) -> None:
    from coprod_core.storage import StorageBackend

    register(
        "memory",
        StorageBackend(
            name="memory",
            open=_open,
            description="Kept in memory only; for tests. Nothing survives the process.",
        ),
    )
