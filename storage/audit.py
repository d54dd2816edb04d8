"""The audit log: who did what to which records, when. Append-only.

There is no function here to change or remove an entry, and the database refuses UPDATE and
DELETE on the table (triggers created with it, see storage.schema). Writers pass their own
`now` (aware UTC) so tests control the clock, and may pass an open connection so the entry
commits or rolls back together with the action it records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select

from storage.db import read, write
from storage.schema import audit_log
from storage.times import aware, utc

LOGIN_SUCCESS = "login_success"
LOGIN_FAILURE = "login_failure"
LOCKOUT = "lockout"
LOGOUT = "logout"
SESSION_EXPIRED = "session_expired"
VIEW = "view_submission"
STATUS_CHANGE = "status_change"
DOWNLOAD = "download"
EXPORT = "export"
USER_ADDED = "user_added"
USER_DISABLED = "user_disabled"
USER_ENABLED = "user_enabled"
PURGE = "purge"
ACTIONS = (LOGIN_SUCCESS, LOGIN_FAILURE, LOCKOUT, LOGOUT, SESSION_EXPIRED, VIEW, STATUS_CHANGE,
           DOWNLOAD, EXPORT, USER_ADDED, USER_DISABLED, USER_ENABLED, PURGE)
"""Every action the log knows; anything else is a programming error."""


@dataclass(frozen=True)
class AuditEntry:
    user: str
    """The account name, or "" when nobody is known (a failed login with an unknown name)."""
    action: str
    at: dt.datetime
    record_ids: tuple[str, ...] = ()
    count: int | None = None
    """How many records the action touched (downloads and exports)."""
    detail: str = ""
    id: int | None = field(default=None, compare=False)


def append(target: Engine | Connection, entry: AuditEntry) -> None:
    """Add one entry; inside the caller's transaction when given a connection."""
    if entry.action not in ACTIONS:
        raise ValueError(f"unknown audit action {entry.action!r}; known: {', '.join(ACTIONS)}")
    row = {
        "at": utc(entry.at, "audit time"),
        "username": entry.user[:64],
        "action": entry.action,
        "record_ids": list(entry.record_ids),
        "record_count": entry.count,
        "detail": entry.detail,
    }
    if isinstance(target, Connection):
        target.execute(insert(audit_log).values(**row))
        return
    with write(target) as conn:
        conn.execute(insert(audit_log).values(**row))


def record(
    target: Engine | Connection,
    user: str,
    action: str,
    now: dt.datetime,
    record_ids: Iterable[str] = (),
    count: int | None = None,
    detail: str = "",
) -> None:
    """Shorthand for `append(target, AuditEntry(...))`."""
    append(target, AuditEntry(user, action, now, tuple(record_ids), count, detail))


def stream(engine: Engine, batch: int = 2000) -> Iterator[AuditEntry]:
    """Every entry, oldest first, fetched in batches (for the CSV export)."""
    query = select(audit_log).order_by(audit_log.c.id)
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=batch).execute(query)
        for row in result.mappings():
            yield _entry(row)


def latest(engine: Engine, limit: int = 100, action: str | None = None) -> list[AuditEntry]:
    """The newest entries first (for tests and a quick look)."""
    query = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
    if action is not None:
        query = query.where(audit_log.c.action == action)
    with read(engine) as conn:
        return [_entry(row) for row in conn.execute(query).mappings()]


def count(engine: Engine) -> int:
    with read(engine) as conn:
        return int(conn.execute(select(func.count()).select_from(audit_log)).scalar_one())


def _entry(row: Any) -> AuditEntry:
    return AuditEntry(
        user=row["username"],
        action=row["action"],
        at=aware(row["at"]),
        record_ids=tuple(row["record_ids"] or ()),
        count=row["record_count"],
        detail=row["detail"],
        id=row["id"],
    )
