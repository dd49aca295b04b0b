"""PostgreSQL specifics: connection settings, the missing extra, schema versions, purge."""

import pytest
from postgres_support import URL, needs_postgres, needs_psycopg, pg_schema  # noqa: F401

from coprod_core.errors import StorageError


def test_missing_psycopg_names_the_extra(monkeypatch):
    from coprod_postgres import backend

    monkeypatch.setattr(backend, "psycopg", None)
    with pytest.raises(StorageError) as info:
        backend.open_postgres(None, {"url": "postgresql://x@127.0.0.1/db"})
    assert str(info.value) == (
        'the postgres backend needs psycopg; install it with: pip install "coprod[postgres]"'
    )


def test_no_url_says_where_to_put_one(monkeypatch):
    from coprod_postgres.backend import open_postgres

    monkeypatch.delenv("MY_PG", raising=False)
    with pytest.raises(StorageError, match="environment variable MY_PG"):
        open_postgres(None, {"url_env": "MY_PG"})


@needs_psycopg
def test_a_password_never_appears_in_an_error():
    from coprod_postgres.backend import open_postgres

    with pytest.raises(StorageError) as info:
        open_postgres(None, {"url": "postgresql://ann:s3cret@127.0.0.1:1/db"})
    assert "s3cret" not in str(info.value)
    assert "cannot connect to PostgreSQL at postgresql://ann:***@127.0.0.1:1/db" in str(info.value)


def test_a_schema_name_must_be_plain():
    from coprod_postgres.backend import PostgresStorage

    with pytest.raises(StorageError, match="plain SQL name"):
        PostgresStorage("postgresql://x@127.0.0.1:1/db", schema='x"; drop table y; --')


@needs_postgres
def test_url_from_the_named_environment_variable(monkeypatch, pg_schema):  # noqa: F811
    from coprod_postgres.backend import MIGRATIONS, open_postgres

    monkeypatch.setenv("SITE_DB", URL)
    storage = open_postgres(None, {"url_env": "SITE_DB", "schema": pg_schema})
    try:
        assert storage.schema_version() == len(MIGRATIONS)
        assert storage.check_integrity() == []
        tables = storage._existing_tables()
        assert {"coprod_schema", "coprod_counters", "coprod_audit", "doc_participants"} <= tables
    finally:
        storage.close()


@needs_postgres
def test_indexed_columns_are_generated_from_the_document(pg_schema):  # noqa: F811
    from coprod_postgres.backend import PostgresStorage

    storage = PostgresStorage(URL, schema=pg_schema)
    with storage.transaction():
        storage.put("commitments", {"id": "C-1", "status": "agreed", "authority": "can_decide"})
    row = storage._conn.execute(
        f'SELECT status, authority FROM "{pg_schema}".doc_commitments').fetchone()
    assert row == ("agreed", "can_decide")
    storage.close()


@needs_postgres
def test_a_schema_from_a_newer_coprod_is_refused(pg_schema):  # noqa: F811
    from coprod_postgres.backend import PostgresStorage

    storage = PostgresStorage(URL, schema=pg_schema)
    storage._conn.execute(f'UPDATE "{pg_schema}".coprod_schema SET version = 99')
    storage.close()
    with pytest.raises(StorageError, match="made by a newer coprod"):
        PostgresStorage(URL, schema=pg_schema)


@needs_postgres
def test_purge_rewrites_the_affected_tables(pg_schema):  # noqa: F811
    from coprod_postgres.backend import PostgresStorage

    storage = PostgresStorage(URL, schema=pg_schema)
    with storage.transaction():
        storage.put("participants", {"id": "P-1", "name": "Erase me", "role": "staff"})
        storage.put("participants", {"id": "P-2", "name": "Keep", "role": "staff"})
    before = storage._conn.execute(
        "SELECT pg_relation_filenode(%s)", (f'"{pg_schema}".doc_participants',)).fetchone()
    with storage.transaction():
        storage.delete("participants", "P-1")
    storage.purge()
    after = storage._conn.execute(
        "SELECT pg_relation_filenode(%s)", (f'"{pg_schema}".doc_participants',)).fetchone()
    assert before != after  # VACUUM FULL wrote the table afresh
    assert [d["id"] for d in storage.iterate("participants")] == ["P-2"]
    storage.close()


@needs_postgres
def test_a_lost_connection_is_a_clear_error(pg_schema):  # noqa: F811
    import psycopg

    from coprod_postgres.backend import PostgresStorage

    storage = PostgresStorage(URL, schema=pg_schema)
    pid = storage._conn.info.backend_pid
    with psycopg.connect(URL, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    with pytest.raises(StorageError, match="lost the connection to postgresql://"):
        storage.get("participants", "P-1")
    storage.close()
