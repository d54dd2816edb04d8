"""Versioned migrations: upgrades keep rows, head matches storage.schema, start-up is cheap.

On real SQLite files and on PostgreSQL (a fresh database for this module, a fresh schema
for each test).
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, event, inspect, select, text
from sqlalchemy.exc import DBAPIError

from intake_cli import main
from storage import SubmissionStore, audit, make_engine, metadata, open_engine, read, write
from storage.drafts import DraftStore
from storage.migrate import (
    CURRENT_VERSION,
    HEAD,
    MIGRATIONS,
    MigrationError,
    alembic_head,
    config,
    current,
    ensure_current,
    head,
    upgrade,
)
from storage.schema import drafts, submissions

ROOT = Path(__file__).resolve().parent.parent
T0 = dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC)
SUBMISSION = {
    "id": "3f1c2d4e-0000-4000-8000-000000000001",
    "reference": "7KQ4-M2XD",
    "submission_key": "before-drafts",
    "submitted_at": T0,
    "form_id": "prolotherapy_intake",
    "form_version": 2026112601,
    "language": "es",
    "answers": '{"first_name": "María", "pain_areas": ["knee_right"]}',
    "calculated": '{"age": 64}',
    "answers_sha256": "0" * 64,
    "status": "new",
    "search_text": "maria",
    "choice_tokens": " pain_areas=knee_right ",
}


@pytest.fixture
def engine_at(url: str) -> Iterator[Any]:
    """An engine on the database at a revision of the test's choosing."""
    engines: list[Engine] = []

    def at(revision: str) -> Engine:
        upgrade(url, revision)
        engines.append(make_engine(url))
        return engines[-1]

    yield at
    for engine in engines:
        engine.dispose()


def tables(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(inspect(conn).get_table_names())


def test_upgrading_from_the_first_revision_keeps_rows_and_adds_drafts(
    url: str, engine_at: Any
) -> None:
    engine = engine_at("0001")
    assert current(engine) == "0001" and "drafts" not in tables(engine)
    columns = ", ".join(SUBMISSION)
    values = ", ".join(f":{name}" for name in SUBMISSION)
    with write(engine) as conn:
        conn.execute(text(f"INSERT INTO submissions ({columns}) VALUES ({values})"), SUBMISSION)
    audit.record(engine, "drsmith", audit.VIEW, T0, [SUBMISSION["id"]])

    done = upgrade(url)

    assert (done.before, done.after, done.stamped) == ("0001", head(), False)
    record = SubmissionStore(engine).get(SUBMISSION["id"])
    assert record is not None and record["reference"] == "7KQ4-M2XD"
    assert record["answers"] == {"first_name": "María", "pain_areas": ["knee_right"]}
    assert record["submitted_at"] == T0 and record["language"] == "es"
    assert [(e.user, e.record_ids) for e in audit.stream(engine)] == [
        ("drsmith", (SUBMISSION["id"],))]
    store = DraftStore(engine, dt.timedelta(hours=72))
    store.save("token", {"first_name": "Ana"}, 2, "en", now=T0)
    assert "drafts" in tables(engine) and store.load("token", now=T0) is not None
    with pytest.raises(DBAPIError, match="append-only"), write(engine) as conn:
        conn.execute(text("DELETE FROM audit_log"))  # the triggers of 0001 are still there


def test_after_upgrade_the_database_matches_storage_schema(url: str) -> None:
    engine = open_engine(url)
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    engine.dispose()
    assert differences == []


def test_the_declared_head_is_the_newest_script() -> None:
    """storage.migrate.HEAD spares commands the Alembic import; a new migration must raise it."""
    assert head() == alembic_head()


def test_every_revision_downgrades_and_upgrades_again(url: str) -> None:
    engine = open_engine(url)
    with write(engine) as conn:
        command.downgrade(config(conn), "base")
    assert current(engine) is None and tables(engine) <= {"alembic_version"}
    assert upgrade(engine).after == head() == HEAD
    assert tables(engine) >= set(metadata.tables)
    engine.dispose()


def test_at_head_opening_costs_one_select_of_the_version_table(url: str) -> None:
    open_engine(url).dispose()
    engine = make_engine(url)
    engine.connect().close()  # the driver's first-connect queries are not ours to count
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute",
                 lambda _c, _cur, statement, *_: statements.append(statement))
    ensure_current(engine)
    engine.dispose()
    assert [s for s in statements if s != "BEGIN"] == [CURRENT_VERSION]


