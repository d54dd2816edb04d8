"""Storing many submissions at once (demo data, imports): one transaction per chunk.

`SubmissionStore.save` costs a lookup and a commit per submission, which is right for a
patient pressing Submit and far too slow for 100,000 demo rows. Here each chunk is one
multi-row INSERT into submissions plus one into screenings, committed together. Rows are
built by the same `submission_row` as `save`, so a bulk row is indistinguishable from
one stored by the wizard.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine, insert
from sqlalchemy.exc import IntegrityError

from storage.db import write
from storage.schema import screenings, submissions
from storage.submissions import (
    NewSubmission,
    SubmissionStore,
    submission_row,
    submit_screening_row,
)

CHUNK = 1000


def save_many(engine: Engine, news: Sequence[NewSubmission], chunk: int = CHUNK) -> int:
    """Store submissions in chunks; return how many new rows were stored.

    A chunk the database refuses (a key already stored, or a reference taken) is rolled
    back and stored one by one through `SubmissionStore.save`, which skips a key stored
    with the same answers and raises KeyConflict for one stored with different answers.
    """
    stored = 0
    for start in range(0, len(news), chunk):
        part = news[start : start + chunk]
        try:
            stored += _insert_chunk(engine, part)
        except IntegrityError:
            stored += _one_by_one(engine, part)
    return stored


def _insert_chunk(engine: Engine, part: Sequence[NewSubmission]) -> int:
    rows = [submission_row(new) for new in part]
    with write(engine) as conn:
        conn.execute(insert(submissions), rows)
        conn.execute(insert(screenings), [submit_screening_row(row) for row in rows])
    return len(rows)


def _one_by_one(engine: Engine, part: Sequence[NewSubmission]) -> int:
    store = SubmissionStore(engine)
    return sum(not store.save(new).duplicate for new in part)
