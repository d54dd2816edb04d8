"""The condition language: parse, check, evaluate and explain, on small hand-made fields."""

from __future__ import annotations

import ast
import datetime as dt
import itertools
from pathlib import Path

import pytest

from questions import FieldSpec, Msg, compile_condition
from questions.condition_parser import parse
from questions.conditions import ConditionSyntaxError

FIELDS = {
    "age": FieldSpec("integer"),
    "bmi": FieldSpec("decimal"),
    "date_of_birth": FieldSpec("date"),
    "first_name": FieldSpec("text"),
    "consent_store": FieldSpec("boolean"),
    "injury_recent": FieldSpec("select_one", ("yes", "no")),
    "walk_4_steps": FieldSpec("select_one", ("yes", "no")),
    "pain_areas": FieldSpec(
        "select_multiple", ("knee_left", "knee_right", "hip_left", "low_back", "other")
    ),
}
PARAMS = {"min_age": 55, "bmi_cap": 40, "knees": ["knee_left", "knee_right"], "no": ["no"]}

PATIENT = {
    "age": 64,
    "bmi": 41.2,
    "date_of_birth": dt.date(1962, 5, 14),
    "first_name": "Maria",
    "consent_store": True,
    "injury_recent": "yes",
    "walk_4_steps": "no",
    "pain_areas": ["knee_right", "hip_left"],
}


def compiled(source: str):
    condition, problems = compile_condition(source, FIELDS, params=PARAMS)
    assert problems == []
    assert condition is not None
    return condition


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("age = 64", True),
        ("age = 63", False),
        ("age != 63", True),
        ("age != 64", False),
        ("age < 65", True),
        ("age < 64", False),
        ("age <= 64", True),
        ("age <= 63", False),
        ("age > 63", True),
        ("age > 64", False),
        ("age >= 64", True),
        ("age >= 65", False),
        ("bmi > 41", True),
        ("bmi > $bmi_cap", True),
        ("age >= $min_age", True),
        ("55 <= age", True),
        ("injury_recent = 'yes'", True),
        ('injury_recent = "yes"', True),
        ("injury_recent != 'yes'", False),
        ("injury_recent in ('yes', 'no')", True),
        ("injury_recent in ('no')", False),
        ("injury_recent not in ('no')", True),
        ("injury_recent not in ('yes')", False),
        ("walk_4_steps in $no", True),
        ("pain_areas has 'knee_right'", True),
        ("pain_areas has 'knee_left'", False),
        ("pain_areas has ('knee_right', 'hip_left')", True),
        ("pain_areas has ('knee_right', 'knee_left')", False),
        ("pain_areas has any ('knee_left', 'knee_right')", True),
        ("pain_areas has any ('knee_left', 'low_back')", False),
        ("pain_areas has any $knees", True),
        ("count(pain_areas) = 2", True),
        ("count(pain_areas) >= 3", False),
        ("answered(age)", True),
        ("not answered(age)", False),
        ("date_of_birth < '1970-01-01'", True),
        ("date_of_birth >= '1962-05-15'", False),
        ("consent_store = true", True),
        ("consent_store = false", False),
        ("first_name = 'Maria'", True),
        # precedence: not > and > or; parentheses group
        ("age < 18 or injury_recent = 'yes' and bmi > 40", True),
        ("injury_recent = 'yes' or age < 18 and bmi > 50", True),
        ("(injury_recent = 'yes' or age < 18) and bmi > 50", False),
        ("not age < 18 and bmi > 50", False),
        ("not (age < 18 and bmi > 50)", True),
        ("not not age >= 55", True),
        ("((age >= 55))", True),
        ("age >= 55 and (walk_4_steps = 'yes' or pain_areas has 'knee_right')", True),
    ],
)
def test_condition_evaluates(source, expected):
    assert compiled(source)(PATIENT) is expected


@pytest.mark.parametrize("joiner", ["and", "or"])
@pytest.mark.parametrize("size", [2, 3, 4, 5])
def test_long_and_or_chains_agree_with_all_and_any(joiner, size):
    """Chains are compiled to nested expressions; every combination must still agree."""
    codes = ["knee_left", "knee_right", "hip_left", "low_back", "other"][:size]
    condition = compiled(f" {joiner} ".join(f"pain_areas has '{c}'" for c in codes))
    for picked in itertools.product([False, True], repeat=size):
        areas = [c for c, p in zip(codes, picked, strict=True) if p]
        expected = all(picked) if joiner == "and" else any(picked)
        assert condition({"pain_areas": areas}) is expected, (joiner, areas)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("age >= 55", False),
        ("age < 55", False),
        ("age != 3", False),
        ("age >= $min_age", False),
        ("bmi > $bmi_cap", False),
        ("date_of_birth < '2000-01-01'", False),
        ("injury_recent = 'yes'", False),
        ("injury_recent != 'yes'", False),
        ("injury_recent in ('yes', 'no')", False),
        ("injury_recent not in ('yes')", False),
        ("pain_areas has 'knee_left'", False),
        ("pain_areas has any $knees", False),
        ("answered(injury_recent)", False),
        ("count(pain_areas) = 0", True),
        ("count(pain_areas) >= 1", False),
        ("not answered(injury_recent)", True),
    ],
)
def test_unanswered_value_makes_comparisons_false_and_count_zero(source, expected):
    assert compiled(source)({}) is expected
    assert compiled(source)({"age": None, "injury_recent": None, "pain_areas": []}) is expected


