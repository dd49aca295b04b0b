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

    @pytest.fixture
    def stored_bytes(self, pg_schema):  # noqa: F811
        return functools.partial(relation_bytes, pg_schema)


def relation_bytes(schema, _storage):
    """The on-disk pages of every table, TOAST table and index in ``schema``.

    A CHECKPOINT first writes the shared buffers out, so the files hold what
    the server holds. Reading them needs a superuser (the test server's
    ``postgres`` role); the WAL is left out (docs/storage.md: the operator's).
    """
    import psycopg

    with psycopg.connect(URL, autocommit=True) as conn:
        superuser = conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if not superuser.fetchone()[0]:
            pytest.skip("reading the table files needs a PostgreSQL superuser")
        conn.execute("CHECKPOINT")
        rows = conn.execute(
            "SELECT pg_relation_filepath(c.oid) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s "
            "UNION SELECT pg_relation_filepath(c.reltoastrelid) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.reltoastrelid <> 0", (schema, schema)).fetchall()
        chunks = []
        for (path,) in rows:
            if path is None:
                continue
            row = conn.execute("SELECT pg_read_binary_file(%s, 0, "
                               "(pg_stat_file(%s)).size, true)", (path, path)).fetchone()
            chunks.append(bytes(row[0] or b""))
        return b"".join(chunks)
