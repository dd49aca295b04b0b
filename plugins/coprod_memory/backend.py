"""The in-memory backend's storage (imported when a workspace is opened)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from coprod_core.storage import BaseStorage, id_number, matches

__all__ = ["MemoryStorage"]


class MemoryStorage(BaseStorage):
    name = "memory"

    def __init__(self) -> None:
        self._data: dict[str, dict[int, str]] = {}
        self._counters: dict[str, int] = {}
        self._audit: list[str] = []

    @contextmanager
    def _begin(self) -> Iterator[None]:
        snapshot = (
            {c: dict(d) for c, d in self._data.items()},
            dict(self._counters),
            list(self._audit),  # a copy, as rewrite_audit may change entries
        )
        try:
            yield
        except BaseException:
            self._data, self._counters, self._audit = snapshot
            raise

    def get(self, collection: str, record_id: str) -> dict[str, Any] | None:
        text = self._data.get(self._collection(collection), {}).get(id_number(record_id))
        return None if text is None else json.loads(text)

    def put(self, collection: str, doc: dict[str, Any]) -> None:
        self._require_tx()
        self._collection(collection)
        self._data.setdefault(collection, {})[id_number(doc["id"])] = json.dumps(doc)

    def put_many(self, collection: str, docs: Iterable[dict[str, Any]]) -> int:
        n = 0
        for doc in docs:
            self.put(collection, doc)
            n += 1
        return n

    def delete(self, collection: str, record_id: str) -> bool:
        self._require_tx()
        docs = self._data.get(self._collection(collection), {})
        return docs.pop(id_number(record_id), None) is not None

    def iterate(
        self, collection: str, where: Mapping[str, Any] | None = None
    ) -> Iterator[dict[str, Any]]:
        docs = self._data.get(self._collection(collection), {})
        for number in sorted(docs):
            text = docs.get(number)
            if text is None:
                continue
            doc = json.loads(text)
            if matches(doc, where):
                yield doc

    def count(self, collection: str, where: Mapping[str, Any] | None = None) -> int:
        if not where:
            return len(self._data.get(self._collection(collection), {}))
        return sum(1 for _ in self.iterate(collection, where))

    def next_number(self, collection: str, count: int = 1) -> int:
        self._require_tx()
        self._collection(collection)
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

    def stored_bytes(self) -> bytes:
        """Everything this backend holds, as bytes (for the purge conformance test)."""
        return json.dumps([self._data, self._counters, self._audit],
                          ensure_ascii=False).encode("utf-8")

    def purge(self) -> None:
        pass  # a deleted document's text is dropped at once; nothing outlives the process

    def close(self) -> None:
        pass
