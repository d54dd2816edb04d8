"""The main store operations on PostgreSQL (psycopg 3), as the app uses them with
INTAKE_DATABASE_URL=postgresql+psycopg://...

This module gets its own database; each test a fresh schema in it, so no test sees
another's rows (the audit log cannot be emptied).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from typing import Any

import pytest
from helpers.pg import fresh_schema
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from intake_pipeline import Intake
from storage import (
    KeyConflict,
    NewSubmission,
    SubmissionStore,
    audit,
    db,
    open_engine,
    searchable,
    write,
)
from storage.bulk import save_many
from storage.drafts import DraftStore, new_token
from storage.maintenance import verify
from storage.queries import SubmissionFilter, count, page_of, stream
from storage.status import change_status, history

pytestmark = pytest.mark.postgres

T0 = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)
ANSWERS = {"first_name": "María", "pain_areas": ["knee_right"], "pain_average": 6}


@pytest.fixture
def url(pg_database: str) -> Iterator[str]:
    with fresh_schema(pg_database, "t") as url:
        yield url


@pytest.fixture
def engine(any_engine: Engine) -> Engine:
    return any_engine


@pytest.fixture
def store(engine: Engine) -> SubmissionStore:
    return SubmissionStore(engine)


def new(key: str = "key-1", answers: dict[str, Any] | None = None, **extra: Any) -> NewSubmission:
    values: dict[str, Any] = {
        "form_id": "prolotherapy_intake",
        "form_version": 2026112601,
        "answers": dict(ANSWERS if answers is None else answers),
        "calculated": {"age": 64, "bmi": 28.3, "nice_oa_features": True},
        "outcome": "review",
        "rules_version": "abc123def456",
        "rules_fired": [{"id": "CR-mild-pain", "level": "review"}],
    }
    return NewSubmission(submission_key=key, **{**values, **extra})


# ---- saving --------------------------------------------------------------------------


def test_a_saved_submission_reads_back_exactly(store: SubmissionStore) -> None:
    at = dt.datetime(2026, 11, 26, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    answers = {**ANSWERS, "goals": "Caminar — sin dolor 🦵", "medications": "Línea 1\nLínea 2"}
    saved = store.save(new(answers=answers, submitted_at=at, language="es"))
    record = store.get(saved.id)
    assert record is not None and not saved.duplicate
    assert record["answers"] == answers and record["language"] == "es"
    assert record["submitted_at"] == at and record["submitted_at"].utcoffset() == dt.timedelta(0)
    canonical = json.dumps(answers, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert record["answers_sha256"] == hashlib.sha256(canonical.encode()).hexdigest()
    assert record["calculated"] == {"age": 64, "bmi": 28.3, "nice_oa_features": True}
    [screening] = store.screening_history(saved.id)
    assert (screening["reason"], screening["outcome"]) == ("submit", "review")
    assert (screening["screened_at"], screening["rules_version"]) == (at, "abc123def456")
    assert screening["rules_fired"] == [{"id": "CR-mild-pain", "level": "review"}]


def test_the_pipeline_stores_a_screened_submission(
    intake: Intake, store: SubmissionStore, engine: Engine, valid_answers: dict[str, Any]
) -> None:
    saved = intake.submit(store, valid_answers, "wizard-session-1", T0)
    record = store.get(saved.id)
    assert record is not None and record["outcome"] == saved.outcome
    assert record["search_text"] == intake.search_text(valid_answers) != ""
    assert verify(engine).mismatches == []


def test_the_same_key_twice_stores_one_row_and_returns_the_first(store: SubmissionStore) -> None:
    first, second = store.save(new()), store.save(new())
    assert store.count() == 1 and second.duplicate and not first.duplicate
    assert (second.id, second.reference) == (first.id, first.reference)


def test_the_same_key_with_other_answers_is_refused(store: SubmissionStore) -> None:
    store.save(new())
    with pytest.raises(KeyConflict):
        store.save(new(answers={**ANSWERS, "pain_average": 7}))
    assert store.count() == 1


def end_pooled_sessions(engine: Engine) -> None:
    """What a server restart does to the pool: every idle connection of ours is cut off."""
    with engine.connect() as conn:
        mine = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        database = conn.execute(text("SELECT current_database()")).scalar_one()
    admin = open_engine(engine.url.render_as_string(hide_password=False))
    with admin.connect() as conn:
        ended = conn.execute(
            text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                 "WHERE datname = :db AND pid <> pg_backend_pid()"),
            {"db": database},
        ).scalar_one()
    admin.dispose()
    assert ended >= 1 and mine  # the pooled connection was among them


def test_a_save_on_a_cut_off_pooled_connection_is_retried_once(store: SubmissionStore) -> None:
    first = store.save(new())  # leaves a connection in the pool, used moments ago (no ping)
    end_pooled_sessions(store.engine)
    second = store.save(new("key-2"))
    assert not second.duplicate and second.id != first.id
    assert store.count() == 2 and [h["reason"] for h in store.screening_history(second.id)] \
        == ["submit"]


def test_a_connection_idle_past_the_limit_is_checked_before_use(
    store: SubmissionStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.save(new())
    end_pooled_sessions(store.engine)
    monkeypatch.setattr(db, "PING_AFTER_IDLE_S", 0.0)  # every pooled connection counts as idle
    assert store.count() == 1  # a read has no retry: the check found the dead connection


def test_a_connection_used_moments_ago_is_trusted_so_a_read_fails_once(
    store: SubmissionStore,
) -> None:
    store.save(new())
    end_pooled_sessions(store.engine)
    with pytest.raises(DBAPIError) as failure:
        store.count()
    assert failure.value.connection_invalidated
    assert store.count() == 1  # the pool was discarded: the next use connects again


def test_bulk_saves_store_every_row_and_skip_stored_keys(engine: Engine) -> None:
    SubmissionStore(engine).save(new(key="bulk-3"))
    assert save_many(engine, [new(key=f"bulk-{i}") for i in range(25)], chunk=10) == 24
    assert SubmissionStore(engine).count() == 25


def test_two_app_servers_on_one_database_see_each_others_work(url: str) -> None:
    """Two engines, as two app servers on different ports would each have."""
    first, second = open_engine(url), open_engine(url)
    try:
        saved = SubmissionStore(first).save(new())
        assert SubmissionStore(second).get(saved.id) is not None
        change_status(second, saved.id, "reviewed", "drsmith", T0)
        record = SubmissionStore(first).get(saved.id)
        assert record is not None and record["status"] == "reviewed"
        assert [c.to_status for c in history(first, saved.id)] == ["reviewed"]
    finally:
        first.dispose()
        second.dispose()


# ---- filters (storage.queries) -------------------------------------------------------


@pytest.fixture
def three(store: SubmissionStore, engine: Engine) -> dict[str, str]:
    """Three submissions that differ in every filtered column; key -> id."""
    rows = [
        new("urgent", {**ANSWERS, "pain_areas": ["knee_right"]}, outcome="urgent",
            submitted_at=T0 - DAY, search_text=searchable("María", "López", "555-123-4567")),
        new("review", {**ANSWERS, "pain_areas": ["hip_left"]}, outcome="review",
            submitted_at=T0 - 10 * DAY, search_text=searchable("José", "Núñez")),
        new("candidate", {**ANSWERS, "pain_areas": ["knee_left", "hip_left"]},
            outcome="candidate", submitted_at=T0 - 40 * DAY, search_text=searchable("Ana")),
    ]
    ids = {row.submission_key: store.save(row).id for row in rows}
    change_status(engine, ids["review"], "reviewed", "drsmith", T0)
    change_status(engine, ids["candidate"], "closed", "drsmith", T0)
    return ids


FILTERS = [
    (SubmissionFilter(), ["urgent", "review", "candidate"]),
    (SubmissionFilter(since=(T0 - 5 * DAY).date()), ["urgent"]),
    (SubmissionFilter(until=(T0 - 5 * DAY).date()), ["review", "candidate"]),
    (SubmissionFilter(since=(T0 - 10 * DAY).date(), until=(T0 - 10 * DAY).date()), ["review"]),
    (SubmissionFilter(outcomes=("review", "candidate")), ["review", "candidate"]),
    (SubmissionFilter(statuses=("closed",)), ["candidate"]),
    (SubmissionFilter(choices=(("pain_areas", "hip_left"),)), ["review", "candidate"]),
    (SubmissionFilter(choices=(("pain_areas", "knee_right"), ("pain_areas", "knee_left"))),
     ["urgent", "candidate"]),
    (SubmissionFilter(text="NUNEZ"), ["review"]),
    (SubmissionFilter(text="  núñez "), ["review"]),
    (SubmissionFilter(text="555-123"), ["urgent"]),
    (SubmissionFilter(text="%"), []),  # LIKE wildcards are searched for, not obeyed
    (SubmissionFilter(outcomes=("urgent",), statuses=("closed",)), []),
]


@pytest.mark.parametrize(("flt", "expected"), FILTERS)
def test_filters_select_the_expected_rows_urgent_first(
    engine: Engine, three: dict[str, str], flt: SubmissionFilter, expected: list[str]
) -> None:
    by_id = {v: k for k, v in three.items()}
    assert [by_id[r["id"]] for r in page_of(engine, flt, 0, 50)] == expected  # urgent first
    assert count(engine, flt) == len(expected)
    assert sorted(by_id[r["id"]] for r in stream(engine, flt, batch=1)) == sorted(expected)


def test_search_finds_a_reference_in_any_case(
    engine: Engine, store: SubmissionStore, three: dict[str, str]
) -> None:
    record = store.get(three["review"])
    assert record is not None
    flt = SubmissionFilter(text=record["reference"].lower())
    assert [r["id"] for r in page_of(engine, flt, 0, 10)] == [three["review"]]


def test_pages_do_not_overlap(engine: Engine, three: dict[str, str]) -> None:
    pages = [page_of(engine, SubmissionFilter(), n, 2) for n in range(3)]
    assert [len(p) for p in pages] == [2, 1, 0]
    assert {r["id"] for p in pages for r in p} == set(three.values())


# ---- audit log and drafts ------------------------------------------------------------


@pytest.mark.parametrize("statement", ["UPDATE audit_log SET username = 'someone else'",
                                       "DELETE FROM audit_log", "TRUNCATE audit_log"])
def test_the_audit_log_refuses_update_delete_and_truncate(engine: Engine, statement: str) -> None:
    audit.record(engine, "drsmith", audit.VIEW, T0, ["id-1"])
    with pytest.raises(DBAPIError, match="append-only"), write(engine) as conn:
        conn.execute(text(statement))
    assert [(e.user, e.action, e.at) for e in audit.stream(engine)] == [
        ("drsmith", audit.VIEW, T0)]


def test_drafts_are_saved_resumed_and_deleted(engine: Engine) -> None:
    store, token = DraftStore(engine, dt.timedelta(hours=72)), new_token()
    store.save(token, ANSWERS, 2, "es", now=T0)
    draft = store.load(token, now=T0 + DAY)
    assert draft is not None and (draft.answers, draft.step, draft.updated_at) == (ANSWERS, 2, T0)
    assert store.load(token, now=T0 + 3 * DAY) is None
    store.delete(token)
    assert store.purge_expired(now=T0 + 4 * DAY) == 0
