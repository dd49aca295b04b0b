"""The SQLite backend against the storage conformance suite."""

import functools

import pytest

from coprod_core.testing.conformance import StorageConformance
from coprod_sqlite.backend import SQLiteStorage


class TestSQLite(StorageConformance):
    @pytest.fixture
    def make_storage(self, tmp_path):
        return functools.partial(SQLiteStorage, tmp_path / "coprod.db")
