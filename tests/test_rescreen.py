"""Re-screening stored submissions after a rule change: counts, updates and kept history."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

import intake_cli
from intake_pipeline import Intake
from rules import DEFAULT_RULES
from storage import SubmissionStore, rescreening
from storage.schema import screenings

AT = dt.datetime(2026, 11, 26, 12, tzinfo=dt.UTC)


def store_three(intake: Intake, store: SubmissionStore, valid_answers: dict[str, Any]) -> None:
    """Pain 6 (candidate), pain 4 (candidate at threshold 4) and pain 2 (review)."""
    for key, pain in (("six", 6), ("four", 4), ("two", 2)):
        intake.submit(store, {**valid_answers, "pain_average": pain}, key, AT)


def rules_with_min_pain(tmp_path: Path, min_pain: int) -> Path:
    text = DEFAULT_RULES.read_text(encoding="utf-8").replace("min_pain: 4", f"min_pain: {min_pain}")
    assert f"min_pain: {min_pain}" in text
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def history_count(engine: Engine, reason: str) -> int:
    with engine.connect() as conn:
        query = select(func.count()).select_from(screenings).where(screenings.c.reason == reason)
        return int(conn.execute(query).scalar_one())


def test_rescreen_with_unchanged_rules_changes_and_writes_nothing(
    intake: Intake, store: SubmissionStore, engine: Engine, valid_answers: dict[str, Any]
) -> None:
    store_three(intake, store, valid_answers)
    report = intake.rescreen(engine)
    assert (report.screened, report.outcomes_changed, report.transitions) == (3, 0, {})
    assert history_count(engine, "rescreen") == 0


def test_a_raised_threshold_moves_outcomes_and_keeps_the_old_screening(
    intake: Intake, store: SubmissionStore, engine: Engine, valid_answers: dict[str, Any],
    tmp_path: Path,
) -> None:
    store_three(intake, store, valid_answers)
    stricter = Intake.load(rules_path=rules_with_min_pain(tmp_path, 5))

    report = stricter.rescreen(engine, at=AT + dt.timedelta(days=1))

    assert report.outcomes_changed == 1
    assert report.transitions == {("candidate", "review"): 1}
    assert report.rules_version == stricter.rules.version != intake.rules.version
    rows = {row["submission_key"]: row for row in store.all()}
    assert rows["four"]["outcome"] == "review"
    assert [r["id"] for r in rows["four"]["rules_fired"]] == ["CR-mild-pain"]
    assert "pain_average 4 < 5" in rows["four"]["rules_fired"][0]["explanation"]
    history = store.screening_history(rows["four"]["id"])
    assert [(h["reason"], h["outcome"], h["rules_version"]) for h in history] == [
        ("submit", "candidate", intake.rules.version),
        ("rescreen", "review", stricter.rules.version),
    ]
    # The others changed only their rules version: recorded too, outcome unchanged.
    assert rows["six"]["outcome"] == "candidate" and rows["two"]["outcome"] == "review"
    assert history_count(engine, "rescreen") == 3
    assert stricter.rescreen(engine).outcomes_changed == 0  # idempotent


def test_intake_rescreen_prints_the_counts(
    intake: Intake, store: SubmissionStore, db_url: str, valid_answers: dict[str, Any],
    capsys: pytest.CaptureFixture[str],
) -> None:
    store_three(intake, store, valid_answers)
    assert intake_cli.main(["rescreen", "--database", db_url]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out == {"screened": 3, "outcomes_changed": 0, "transitions": {},
                   "rules_version": intake.rules.version}


def screenings_by_key(store: SubmissionStore) -> dict[str, Any]:
    """Each submission's current screening and its history, by submission key."""
    return {row["submission_key"]: (row["outcome"], row["rules_version"], row["rules_fired"],
                                    [(h["reason"], h["outcome"], h["rules_fired"])
                                     for h in store.screening_history(row["id"])])
            for row in store.all()}


def test_rescreen_in_worker_processes_stores_what_one_process_stores(
    intake: Intake, any_engine: Engine, valid_answers: dict[str, Any], tmp_path: Path,
) -> None:
    store = SubmissionStore(any_engine)
    for pain in range(11):  # pain 3 and 4 move to review under the stricter rules
        for copy in range(3):
            intake.submit(store, {**valid_answers, "pain_average": pain}, f"p{pain}-{copy}", AT)
    stricter = Intake.load(rules_path=rules_with_min_pain(tmp_path, 5))

    report = stricter.rescreen(any_engine, at=AT, jobs=3)

    assert (report.screened, report.outcomes_changed) == (33, 3)
    assert report.transitions == {("candidate", "review"): 3}
    after = screenings_by_key(store)
    assert {key for key, (outcome, *_) in after.items() if outcome == "review"} == {
        f"p{pain}-{copy}" for pain in range(5) for copy in range(3)}
    for outcome, version, fired, history in after.values():  # each rescreened once, in full
        assert version == stricter.rules.version
        assert [h[0] for h in history] == ["submit", "rescreen"]
        assert history[-1][1:] == (outcome, fired)
    assert stricter.rescreen(any_engine, jobs=3).outcomes_changed == 0
    assert screenings_by_key(store) == after  # nothing more written


def test_id_ranges_cover_every_submission_once(
    intake: Intake, store: SubmissionStore, engine: Engine, valid_answers: dict[str, Any]
) -> None:
    for i in range(10):
        intake.submit(store, valid_answers, f"k{i}", AT)
    ids = sorted(row["id"] for row in store.all())
    for parts in (1, 2, 3, 10, 25):
        ranges = rescreening.id_ranges(engine, parts)
        seen = [s.id for r in ranges for batch in rescreening.batches(engine, 4, r)
                for s in batch]
        assert seen == ids
        assert len(ranges) == min(parts, len(ids))
