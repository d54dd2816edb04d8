"""Status changes of a submission (new → reviewed → contacted / closed), with their history.

The submission's current status, its history row and the audit entry are written in one
transaction: a change is either recorded completely or not at all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, func, insert, select, update

from storage import audit
from storage.db import read, write
from storage.schema import status_history, submissions
from storage.submissions import STATUSES
from storage.times import aware, utc

NOTE_MAX = 2000


class StatusError(ValueError):
    """A status change that cannot be made; the text is meant for the clinician."""


@dataclass(frozen=True)
class StatusChange:
    submission_id: str
    user: str
    at: dt.datetime
    from_status: str
    to_status: str
    note: str = ""


def change_status(
    engine: Engine,
    submission_id: str,
    to_status: str,
    user: str,
    now: dt.datetime,
    note: str = "",
) -> StatusChange | None:
    """Set the status and record who, when, from, to and the note; None if nothing changed.

    The same status again with a note records the note (e.g. "left a voicemail").
    """
    if to_status not in STATUSES:
        raise StatusError(f"unknown status {to_status!r}; choose one of {', '.join(STATUSES)}")
    at = utc(now)
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise StatusError(f"the note is too long ({len(note)} characters, at most {NOTE_MAX})")
    with write(engine) as conn:
        current = conn.execute(
            select(submissions.c.status).where(submissions.c.id == submission_id)
        ).scalar_one_or_none()
        if current is None:
            raise StatusError(f"no submission with id {submission_id}")
        if current == to_status and not note:
            return None
        change = StatusChange(submission_id, user, at, current, to_status, note)
        if current != to_status:
            conn.execute(
                update(submissions).where(submissions.c.id == submission_id)
                .values(status=to_status)
            )
        conn.execute(insert(status_history).values(
            submission_id=submission_id,
            changed_at=change.at,
            username=user,
            from_status=current,
            to_status=to_status,
            note=note,
        ))
        audit.record(conn, user, audit.STATUS_CHANGE, change.at, [submission_id],
                     detail=f"{current} -> {to_status}" + (" (with note)" if note else ""))
    return change


def history(engine: Engine, submission_id: str) -> list[StatusChange]:
    """The status changes of one submission, oldest first."""
    query = (
        select(status_history)
        .where(status_history.c.submission_id == submission_id)
        .order_by(status_history.c.id)
    )
    with read(engine) as conn:
        return [_change(row) for row in conn.execute(query).mappings()]


def change_counter(engine: Engine) -> int:
    """Grows with every status change: part of the dashboard's cache key."""
    with read(engine) as conn:
        return int(conn.execute(select(func.coalesce(func.max(status_history.c.id), 0)))
                   .scalar_one())


def _change(row: Any) -> StatusChange:
    return StatusChange(row["submission_id"], row["username"], aware(row["changed_at"]),
                        row["from_status"], row["to_status"], row["note"])
