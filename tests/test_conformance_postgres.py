"""The PostgreSQL backend against the storage conformance suite."""

import functools

import pytest
from postgres_support import URL, needs_postgres, pg_schema  # noqa: F401

from coprod_core.testing.conformance import StorageConformance


@needs_postgres
class TestPostgres(StorageConformance):
    @pytest.fixture
    def make_storage(self, pg_schema):  # noqa: F811
        from coprod_postgres.backend import PostgresStorage

        return functools.partial(PostgresStorage, URL, schema=pg_schema)
