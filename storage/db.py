"""Engine creation: the default SQLite file (owner-only, WAL, FULL sync) or any URL.

Writes on SQLite start with BEGIN IMMEDIATE so two writers never deadlock on a lock
upgrade; they queue on the busy timeout instead of failing with "database is locked".
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError

from intake_settings import DATA_DIR, DATABASE_URL

BUSY_TIMEOUT_MS = 30_000
IMMEDIATE = "intake_immediate"
PING_AFTER_IDLE_S = 10.0
"""A pooled PostgreSQL connection idle this long is checked before use (see _ping_if_idle)."""
IDLE_SINCE = "intake_idle_since"
CACHE_KIB = 8192
"""SQLite's page cache per connection (its default is 2 MiB). Every dashboard render reads
two indexes, about 6 MiB at 100,000 submissions (outcome/status counts, the data version's
count); with 2 MiB they were read again from the operating system on each render."""


def default_url() -> str:
    """INTAKE_DATABASE_URL, else a SQLite file in the data folder."""
    return DATABASE_URL.get().strip() or f"sqlite:///{Path(DATA_DIR.get()) / 'intake.db'}"


def make_engine(url: str | None = None) -> Engine:
    """An engine for `url` (default: `default_url()`).

    `hide_parameters`: a database error's text (logged by Streamlit, printed by the CLI
    with its traceback) never carries the values bound to the statement, which are
    patients' answers, names and search text.
    """
    url = url or default_url()
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        engine = create_engine(url, future=True, json_deserializer=json_loads,
                               hide_parameters=True)
        event.listen(engine, "checkin", _mark_idle)
        event.listen(engine, "checkout", _ping_if_idle)
        return engine
    if parsed.database and parsed.database != ":memory:":
        _prepare_sqlite_file(Path(parsed.database))
    engine = create_engine(url, future=True, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000},
                           json_deserializer=json_loads, hide_parameters=True)
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def _mark_idle(_dbapi_connection: Any, record: Any) -> None:
    record.info[IDLE_SINCE] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """Check a pooled server connection before use when it sat idle for PING_AFTER_IDLE_S.

    SQLAlchemy's `pool_pre_ping` checks before every use: on psycopg that is three round
    trips (BEGIN, SELECT 1, ROLLBACK) for a submission that needs three itself. A connection
    used moments ago is trusted; if the server restarted in between, the statement fails,
    SQLAlchemy discards the pool, and `SubmissionStore.save` tries once more. A failed
    check makes the pool connect again (DisconnectionError).
    """
    since = record.info.get(IDLE_SINCE)
    if since is None or time.monotonic() - since < PING_AFTER_IDLE_S:
        return  # just connected, or used moments ago
    try:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT 1")
        finally:
            cursor.close()
        dbapi_connection.rollback()  # leave no transaction open (isolation can then be set)
    except Exception as e:  # noqa: BLE001 - any failure means this connection is unusable
        raise DisconnectionError("the pooled connection no longer answers") from e


def json_loads(text: str | bytes) -> Any:
    """Stored JSON as Python values: orjson, about 3× faster than `json.loads` (an export
    of 100,000 submissions spent most of its reading time decoding answers). Anything orjson
    refuses and `json` accepts (NaN, integers beyond 64 bits, lone surrogates) is decoded by
    `json` as before, so what is returned never changes."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def _prepare_sqlite_file(path: Path) -> None:
    """Create the folder (0700) and the file (0600) before SQLite does, so no one else reads it."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


def _sqlite_on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (see _sqlite_on_begin)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
    cursor.close()


def _sqlite_on_begin(connection: Connection) -> None:
    immediate = connection.get_execution_options().get(IMMEDIATE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextmanager
def write(engine: Engine) -> Iterator[Connection]:
    """A write transaction: committed on exit, rolled back on error."""
    with engine.connect().execution_options(**{IMMEDIATE: True}) as conn, conn.begin():
        yield conn


Execute = Callable[[str, Any], None]


@contextmanager
def driver_write(engine: Engine) -> Iterator[Execute]:
    """A SQLite write transaction on the pooled driver connection itself, for driver SQL.

    Writers take turns holding SQLite's one write lock from BEGIN IMMEDIATE to COMMIT. A
    submit through `write` spent about as long in SQLAlchemy's transaction, event and
    connection bookkeeping inside that window as in the inserts and COMMIT together;
    here only the driver's calls are inside it. Errors are raised as SQLAlchemy's own
    (IntegrityError, OperationalError, … with no bound values), as `write` raises them.
    """
    dbapi = engine.dialect.loaded_dbapi
    raw = engine.raw_connection()  # pooled: the same connect-time pragmas and events
    try:
        cursor = raw.cursor()
        cursor.execute("BEGIN IMMEDIATE")
        try:
            yield cursor.execute
            cursor.execute("COMMIT")
        except BaseException:
            if raw.driver_connection.in_transaction:  # type: ignore[union-attr]
                cursor.execute("ROLLBACK")
            raise
    except dbapi.Error as e:
        raise DBAPIError.instance(None, None, e, dbapi.Error, hide_parameters=True,
                                  dialect=engine.dialect) from e
    finally:
        raw.close()  # back to the pool


@contextmanager
def one_statement(engine: Engine) -> Iterator[Connection]:
    """A connection in autocommit mode, for a single statement that is atomic by itself
    (PostgreSQL runs each statement in its own transaction): no BEGIN and COMMIT round trips.
    Never for two statements: each would commit alone."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        yield conn


@contextmanager
def read(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn, conn.begin():
        yield conn
