"""Database unavailable at Submit: a SQLAlchemy error, nothing half-stored, then one record.

`Intake.submit` raises `sqlalchemy.exc.OperationalError` (a `DBAPIError`) when the
database cannot be reached or stays locked; the wizard catches it, tells the patient to
try again in a moment and keeps the answers. The retry uses the same submission key and
stores the submission exactly once.

- SQLite: another connection holds the database with BEGIN EXCLUSIVE for longer than the
  busy timeout (shortened for the test). Making the file read-only does not stop root,
  which runs CI, so the lock is the outage that works everywhere.
- PostgreSQL: the network to the server is cut by a relay (tests/helpers/proxy.py), and,
  with INTAKE_TEST_PG_CONTROL=1 as root (CI), the server itself is stopped and started.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest
from helpers.pg import fresh_schema
from helpers.proxy import Proxy
from sqlalchemy import Engine, event, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from intake_pipeline import Intake
from storage import SubmissionStore, make_engine, open_engine, read
from storage.schema import screenings, submissions

AT = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC)
SHORT_BUSY_TIMEOUT_MS = 200


@pytest.fixture
def pg_url(pg_database: str) -> Iterator[str]:
    with fresh_schema(pg_database, "t") as url:
        yield url


def counts(engine: Engine, key: str) -> tuple[int, int]:
    """(submissions, screenings) stored for the key."""
    with read(engine) as conn:
        n = conn.execute(select(func.count()).select_from(submissions)
                         .where(submissions.c.submission_key == key)).scalar_one()
        m = conn.execute(select(func.count()).select_from(screenings).join(submissions)
                         .where(submissions.c.submission_key == key)).scalar_one()
    return int(n), int(m)


def submit_fails_then_succeeds_once(intake: Intake, store: SubmissionStore, answers: dict,
                                    end_outage: Any, check: Engine) -> None:
    """The shared story: refused during the outage, stored once after it."""
    with pytest.raises(OperationalError):
        intake.submit(store, answers, "outage-key", AT)
    end_outage()
    assert counts(check, "outage-key") == (0, 0)  # nothing half-stored
    first = intake.submit(store, answers, "outage-key", AT)
    again = intake.submit(store, answers, "outage-key", AT)
    assert not first.duplicate and again.duplicate and again.reference == first.reference
    assert counts(check, "outage-key") == (1, 1)


def test_sqlite_locked_past_the_busy_timeout_refuses_then_stores_once(
    db_url: str, intake: Intake, valid_answers: dict[str, Any]
) -> None:
    open_engine(db_url).dispose()
    engine = make_engine(db_url)

    @event.listens_for(engine, "connect")
    def wait_briefly(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute(f"PRAGMA busy_timeout={SHORT_BUSY_TIMEOUT_MS}")

    holder = sqlite3.connect(make_url(db_url).database or "", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # e.g. a long maintenance job holding the database
    try:
        submit_fails_then_succeeds_once(
            intake, SubmissionStore(engine), valid_answers,
            end_outage=lambda: holder.execute("ROLLBACK"), check=engine,
        )
    finally:
        holder.close()
        engine.dispose()


@pytest.mark.postgres
def test_postgresql_unreachable_refuses_then_stores_once(
    pg_url: str, intake: Intake, valid_answers: dict[str, Any]
) -> None:
    direct = make_url(pg_url)
    proxy = Proxy(direct.host or "localhost", direct.port or 5432)
    engine = open_engine(direct.set(host="127.0.0.1", port=proxy.port)
                         .render_as_string(hide_password=False))
    check = make_engine(pg_url)
    try:
        store = SubmissionStore(engine)
        intake.submit(store, valid_answers, "before-outage", AT)  # a pooled live connection
        proxy.cut()
        submit_fails_then_succeeds_once(intake, store, valid_answers, proxy.restore, check)
    finally:
        proxy.cut()
        engine.dispose()
        check.dispose()


def pg_control_missing() -> str | None:
    """Why this machine's PostgreSQL server may not be stopped by a test, or None."""
    if os.environ.get("INTAKE_TEST_PG_CONTROL") != "1":
        return "stopping the PostgreSQL server needs INTAKE_TEST_PG_CONTROL=1 (CI sets it)"
    if os.geteuid() != 0 or not shutil.which("pg_ctlcluster"):
        return "stopping the PostgreSQL server needs root and pg_ctlcluster"
    return None


def pg_cluster(action: str) -> None:
    """pg_ctlcluster VERSION main ACTION for the machine's (single) cluster."""
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(["pg_ctlcluster", version, "main", action], check=True, timeout=120)


@pytest.mark.postgres
def test_postgresql_server_stopped_refuses_then_stores_once_after_start(
    pg_url: str, intake: Intake, valid_answers: dict[str, Any]
) -> None:
    reason = pg_control_missing()
    if reason:
        pytest.skip(reason)
    engine = open_engine(pg_url)
    running = True
    try:
        store = SubmissionStore(engine)
        intake.submit(store, valid_answers, "before-outage", AT)
        pg_cluster("stop")
        running = False

        def start() -> None:
            nonlocal running
            pg_cluster("start")
            running = True

        submit_fails_then_succeeds_once(intake, store, valid_answers, start, engine)
    finally:
        if not running:
            pg_cluster("start")
        engine.dispose()
