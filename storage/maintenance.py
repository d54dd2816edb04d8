"""Operations on a live database: a consistent backup, purging old records, verifying them.

Used by `intake backup`, `intake purge` and `intake verify`. Each works while the app is
running: the backup is a snapshot taken by SQLite itself (never a file copy, which can
catch a half-written page or miss the WAL), the purge is one transaction, and the check
streams the rows.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, Text, cast, delete, or_, select

from storage import audit
from storage.db import write
from storage.schema import drafts, screenings, status_history, submissions
from storage.submissions import canonical_sha256
from storage.times import utc


class MaintenanceRefused(ValueError):
    """An operation refused for a reason the operator can act on; the text says how."""


# ---- backup --------------------------------------------------------------------------


def backup(engine: Engine, dest: Path) -> Path:
    """Write a consistent snapshot of a SQLite database to a new file (mode 0600).

    `VACUUM INTO` reads the database in one transaction, so writers may go on meanwhile.
    The file must not exist: a backup never overwrites anything.
    """
    if engine.dialect.name != "sqlite":
        raise MaintenanceRefused(
            f"backup of a {engine.dialect.name} database is done with its own tools: "
            "pg_dump --format=custom (see README, Operations)"
        )
    dest = dest.resolve()
    try:
        fd = os.open(dest, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        raise MaintenanceRefused(f"{dest} already exists; a backup never overwrites a file, "
                                 "choose a new name") from None
    except OSError as e:
        raise MaintenanceRefused(f"cannot create {dest}: {e.strerror or e}") from None
    os.close(fd)
    try:
        _vacuum_into(engine, dest)
        _sync(dest)
        problems = _integrity(dest)
        if problems != "ok":
            raise RuntimeError(f"the backup {dest} fails SQLite's integrity check: {problems}")
    except BaseException:
        dest.unlink(missing_ok=True)
        raise
    return dest


def _vacuum_into(engine: Engine, dest: Path) -> None:
    raw = engine.raw_connection()  # outside SQLAlchemy's transaction: VACUUM refuses one
    try:
        cursor = raw.driver_connection.cursor()  # type: ignore[union-attr]
        cursor.execute("VACUUM INTO ?", (str(dest),))
        cursor.close()
    finally:
        raw.close()


def _sync(path: Path) -> None:
    """Flush the new file and its directory entry to disk before reporting success."""
    with path.open("rb+") as f:
        os.fsync(f.fileno())
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _integrity(path: Path) -> str:
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        rows = conn.execute("PRAGMA integrity_check").fetchall()
    finally:
        conn.close()
    return "; ".join(str(row[0]) for row in rows)


# ---- purge ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Purged:
    submissions: int
    """Submissions deleted, with their screenings and status history."""
    drafts: int
    """Drafts deleted: expired, or last saved before the cut-off."""
    cutoff: dt.datetime


def purge(engine: Engine, older_than_days: int, now: dt.datetime, user: str) -> Purged:
    """Delete submissions older than the cut-off and old or expired drafts; audit the counts.

    One transaction: the deletions and their audit entry are committed together or not at
    all. Screenings and status history are deleted explicitly (not only by the foreign
    keys' ON DELETE CASCADE) so a database without enforced foreign keys is purged the same.
    """
    if older_than_days < 1:
        raise MaintenanceRefused("--older-than must be at least 1 day")
    now = utc(now)
    cutoff = now - dt.timedelta(days=older_than_days)
    old = select(submissions.c.id).where(submissions.c.submitted_at < cutoff)
    with write(engine) as conn:
        conn.execute(delete(screenings).where(screenings.c.submission_id.in_(old)))
        conn.execute(delete(status_history).where(status_history.c.submission_id.in_(old)))
        n_submissions = conn.execute(
            delete(submissions).where(submissions.c.submitted_at < cutoff)
        ).rowcount
        n_drafts = conn.execute(
            delete(drafts).where(or_(drafts.c.expires_at <= now, drafts.c.updated_at < cutoff))
        ).rowcount
        audit.record(
            conn, user, audit.PURGE, now, count=n_submissions,
            detail=(f"older than {older_than_days} days (before {cutoff:%Y-%m-%dT%H:%M:%SZ}): "
                    f"{n_submissions} submissions, {n_drafts} drafts"),
        )
    return Purged(int(n_submissions), int(n_drafts), cutoff)


# ---- verify --------------------------------------------------------------------------


@dataclass(frozen=True)
class Mismatch:
    submission_id: str
    reference: str
    problem: str


@dataclass
class Verification:
    checked: int = 0
    mismatches: list[Mismatch] = field(default_factory=list)


def verify(
    engine: Engine,
    on_mismatch: Callable[[Mismatch], None] | None = None,
    batch: int = 2000,
) -> Verification:
    """Recompute every submission's SHA-256 of its canonical answers and compare.

    Rows are streamed in batches, and the answers read as text, so one unreadable record
    is reported like any other mismatch instead of stopping the check.
    """
    query = select(
        submissions.c.id,
        submissions.c.reference,
        submissions.c.answers_sha256,
        cast(submissions.c.answers, Text).label("answers_text"),
    ).order_by(submissions.c.submitted_at, submissions.c.id)
    result = Verification()
    with engine.connect() as conn:
        rows = conn.execution_options(stream_results=True, yield_per=batch).execute(query)
        for row in rows:
            result.checked += 1
            problem = _problem(row.answers_text, row.answers_sha256)
            if problem:
                mismatch = Mismatch(row.id, row.reference, problem)
                result.mismatches.append(mismatch)
                if on_mismatch is not None:
                    on_mismatch(mismatch)
    return result


def _problem(answers_text: str | None, stored: str) -> str:
    """What is wrong with one record's answers, or "" when the checksum matches."""
    try:
        answers = json.loads(answers_text or "")
    except ValueError:
        return "the answers are not readable JSON"
    if not isinstance(answers, dict):
        return "the answers are not a JSON object"
    computed = canonical_sha256(answers)
    if computed != stored:
        return f"SHA-256 of the answers is {computed}, stored {stored}"
    return ""
