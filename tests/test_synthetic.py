"""Synthetic answers: valid for any form, realistic for ours, every outcome represented."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from intake_pipeline import Intake
from questions import AnswerValidator, Form, load_form
from questions.synthetic import Synthesizer, synthetic_answers

TINY_FORM = """
form_id: tiny
version: 1
title: {en: "Tiny"}
canonical_url: "https://example.org/tiny"
languages: [en]
choice_lists:
  colours:
    - {code: "red", label: {en: "Red"}}
    - {code: "green", label: {en: "Green"}}
    - {code: "blue", label: {en: "Blue"}}
    - {code: "none", label: {en: "None"}}
  answer:
    - {code: "yes", label: {en: "Yes"}}
    - {code: "no", label: {en: "No"}}
pages:
  - id: one
    title: {en: "One"}
    questions:
      - {id: given, type: text, label: {en: "Given"}, required: true, max_length: 5}
      - {id: family, type: text, label: {en: "Family"}, required: true, max_length: 8}
      - {id: born, type: date, label: {en: "Born"}, required: true, not_future: true,
         max_years_ago: 30}
      - {id: mobile, type: text, label: {en: "Mobile"}, required: true, format: phone}
      - {id: mail, type: text, label: {en: "Mail"}, format: email}
      - {id: liked, type: select_multiple, label: {en: "Liked"}, required: true,
         choices: colours, exclusive: ["none"]}
      - {id: best, type: select_one, label: {en: "Best"}, required: true, choices: colours,
         choice_filter: liked, auto_single_choice: true, relevant: "count(liked) >= 2"}
  - id: two
    title: {en: "Two"}
    questions:
      - {id: teen, type: select_one, label: {en: "Teen?"}, required: true, choices: answer,
         relevant: "years < 18"}
      - {id: score, type: integer, label: {en: "Score"}, required: true, min: -5, max: 5}
      - {id: tall_ft, type: integer, label: {en: "Feet"}, required: true, min: 4, max: 7}
      - {id: tall_in, type: integer, label: {en: "Inches"}, required: true, min: 0, max: 11}
      - {id: heavy, type: integer, label: {en: "Pounds"}, required: true, min: 80, max: 300}
      - {id: when_seen, type: date, label: {en: "Seen"}}
      - {id: notes, type: text, label: {en: "Notes"}, multiline: true, max_length: 12}
      - {id: agree, type: checkbox, label: {en: "Agree"}, required: true, must_be_checked: true}
      - {id: newsletter, type: checkbox, label: {en: "Newsletter"}}
      - {id: sign, type: text, label: {en: "Sign"}, required: true, max_length: 20,
         must_match: [given, family]}
calculated:
  - {id: years, kind: age_years, label: {en: "Age"}, inputs: {date: born}}
  - {id: mass, kind: bmi_imperial, label: {en: "BMI"},
     inputs: {feet: tall_ft, inches: tall_in, pounds: heavy}}
"""


@pytest.fixture(scope="module")
def tiny_form(tmp_path_factory: pytest.TempPathFactory) -> Form:
    path: Path = tmp_path_factory.mktemp("forms") / "tiny.yaml"
    path.write_text(TINY_FORM, encoding="utf-8")
    return load_form(path)


def documents(form: Form, n: int, today: dt.date, seed: int = 7, **kw: Any) -> list[dict]:
    rng = random.Random(seed)
    synthesizer = Synthesizer(form, **kw)
    return [synthesizer.answers(rng, today) for _ in range(n)]


@pytest.mark.parametrize("which", ["prolotherapy", "tiny"])
def test_every_generated_document_is_valid_and_kept_whole(
    which: str, form: Form, tiny_form: Form, today: dt.date
) -> None:
    chosen = form if which == "prolotherapy" else tiny_form
    validator = AnswerValidator(chosen)
    for answers in documents(chosen, 500, today):
        # Equal, not just valid: nothing was dropped as not relevant, nothing is missing.
        assert validator.validate(answers, today=today).answers == answers


def test_generation_follows_relevance_filters_and_signatures(
    tiny_form: Form, today: dt.date
) -> None:
    docs = documents(tiny_form, 300, today)
    # best is asked among the liked colours, or answered by itself when one is liked
    assert all(d["best"] in d["liked"] for d in docs)
    assert any(d["liked"] == ["none"] for d in docs) and any(len(d["liked"]) >= 2 for d in docs)
    assert any("teen" in d for d in docs) and any("teen" not in d for d in docs)
    assert any("mail" in d for d in docs) and any("mail" not in d for d in docs)


def test_same_seed_gives_the_same_documents(form: Form, today: dt.date) -> None:
    assert documents(form, 20, today, seed=3) == documents(form, 20, today, seed=3)
    assert documents(form, 20, today, seed=3) != documents(form, 20, today, seed=4)


@pytest.mark.parametrize(
    ("weights", "question_id", "expected"),
    [
        ({"pain_onset": {"injury": 1.0}}, "pain_onset", "injury"),
        ({"swelling": {"large": 1.0}}, "swelling", "large"),
        ({"yes_no": {"yes": 1.0}}, "fever", "yes"),  # a choice list's weights
        ({"yes_no": {"yes": 1.0}, "fever": {"no": 1.0}}, "fever", "no"),  # question wins
        ({"pain_average": {2: 1.0}}, "pain_average", 2),
        ({"allergies": {"none": 1.0}}, "allergies", ["none"]),
    ],
)
def test_weights_decide_how_often_an_answer_is_given(
    form: Form, today: dt.date, weights: dict, question_id: str, expected: Any
) -> None:
    docs = documents(form, 40, today, weights=weights)
    assert {repr(d[question_id]) for d in docs} == {repr(expected)}


def test_weights_for_unknown_questions_and_codes_are_ignored(
    form: Form, validator: AnswerValidator, today: dt.date
) -> None:
    weights = {"no_such_question": {"x": 1.0}, "pain_areas": {"no_such_code": 1.0}}
    answers = synthetic_answers(form, random.Random(1), today, weights=weights)
    validator.validate(answers, today=today)


def test_patients_are_mostly_40_to_80_and_most_have_a_knee(
    form: Form, validator: AnswerValidator, today: dt.date
) -> None:
    docs = documents(form, 1000, today)
    ages = [validator.validate(d, today=today).calculated["age"] for d in docs]
    knees = [d for d in docs if {"knee_left", "knee_right"} & set(d["pain_areas"])]
    assert sum(40 <= a <= 80 for a in ages) > 0.7 * len(docs)
    assert any(a < 18 for a in ages) and any(a > 80 for a in ages)
    assert len(knees) > 0.7 * len(docs)


def test_every_outcome_appears_in_2000_documents(intake: Intake, today: dt.date) -> None:
    outcomes = Counter(
        intake.screen(intake.validate(d, on=today)).outcome.value
        for d in documents(intake.form, 2000, today)
    )
    assert set(outcomes) == {"urgent", "exclude", "review", "candidate"}
    assert outcomes["candidate"] > 100 and outcomes["urgent"] < 300
