"""Re-screening stored submissions: read in keyset batches, write only what changed.

The previous screening is never lost: every screening a submission ever had is a row of
`screenings`, so a change writes a new row there and updates the submission's current one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import Engine, bindparam, insert, select, update

from storage.db import read, write
from storage.schema import screenings, submissions


class Stored(NamedTuple):
    """What screening needs of a stored submission, and its current screening.

    A named tuple: made 100,000 times per rescreen, it builds several times faster than a
    frozen dataclass."""

    id: str
    answers: dict[str, Any]
    calculated: dict[str, Any]
    outcome: str | None
    rules_version: str | None
    rule_ids: tuple[str, ...]


@dataclass(frozen=True)
class NewScreening:
    id: str
    outcome: str
    rules_version: str
    rules_fired: list[dict[str, Any]]


def batches(engine: Engine, size: int = 1000) -> Iterator[list[Stored]]:
    """All submissions in id order, `size` at a time (keyset paging: flat memory).

    1,000 rows a batch measured faster than 5,000 (less alive at once for the collector).
    """
    c = submissions.c
    last = ""
    while True:
        query = (
            select(c.id, c.answers, c.calculated, c.outcome, c.rules_version, c.rules_fired)
            .where(c.id > last)
            .order_by(c.id)
            .limit(size)
        )
        with read(engine) as conn:
            rows = conn.execute(query).all()
        if not rows:
            return
        yield [
            Stored(r.id, r.answers, r.calculated, r.outcome, r.rules_version,
                   tuple(f["id"] for f in r.rules_fired or ()))
            for r in rows
        ]
        last = rows[-1].id


def record(engine: Engine, changes: Sequence[NewScreening], at: dt.datetime) -> None:
    """Make these the current screenings and append each to the history, in one transaction."""
    if not changes:
        return
    with write(engine) as conn:
        conn.execute(
            update(submissions)
            .where(submissions.c.id == bindparam("sid"))
            .values(
                outcome=bindparam("new_outcome"),
                rules_version=bindparam("new_version"),
                rules_fired=bindparam("new_fired"),
            ),
            [
                {"sid": ch.id, "new_outcome": ch.outcome, "new_version": ch.rules_version,
                 "new_fired": ch.rules_fired}
                for ch in changes
            ],
        )
        conn.execute(
            insert(screenings),
            [
                {"submission_id": ch.id, "screened_at": at, "rules_version": ch.rules_version,
                 "outcome": ch.outcome, "rules_fired": ch.rules_fired, "reason": "rescreen"}
                for ch in changes
            ],
        )
