"""The audit log as CSV (`intake export --format audit`): every entry, oldest first.

Same dialect and formula safety as the submission exports: a user name or detail starting
with = + - @ tab CR or LF is written with a leading `'`. Entries are streamed, so memory
does not grow with the log.
"""

from __future__ import annotations

from typing import TextIO

from sqlalchemy import Engine

from exports.csv_export import csv_writer
from exports.formula import cell, guard
from storage import audit

AUDIT_HEADER = ("id", "at_utc", "user", "action", "record_ids", "record_count", "detail")


def write_audit_csv(engine: Engine, out: TextIO) -> int:
    """Write the header and one row per audit entry; return the number of entries."""
    writer = csv_writer(out)
    writer.writerow(AUDIT_HEADER)
    rows = 0
    for entry in audit.stream(engine):
        writer.writerow([
            cell(entry.id),
            entry.at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            guard(entry.user),
            guard(entry.action),
            guard(";".join(entry.record_ids)),
            cell(entry.count),
            guard(entry.detail),
        ])
        rows += 1
    return rows