@pytest.mark.parametrize(
    ("source", "detail", "position"),
    [
        ("", "the condition is empty", 0),
        ("   ", "the condition is empty", 0),
        (
            "__import__('os')",
            "expected a comparison (=, !=, <, <=, >, >=), 'in' or 'has' but found '('",
            10,
        ),
        ("age >= 1; import os", "unexpected character ';'", 8),
        ("`rm -rf /` = 1", "unexpected character '`'", 0),
        ("age.real > 1", "unexpected character '.'", 3),
        ("pain_areas[0] = 'x'", "unexpected character '['", 10),
        ("age ** 2 > 1", "unexpected character '*'", 4),
        ("age > 1 # comment", "unexpected character '#'", 8),
        ("agé > 1", "unexpected character 'é'", 2),
        ("injury_recent = 'yes", 'unexpected character "\'"', 16),
        (
            "age >= 55 and",
            "expected a question id, a quoted code, a number, true or false "
            "but found the end of the condition",
            13,
        ),
        (
            "age = = 1",
            "expected a question id, a quoted code, a number, true or false but found '='",
            6,
        ),
        ("(age > 1", "expected ')' but found the end of the condition", 8),
        ("age > 1)", "expected 'and', 'or' or the end of the condition but found ')'", 7),
        ("age 55", "expected a comparison (=, !=, <, <=, >, >=), 'in' or 'has' but found '55'", 4),
        (
            "pain_areas has any",
            "expected '(' to start a list but found the end of the condition",
            18,
        ),
        (
            "injury_recent in ('yes',)",
            "expected a question id, a quoted code, a number, true or false but found ')'",
            24,
        ),
        ("answered age", "expected '(' after answered but found 'age'", 9),
        (
            "age AND bmi",
            "expected a comparison (=, !=, <, <=, >, >=), 'in' or 'has' but found 'AND'",
            4,
        ),
    ],
)
def test_unreadable_condition_names_the_problem_and_position(source, detail, position):
    with pytest.raises(ConditionSyntaxError) as caught:
        parse(source)

    assert (caught.value.message, caught.value.position) == (detail, position)


def test_code_injection_is_refused_at_load_and_never_runs(tmp_path):
    marker = tmp_path / "ran"
    attempt = f"__import__('os').system('touch {marker}') = 0"

    condition, problems = compile_condition(attempt, FIELDS)

    assert condition is None
    assert [m for m, _ in problems] == [Msg.CONDITION_SYNTAX]
    assert not marker.exists()


def test_dunder_names_are_unknown_questions():
    condition, problems = compile_condition("__class__ = 'x'", FIELDS)

    assert condition is None
    assert problems == [
        (
            Msg.UNKNOWN_NAME,
            {"field": "relevant", "name": "__class__", "suggestion": ""},
        )
    ]


def test_condition_modules_never_call_eval_exec_or_compile():
    package = Path(__file__).parent.parent / "questions"
    modules = [
        "conditions.py",
        "condition_parser.py",
        "condition_check.py",
        "condition_eval.py",
        "compiled.py",
    ]
    called = {
        node.func.id
        for name in modules
        for node in ast.walk(ast.parse((package / name).read_text(encoding="utf-8")))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }

    assert called.isdisjoint({"eval", "exec", "compile", "__import__", "getattr"})


