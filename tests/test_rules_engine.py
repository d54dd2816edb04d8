"""Screening the default rules: every rule fires when it should and not at its boundary.

Each case starts from a full, valid answer set (a typical 64-year-old knee-OA candidate),
changes a few answers, runs them through AnswerValidator and then `screen`, and names
exactly the rules that must fire.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import baseline
import pytest
from baseline import TODAY

from questions import AnswersInvalid, AnswerValidator, Form, load_form
from questions.calculated import bmi
from rules import Level, RuleSet, Screening, load_rules, screen, screen_document, urgent_rules

DROP = object()  # in `changes`: remove this answer from the baseline


def born(age: int) -> str:
    """A date of birth that makes the patient exactly `age` on TODAY."""
    return dt.date(TODAY.year - age, 5, 14).isoformat()


BASELINE = baseline.answers(date_of_birth=born(64), weight_lb=160)  # BMI 26.6


def age(years: int, **more: Any) -> dict[str, Any]:
    """Changes for a patient aged `years`; under 60 the (female) patient is asked `pregnant`."""
    changes: dict[str, Any] = {"date_of_birth": born(years)}
    if years < 60:
        changes["pregnant"] = "no"
    return {**changes, **more}


KNEE_INJURY = {  # recent knee injury, Ottawa findings all negative
    "pain_onset": "injury",
    "injury_recent": "yes",
    "walk_4_steps": "yes",
    "bend_90": "yes",
    "kneecap_tender": "no",
    "fibula_tender": "no",
}
HIP_ONLY = {"pain_areas": ["hip_right"], "knee_locked": DROP}
LOW_BACK = {
    "pain_areas": ["knee_right", "low_back"],
    "main_area": "knee_right",
    "saddle_numbness": "no",
    "bladder_bowel": "no",
    "leg_weakness": "no",
    "both_legs_pain": "no",
}
BMI_40_0 = {"height_ft": 5, "height_in": 0, "weight_lb": 205}
BMI_40_2 = {"height_ft": 5, "height_in": 0, "weight_lb": 206}


@dataclass(frozen=True)
class Case:
    rule: str  # the rule this case is about
    name: str
    changes: dict[str, Any]
    fired: frozenset[str]  # exactly the rules that fire


def case(rule: str, name: str, changes: dict[str, Any], *fired: str) -> Case:
    return Case(rule, name, changes, frozenset(fired))


CASES = [
    case("RF-hot-swollen-joint", "hot swollen joint", {"hot_swollen": "yes"},
         "RF-hot-swollen-joint"),
    case("RF-hot-swollen-joint", "fever alone is not urgent", {"fever": "yes"}, "EX-fever"),
    case("RF-knee-fracture", "knee injury at 64", KNEE_INJURY, "RF-knee-fracture"),
    case("RF-knee-fracture", "knee injury at 55", {**KNEE_INJURY, **age(55)}, "RF-knee-fracture"),
    case("RF-knee-fracture", "knee injury at 54, Ottawa negative", {**KNEE_INJURY, **age(54)}),
    case("RF-knee-fracture", "54, cannot take 4 steps",
         {**KNEE_INJURY, **age(54), "walk_4_steps": "no"}, "RF-knee-fracture"),
    case("RF-knee-fracture", "54, cannot bend to 90",
         {**KNEE_INJURY, **age(54), "bend_90": "no"}, "RF-knee-fracture"),
    case("RF-knee-fracture", "54, kneecap tender",
         {**KNEE_INJURY, **age(54), "kneecap_tender": "yes"}, "RF-knee-fracture"),
    case("RF-knee-fracture", "54, fibula tender",
         {**KNEE_INJURY, **age(54), "fibula_tender": "yes"}, "RF-knee-fracture"),
    case("RF-knee-fracture", "knee injury not in the last 7 days",
         {**KNEE_INJURY, "injury_recent": "no"}),
    case("RF-knee-fracture", "recent injury but no knee", {**HIP_ONLY, **KNEE_INJURY},
         "CR-recent-injury", "CR-not-knee"),
    case("RF-locked-knee", "locked knee", {"knee_locked": "yes"}, "RF-locked-knee"),
    case("RF-locked-knee", "stale knee_locked for a hip-only patient",
         {**HIP_ONLY, "knee_locked": "yes"}, "CR-not-knee"),
    case("RF-injury-deformity", "deformity after injury", {"injury_deformity": "yes"},
         "RF-injury-deformity"),
    case("RF-injury-deformity", "no deformity", {"injury_deformity": "no"}),
    *[
        case("RF-cauda-equina", f"low back with {sign}", {**LOW_BACK, sign: "yes"},
             "RF-cauda-equina")
        for sign in ("saddle_numbness", "bladder_bowel", "leg_weakness", "both_legs_pain")
    ],
    case("RF-cauda-equina", "low back without warning signs", LOW_BACK),
    case("RF-cauda-equina", "stale saddle_numbness without low back",
         {"saddle_numbness": "yes"}),
    case("EX-under-18", "17 years old", age(17), "EX-under-18"),
    case("EX-under-18", "18 years old", age(18), "CR-age-outside-trials"),
    case("EX-skin-problem", "skin problem", {"skin_problem": "yes"}, "EX-skin-problem"),
    case("EX-skin-problem", "no skin problem", {"skin_problem": "no"}),
    case("EX-fever", "fever", {"fever": "yes"}, "EX-fever"),
    case("EX-fever", "no fever", {"fever": "no"}),
    case("EX-allergy", "corn allergy", {"allergies": ["corn_dextrose"]}, "EX-allergy"),
    case("EX-allergy", "lidocaine allergy", {"allergies": ["latex", "local_anaesthetic"]},
         "EX-allergy"),
    case("EX-allergy", "latex allergy only", {"allergies": ["latex"]}),
    case("EX-pregnant", "pregnant at 45", age(45, pregnant="yes"), "EX-pregnant"),
    case("EX-pregnant", "stale pregnant for a male patient",
         age(45, pregnant="yes", sex_at_birth="male")),
    case("EX-pregnant", "stale pregnant at 64", {"pregnant": "yes"}),
    case("EX-joint-replaced", "knee replaced", {"joint_replaced": "yes"}, "EX-joint-replaced"),
    case("EX-joint-replaced", "stale joint_replaced for a shoulder",
         {"pain_areas": ["shoulder_left"], "knee_locked": DROP, "joint_replaced": "yes"},
         "CR-not-knee"),
    case("CR-blood-thinners", "blood thinner", {"blood_thinners": "yes"}, "CR-blood-thinners"),
    case("CR-blood-thinners", "blood thinner not sure", {"blood_thinners": "not_sure"},
         "CR-blood-thinners"),
    case("CR-blood-thinners", "bleeding disorder", {"bleeding_disorder": "yes"},
         "CR-blood-thinners"),
    case("CR-blood-thinners", "bleeding disorder not sure", {"bleeding_disorder": "not_sure"},
         "CR-blood-thinners"),
    case("CR-blood-thinners", "neither", {"blood_thinners": "no", "bleeding_disorder": "no"}),
    *[
        case("CR-diabetes", f"diabetes {code}", {"diabetes": code}, "CR-diabetes")
        for code in ("yes_controlled", "yes_not_controlled", "not_sure")
    ],
    case("CR-diabetes", "no diabetes", {"diabetes": "no"}),
    case("CR-recent-injection", "injection under 3 months",
         {"treatments_tried": ["steroid_injection"], "last_injection": "under_3_months"},
         "CR-recent-injection"),
    case("CR-recent-injection", "injection date not sure",
         {"treatments_tried": ["steroid_injection"], "last_injection": "not_sure"},
         "CR-recent-injection"),
    case("CR-recent-injection", "injection 3 to 6 months ago",
         {"treatments_tried": ["steroid_injection"], "last_injection": "under_6_months"}),
    case("CR-inflammatory-arthritis", "gout", {"inflammatory_arthritis": ["gout"]},
         "CR-inflammatory-arthritis"),
    case("CR-inflammatory-arthritis", "not sure", {"inflammatory_arthritis": ["not_sure"]},
         "CR-inflammatory-arthritis"),
    case("CR-inflammatory-arthritis", "none", {"inflammatory_arthritis": ["none"]}),
    case("CR-bmi", "BMI 40.2", BMI_40_2, "CR-bmi"),
    case("CR-bmi", "BMI 40.0", BMI_40_0),
    case("CR-immune", "immune suppressed", {"immune_suppressed": "yes"}, "CR-immune"),
    case("CR-immune", "immune suppression not sure", {"immune_suppressed": "not_sure"},
         "CR-immune"),
    case("CR-immune", "cancer history", {"cancer_history": "yes"}, "CR-immune"),
    case("CR-immune", "neither", {"immune_suppressed": "no", "cancer_history": "no"}),
    case("CR-daily-opioids", "daily opioids", {"daily_opioids": "yes"}, "CR-daily-opioids"),
    case("CR-daily-opioids", "no daily opioids", {"daily_opioids": "no"}),
    case("CR-prior-procedure", "prolotherapy before",
         {"treatments_tried": ["prolotherapy"], "last_injection": "over_6_months"},
         "CR-prior-procedure"),
    case("CR-prior-procedure", "surgery before", {"treatments_tried": ["surgery"]},
         "CR-prior-procedure"),
    case("CR-prior-procedure", "other injection before",
         {"treatments_tried": ["hyaluronic_injection"], "last_injection": "over_6_months"}),
    case("CR-large-swelling", "large swelling", {"swelling": "large"}, "CR-large-swelling"),
    case("CR-large-swelling", "some swelling", {"swelling": "mild"}),
    case("CR-weight-loss-night-pain", "weight loss", {"weight_loss": "yes"},
         "CR-weight-loss-night-pain"),
    case("CR-weight-loss-night-pain", "night pain", {"night_pain": "yes"},
         "CR-weight-loss-night-pain"),
    case("CR-weight-loss-night-pain", "neither", {"weight_loss": "no", "night_pain": "no"}),
    case("CR-pregnancy-unsure", "pregnancy not sure at 45", age(45, pregnant="not_sure"),
         "CR-pregnancy-unsure"),
    case("CR-pregnancy-unsure", "not pregnant at 45", age(45, pregnant="no")),
    case("CR-not-knee", "hip only", HIP_ONLY, "CR-not-knee"),
    case("CR-not-knee", "knee and hip, hip worst",
         {"pain_areas": ["knee_left", "hip_right"], "main_area": "hip_right"}, "CR-not-knee"),
    case("CR-not-knee", "knee and hip, knee worst",
         {"pain_areas": ["knee_left", "hip_right"], "main_area": "knee_left"}),
    case("CR-short-duration", "under 6 weeks", {"pain_duration": "under_6_weeks"},
         "CR-short-duration"),
    case("CR-short-duration", "6 weeks to 3 months", {"pain_duration": "under_3_months"},
         "CR-short-duration"),
    case("CR-short-duration", "3 to 6 months", {"pain_duration": "under_6_months"}),
    case("CR-mild-pain", "pain 3", {"pain_average": 3}, "CR-mild-pain"),
    case("CR-mild-pain", "pain 0", {"pain_average": 0}, "CR-mild-pain"),
    case("CR-mild-pain", "pain 4", {"pain_average": 4}),
    case("CR-age-outside-trials", "18", age(18), "CR-age-outside-trials"),
    case("CR-age-outside-trials", "39", age(39), "CR-age-outside-trials"),
    case("CR-age-outside-trials", "40", age(40)),
    case("CR-age-outside-trials", "76", age(76)),
    case("CR-age-outside-trials", "77", age(77), "CR-age-outside-trials"),
    case("CR-age-outside-trials", "17 is excluded, not reviewed", age(17), "EX-under-18"),
    case("CR-recent-injury", "recent hip injury", {**HIP_ONLY, **KNEE_INJURY},
         "CR-recent-injury", "CR-not-knee"),
    case("CR-recent-injury", "hip injury not recent",
         {**HIP_ONLY, **KNEE_INJURY, "injury_recent": "no"}, "CR-not-knee"),
    case("CR-recent-injury", "recent injury with a knee in pain_areas",
         {**KNEE_INJURY, **age(54)}),
]


def answers(changes: dict[str, Any]) -> dict[str, Any]:
    """The baseline with `changes` applied (DROP removes an answer)."""
    raw = {**BASELINE, **changes}
    return {k: v for k, v in raw.items() if v is not DROP}


@pytest.fixture(scope="module")
def form() -> Form:
    return load_form()


@pytest.fixture(scope="module")
def validator(form: Form) -> AnswerValidator:
    return AnswerValidator(form)


@pytest.fixture(scope="module")
def ruleset(form: Form) -> RuleSet:
    return load_rules(form)


@pytest.fixture(scope="module")
def run(validator: AnswerValidator, ruleset: RuleSet) -> Any:
    def run(changes: dict[str, Any]) -> Screening:
        valid = validator.validate(answers(changes), today=TODAY)
        return screen(ruleset, {**valid.values, **valid.calculated})

    return run


def test_baseline_knee_oa_patient_is_a_candidate_with_no_rules(run: Any) -> None:
    screening = run({})
    assert screening.outcome is Level.CANDIDATE
    assert screening.fired == []


@pytest.mark.parametrize("c", CASES, ids=lambda c: f"{c.rule}: {c.name}")
def test_rule_fires_exactly_when_its_condition_holds(c: Case, run: Any) -> None:
    assert set(run(c.changes).rule_ids) == c.fired


def test_bmi_boundary_answers_give_exactly_40_0_and_40_2() -> None:
    assert bmi(*BMI_40_0.values()) == 40.0
    assert bmi(*BMI_40_2.values()) == 40.2


@pytest.mark.parametrize(
    ("changes", "outcome", "fired"),
    [
        ({"hot_swollen": "yes", "fever": "yes", "diabetes": "not_sure"}, Level.URGENT,
         ["RF-hot-swollen-joint", "EX-fever", "CR-diabetes"]),
        ({"pain_average": 3, "skin_problem": "yes"}, Level.EXCLUDE,
         ["EX-skin-problem", "CR-mild-pain"]),
        ({"pain_average": 3, **age(17)}, Level.EXCLUDE, ["EX-under-18", "CR-mild-pain"]),
        ({"daily_opioids": "yes", "swelling": "large"}, Level.REVIEW,
         ["CR-daily-opioids", "CR-large-swelling"]),
        ({"injury_deformity": "yes", "knee_locked": "yes", "hot_swollen": "yes"}, Level.URGENT,
         ["RF-hot-swollen-joint", "RF-locked-knee", "RF-injury-deformity"]),
    ],
    ids=["urgent beats exclude and review", "exclude beats review", "exclude beats review (age)",
         "review only", "several urgent in file order"],
)
def test_most_severe_level_wins_and_rules_are_listed_by_severity_then_file_order(
    changes: dict[str, Any], outcome: Level, fired: list[str], run: Any
) -> None:
    screening = run(changes)
    assert screening.outcome is outcome
    assert screening.rule_ids == fired


def test_stale_answer_to_a_hidden_question_is_dropped_and_never_fires(
    validator: AnswerValidator, ruleset: RuleSet
) -> None:
    valid = validator.validate(answers({**HIP_ONLY, "knee_locked": "yes"}), today=TODAY)
    assert "knee_locked" not in valid.values
    assert "RF-locked-knee" not in screen(ruleset, {**valid.values, **valid.calculated}).rule_ids


@pytest.mark.parametrize(
    ("changes", "rule_id", "explanation"),
    [
        (KNEE_INJURY, "RF-knee-fracture",
         ["pain_areas includes knee_right", "injury_recent = yes", "age 64 ≥ 55"]),
        ({**KNEE_INJURY, **age(54), "bend_90": "no", "fibula_tender": "yes"}, "RF-knee-fracture",
         ["pain_areas includes knee_right", "injury_recent = yes", "bend_90 = no",
          "fibula_tender = yes"]),
        (BMI_40_2, "CR-bmi", ["bmi 40.2 > 40"]),
        (age(39), "CR-age-outside-trials", ["age 39 ≥ 18", "age 39 < 40"]),
        (age(77), "CR-age-outside-trials", ["age 77 > 76"]),
        (HIP_ONLY, "CR-not-knee", ["main_area = hip_right"]),
        ({**HIP_ONLY, **KNEE_INJURY}, "CR-recent-injury",
         ["injury_recent = yes", "pain_areas does not include knee_left or knee_right"]),
        ({"allergies": ["latex", "corn_dextrose"]}, "EX-allergy",
         ["allergies includes corn_dextrose"]),
        ({"inflammatory_arthritis": ["gout", "lupus"]}, "CR-inflammatory-arthritis",
         ["inflammatory_arthritis = gout, lupus", "inflammatory_arthritis does not include none"]),
    ],
)
def test_fired_rule_explains_itself_in_the_patients_values(
    changes: dict[str, Any], rule_id: str, explanation: list[str], run: Any
) -> None:
    fired = {f.id: f for f in run(changes).fired}
    assert fired[rule_id].explanation == explanation


def test_fired_rule_carries_its_level_note_and_source(run: Any) -> None:
    (fired,) = run({"knee_locked": "yes"}).fired
    assert (fired.id, fired.level) == ("RF-locked-knee", Level.URGENT)
    assert fired.note == "True locked knee: urgent orthopaedics."
    assert fired.source


def test_screening_round_trips_through_json(run: Any, ruleset: RuleSet) -> None:
    screening = run({**KNEE_INJURY, "diabetes": "not_sure"})
    data = json.loads(json.dumps(screening.to_json()))
    assert data["outcome"] == "urgent"
    assert data["rules_version"] == ruleset.version
    assert [f["id"] for f in data["fired"]] == ["RF-knee-fracture", "CR-diabetes"]
    assert Screening.from_json(data) == screening


def test_no_rule_fires_on_missing_answers(ruleset: RuleSet) -> None:
    screening = screen(ruleset, {})
    assert (screening.outcome, screening.fired) == (Level.CANDIDATE, [])


def test_urgent_rules_reports_only_urgent_rules_on_the_answers_so_far(
    form: Form, validator: AnswerValidator, ruleset: RuleSet
) -> None:
    pages_1_to_4 = {q.id for page in form.pages[:4] for q in page.questions}
    so_far = {k: v for k, v in answers({"hot_swollen": "yes", "fever": "yes"}).items()
              if k in pages_1_to_4}
    values = validator.typed_values(so_far, today=TODAY)
    assert [f.id for f in urgent_rules(ruleset, values)] == ["RF-hot-swollen-joint"]


def test_urgent_rules_is_empty_when_nothing_urgent(
    validator: AnswerValidator, ruleset: RuleSet
) -> None:
    values = validator.typed_values(answers({"fever": "yes"}), today=TODAY)
    assert urgent_rules(ruleset, values) == []


# --- rules.commands.screen_document ---------------------------------------------------------


def test_screen_document_returns_outcome_rule_ids_and_calculated_fields(
    form: Form, validator: AnswerValidator, ruleset: RuleSet
) -> None:
    doc = {"submission_key": "abc", "answers": answers({"pain_average": 3})}
    assert screen_document(doc, form, validator, ruleset, today=TODAY) == {
        "outcome": "review",
        "rules": ["CR-mild-pain"],
        "calculated": {"age": 64, "bmi": 26.6, "nice_oa_features": True},
    }


@pytest.mark.parametrize(
    ("submitted_at", "outcome", "age_then"),
    [
        ("2026-05-13T18:30:00-05:00", "exclude", 17),  # 23:30 UTC, the day before the birthday
        ("2026-05-13T23:30:00-05:00", "review", 18),  # 04:30 UTC on the birthday: UTC date counts
        ("2026-05-14T09:00:00+00:00", "review", 18),
        ("2026-05-14", "review", 18),
        (None, "review", 18),  # no submitted_at: today (TODAY)
    ],
)
def test_screen_document_counts_age_on_the_submission_date(
    submitted_at: str | None, outcome: str, age_then: int,
    form: Form, validator: AnswerValidator, ruleset: RuleSet,
) -> None:
    doc: dict[str, Any] = {"answers": answers(age(18))}
    if submitted_at:
        doc["submitted_at"] = submitted_at
    result = screen_document(doc, form, validator, ruleset, today=TODAY)
    assert (result["outcome"], result["calculated"]["age"]) == (outcome, age_then)


@pytest.mark.parametrize(
    ("doc", "question_id"),
    [
        ({"answers": answers({"pain_average": 11})}, "pain_average"),
        ({"answers": answers({"allergies": DROP})}, "allergies"),
        ({"answers": "not a mapping"}, "answers"),
        ({}, "answers"),
        ({"submitted_at": "yesterday", "answers": answers({})}, "submitted_at"),
    ],
)
def test_screen_document_raises_answers_invalid_naming_the_question(
    doc: dict[str, Any], question_id: str,
    form: Form, validator: AnswerValidator, ruleset: RuleSet,
) -> None:
    with pytest.raises(AnswersInvalid) as caught:
        screen_document(doc, form, validator, ruleset, today=TODAY)
    assert [p.question_id for p in caught.value.problems] == [question_id]
