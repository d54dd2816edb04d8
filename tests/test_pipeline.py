"""Intake.submit: the one path from raw answers to a validated, screened, stored submission."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from intake_pipeline import Intake
from questions import AnswersInvalid
from storage import SubmissionStore, searchable

AT = dt.datetime(2026, 11, 26, 15, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("question_id", "value", "message_id"),
    [
        ("height_ft", 12, "error_range"),
        ("phone", "12345", "error_phone"),
        ("signature", "Someone Else", "error_signature"),
        ("allergies", ["none", "latex"], "error_exclusive"),
        ("date_of_birth", "2027-01-01", "error_date_future"),
        ("consent_store", False, "error_must_check"),
    ],
)
def test_submit_refuses_an_invalid_answer_and_stores_nothing(
    intake: Intake, store: SubmissionStore, valid_answers: dict[str, Any],
    question_id: str, value: Any, message_id: str,
) -> None:
    valid_answers[question_id] = value
    with pytest.raises(AnswersInvalid) as caught:
        intake.submit(store, valid_answers, "key-1", AT)
    assert [(p.question_id, p.message_id) for p in caught.value.problems] == [
        (question_id, message_id)
    ]
    assert store.count() == 0


@pytest.mark.parametrize(
    ("changes", "outcome", "fired"),
    [
        ({}, "candidate", []),
        ({"hot_swollen": "yes"}, "urgent", ["RF-hot-swollen-joint"]),
        ({"skin_problem": "yes"}, "exclude", ["EX-skin-problem"]),
        ({"diabetes": "yes_controlled"}, "review", ["CR-diabetes"]),
        ({"skin_problem": "yes", "diabetes": "not_sure"}, "exclude",
         ["EX-skin-problem", "CR-diabetes"]),
    ],
)
def test_submit_stores_the_screening_outcome_and_fired_rules(
    intake: Intake, store: SubmissionStore, valid_answers: dict[str, Any],
    changes: dict[str, Any], outcome: str, fired: list[str],
) -> None:
    saved = intake.submit(store, {**valid_answers, **changes}, "key-1", AT)
    record = store.get(saved.id)
    assert record is not None and saved.outcome == record["outcome"] == outcome
    assert [rule["id"] for rule in record["rules_fired"]] == fired
    assert record["rules_version"] == intake.rules.version
    assert (record["form_id"], record["form_version"]) == (intake.form.form_id, intake.form.version)
    assert record["calculated"] == {"age": 64, "bmi": 28.3, "nice_oa_features": True}
    [screening] = store.screening_history(saved.id)
    assert screening["outcome"] == outcome


def test_submit_stores_fired_rules_with_note_source_and_explanation(
    intake: Intake, store: SubmissionStore, valid_answers: dict[str, Any]
) -> None:
    saved = intake.submit(store, {**valid_answers, "hot_swollen": "yes"}, "key-1", AT)
    [rule] = store.get(saved.id)["rules_fired"]  # type: ignore[index]
    assert set(rule) == {"id", "level", "note", "source", "explanation"}
    assert rule["level"] == "urgent" and rule["explanation"]


def test_submit_drops_answers_to_questions_that_are_not_relevant(
    intake: Intake, store: SubmissionStore, valid_answers: dict[str, Any]
) -> None:
    # Pregnancy is asked only below 60; low-back questions only with low-back pain.
    extra = {"pregnant": "yes", "saddle_numbness": "yes"}
    saved = intake.submit(store, {**valid_answers, **extra}, "key-1", AT)
    record = store.get(saved.id)
    assert record is not None and not set(extra) & set(record["answers"])
    assert record["outcome"] == "candidate"


def test_submit_stores_the_auto_answered_main_area(
    intake: Intake, store: SubmissionStore, valid_answers: dict[str, Any]
) -> None:
    saved = intake.submit(store, valid_answers, "key-1", AT)
    assert store.get(saved.id)["answers"]["main_area"] == "knee_right"  # type: ignore[index]


@pytest.mark.parametrize("query", ["maria lopez", "MARÍA LÓPEZ", "lopez", "555-123-4567"])
def test_submit_stores_search_text_without_case_or_accents(
    intake: Intake, store: SubmissionStore, valid_answers: dict[str, Any], query: str
) -> None:
    names = {"first_name": "María", "last_name": "López", "signature": "María López"}
    saved = intake.submit(store, {**valid_answers, **names}, "key-1", AT)
    record = store.get(saved.id)
    assert record is not None and searchable(query) in record["search_text"]
    assert "walk my dog" not in record["search_text"]  # only identifying answers


def test_submit_twice_with_one_key_is_one_submission(
    intake: Intake, store: SubmissionStore, valid_answers: dict[str, Any]
) -> None:
    first = intake.submit(store, valid_answers, "key-1", AT)
    again = intake.submit(store, valid_answers, "key-1", AT + dt.timedelta(seconds=3))
    assert again.duplicate and again.reference == first.reference and store.count() == 1
