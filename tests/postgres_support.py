"""Shared by the PostgreSQL tests: the server URL and a fresh schema per test."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

URL = os.environ.get("COPROD_TEST_POSTGRES_URL")

needs_postgres = pytest.mark.skipif(
    not URL,
    reason="set COPROD_TEST_POSTGRES_URL (e.g. postgresql://postgres@127.0.0.1:5432/test) "
           "to run the PostgreSQL tests; .ci/run sets it",
)


@pytest.fixture
def pg_schema() -> Iterator[str]:
    """A schema name no other test uses, dropped afterwards."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    yield name
    with psycopg.connect(URL, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
