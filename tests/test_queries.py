"""storage.queries: the clinician's pages come urgent first, then newest, whatever the filter.

`page_of` reads the first pages outcome by outcome from an index; every page of every
filter is compared with the same rows sorted here in Python, on a real SQLite file and on
PostgreSQL. Ids are chosen (not random) so that ties on the submission time are broken
the same way by Python and by any collation.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from typing import Any

import pytest
from helpers.plans import sqlite_plans
from sqlalchemy import Engine, insert

from storage import NewSubmission, open_engine, searchable, write
from storage.queries import OUTCOME_ORDER, SubmissionFilter, count, page_of
from storage.schema import submissions
from storage.submissions import submission_row

T0 = dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC)
HOUR, DAY = dt.timedelta(hours=1), dt.timedelta(days=1)
OUTCOMES: list[str | None] = [
    "urgent", "review", "candidate", "exclude", "review", None, "review", "urgent", "Review",
    "candidate", "deferred", "review", "aaa", "exclude", "zzz", "urgent",
]
"""Known outcomes, not screened (None) and unknown ones sorting before, between and after
the known ones (listed last, like None)."""
STATUSES = ["new", "new", "reviewed", "closed", "contacted"]
AREAS = ["knee_right", "hip_left", "knee_left"]
N = 96


@pytest.fixture
def stored(url: str) -> Iterator[tuple[Engine, list[dict[str, Any]]]]:
    engine = open_engine(url)
    yield engine, fill(engine)
    engine.dispose()


def fill(engine: Engine) -> list[dict[str, Any]]:
    """N submissions over three weeks, several sharing a submission time; the rows as stored."""
    rows = []
    for i in range(N):
        new = NewSubmission(
            submission_key=f"key-{i}",
            form_id="prolotherapy_intake",
            form_version=2026112601,
            answers={"first_name": "Ana" if i % 4 else "María",
                     "pain_areas": [AREAS[i % len(AREAS)]]},
            calculated={},
            submitted_at=T0 - (i // 3) * 5 * HOUR,  # three at a time share a time
            outcome=OUTCOMES[i % len(OUTCOMES)],
            search_text=searchable("Ana" if i % 4 else "María"),
        )
        row = submission_row(new, reference=f"REF{i:04d}")
        row["id"] = f"s{(i * 37) % N:04d}"  # ties in time are not in insertion order
        row["status"] = STATUSES[i % len(STATUSES)]
        rows.append(row)
    with write(engine) as conn:
        conn.execute(insert(submissions), rows)
    return rows


def expected(rows: list[dict[str, Any]], flt: SubmissionFilter) -> list[str]:
    """The ids `flt` matches, most severe outcome first, then newest, then by id."""
    rank = {o: i for i, o in enumerate(OUTCOME_ORDER)}
    since = flt.since and dt.datetime.combine(flt.since, dt.time.min, tzinfo=dt.UTC)
    until = flt.until and dt.datetime.combine(flt.until + DAY, dt.time.min, tzinfo=dt.UTC)
    needle = searchable(flt.text)
    kept = [
        r for r in rows
        if (not since or r["submitted_at"] >= since)
        and (not until or r["submitted_at"] < until)
        and (not flt.outcomes or r["outcome"] in flt.outcomes)
        and (not flt.statuses or r["status"] in flt.statuses)
        and (not flt.choices or any(f" {q}={c} " in r["choice_tokens"] for q, c in flt.choices))
        and (not needle or needle in r["search_text"])
    ]
    kept.sort(key=lambda r: r["id"])
    kept.sort(key=lambda r: r["submitted_at"], reverse=True)
    kept.sort(key=lambda r: rank.get(r["outcome"], len(rank)))  # stable: keeps the rest
    return [r["id"] for r in kept]


def all_pages(engine: Engine, flt: SubmissionFilter, size: int) -> list[list[str]]:
    """Every page of the filter, and the one after the last (which must be empty)."""
    last = math.ceil(count(engine, flt) / size)
    return [[r["id"] for r in page_of(engine, flt, page, size)] for page in range(last + 1)]


FILTERS = [
    SubmissionFilter(),
    SubmissionFilter(outcomes=("review", "urgent")),  # not in severity order on purpose
    SubmissionFilter(outcomes=("candidate",)),
    SubmissionFilter(outcomes=("deferred", "exclude")),  # an unknown outcome is listed last
    SubmissionFilter(since=(T0 - 6 * DAY).date()),
    SubmissionFilter(since=(T0 - 12 * DAY).date(), until=(T0 - 4 * DAY).date()),
    SubmissionFilter(until=(T0 - 3 * DAY).date(), outcomes=("urgent", "exclude", "candidate")),
    SubmissionFilter(since=T0.date() + DAY),  # nothing
    # Filters checked row by row keep the single sorted query; same order expected.
    SubmissionFilter(statuses=("new",)),
    SubmissionFilter(statuses=("closed", "contacted"), outcomes=("review", "urgent")),
    SubmissionFilter(choices=(("pain_areas", "hip_left"),)),
    SubmissionFilter(text="maria", since=(T0 - 15 * DAY).date()),
]


@pytest.mark.parametrize("flt", FILTERS, ids=repr)
@pytest.mark.parametrize("size", [1, 5, 7, 50])
def test_every_page_is_the_next_slice_of_the_urgent_first_order(
    stored: tuple[Engine, list[dict[str, Any]]], flt: SubmissionFilter, size: int
) -> None:
    engine, rows = stored
    order = expected(rows, flt)
    assert all_pages(engine, flt, size) == [
        *(order[i : i + size] for i in range(0, len(order), size)), []]


def test_a_page_crossing_from_urgent_into_the_next_outcome_continues_it(
    stored: tuple[Engine, list[dict[str, Any]]],
) -> None:
    engine, rows = stored
    urgent = sum(r["outcome"] == "urgent" for r in rows)
    size = urgent - 2  # page 1 holds the last two urgent rows, then the newest exclude rows
    second = page_of(engine, SubmissionFilter(), 1, size)
    assert [r["outcome"] for r in second[:3]] == ["urgent", "urgent", "exclude"]
    order = expected(rows, SubmissionFilter())
    assert [r["id"] for r in second] == order[size : 2 * size]


def test_a_negative_page_is_the_first(stored: tuple[Engine, list[dict[str, Any]]]) -> None:
    engine, _ = stored
    assert page_of(engine, SubmissionFilter(), -3, 4) == page_of(engine, SubmissionFilter(), 0, 4)


def test_page_rows_are_whole_records(stored: tuple[Engine, list[dict[str, Any]]]) -> None:
    engine, rows = stored
    first = page_of(engine, SubmissionFilter(), 0, 1)[0]
    source = next(r for r in rows if r["id"] == first["id"])
    assert first["reference"] == source["reference"]
    assert first["answers"] == source["answers"] and first["submitted_at"] == source["submitted_at"]


# ---- the first page costs the same however many rows are stored (SQLite plans) ---------


@pytest.mark.parametrize("flt", [
    SubmissionFilter(),
    SubmissionFilter(outcomes=("urgent", "review")),
    SubmissionFilter(since=(T0 - 6 * DAY).date(), until=(T0 - 2 * DAY).date()),
], ids=repr)
def test_the_first_page_is_read_from_the_outcome_index_not_sorted(
    db_url: str, flt: SubmissionFilter
) -> None:
    engine = open_engine(db_url)
    fill(engine)
    seen = sqlite_plans(engine, lambda: page_of(engine, flt, 0, 50))
    engine.dispose()
    assert [plan for plan in seen if "SCAN submissions" in plan] == []  # no pass over all rows
    by_outcome = [plan for plan in seen if not plan.startswith("MULTI-INDEX OR")
                  and "ix_submissions_outcome_submitted_at (outcome=?" in plan]
    assert by_outcome, seen
    for plan in by_outcome:  # read newest first from the index, not sorted
        assert "USE TEMP B-TREE FOR ORDER BY" not in plan, plan
