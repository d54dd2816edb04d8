"""`intake backup`, `intake purge` and `intake verify`, on real SQLite files and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers.pg import BACKENDS, backend_url
from sqlalchemy import Engine, func, select, text, update
from sqlalchemy.engine import make_url

from intake_cli import main
from intake_pipeline import Intake
from storage import SubmissionStore, audit, open_engine, read, write
from storage.drafts import DraftStore
from storage.maintenance import MaintenanceRefused, backup, purge, verify
from storage.migrate import head
from storage.schema import drafts, screenings, status_history, submissions
from storage.status import change_status

NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)
TTL = dt.timedelta(hours=72)


@pytest.fixture(params=BACKENDS)
def any_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    with backend_url(request, tmp_path) as url:
        engine = open_engine(url)
        yield engine
        engine.dispose()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def submit(intake: Intake, engine: Engine, answers: dict[str, Any], key: str,
           at: dt.datetime) -> str:
    return intake.submit(SubmissionStore(engine), answers, key, at).id


def count(engine: Engine, table: Any) -> int:
    with read(engine) as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


# ---- backup --------------------------------------------------------------------------


def test_backup_is_a_consistent_owner_only_copy_with_the_latest_commits(
    engine: Engine, intake: Intake, valid_answers: dict[str, Any], tmp_path: Path
) -> None:
    ids = {submit(intake, engine, valid_answers, f"k{i}", NOW) for i in range(3)}
    dest = backup(engine, tmp_path / "backup.db")  # the commits are still in the WAL
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600
    copy = sqlite3.connect(dest)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert {row[0] for row in copy.execute("SELECT id FROM submissions")} == ids
        assert copy.execute("SELECT version_num FROM alembic_version").fetchall() == [(head(),)]
    finally:
        copy.close()


def test_backup_leaves_out_a_transaction_still_open(
    db_url: str, engine: Engine, intake: Intake, valid_answers: dict[str, Any], tmp_path: Path
) -> None:
    submit(intake, engine, valid_answers, "committed", NOW)
    writer = sqlite3.connect(make_url(db_url).database or "", isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("DELETE FROM screenings")  # a writer busy meanwhile does not block a backup
    try:
        dest = backup(engine, tmp_path / "during-write.db")
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    backup_engine = open_engine(f"sqlite:///{dest}")
    assert count(backup_engine, screenings) == 1
    backup_engine.dispose()


def test_backup_never_overwrites_a_file(engine: Engine, tmp_path: Path) -> None:
    existing = tmp_path / "precious.db"
    existing.write_bytes(b"keep me")
    with pytest.raises(MaintenanceRefused, match="already exists"):
        backup(engine, existing)
    assert existing.read_bytes() == b"keep me"


def test_backup_command_prints_the_file_and_refuses_to_overwrite_with_exit_2(
    capsys: pytest.CaptureFixture[str], db_url: str, tmp_path: Path
) -> None:
    dest = tmp_path / "nightly.db"
    code, out, _ = run(capsys, "backup", str(dest), "--database", db_url)
    assert code == 0 and str(dest) in out and "integrity check ok" in out
    code, _, err = run(capsys, "backup", str(dest), "--database", db_url)
    assert code == 2 and "already exists" in err


def test_backup_command_points_postgresql_to_pg_dump_with_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    url = "postgresql+psycopg://clinic:secret@db.invalid/intake"  # never connected to
    code, out, err = run(capsys, "backup", str(tmp_path / "x.dump"), "--database", url)
    assert code == 2 and out == ""
    assert "pg_dump" in err and "README" in err and "secret" not in err
    assert not (tmp_path / "x.dump").exists()


# ---- purge ---------------------------------------------------------------------------


def test_purge_deletes_old_submissions_with_their_history_and_old_or_expired_drafts(
    any_engine: Engine, intake: Intake, valid_answers: dict[str, Any]
) -> None:
    engine = any_engine
    old = submit(intake, engine, valid_answers, "old", NOW - 400 * DAY)
    change_status(engine, old, "reviewed", "drsmith", NOW - 399 * DAY)
    kept = submit(intake, engine, valid_answers, "recent", NOW - 10 * DAY)
    change_status(engine, kept, "reviewed", "drsmith", NOW - 9 * DAY)
    store = DraftStore(engine, TTL)
    store.save("expired", {"first_name": "A"}, 1, "en", now=NOW - 4 * DAY)
    store.save("fresh", {"first_name": "B"}, 1, "en", now=NOW - dt.timedelta(hours=1))

    done = purge(engine, 365, NOW, "cli:root")

    assert (done.submissions, done.drafts, done.cutoff) == (1, 1, NOW - 365 * DAY)
    with read(engine) as conn:
        assert conn.execute(select(submissions.c.id)).scalars().all() == [kept]
        assert set(conn.execute(select(screenings.c.submission_id)).scalars()) == {kept}
        assert set(conn.execute(select(status_history.c.submission_id)).scalars()) == {kept}
    assert count(engine, drafts) == 1 and store.load("fresh", now=NOW) is not None
    [entry] = audit.latest(engine, action=audit.PURGE)
    assert (entry.user, entry.at, entry.count) == ("cli:root", NOW, 1)
    assert entry.detail == ("older than 365 days (before 2025-11-26T12:00:00Z): "
                            "1 submissions, 1 drafts")


def test_purge_of_nothing_still_records_that_it_ran(any_engine: Engine) -> None:
    done = purge(any_engine, 30, NOW, "cli:root")
    assert (done.submissions, done.drafts) == (0, 0)
    assert [e.count for e in audit.latest(any_engine, action=audit.PURGE)] == [0]


def test_purge_command_prints_the_counts(
    capsys: pytest.CaptureFixture[str], db_url: str, engine: Engine, intake: Intake,
    valid_answers: dict[str, Any],
) -> None:
    now = dt.datetime.now(dt.UTC)  # the command purges relative to the real clock
    submit(intake, engine, valid_answers, "ancient", now - 100 * DAY)
    submit(intake, engine, valid_answers, "new", now - DAY)
    code, out, _ = run(capsys, "purge", "--older-than", "90", "--database", db_url)
    assert code == 0
    assert out.startswith("Purged 1 submissions submitted before ") and "and 0 drafts" in out
    assert count(engine, submissions) == 1
    [entry] = audit.latest(engine, action=audit.PURGE)
    assert entry.user.startswith("cli:") and entry.count == 1


@pytest.mark.parametrize("days", ["0", "-5"])
def test_purge_command_refuses_less_than_a_day(
    capsys: pytest.CaptureFixture[str], db_url: str, days: str
) -> None:
    code, _, err = run(capsys, "purge", "--older-than", days, "--database", db_url)
    assert code == 2 and "at least 1 day" in err


# ---- verify --------------------------------------------------------------------------


def test_verify_finds_every_record_intact(
    any_engine: Engine, intake: Intake, valid_answers: dict[str, Any]
) -> None:
    for i in range(5):
        submit(intake, any_engine, valid_answers, f"k{i}", NOW)
    result = verify(any_engine, batch=2)
    assert (result.checked, result.mismatches) == (5, [])


def test_verify_reports_a_changed_record_by_id_and_reference(
    any_engine: Engine, intake: Intake, valid_answers: dict[str, Any]
) -> None:
    store = SubmissionStore(any_engine)
    intact = intake.submit(store, valid_answers, "intact", NOW)
    changed = intake.submit(store, valid_answers, "changed", NOW)
    with write(any_engine) as conn:
        conn.execute(update(submissions).where(submissions.c.id == changed.id)
                     .values(answers={**valid_answers, "pain_average": 2}))
    seen = []
    result = verify(any_engine, on_mismatch=seen.append)
    assert result.checked == 2 and result.mismatches == seen
    [mismatch] = seen
    assert (mismatch.submission_id, mismatch.reference) == (changed.id, changed.reference)
    assert "SHA-256" in mismatch.problem and intact.id not in mismatch.problem


def test_verify_command_exits_1_naming_each_mismatch(
    capsys: pytest.CaptureFixture[str], db_url: str, engine: Engine, intake: Intake,
    valid_answers: dict[str, Any],
) -> None:
    saved = intake.submit(SubmissionStore(engine), valid_answers, "k", NOW)
    code, out, _ = run(capsys, "verify", "--database", db_url)
    assert (code, out) == (0, "Checked 1 submissions: 0 mismatch(es)\n"
                              "Checked the cached CSV cells of 1 submissions: 0 mismatch(es)\n")
    with write(engine) as conn:  # bytes changed behind the app's back: not even JSON any more
        conn.execute(text("UPDATE submissions SET answers = '{\"first_name\": ' "
                          "WHERE id = :id"), {"id": saved.id})
    code, out, _ = run(capsys, "verify", "--database", db_url)
    assert code == 1
    assert out.splitlines() == [
        f"MISMATCH submission {saved.id} reference {saved.reference}: "
        "the answers are not readable JSON",
        "Checked 1 submissions: 1 mismatch(es)",
        "Checked the cached CSV cells of 1 submissions: 0 mismatch(es)",
    ]
