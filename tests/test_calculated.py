"""Calculated fields: age at the submission date, BMI, NICE clinical OA features."""

from __future__ import annotations

import datetime as dt
from functools import cache

import pytest

from questions import Form, load_form
from questions.answer_types import years_between
from questions.calculated import bmi, calculate

D = dt.date


@cache
def shipped_form() -> Form:
    return load_form()


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        pytest.param(D(1962, 5, 14), D(2026, 5, 14), 64, id="birthday today"),
        pytest.param(D(1962, 5, 14), D(2026, 5, 13), 63, id="birthday tomorrow"),
        pytest.param(D(1962, 5, 14), D(2026, 5, 15), 64, id="birthday yesterday"),
        pytest.param(D(1962, 12, 31), D(2027, 1, 1), 64, id="new year's day"),
        pytest.param(D(2026, 11, 26), D(2026, 11, 26), 0, id="born today"),
        pytest.param(D(2000, 2, 29), D(2024, 2, 29), 24, id="29 Feb on a leap year"),
        pytest.param(D(2000, 2, 29), D(2025, 2, 28), 24, id="29 Feb: not yet on 28 Feb"),
        pytest.param(D(2000, 2, 29), D(2025, 3, 1), 25, id="29 Feb: counts on 1 March"),
    ],
)
def test_age_is_whole_years_on_the_submission_date(born, on, age):
    assert years_between(born, on) == age
    assert calculate(shipped_form(), {"date_of_birth": born}, on)["age"] == age


@pytest.mark.parametrize(
    ("feet", "inches", "pounds", "expected"),
    [
        pytest.param(5, 4, 180, 30.9, id="5 ft 4 in, 180 lb"),
        pytest.param(6, 0, 200, 27.1, id="6 ft, 200 lb"),
        pytest.param(5, 0, 180, 35.2, id="35.15 rounds half up"),
        pytest.param(6, 2, 259, 33.3, id="33.25 rounds half up"),
        pytest.param(5, 6, 249, 40.2, id="just over the trial cap"),
        pytest.param(3, 0, 50, 27.1, id="shortest and lightest allowed"),
        pytest.param(8, 11, 700, 43.0, id="tallest and heaviest allowed"),
    ],
)
def test_bmi_is_703_times_pounds_over_inches_squared_to_one_decimal(feet, inches, pounds, expected):
    assert bmi(feet, inches, pounds) == expected
    values = {"height_ft": feet, "height_in": inches, "weight_lb": pounds}
    assert calculate(shipped_form(), values, D(2026, 11, 26))["bmi"] == expected


@pytest.mark.parametrize(
    ("feet", "inches", "pounds"),
    [(None, 4, 180), (5, None, 180), (5, 4, None), (0, 0, 180)],
)
def test_bmi_is_empty_without_a_height_and_weight(feet, inches, pounds):
    assert bmi(feet, inches, pounds) is None


TODAY = D(2026, 11, 26)
AGED_45 = D(1981, 11, 26)
AGED_44 = D(1981, 11, 27)


@pytest.mark.parametrize(
    ("born", "activity", "stiffness", "expected"),
    [
        pytest.param(AGED_45, "yes", "none", True, id="45, activity pain, no stiffness"),
        pytest.param(AGED_45, "yes", "under_30_min", True, id="45, stiffness under 30 min"),
        pytest.param(AGED_45, "yes", "over_30_min", False, id="stiffness 30 min or more"),
        pytest.param(AGED_44, "yes", "none", False, id="44 the day before the birthday"),
        pytest.param(AGED_45, "no", "none", False, id="pain not worse with activity"),
        pytest.param(D(1950, 1, 1), "yes", "under_30_min", True, id="76"),
        pytest.param(AGED_45, "yes", None, False, id="stiffness not answered"),
        pytest.param(None, "yes", "none", False, id="age unknown"),
    ],
)
def test_nice_oa_features(born, activity, stiffness, expected):
    values = {"date_of_birth": born, "pain_activity": activity, "morning_stiffness": stiffness}
    values = {k: v for k, v in values.items() if v is not None}

    assert calculate(shipped_form(), values, TODAY)["nice_oa_features"] is expected


def test_calculations_are_empty_when_nothing_is_answered():
    assert calculate(shipped_form(), {}, TODAY) == {
        "age": None,
        "bmi": None,
        "nice_oa_features": False,
    }