def test_several_servers_starting_together_migrate_an_empty_database_once(url: str) -> None:
    starter = f"from storage import open_engine; open_engine({url!r}).dispose()"
    procs = [subprocess.Popen([sys.executable, "-c", starter], cwd=ROOT,
                              stderr=subprocess.PIPE) for _ in range(4)]
    errors = [proc.communicate(timeout=60)[1].decode() for proc in procs]
    assert [proc.returncode for proc in procs] == [0] * 4, errors
    engine = make_engine(url)
    with read(engine) as conn:
        assert conn.execute(text(CURRENT_VERSION)).scalars().all() == [head()]
    engine.dispose()


# ---- databases made before migrations existed ----------------------------------------


@pytest.mark.parametrize(("with_drafts", "stamped_at"), [(False, "0001"), (True, "0002")])
def test_a_database_made_by_create_all_is_stamped_then_upgraded(
    url: str, intake: Any, valid_answers: dict[str, Any], with_drafts: bool, stamped_at: str
) -> None:
    engine = make_engine(url)
    made = [t for t in metadata.sorted_tables if with_drafts or t is not drafts]
    metadata.create_all(engine, tables=made)  # how open_engine made databases before
    saved = intake.submit(SubmissionStore(engine), valid_answers, "old", T0)

    done = upgrade(engine)

    assert (done.before, done.after, done.stamped) == (stamped_at, head(), True)
    with read(engine) as conn:
        assert conn.execute(select(submissions.c.id)).scalars().all() == [saved.id]
    assert "drafts" in tables(engine)
    engine.dispose()


def test_migrate_command_stamps_an_old_database_and_prints_the_revision(
    capsys: pytest.CaptureFixture[str], db_url: str
) -> None:
    engine = make_engine(db_url)
    metadata.create_all(engine, tables=[t for t in metadata.sorted_tables if t is not drafts])
    engine.dispose()
    assert main(["migrate", "--database", db_url]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Recognised a database made before migrations: stamped at 0001"
    assert out[1].startswith(f"Database ready at revision {head()} (was 0001): sqlite:///")
    assert main(["migrate", "--database", db_url]) == 0
    assert f"revision {head()} (unchanged)" in capsys.readouterr().out


def test_migrate_command_on_an_empty_database_prints_the_revision(
    capsys: pytest.CaptureFixture[str], url: str
) -> None:
    assert main(["migrate", "--database", url]) == 0
    assert capsys.readouterr().out.startswith(
        f"Database ready at revision {head()} (was empty): ")


def test_a_database_with_only_some_of_the_tables_is_refused(
    capsys: pytest.CaptureFixture[str], db_url: str
) -> None:
    engine = make_engine(db_url)
    metadata.create_all(engine, tables=[submissions])
    with pytest.raises(MigrationError, match="not audit_log, login_failures, screenings"):
        open_engine(db_url)
    engine.dispose()
    assert main(["verify", "--database", db_url]) == 1
    assert "restore it from a backup" in capsys.readouterr().err


# ---- packaging -----------------------------------------------------------------------


def test_the_migration_scripts_are_package_data() -> None:
    """An installed copy (not only this checkout) must carry env.py and every revision."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = pyproject["tool"]["setuptools"]["package-data"]["storage"]
    package = ROOT / "storage"
    shipped = {path for pattern in patterns for path in package.glob(pattern)}
    needed = {p for p in MIGRATIONS.rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    assert needed and needed <= shipped
