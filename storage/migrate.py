"""Versioned schema migrations (Alembic), applied at start and by `intake migrate`.

The scripts live in storage/migrations inside the package, so an installed copy migrates
without an alembic.ini. An upgrade runs in one transaction that first takes a lock
(BEGIN IMMEDIATE on SQLite, an advisory lock on PostgreSQL), so several app servers
starting together against an empty database migrate it once and the others wait.

A database made by `create_all` before migrations existed (its tables are there, the
`alembic_version` table is not) is stamped at the revision its tables match (0001, or 0002
when it already has drafts) and then upgraded.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.exc import DBAPIError

from storage.db import make_engine, write

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic is imported inside the functions that use it: it costs about 0.12 s of start-up,
# and a command at the newest revision (e.g. `intake export`) never needs it (see `head`).

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
CURRENT_VERSION = "SELECT version_num FROM alembic_version"  # Alembic's version table
ADVISORY_LOCK = 6_266_118_001  # any constant; only `intake` migrations take it
HEAD = "0004"
"""The newest revision in migrations/versions. Declared, so that a command on an up-to-date
database never imports Alembic (0.12 s of every `intake export`); a test checks it is the
head Alembic finds, so adding a migration without raising it fails the tests."""
FIRST_TABLES = frozenset(
    {"submissions", "screenings", "users", "login_failures", "audit_log", "status_history"}
)
"""The tables of revision 0001, by which a database made before migrations is recognised."""


class MigrationError(RuntimeError):
    """The database cannot be brought to the schema this version of the app needs."""


@dataclass(frozen=True)
class Upgraded:
    before: str | None
    """The revision found; None for an empty database."""
    after: str
    stamped: bool = False
    """True when a database made before migrations existed was stamped at `before`."""


def config(connection: Connection | None = None) -> Config:
    """Alembic's configuration, built in code: the scripts folder and our connection."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def head() -> str:
    """The newest revision (see HEAD)."""
    return HEAD


def alembic_head() -> str | None:
    """The newest revision as Alembic reads it from the scripts (tests compare it to HEAD)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(config()).get_current_head()


def current(engine: Engine) -> str | None:
    """The database's revision; None when it has none (empty, or made before migrations)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def ensure_current(engine: Engine) -> None:
    """Upgrade unless already at head; at head this costs one SELECT of the version table."""
    try:
        with engine.connect() as conn:
            found = conn.execute(text(CURRENT_VERSION)).scalars().all()
    except DBAPIError:  # no version table yet; a database that is down fails again below
        found = []
    if found != [head()]:
        upgrade(engine)


def upgrade(target: Engine | str, revision: str = "head") -> Upgraded:
    """Bring the database to `revision` (default: the newest) in one locked transaction."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.util import CommandError

    engine = make_engine(target) if isinstance(target, str) else target
    try:
        with write(engine) as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK})
            before = MigrationContext.configure(conn).get_current_revision()
            stamped = False
            if before is None:
                before = _made_before_migrations(conn)
                if before is not None:
                    command.stamp(config(conn), before)
                    stamped = True
            try:
                command.upgrade(config(conn), revision)
            except CommandError as e:
                raise MigrationError(
                    f"cannot upgrade the database from revision {before} to {revision}: {e} "
                    "(a database migrated by a newer version of the app needs that version)"
                ) from e
            after = MigrationContext.configure(conn).get_current_revision()
    finally:
        if isinstance(target, str):
            engine.dispose()
    return Upgraded(before, str(after), stamped)


def _made_before_migrations(conn: Connection) -> str | None:
    """The revision matching the tables of a database without a version table, or None."""
    present = set(inspect(conn).get_table_names())
    if not present & FIRST_TABLES:
        return None  # empty (or only other applications' tables): create everything
    missing = FIRST_TABLES - present
    if missing:
        raise MigrationError(
            f"the database has some of the intake tables but not {', '.join(sorted(missing))}; "
            "restore it from a backup or migrate a fresh database (intake migrate)"
        )
    return "0002" if "drafts" in present else "0001"
