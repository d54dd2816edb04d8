"""ui.clinician_stats: the dashboard's counts, the table's total taken from them, and the data
version that keys their caches; on a real SQLite file and on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pandas as pd
import pytest
from helpers.plans import sqlite_plans
from sqlalchemy import Engine, update

from storage import NewSubmission, SubmissionStore, open_engine, write
from storage.maintenance import purge
from storage.queries import OUTCOME_ORDER, SubmissionFilter, count
from storage.schema import submissions
from storage.status import change_status
from storage.submissions import STATUSES
from ui import clinician_stats as stats

T0 = dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC)
ROWS: list[tuple[str | None, str]] = [
    ("urgent", "new"), ("urgent", "new"), ("urgent", "closed"), ("exclude", "reviewed"),
    ("review", "new"), ("review", "contacted"), ("review", "contacted"), ("candidate", "new"),
    (None, "new"), (None, "closed"), ("review", "new"),
]
"""(outcome, status) of each stored submission, as the app writes them (None: not screened)."""
EDITED = [*ROWS, ("deferred", "reviewed"), ("review", "archived"), ("zzz", "new")]
"""ROWS and a few an application never writes: only a database edited by hand has them."""


@pytest.fixture
def engine(any_engine: Engine) -> Engine:
    return any_engine


def new(i: int, outcome: str | None, at: dt.datetime = T0) -> NewSubmission:
    return NewSubmission(submission_key=f"key-{i}", form_id="prolotherapy_intake",
                         form_version=2026112601, answers={"n": i}, calculated={},
                         submitted_at=at - i * dt.timedelta(hours=1), outcome=outcome)


def store(engine: Engine, rows: list[tuple[str | None, str]]) -> Engine:
    """`rows` saved by the store; statuses set directly (status changes are tested elsewhere)."""
    submissions_store = SubmissionStore(engine)
    for i, (outcome, status) in enumerate(rows):
        saved = submissions_store.save(new(i, outcome))
        with write(engine) as conn:
            conn.execute(update(submissions).where(submissions.c.id == saved.id)
                         .values(status=status))
    return engine


@pytest.fixture
def stored(engine: Engine) -> Engine:
    return store(engine, ROWS)


@pytest.mark.parametrize("rows", [ROWS, EDITED], ids=["as written by the app", "edited by hand"])
def test_counts_are_those_of_a_group_by(
    engine: Engine, rows: list[tuple[str | None, str]]
) -> None:
    frame = stats.counts(store(engine, rows))
    cells = {(None if pd.isna(o) else o, s, n) for o, s, n in frame.itertuples(index=False)}
    assert len(cells) == len(frame)
    assert cells == {(o, s, n) for (o, s), n in Counter(rows).items()}
    outcomes, statuses = Counter(o for o, _ in rows), Counter(s for _, s in rows)
    assert stats.by_outcome(frame) == {o: outcomes[o] for o in OUTCOME_ORDER}
    assert stats.by_status(frame) == {s: statuses[s] for s in STATUSES}  # all outcomes


@pytest.mark.parametrize("flt", [
    SubmissionFilter(),
    SubmissionFilter(outcomes=("urgent",), statuses=("new",)),  # the urgent banner's button
    SubmissionFilter(outcomes=("review", "exclude")),
    SubmissionFilter(statuses=("new", "closed")),  # not screened rows included
    SubmissionFilter(outcomes=("candidate",), statuses=("closed",)),  # none
], ids=repr)
def test_the_total_of_an_outcome_and_status_filter_is_summed_from_the_counts(
    stored: Engine, flt: SubmissionFilter
) -> None:
    assert stats.matching(stats.counts(stored), flt) == count(stored, flt)


@pytest.mark.parametrize("flt", [
    SubmissionFilter(since=T0.date()),
    SubmissionFilter(until=T0.date(), outcomes=("urgent",)),
    SubmissionFilter(choices=(("pain_areas", "knee_right"),)),
    SubmissionFilter(text="ana"),
], ids=repr)
def test_other_filters_are_left_to_the_database_to_count(
    stored: Engine, flt: SubmissionFilter
) -> None:
    assert stats.matching(stats.counts(stored), flt) is None


def test_counts_of_an_empty_store(engine: Engine) -> None:
    frame = stats.counts(engine)
    assert stats.by_outcome(frame) == dict.fromkeys(OUTCOME_ORDER, 0)
    assert stats.by_status(frame) == dict.fromkeys(STATUSES, 0)
    assert stats.matching(frame, SubmissionFilter()) == 0


def test_the_data_version_changes_with_every_change_the_dashboard_shows(
    stored: Engine,
) -> None:
    first = stats.data_version(stored)
    assert stats.data_version(stored) == first  # reading changes nothing
    saved = SubmissionStore(stored).save(new(99, "review"))
    added = stats.data_version(stored)
    assert added != first
    change_status(stored, saved.id, "reviewed", "drsmith", T0)
    changed = stats.data_version(stored)
    assert changed != added
    purge(stored, 1, T0 + dt.timedelta(hours=14), "drsmith")  # the two oldest rows
    assert stats.data_version(stored) != changed


def test_counts_are_index_searches_not_a_pass_over_the_rows(db_url: str) -> None:
    """SQLite: one short search per (outcome, status) pair, never a scan of the table."""
    engine = store(open_engine(db_url), ROWS)
    plans = sqlite_plans(engine, lambda: stats.counts(engine))
    engine.dispose()
    searches = [step for plan in plans for step in plan.split(" / ") if "submissions" in step]
    assert len(searches) >= len(stats.PAIRS)
    assert all(step.startswith("SEARCH submissions USING COVERING INDEX") for step in searches)
