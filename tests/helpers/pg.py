"""Fresh PostgreSQL databases and schemas for tests, dropped afterwards.

Each test module that uses PostgreSQL creates its own uniquely named database, and each
test its own schema in it (selected by `search_path` in the URL), so tests never see each
other's rows, including the audit log that no one can empty.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

SKIP_REASON = "PostgreSQL tests need INTAKE_TEST_POSTGRES_URL (CI sets it)"


def server_url() -> str:
    """The test server's URL; skips without one, fails when CI requires PostgreSQL.

    The same rule as the `postgres_url` fixture in conftest.py, usable by module fixtures.
    """
    url = os.environ.get("INTAKE_TEST_POSTGRES_URL", "").strip()
    if not url:
        if os.environ.get("INTAKE_REQUIRE_POSTGRES") == "1":
            pytest.fail("INTAKE_REQUIRE_POSTGRES=1 but INTAKE_TEST_POSTGRES_URL is not set")
        pytest.skip(SKIP_REASON)
    return url


def unique_name(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


@contextmanager
def fresh_database(server: str, prefix: str) -> Iterator[str]:
    """A new empty database on the test server; its URL. Dropped afterwards (forcefully)."""
    name = unique_name(prefix)
    admin = create_engine(server, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def fresh_schema(database: str, prefix: str) -> Iterator[str]:
    """A new schema in `database`; a URL whose connections use it. Dropped afterwards."""
    name = unique_name(prefix)
    admin = create_engine(database, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{name}"'))
        url = make_url(database).update_query_dict({"options": f"-csearch_path={name}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        admin.dispose()


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
"""Parameters for a `url` fixture: a real SQLite file, or a fresh PostgreSQL schema."""


@contextmanager
def backend_url(request: pytest.FixtureRequest, tmp_path: os.PathLike[str]) -> Iterator[str]:
    """A URL for the requested backend. PostgreSQL needs a module fixture `pg_database`."""
    if request.param == "sqlite":
        yield f"sqlite:///{os.path.join(tmp_path, 'data', 'intake.db')}"
        return
    with fresh_schema(request.getfixturevalue("pg_database"), "t") as url:
        yield url