@pytest.mark.parametrize(
    ("source", "msg", "values"),
    [
        (
            "age_years >= 55",
            Msg.UNKNOWN_NAME,
            {"name": "age_years", "suggestion": ""},
        ),
        (
            "injury_recen = 'yes'",
            Msg.UNKNOWN_NAME,
            {"name": "injury_recen", "suggestion": " (did you mean 'injury_recent'?)"},
        ),
        (
            "injury_recent = 'yess'",
            Msg.UNKNOWN_CODE,
            {
                "code": "yess",
                "where": "'injury_recent'",
                "suggestion": " (did you mean 'yes'?)",
                "codes": "yes, no",
            },
        ),
        (
            "pain_areas has any $knee",
            Msg.UNKNOWN_PARAM,
            {"name": "knee", "suggestion": " (did you mean 'knees'?)"},
        ),
        (
            "injury_recent has 'yes'",
            Msg.TYPE_MISMATCH,
            {
                "detail": "'has' needs a multiple-choice question, but 'injury_recent' is "
                "select_one",
                "fix": "write injury_recent = '...' or injury_recent in (...)",
            },
        ),
        (
            "pain_areas in ('knee_left')",
            Msg.TYPE_MISMATCH,
            {
                "detail": "'in' needs a single value, but 'pain_areas' is select_multiple",
                "fix": "write pain_areas has any (...)",
            },
        ),
        (
            "count(age) > 1",
            Msg.TYPE_MISMATCH,
            {
                "detail": "count() needs a multiple-choice question, but 'age' is integer",
                "fix": "use answered(age)",
            },
        ),
        (
            "injury_recent < 'yes'",
            Msg.TYPE_MISMATCH,
            {
                "detail": "'<' needs numbers or dates, not select_one and text",
                "fix": "use = or != for choices and text",
            },
        ),
        (
            "date_of_birth < '14/05/1962'",
            Msg.TYPE_MISMATCH,
            {
                "detail": "'date_of_birth' is a date, but is compared with '14/05/1962'",
                "fix": "write the date as 'YYYY-MM-DD'",
            },
        ),
        (
            "consent_store = 'yes'",
            Msg.TYPE_MISMATCH,
            {
                "detail": "'consent_store' is boolean, but is compared with 'yes'",
                "fix": "compare it with true or false",
            },
        ),
        (
            "first_name = 3",
            Msg.TYPE_MISMATCH,
            {"detail": "'first_name' is text, but is compared with 3", "fix": "quote the text"},
        ),
        (
            "age = injury_recent",
            Msg.TYPE_MISMATCH,
            {
                "detail": "'age' (integer) and 'injury_recent' (select_one) cannot be compared",
                "fix": "compare values of the same kind",
            },
        ),
    ],
)
def test_checker_refuses_names_codes_and_types_that_do_not_fit(source, msg, values):
    condition, problems = compile_condition(source, FIELDS, params=PARAMS)

    assert condition is None
    assert problems == [(msg, {"field": "relevant", **values})]


def test_a_question_cannot_look_at_itself_or_later_questions():
    later = frozenset({"walk_4_steps", "pain_areas"})

    condition, problems = compile_condition(
        "walk_4_steps = 'no' or pain_areas has 'knee_left'", FIELDS, later=later
    )

    assert condition is None
    assert problems == [
        (Msg.LATER_QUESTION, {"field": "relevant", "name": "walk_4_steps"}),
        (Msg.LATER_QUESTION, {"field": "relevant", "name": "pain_areas"}),
    ]


@pytest.mark.parametrize(
    ("source", "values", "expected"),
    [
        ("age >= 55", {"age": 64}, ["age 64 ≥ 55"]),
        ("age >= $min_age", {"age": 64}, ["age 64 ≥ 55"]),
        ("bmi > $bmi_cap", {"bmi": 41.2}, ["bmi 41.2 > 40"]),
        ("not (age < 55)", {"age": 64}, ["age 64 ≥ 55"]),
        ("injury_recent = 'yes'", {"injury_recent": "yes"}, ["injury_recent = yes"]),
        ("injury_recent != 'no'", {"injury_recent": "yes"}, ["injury_recent = yes (≠ no)"]),
        ("injury_recent in ('yes')", {"injury_recent": "yes"}, ["injury_recent = yes"]),
        (
            "pain_areas has 'knee_right'",
            {"pain_areas": ["knee_right"]},
            ["pain_areas includes knee_right"],
        ),
        (
            "pain_areas has any $knees",
            {"pain_areas": ["knee_right", "hip_left"]},
            ["pain_areas includes knee_right"],
        ),
        (
            "not (pain_areas has any $knees)",
            {"pain_areas": ["hip_left"]},
            ["pain_areas does not include knee_left or knee_right"],
        ),
        ("count(pain_areas) >= 2", PATIENT, ["pain_areas count 2 ≥ 2"]),
        ("not answered(bmi)", {}, ["bmi not answered"]),
        (
            "date_of_birth < '1970-01-01'",
            PATIENT,
            ["date_of_birth 1962-05-14 < 1970-01-01"],
        ),
        ("age < 18 or bmi > $bmi_cap", PATIENT, ["bmi 41.2 > 40"]),
        (
            "pain_areas has any ('knee_left', 'knee_right') and injury_recent = 'yes' "
            "and (age >= 55 or walk_4_steps = 'no' or bmi > 50)",
            PATIENT,
            [
                "pain_areas includes knee_right",
                "injury_recent = yes",
                "age 64 ≥ 55",
                "walk_4_steps = no",
            ],
        ),
    ],
)
def test_explanation_states_the_patients_own_values(source, values, expected):
    condition = compiled(source)

    assert condition(values) is True
    assert condition.explain(values) == expected
