"""Shared by the PostgreSQL tests: the server URL and a fresh schema per test."""

from __future__ import annotations

import importlib.util
import os
import uuid
from collections.abc import Iterator

import pytest

URL = os.environ.get("COPROD_TEST_POSTGRES_URL")
HAVE_PSYCOPG = importlib.util.find_spec("psycopg") is not None

#: For tests that use psycopg without a server (connection errors, checks).
needs_psycopg = pytest.mark.skipif(
    not HAVE_PSYCOPG, reason='psycopg is not installed: pip install "coprod[postgres]"')

needs_postgres = pytest.mark.skipif(
    not URL or not HAVE_PSYCOPG,
    reason="set COPROD_TEST_POSTGRES_URL (e.g. postgresql://postgres@127.0.0.1:5432/test) "
           'and install psycopg (pip install "coprod[postgres]") to run the PostgreSQL '
           "tests; .ci/run does both",
)


@pytest.fixture
def pg_schema() -> Iterator[str]:
    """A schema name no other test uses, dropped afterwards."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    yield name
    with psycopg.connect(URL, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
