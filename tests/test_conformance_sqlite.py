"""The SQLite backend against the storage conformance suite."""

import functools

import pytest

from coprod_core.testing.conformance import StorageConformance
from coprod_sqlite.backend import SQLiteStorage


class TestSQLite(StorageConformance):
    @pytest.fixture
    def make_storage(self, tmp_path):
        return functools.partial(SQLiteStorage, tmp_path / "coprod.db")

    @pytest.fixture
    def stored_bytes(self, tmp_path):
        # The database file, its write-ahead log and its shared-memory index.
        return lambda storage: b"".join(
            p.read_bytes() for p in sorted(tmp_path.glob("coprod.db*")) if p.is_file())
