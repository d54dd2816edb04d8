"""Answer validation against the shipped questionnaire: every constraint in
clinical-content.md, relevance (hidden answers dropped), required-when-relevant, `report=`.

Each case varies one typical knee-OA patient and lists the exact problems expected.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

import baseline
import pytest
from baseline import TODAY

from questions import AnswerProblem, AnswersInvalid, AnswerValidator, ValidAnswers, load_form

TOMORROW = "2026-11-27"

KNEE_OA_PATIENT = baseline.answers(
    first_name="María",  # accents: NFC and accent-blind signature cases
    last_name="López",
    signature="María López",
    height_in=4,  # 5 ft 4 in, 180 lb: BMI 30.9
    weight_lb=180,
    other_conditions="",  # an empty optional answer: dropped, not stored
)

PAGE_1 = [
    "first_name", "last_name", "date_of_birth", "sex_at_birth", "phone", "email",
    "contact_method", "height_ft", "height_in", "weight_lb",
]  # fmt: skip


@cache
def shipped_validator() -> AnswerValidator:
    return AnswerValidator(load_form())


def answers_with(changes: dict[str, Any] | None = None, drop: tuple[str, ...] = ()) -> dict:
    answers = {**KNEE_OA_PATIENT, **(changes or {})}
    for key in drop:
        del answers[key]
    return answers


def valid(changes=None, drop=(), report=None) -> ValidAnswers:
    return shipped_validator().validate(answers_with(changes, drop), today=TODAY, report=report)


def problems(changes=None, drop=(), report=None) -> list[AnswerProblem]:
    with pytest.raises(AnswersInvalid) as caught:
        valid(changes, drop, report)
    return caught.value.problems


def refused(question_id: str, message_id: str, **values: Any) -> list[AnswerProblem]:
    return [AnswerProblem(question_id, f"error_{message_id}", values)]


def test_typical_knee_patient_is_valid_with_calculations():
    result = valid()

    expected = {k: v for k, v in KNEE_OA_PATIENT.items() if v != ""}
    assert result.answers == {**expected, "main_area": "knee_right"}
    assert result.calculated == {"age": 64, "bmi": 30.9, "nice_oa_features": True}
    assert result.values["date_of_birth"] == dt.date(1962, 5, 14)


def names(first: str, last: str) -> dict[str, str]:
    """Name changes with a signature that matches them."""
    return {"first_name": first, "last_name": last, "signature": f"{first} {last}"}


ACCEPTED = [
    # integers: both ends of every range
    pytest.param({"height_ft": 3}, {"height_ft": 3}, id="height_ft 3"),
    pytest.param({"height_ft": 8}, {"height_ft": 8}, id="height_ft 8"),
    pytest.param({"height_in": 0}, {"height_in": 0}, id="height_in 0"),
    pytest.param({"height_in": 11}, {"height_in": 11}, id="height_in 11"),
    pytest.param({"weight_lb": 50}, {"weight_lb": 50}, id="weight_lb 50"),
    pytest.param({"weight_lb": 700}, {"weight_lb": 700}, id="weight_lb 700"),
    pytest.param({"pain_average": 0}, {"pain_average": 0}, id="pain_average 0"),
    pytest.param({"pain_average": 10}, {"pain_average": 10}, id="pain_average 10"),
    pytest.param({"pain_average": "7"}, {"pain_average": 7}, id="pain_average digits as text"),
    pytest.param({"pain_average": 7.0}, {"pain_average": 7}, id="pain_average whole float"),
    # dates: today is age 0 (so the pregnancy question is asked), 120 years is the limit
    pytest.param(
        {"date_of_birth": TODAY.isoformat(), "pregnant": "no"},
        {"date_of_birth": "2026-11-26"},
        id="born today",
    ),
    pytest.param({"date_of_birth": "1906-11-26"}, {"date_of_birth": "1906-11-26"}, id="120 years"),
    pytest.param(
        {"date_of_birth": "1905-11-27"}, {"date_of_birth": "1905-11-27"}, id="120 years 364 days"
    ),
    # phone: 10 to 15 digits once separators and a leading + are removed
    pytest.param({"phone": "555.123.4567"}, {"phone": "555.123.4567"}, id="phone 10 digits"),
    pytest.param(
        {"phone": "+1 (555) 123-4567"}, {"phone": "+1 (555) 123-4567"}, id="phone 11 digits"
    ),
    pytest.param(
        {"phone": "+44 20 7946 0958 123"}, {"phone": "+44 20 7946 0958 123"}, id="phone 15 digits"
    ),
    # email: optional, must look like an address when given
    pytest.param(
        {"email": "m.lopez+intake@mail.example.org"},
        {"email": "m.lopez+intake@mail.example.org"},
        id="email with plus and subdomain",
    ),
    # text lengths: exactly at the limit
    pytest.param(
        names("A" * 100, "B" * 99),
        {"signature": "A" * 100 + " " + "B" * 99},
        id="first_name 100, signature 200",
    ),
    pytest.param(names("Ana", "B" * 100), {"last_name": "B" * 100}, id="last_name 100"),
    pytest.param(
        {"pain_areas": ["knee_right", "other"], "main_area": "knee_right", "pain_other": "x" * 200},
        {"pain_other": "x" * 200},
        id="pain_other 200",
    ),
    pytest.param({"medications": "m" * 2000}, {"medications": "m" * 2000}, id="medications 2000"),
    pytest.param(
        {"other_conditions": "c" * 2000}, {"other_conditions": "c" * 2000}, id="other_cond 2000"
    ),
    pytest.param({"goals": "g" * 1000}, {"goals": "g" * 1000}, id="goals 1000"),
    # text cleaning
    pytest.param(
        names("Jose\u0301", "López"), {"first_name": "Jos\u00e9"}, id="NFC: decomposed é composed"
    ),
    pytest.param(
        {"first_name": "  María \t", "signature": "María López"},
        {"first_name": "María"},
        id="stripped",
    ),
    pytest.param(
        {"medications": "Ibuprofen\nMetformin\t500 mg"},
        {"medications": "Ibuprofen\nMetformin\t500 mg"},
        id="newline and tab in long text",
    ),
    pytest.param(
        {"goals": "Walk\r\nGarden"}, {"goals": "Walk\nGarden"}, id="CRLF in long text becomes LF"
    ),
    # choices
    pytest.param(
        {"treatments_tried": ["pain_medicine", "exercise_pt"]},
        {"treatments_tried": ["exercise_pt", "pain_medicine"]},
        id="multiple choice stored in form order",
    ),
    pytest.param({"allergies": ["latex"]}, {"allergies": ["latex"]}, id="allergies latex"),
    # signature: case, extra spaces and accents ignored
    pytest.param({"signature": "maria   LOPEZ"}, {"signature": "maria   LOPEZ"}, id="sig ascii"),
    pytest.param({"signature": " MARÍA lópez "}, {"signature": "MARÍA lópez"}, id="sig accents"),
]


@pytest.mark.parametrize(("changes", "stored"), ACCEPTED)
def test_value_at_the_limit_is_accepted_and_stored_clean(changes, stored):
    answers = valid(changes).answers

    assert {key: answers[key] for key in stored} == stored


REFUSED = [
    # integers just outside every range
    pytest.param({"height_ft": 2}, refused("height_ft", "range", min=3, max=8), id="height_ft 2"),
    pytest.param({"height_ft": 9}, refused("height_ft", "range", min=3, max=8), id="height_ft 9"),
    pytest.param(
        {"height_in": -1}, refused("height_in", "range", min=0, max=11), id="height_in -1"
    ),
    pytest.param(
        {"height_in": 12}, refused("height_in", "range", min=0, max=11), id="height_in 12"
    ),
    pytest.param(
        {"weight_lb": 49}, refused("weight_lb", "range", min=50, max=700), id="weight_lb 49"
    ),
    pytest.param(
        {"weight_lb": 701}, refused("weight_lb", "range", min=50, max=700), id="weight_lb 701"
    ),
    pytest.param(
        {"pain_average": -1}, refused("pain_average", "range", min=0, max=10), id="pain -1"
    ),
    pytest.param(
        {"pain_average": 11}, refused("pain_average", "range", min=0, max=10), id="pain 11"
    ),
    pytest.param({"pain_average": 6.5}, refused("pain_average", "whole_number"), id="pain 6.5"),
    pytest.param({"pain_average": "six"}, refused("pain_average", "whole_number"), id="pain six"),
    pytest.param({"pain_average": True}, refused("pain_average", "whole_number"), id="pain true"),
    # dates
    pytest.param({"date_of_birth": TOMORROW}, refused("date_of_birth", "date_future"), id="dob +1"),
    pytest.param(
        {"date_of_birth": "1905-11-26"},
        refused("date_of_birth", "date_too_old", years=120),
        id="dob 121 years",
    ),
    pytest.param({"date_of_birth": "2026-02-30"}, refused("date_of_birth", "date"), id="30 Feb"),
    pytest.param({"date_of_birth": "12/01/1960"}, refused("date_of_birth", "date"), id="US date"),
    pytest.param({"date_of_birth": "1960-1-5"}, refused("date_of_birth", "date"), id="no padding"),
    pytest.param({"date_of_birth": 19620514}, refused("date_of_birth", "date"), id="number"),
    # phone
    pytest.param({"phone": "555-123-456"}, refused("phone", "phone"), id="phone 9 digits"),
    pytest.param({"phone": "1234567890123456"}, refused("phone", "phone"), id="phone 16 digits"),
    pytest.param({"phone": "555-CALL-NOW"}, refused("phone", "phone"), id="phone letters"),
    pytest.param({"phone": "555-123-4567 ext 2"}, refused("phone", "phone"), id="phone ext"),
    pytest.param({"phone": "++1 555 123 4567"}, refused("phone", "phone"), id="phone two plus"),
    pytest.param({"phone": "555-123-456²"}, refused("phone", "phone"), id="phone superscript"),
    pytest.param({"phone": "٥٥٥١٢٣٤٥٦٧"}, refused("phone", "phone"), id="phone non-ASCII digits"),
    # email
    pytest.param({"email": "maria@"}, refused("email", "email"), id="email no domain"),
    pytest.param({"email": "maria.example.com"}, refused("email", "email"), id="email no @"),
    pytest.param({"email": "maria@example"}, refused("email", "email"), id="email no dot"),
    pytest.param({"email": "maria @example.com"}, refused("email", "email"), id="email space"),
    pytest.param({"email": "maria@@example.com"}, refused("email", "email"), id="email two @"),
    # text lengths just over the limit
    pytest.param(
        {"first_name": "A" * 101}, refused("first_name", "text_too_long", max=100), id="first 101"
    ),
    pytest.param(
        {"last_name": "B" * 101}, refused("last_name", "text_too_long", max=100), id="last 101"
    ),
    pytest.param(
        {"pain_areas": ["knee_right", "other"], "main_area": "knee_right", "pain_other": "x" * 201},
        refused("pain_other", "text_too_long", max=200),
        id="pain_other 201",
    ),
    pytest.param(
        {"medications": "m" * 2001},
        refused("medications", "text_too_long", max=2000),
        id="medications 2001",
    ),
    pytest.param(
        {"other_conditions": "c" * 2001},
        refused("other_conditions", "text_too_long", max=2000),
        id="other_conditions 2001",
    ),
    pytest.param(
        {"goals": "g" * 1001}, refused("goals", "text_too_long", max=1000), id="goals 1001"
    ),
    pytest.param(
        names("A" * 100, "B" * 100),
        refused("signature", "text_too_long", max=200),
        id="signature 201",
    ),
    # characters that are never accepted
    pytest.param({"first_name": "Ma\x00ria"}, refused("first_name", "text_characters"), id="NUL"),
    pytest.param({"first_name": "Ma\x07ria"}, refused("first_name", "text_characters"), id="BEL"),
    pytest.param({"first_name": "Ma\x1bria"}, refused("first_name", "text_characters"), id="ESC"),
    pytest.param({"goals": "Walk\x00"}, refused("goals", "text_characters"), id="NUL long text"),
    pytest.param({"goals": "a\rb"}, refused("goals", "text_characters"), id="lone CR long text"),
    pytest.param(
        {"last_name": "López\u202e"}, refused("last_name", "text_characters"), id="U+202E RLO"
    ),
    pytest.param(
        {"medications": "\u2066aspirin"},
        refused("medications", "text_characters"),
        id="U+2066 LRI in long text",
    ),
    pytest.param(
        {"first_name": "Ma\nria"}, refused("first_name", "text_characters"), id="newline 1-line"
    ),
    pytest.param({"first_name": "Ma\tria"}, refused("first_name", "text_characters"), id="tab"),
    pytest.param({"first_name": 42}, refused("first_name", "not_text"), id="number as name"),
    # choices
    pytest.param({"sex_at_birth": "other"}, refused("sex_at_birth", "choose_valid"), id="bad code"),
    pytest.param(
        {"contact_method": "Phone call"}, refused("contact_method", "choose_valid"), id="label"
    ),
    pytest.param({"fever": True}, refused("fever", "choose_valid"), id="yes read as true"),
    pytest.param({"pain_areas": ["knee"]}, refused("pain_areas", "choose_valid"), id="bad area"),
    pytest.param({"pain_areas": "knee_right"}, refused("pain_areas", "choose_valid"), id="no list"),
    pytest.param(
        {"pain_areas": ["knee_right", "knee_right"]},
        refused("pain_areas", "choose_valid"),
        id="duplicate area",
    ),
    pytest.param(
        {"allergies": ["latex", "latex"]}, refused("allergies", "choose_valid"), id="dup allergy"
    ),
    pytest.param(
        {"treatments_tried": ["none", "exercise_pt"]},
        refused("treatments_tried", "exclusive", choice="none"),
        id="treatments none and another",
    ),
    pytest.param(
        {"inflammatory_arthritis": ["gout", "none"]},
        refused("inflammatory_arthritis", "exclusive", choice="none"),
        id="inflammatory none and another",
    ),
    pytest.param(
        {"allergies": ["corn_dextrose", "none"]},
        refused("allergies", "exclusive", choice="none"),
        id="allergies none and another",
    ),
    # consent ticks
    pytest.param({"consent_store": False}, refused("consent_store", "must_check"), id="unticked"),
    pytest.param(
        {"consent_not_advice": "yes"}, refused("consent_not_advice", "must_check"), id="not bool"
    ),
    # signature
    pytest.param({"signature": "Maria Lopes"}, refused("signature", "signature"), id="sig typo"),
    pytest.param({"signature": "López María"}, refused("signature", "signature"), id="sig order"),
    pytest.param({"signature": "María"}, refused("signature", "signature"), id="sig first only"),
]


@pytest.mark.parametrize(("changes", "expected"), REFUSED)
def test_value_just_outside_is_refused_naming_question_and_message(changes, expected):
    assert problems(changes) == expected


REQUIRED_IN_BASELINE = [
    key
    for key in KNEE_OA_PATIENT
    if key not in ("email", "medications", "other_conditions", "goals")
]


@pytest.mark.parametrize("question_id", REQUIRED_IN_BASELINE)
def test_missing_required_answer_is_refused(question_id):
    kind = "must_check" if question_id.startswith("consent_") else "required"

    assert problems(drop=(question_id,)) == refused(question_id, kind)


@pytest.mark.parametrize("empty", ["", "   ", None, []])
def test_empty_answer_counts_as_missing(empty):
    assert problems({"last_name": empty}) == refused("last_name", "required")


RELEVANT_AND_MISSING = [
    pytest.param(
        {"pain_areas": ["knee_right", "other"], "main_area": "knee_right"},
        ["pain_other"],
        id="pain_other when other picked",
    ),
    pytest.param(
        {"pain_areas": ["knee_right", "hip_left"]}, ["main_area"], id="main_area when 2 areas"
    ),
    pytest.param({"pain_onset": "injury"}, ["injury_recent"], id="injury_recent after injury"),
    pytest.param(
        {"pain_onset": "injury", "injury_recent": "yes"},
        ["walk_4_steps", "bend_90", "kneecap_tender", "fibula_tender"],
        id="Ottawa questions for a recent knee injury",
    ),
    pytest.param(
        {"pain_areas": ["low_back"]},
        ["saddle_numbness", "bladder_bowel", "leg_weakness", "both_legs_pain"],
        id="cauda equina questions for low back",
    ),
    pytest.param(
        {"treatments_tried": ["steroid_injection"]},
        ["last_injection"],
        id="last_injection after an injection",
    ),
    pytest.param(
        {"date_of_birth": "1982-01-01"}, ["pregnant"], id="pregnant for a 44-year-old woman"
    ),
    pytest.param(
        {"date_of_birth": "1966-11-27", "sex_at_birth": "prefer_not"},
        ["pregnant"],
        id="pregnant at 59 when sex not given",
    ),
]


@pytest.mark.parametrize(("changes", "missing"), RELEVANT_AND_MISSING)
def test_missing_relevant_question_is_required(changes, missing):
    assert problems(changes) == [AnswerProblem(q, "error_required", {}) for q in missing]


NOT_RELEVANT_AND_MISSING = [
    pytest.param({}, ["pain_other", "injury_recent", "saddle_numbness", "pregnant"], id="baseline"),
    pytest.param(
        {"pain_areas": ["hip_left"]},
        ["knee_locked", "walk_4_steps"],
        id="hip only: no knee questions",
    ),
    pytest.param({"sex_at_birth": "male", "date_of_birth": "1982-01-01"}, ["pregnant"], id="male"),
    pytest.param({"date_of_birth": "1966-11-26"}, ["pregnant"], id="woman aged 60"),
    pytest.param(
        {"treatments_tried": ["none"]},
        ["last_injection", "treatment_relief"],
        id="no treatments: no relief or injection question",
    ),
    pytest.param(
        {"pain_areas": ["hip_left", "neck"], "main_area": "neck"},
        ["joint_replaced", "knee_locked"],
        id="neck main area: no joint replacement question",
    ),
]


@pytest.mark.parametrize(("changes", "not_asked"), NOT_RELEVANT_AND_MISSING)
def test_missing_question_that_is_not_relevant_is_not_required(changes, not_asked):
    answers = valid(changes, drop=tuple(q for q in not_asked if q in KNEE_OA_PATIENT)).answers

    assert set(answers).isdisjoint(not_asked)


HIDDEN_ANSWERS = [
    pytest.param(
        {
            "pain_areas": ["hip_left"],
            "knee_locked": "yes",
            "walk_4_steps": "no",
            "joint_replaced": "no",
        },
        ["knee_locked", "walk_4_steps"],
        id="knee questions for a hip-only patient",
    ),
    pytest.param({"sex_at_birth": "male", "pregnant": "yes"}, ["pregnant"], id="pregnant male"),
    pytest.param({"pregnant": "yes"}, ["pregnant"], id="pregnant at 64"),
    pytest.param({"pain_other": "elbow"}, ["pain_other"], id="pain_other without other"),
    pytest.param(
        {"pain_other": "x" * 500, "sex_at_birth": "male", "pregnant": "maybe"},
        ["pain_other", "pregnant"],
        id="invalid hidden answers are dropped unchecked",
    ),
    pytest.param(
        {
            "injury_recent": "yes",
            "walk_4_steps": "no",
            "bend_90": "no",
            "kneecap_tender": "yes",
            "fibula_tender": "yes",
        },
        ["injury_recent", "walk_4_steps", "bend_90", "kneecap_tender", "fibula_tender"],
        id="injury questions when onset is gradual",
    ),
    pytest.param(
        {"saddle_numbness": "yes", "bladder_bowel": "yes"},
        ["saddle_numbness", "bladder_bowel"],
        id="cauda equina answers without low back pain",
    ),
    pytest.param(
        {"last_injection": "under_3_months"}, ["last_injection"], id="injection date, none tried"
    ),
    pytest.param(
        {"treatments_tried": ["none"]}, ["treatment_relief"], id="relief when nothing tried"
    ),
]


@pytest.mark.parametrize(("changes", "hidden"), HIDDEN_ANSWERS)
def test_answers_to_hidden_questions_are_dropped(changes, hidden):
    result = valid(changes)

    for question_id in hidden:
        assert question_id not in result.answers
        assert question_id not in result.values


def test_pregnancy_answer_is_kept_while_relevant():
    result = valid({"date_of_birth": "1967-11-27", "pregnant": "not_sure"})  # 58, female

    assert result.answers["pregnant"] == "not_sure"


@pytest.mark.parametrize(
    ("changes", "main_area"),
    [
        pytest.param({"pain_areas": ["hip_left"]}, "hip_left", id="one area is the main area"),
        pytest.param(
            {"pain_areas": ["hip_left"], "main_area": "knee_right"},
            "hip_left",
            id="one area wins over a stale main_area",
        ),
        pytest.param(
            {"pain_areas": ["knee_right", "hip_left"], "main_area": "hip_left"},
            "hip_left",
            id="two areas: the picked main area",
        ),
    ],
)
def test_main_area(changes, main_area):
    assert valid(changes).answers["main_area"] == main_area


@pytest.mark.parametrize(
    "main_area",
    [pytest.param("knee_left", id="not picked"), pytest.param("elbow", id="not a code")],
)
def test_main_area_must_be_one_of_the_picked_areas(main_area):
    changes = {"pain_areas": ["knee_right", "hip_left"], "main_area": main_area}

    assert problems(changes) == refused("main_area", "choose_valid")


@pytest.mark.parametrize("question_id", ["age", "bmi", "favourite_colour"])
def test_unknown_question_id_is_refused(question_id):
    assert problems({question_id: 1}) == refused(question_id, "unknown_question")


def test_report_limits_problems_to_the_named_questions():
    changes = {"height_ft": 2, "weight_lb": 9, "goals": "\x00"}

    assert problems(changes, report=["weight_lb"]) == refused("weight_lb", "range", min=50, max=700)
    assert [p.question_id for p in problems(changes)] == ["height_ft", "weight_lb", "goals"]


def test_report_for_first_page_ignores_later_unanswered_pages():
    page_1 = {key: KNEE_OA_PATIENT[key] for key in PAGE_1}

    result = shipped_validator().validate(page_1, today=TODAY, report=PAGE_1)

    assert result.answers == page_1
    assert result.calculated == {"age": 64, "bmi": 30.9, "nice_oa_features": False}


def test_report_still_uses_every_answer_for_relevance():
    changes = {"pain_onset": "injury", "injury_recent": "yes"}

    assert problems(changes, report=["walk_4_steps", "bend_90"]) == [
        AnswerProblem("walk_4_steps", "error_required", {}),
        AnswerProblem("bend_90", "error_required", {}),
    ]


def test_every_problem_is_reported_together():
    changes = {"phone": "123", "pain_average": 11, "allergies": ["none", "latex"]}

    assert problems(changes, drop=("consent_store",)) == [
        AnswerProblem("phone", "error_phone", {}),
        AnswerProblem("pain_average", "error_range", {"min": 0, "max": 10}),
        AnswerProblem("allergies", "error_exclusive", {"choice": "none"}),
        AnswerProblem("consent_store", "error_must_check", {}),
    ]
