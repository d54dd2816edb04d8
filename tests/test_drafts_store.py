"""DraftStore: a patient's unfinished answers, by resume token, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.engine import make_url

from storage import read
from storage.drafts import Draft, DraftStore, new_token, token_hash
from storage.schema import drafts, submissions

NOW = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC)
TTL = dt.timedelta(hours=72)
ANSWERS = {"first_name": "María", "pain_areas": ["knee_right", "hip_left"], "pain_average": 6}


@pytest.fixture
def engine(any_engine: Engine) -> Engine:
    return any_engine


@pytest.fixture
def store(engine: Engine) -> DraftStore:
    return DraftStore(engine, TTL)


def rows(engine: Engine) -> list[dict[str, Any]]:
    with read(engine) as conn:
        return [dict(row) for row in conn.execute(select(drafts)).mappings()]


def test_a_saved_draft_loads_with_its_answers_step_and_language(store: DraftStore) -> None:
    token = new_token()
    store.save(token, ANSWERS, 3, "es", now=NOW)
    assert store.load(token, now=NOW + dt.timedelta(minutes=5)) == Draft(ANSWERS, 3, "es", NOW)


def test_an_unknown_token_loads_nothing(store: DraftStore) -> None:
    store.save(new_token(), ANSWERS, 1, "en", now=NOW)
    assert store.load(new_token(), now=NOW) is None


def test_saving_again_replaces_the_draft_and_keeps_one_row(
    store: DraftStore, engine: Engine
) -> None:
    token = new_token()
    store.save(token, {"first_name": "Ana"}, 1, "en", now=NOW)
    later = NOW + dt.timedelta(minutes=3)
    store.save(token, ANSWERS, 2, "es", now=later)
    assert store.load(token, now=later) == Draft(ANSWERS, 2, "es", later)
    [row] = rows(engine)
    created = row["created_at"]
    assert (created.replace(tzinfo=dt.UTC) if created.tzinfo is None else created) == NOW


@pytest.mark.parametrize(("age", "found"), [
    (TTL - dt.timedelta(seconds=1), True),
    (TTL, False),
    (TTL + dt.timedelta(days=30), False),
])
def test_a_draft_expires_ttl_after_its_last_save(
    store: DraftStore, age: dt.timedelta, found: bool
) -> None:
    token = new_token()
    store.save(token, ANSWERS, 1, "en", now=NOW)
    assert (store.load(token, now=NOW + age) is not None) is found


def test_every_save_pushes_the_expiry_back(store: DraftStore) -> None:
    token = new_token()
    store.save(token, ANSWERS, 1, "en", now=NOW)
    store.save(token, ANSWERS, 2, "en", now=NOW + dt.timedelta(hours=48))
    assert store.load(token, now=NOW + dt.timedelta(hours=100)) is not None


def test_delete_removes_only_that_draft(store: DraftStore) -> None:
    gone, kept = new_token(), new_token()
    store.save(gone, ANSWERS, 1, "en", now=NOW)
    store.save(kept, ANSWERS, 1, "en", now=NOW)
    store.delete(gone)
    store.delete(new_token())  # deleting what is not there is harmless (a second Submit)
    assert store.load(gone, now=NOW) is None and store.load(kept, now=NOW) is not None


def test_purge_expired_deletes_expired_drafts_and_counts_them(
    store: DraftStore, engine: Engine
) -> None:
    old, fresh = new_token(), new_token()
    store.save(old, ANSWERS, 1, "en", now=NOW - TTL - dt.timedelta(minutes=1))
    store.save(new_token(), ANSWERS, 1, "en", now=NOW - TTL)  # expires exactly now
    store.save(fresh, ANSWERS, 1, "en", now=NOW - dt.timedelta(hours=1))
    assert store.purge_expired(now=NOW) == 2
    assert store.load(fresh, now=NOW) is not None and len(rows(engine)) == 1
    assert store.purge_expired(now=NOW) == 0


def test_the_token_is_never_stored_only_its_sha256(
    store: DraftStore, engine: Engine, url: str
) -> None:
    token = new_token()
    store.save(token, ANSWERS, 1, "en", now=NOW)
    [row] = rows(engine)
    assert row["token_hash"] == hashlib.sha256(token.encode()).hexdigest() == token_hash(token)
    assert token not in repr(row)
    if url.startswith("sqlite"):  # not in the database file or its write-ahead log either
        path = Path(make_url(url).database or "")
        for file in (path, path.with_name(path.name + "-wal")):
            assert token.encode() not in file.read_bytes()


def test_tokens_are_unguessable() -> None:
    tokens = {new_token() for _ in range(1000)}
    assert len(tokens) == 1000 and min(len(t) for t in tokens) >= 43  # 256 random bits


def test_drafts_are_not_submissions(store: DraftStore, engine: Engine) -> None:
    store.save(new_token(), ANSWERS, 6, "en", now=NOW)
    with read(engine) as conn:
        assert conn.execute(select(func.count()).select_from(submissions)).scalar_one() == 0
