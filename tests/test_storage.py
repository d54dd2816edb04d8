"""The submission store on a real SQLite file: columns, idempotency, durability settings."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import stat
import threading
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, insert, make_url, select
from sqlalchemy.exc import DBAPIError, IntegrityError

from storage import (
    KeyConflict,
    NewSubmission,
    SubmissionStore,
    default_url,
    make_engine,
    open_engine,
)
from storage.bulk import save_many
from storage.db import driver_write
from storage.driver_insert import DriverStatement
from storage.schema import screenings, submissions
from storage.submissions import REFERENCE_ALPHABET, SUBMISSION_COLUMNS, submission_row

REFERENCE = re.compile(r"^[2-9A-Z]{4}-[2-9A-Z]{4}$")
ANSWERS = {"first_name": "María", "pain_areas": ["knee_right"], "pain_average": 6}


def new(key: str = "key-1", answers: dict[str, Any] | None = None, **extra: Any) -> NewSubmission:
    return NewSubmission(
        submission_key=key,
        form_id="prolotherapy_intake",
        form_version=2026112601,
        answers=dict(ANSWERS if answers is None else answers),
        calculated={"age": 64, "bmi": 28.3, "nice_oa_features": True},
        outcome="review",
        rules_version="abc123def456",
        rules_fired=[{"id": "CR-mild-pain", "level": "review", "note": "n", "source": "s",
                      "explanation": ["pain_average is 3"]}],
        **extra,
    )


def rows(engine: Engine, table: Any = submissions) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_save_stores_one_row_with_the_expected_columns(store: SubmissionStore) -> None:
    at = dt.datetime(2026, 11, 26, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    saved = store.save(new(submitted_at=at))
    record = store.get(saved.id)
    assert store.count() == 1 and record is not None and not saved.duplicate
    assert uuid.UUID(record["id"]).version == 4
    assert REFERENCE.match(record["reference"]) and record["reference"] == saved.reference
    assert set(record["reference"].replace("-", "")) <= set(REFERENCE_ALPHABET)
    assert record["submitted_at"] == at and record["submitted_at"].utcoffset() == dt.timedelta(0)
    canonical = json.dumps(ANSWERS, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert record["answers_sha256"] == hashlib.sha256(canonical.encode()).hexdigest()
    assert record["answers"] == ANSWERS and record["status"] == "new"
    assert (record["outcome"], record["rules_version"]) == ("review", "abc123def456")


def test_reference_alphabet_has_no_ambiguous_characters() -> None:
    assert not set("01OILU") & set(REFERENCE_ALPHABET)


def test_same_key_twice_stores_one_row_and_returns_the_first(store: SubmissionStore) -> None:
    first = store.save(new())
    second = store.save(new())
    assert store.count() == 1
    assert second.duplicate and not first.duplicate
    assert (second.id, second.reference, second.outcome) == (first.id, first.reference, "review")


def test_a_taken_reference_is_replaced_by_a_fresh_one(any_engine: Engine) -> None:
    codes = iter(["AAAA-AAAA", "AAAA-AAAA", "BBBB-BBBB"])
    store = SubmissionStore(any_engine, references=lambda: next(codes))
    first = store.save(new())
    second = store.save(new(key="another-key"))
    assert (first.reference, second.reference) == ("AAAA-AAAA", "BBBB-BBBB")
    assert not second.duplicate and store.count() == 2
    assert [h["reason"] for h in store.screening_history(second.id)] == ["submit"]


def test_a_reference_taken_five_times_is_an_error_not_a_duplicate(any_engine: Engine) -> None:
    store = SubmissionStore(any_engine, references=lambda: "AAAA-AAAA")
    store.save(new())
    with pytest.raises(RuntimeError, match="after 5 attempts") as failure:
        store.save(new(key="another-key"))
    assert isinstance(failure.value.__cause__, IntegrityError)  # the database's refusal kept
    assert store.count() == 1


def test_same_key_with_different_answers_is_refused(store: SubmissionStore) -> None:
    store.save(new())
    with pytest.raises(KeyConflict):
        store.save(new(answers={**ANSWERS, "pain_average": 7}))
    assert store.count() == 1


def test_submit_writes_a_screening_row(store: SubmissionStore) -> None:
    saved = store.save(new())
    [history] = store.screening_history(saved.id)
    assert history["reason"] == "submit"
    assert (history["outcome"], history["rules_version"]) == ("review", "abc123def456")
    assert history["rules_fired"][0]["id"] == "CR-mild-pain"


def test_database_errors_never_carry_the_patients_values(any_engine: Engine) -> None:
    """Streamlit logs an uncaught error's text and the CLI prints its traceback: the
    values bound to the failed statement (answers, names) must not be in either."""
    SubmissionStore(any_engine, references=lambda: "AAAA-AAAA").save(new())
    with any_engine.begin() as conn, pytest.raises(DBAPIError) as failure:
        row = submission_row(new(key="other", answers={"first_name": "Zoë Secret"}),
                             reference="AAAA-AAAA")
        conn.execute(insert(submissions), row)  # the reference is taken
    text = str(failure.value)  # PostgreSQL's own detail names the taken key, no more
    assert "hidden due to hide_parameters" in text
    assert "Zoë Secret" not in text and "first_name" not in text


def test_database_file_and_folder_are_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "folder" / "intake.db"
    open_engine(f"sqlite:///{path}").dispose()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


@pytest.mark.parametrize(
    ("pragma", "expected"),
    [("journal_mode", "wal"), ("synchronous", 2), ("busy_timeout", 30_000), ("foreign_keys", 1),
     ("cache_size", -8192)],
)
def test_sqlite_connections_are_durable_and_wait_for_locks(
    db_url: str, pragma: str, expected: object
) -> None:
    engine = make_engine(db_url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql(f"PRAGMA {pragma}").scalar() == expected
    engine.dispose()


def test_concurrent_saves_of_one_key_store_exactly_one_row(any_engine: Engine) -> None:
    start = threading.Barrier(4)
    results: list[Any] = []

    def save() -> None:
        store = SubmissionStore(any_engine)
        start.wait()
        results.append(store.save(new(key="double-click")))

    threads = [threading.Thread(target=save) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert rows(any_engine) == 1 and rows(any_engine, screenings) == 1
    assert len({r.id for r in results}) == 1
    assert sorted(r.duplicate for r in results) == [False, True, True, True]


def test_save_many_stores_every_row_with_its_screening(engine: Engine) -> None:
    batch = [new(key=f"bulk-{i}") for i in range(25)]
    assert save_many(engine, batch, chunk=10) == 25
    assert rows(engine) == 25 and rows(engine, screenings) == 25
    store = SubmissionStore(engine)
    assert {r["submission_key"] for r in store.all()} == {f"bulk-{i}" for i in range(25)}


def test_save_many_skips_keys_already_stored_with_the_same_answers(engine: Engine) -> None:
    SubmissionStore(engine).save(new(key="bulk-3"))
    assert save_many(engine, [new(key=f"bulk-{i}") for i in range(6)], chunk=4) == 5
    assert rows(engine) == 6


def test_save_many_refuses_a_key_stored_with_other_answers(engine: Engine) -> None:
    SubmissionStore(engine).save(new(key="bulk-1", answers={"pain_average": 2}))
    with pytest.raises(KeyConflict):
        save_many(engine, [new(key="bulk-0"), new(key="bulk-1")])


def test_default_url_is_a_sqlite_file_in_the_data_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INTAKE_DATABASE_URL", raising=False)
    monkeypatch.setenv("INTAKE_DATA_DIR", "somewhere")
    url = make_url(default_url())
    assert (url.get_backend_name(), url.database) == ("sqlite", str(Path("somewhere/intake.db")))


def test_a_driver_write_is_rolled_back_whole_when_anything_fails(engine: Engine) -> None:
    statement = DriverStatement.of(insert(submissions), engine.dialect, SUBMISSION_COLUMNS)
    with pytest.raises(RuntimeError, match="after the insert"), driver_write(engine) as execute:
        execute(statement.sql, statement.parameters(submission_row(new())))
        raise RuntimeError("after the insert")
    assert rows(engine) == 0
    SubmissionStore(engine).save(new())  # the connection went back to the pool usable
    assert rows(engine) == 1


def test_a_driver_write_raises_sqlalchemy_errors_without_the_values(engine: Engine) -> None:
    """The wizard catches SQLAlchemyError; a refused driver write must be one, and like
    every database error it must not carry the patient's values."""
    SubmissionStore(engine, references=lambda: "AAAA-AAAA").save(new())
    statement = DriverStatement.of(insert(submissions), engine.dialect, SUBMISSION_COLUMNS)
    row = submission_row(new(key="other", answers={"first_name": "Zoë Secret"}),
                         reference="AAAA-AAAA")
    with pytest.raises(IntegrityError) as failure, driver_write(engine) as execute:
        execute(statement.sql, statement.parameters(row))
    assert "UNIQUE" in str(failure.value) and "Zoë Secret" not in str(failure.value)
    assert rows(engine) == 1
