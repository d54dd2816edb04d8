"""AppTest: the urgent interrupt and the message shown after submitting.

The urgent message must appear as soon as the patient leaves the page where a red flag
became known (not before, and not only at the end), stay visible, and still let them
finish so the clinic sees the flagged submission.
"""

from __future__ import annotations

from typing import Any

import pytest

try:  # pytest's default import mode puts tests/ on sys.path
    import wizard_driver as drv
except ImportError:  # pragma: no cover - tests/ made a package
    from tests import wizard_driver as drv


def urgent_shown(at: Any) -> bool:
    return drv.message("urgent") in drv.errors(at)


def walk_watching_urgent(at: Any, pages: list[dict[str, Any]]) -> list[tuple[str, bool]]:
    """Walk every page; (header, urgent message shown) for each page reached, answers included."""
    seen = [(drv.header(at), urgent_shown(at))]
    for answers in pages:
        for qid, value in answers.items():
            drv.fill(at, {qid: value})
            assert not urgent_shown(at) or seen[-1][1], f"urgent shown while answering {qid}"
        drv.click(at, "nav_next")
        seen.append((drv.header(at), urgent_shown(at)))
    return seen


def rule_ids(row: dict[str, Any]) -> list[str]:
    return [rule["id"] for rule in row["rules_fired"]]


def finish(at: Any) -> None:
    assert urgent_shown(at)  # still on the review page
    drv.click(at, "nav_submit")
    assert drv.header(at) == drv.message("confirmation_title")
    assert urgent_shown(at)  # and on the confirmation


def test_urgent_message_right_after_warning_signs_when_hot_swollen(app_db_url: str) -> None:
    pages = drv.baseline(warning_signs={"hot_swollen": "yes"})
    at = drv.start()
    seen = walk_watching_urgent(at, pages)
    titles = [title for title, _ in seen]
    shown = [urgent for _, urgent in seen]
    first = titles.index(drv.page_title("treatments"))  # the page after warning_signs
    assert shown == [False] * first + [True] * (len(seen) - first)
    assert titles[-1] == drv.message("review_title")

    finish(at)
    row = drv.stored_rows(app_db_url)[0]
    assert row["outcome"] == "urgent"
    assert "RF-hot-swollen-joint" in rule_ids(row)


def test_urgent_message_right_after_your_pain_for_knee_injury_at_55_plus(app_db_url: str) -> None:
    pages = drv.baseline(
        history={"pain_onset": "injury", "injury_recent": "yes", "walk_4_steps": "yes",
                 "bend_90": "yes", "kneecap_tender": "no", "fibula_tender": "no"},
    )
    at = drv.start()
    seen = walk_watching_urgent(at, pages)
    titles = [title for title, _ in seen]
    shown = [urgent for _, urgent in seen]
    first = titles.index(drv.page_title("warning_signs"))  # the page after "Your pain"
    assert titles[first - 1] == drv.page_title("history")
    assert shown == [False] * first + [True] * (len(seen) - first)

    finish(at)
    row = drv.stored_rows(app_db_url)[0]
    assert row["calculated"]["age"] >= 55
    assert row["outcome"] == "urgent"
    assert "RF-knee-fracture" in rule_ids(row)
    # The outcome wording setting never hides or replaces the urgent message.
    assert [s.value for s in at.success] == [drv.message("outcome_neutral")]


REVIEW_PATIENT = {"health": {"diabetes": "yes_controlled"}}  # CR-diabetes: outcome review


@pytest.mark.parametrize(
    ("setting", "patient", "outcome", "message_id"),
    [
        (None, {}, "candidate", "outcome_neutral"),
        (None, REVIEW_PATIENT, "review", "outcome_neutral"),
        ("true", REVIEW_PATIENT, "review", "outcome_review"),
    ],
    ids=["unset-candidate", "unset-review", "true-review"],
)
def test_message_after_submit_is_neutral_unless_the_clinic_shows_outcomes(
    app_db_url: str,
    monkeypatch: pytest.MonkeyPatch,
    setting: str | None,
    patient: dict[str, dict[str, Any]],
    outcome: str,
    message_id: str,
) -> None:
    if setting is not None:
        monkeypatch.setenv("INTAKE_SHOW_OUTCOME_MESSAGE", setting)
    at = drv.start()
    drv.walk(at, drv.baseline(**patient))
    drv.click(at, "nav_submit")
    row = drv.stored_rows(app_db_url)[0]
    assert row["outcome"] == outcome
    assert [s.value for s in at.success] == [drv.message(message_id)]
    assert not urgent_shown(at)
    assert row["reference"] in [h.value for h in at.subheader]


def test_urgent_message_goes_away_when_the_red_flag_answer_is_corrected(app_db_url: str) -> None:
    pages = drv.baseline(warning_signs={"hot_swollen": "yes"})
    at = drv.start()
    walk_watching_urgent(at, pages[:4])  # up to and including the warning signs
    assert urgent_shown(at)
    drv.click(at, "nav_back")
    drv.fill(at, {"hot_swollen": "no"})
    drv.click(at, "nav_next")
    assert not urgent_shown(at)
