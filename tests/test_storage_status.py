"""Status changes: the current status, its history (who, when, from, to, note) and the audit."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import Engine

from intake_pipeline import Intake
from storage import SubmissionStore, audit
from storage.status import StatusChange, StatusError, change_counter, change_status, history

T0 = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def submission_id(intake: Intake, store: SubmissionStore, valid_answers: dict[str, Any]) -> str:
    return intake.submit(store, valid_answers, "key-1", T0 - dt.timedelta(days=1)).id


def test_a_change_sets_the_status_and_records_who_when_from_to(
    engine: Engine, store: SubmissionStore, submission_id: str
):
    change = change_status(engine, submission_id, "reviewed", "drsmith", T0, "  Looks typical. ")
    expected = StatusChange(submission_id, "drsmith", T0, "new", "reviewed", "Looks typical.")
    assert change == expected
    assert history(engine, submission_id) == [expected]
    record = store.get(submission_id)
    assert record is not None and record["status"] == "reviewed"
    entry = audit.latest(engine, 1)[0]
    assert (entry.user, entry.action, entry.at, entry.record_ids) == (
        "drsmith", audit.STATUS_CHANGE, T0, (submission_id,))
    assert entry.detail == "new -> reviewed (with note)"
    assert "Looks typical" not in entry.detail  # notes may hold health details: not in the log


def test_history_keeps_every_change_in_order(engine: Engine, submission_id: str):
    steps = [("reviewed", "drsmith"), ("contacted", "nurse.lee"), ("closed", "drsmith")]
    for minute, (status, user) in enumerate(steps):
        change_status(engine, submission_id, status, user, T0 + dt.timedelta(minutes=minute))
    assert [(c.from_status, c.to_status, c.user) for c in history(engine, submission_id)] == [
        ("new", "reviewed", "drsmith"),
        ("reviewed", "contacted", "nurse.lee"),
        ("contacted", "closed", "drsmith"),
    ]


def test_the_same_status_without_a_note_changes_nothing(engine: Engine, submission_id: str):
    assert change_status(engine, submission_id, "new", "drsmith", T0) is None
    assert history(engine, submission_id) == []
    assert audit.count(engine) == 0


def test_the_same_status_with_a_note_records_the_note(engine: Engine, submission_id: str):
    change = change_status(engine, submission_id, "new", "drsmith", T0, "Left a voicemail.")
    assert change is not None and (change.from_status, change.to_status) == ("new", "new")
    assert [c.note for c in history(engine, submission_id)] == ["Left a voicemail."]


@pytest.mark.parametrize(
    ("status", "note", "message"),
    [("done", "", "unknown status"), ("closed", "x" * 2001, "too long")],
)
def test_bad_changes_are_refused(
    engine: Engine, submission_id: str, status: str, note: str, message: str
):
    with pytest.raises(StatusError, match=message):
        change_status(engine, submission_id, status, "drsmith", T0, note)
    assert history(engine, submission_id) == []


def test_an_unknown_submission_is_refused(engine: Engine):
    with pytest.raises(StatusError, match="no submission"):
        change_status(engine, "no-such-id", "closed", "drsmith", T0)
    assert audit.count(engine) == 0


def test_the_change_counter_grows_with_each_change(engine: Engine, submission_id: str):
    assert change_counter(engine) == 0
    change_status(engine, submission_id, "reviewed", "drsmith", T0)
    first = change_counter(engine)
    change_status(engine, submission_id, "closed", "drsmith", T0)
    assert change_counter(engine) > first > 0
