"""The questionnaire loader: the shipped definition loads; a broken one says exactly what to fix.

Expected messages are built from the `Msg` catalogue, so a wording change is made in one place.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from questions import DefinitionError, Msg, Problem, load_form
from questions.loader import SAFE_LOADER

# The contract in clinical-content.md: page ids and question ids, in this order.
PAGES = {
    "about_you": [
        "first_name", "last_name", "date_of_birth", "sex_at_birth", "phone", "email",
        "contact_method", "height_ft", "height_in", "weight_lb",
    ],
    "where": ["pain_areas", "pain_other", "main_area"],
    "history": [
        "pain_duration", "pain_onset", "injury_recent", "walk_4_steps", "bend_90",
        "kneecap_tender", "fibula_tender", "pain_average", "pain_activity", "morning_stiffness",
        "crepitus", "swelling", "knee_locked",
    ],
    "warning_signs": [
        "hot_swollen", "fever", "injury_deformity", "saddle_numbness", "bladder_bowel",
        "leg_weakness", "both_legs_pain", "weight_loss", "night_pain", "cancer_history",
    ],
    "treatments": ["treatments_tried", "last_injection", "joint_replaced", "treatment_relief"],
    "health": [
        "blood_thinners", "bleeding_disorder", "diabetes", "inflammatory_arthritis",
        "immune_suppressed", "allergies", "skin_problem", "daily_opioids", "pregnant",
        "medications", "other_conditions",
    ],
    "consent": ["goals", "consent_store", "consent_not_advice", "signature"],
}  # fmt: skip


def test_shipped_definition_has_55_questions_on_7_pages_in_contract_order():
    form = load_form()

    assert form.form_id == "prolotherapy_intake"
    assert form.version == 2026112601
    assert [p.id for p in form.pages] == list(PAGES)
    assert {p.id: [q.id for q in p.questions] for p in form.pages} == PAGES
    assert len(form.questions()) == 55
    assert [c.id for c in form.calculated] == ["age", "bmi", "nice_oa_features"]


def test_shipped_definition_compiles_every_relevance_condition():
    form = load_form()

    with_relevance = {q.id for q in form.questions() if q.relevant}
    assert set(form.relevance) == with_relevance
    assert "pregnant" in with_relevance


# A small valid form; each broken case below edits one or two lines of it.
MINI = """\
form_id: mini
version: 1
title: {en: "Mini"}
canonical_url: "https://example.org/mini"
languages: [en]
choice_lists:
  yes_no:
    - {code: "yes", label: {en: "Yes"}}
    - {code: "no", label: {en: "No"}}
  areas:
    - {code: "knee_left", label: {en: "Left knee"}}
    - {code: "hip_left", label: {en: "Left hip"}}
pages:
  - id: one
    title: {en: "One"}
    questions:
      - id: pain_areas
        type: select_multiple
        label: {en: "Where?"}
        choices: areas
      - id: pain_average
        type: integer
        label: {en: "Pain"}
        min: 0
        max: 10
      - id: fever
        type: select_one
        label: {en: "Fever?"}
        choices: yes_no
"""

FEVER_CHOICES = "        choices: yes_no\n"


def edited(*edits: tuple[str, str]) -> str:
    """MINI with each (old, new) replacement applied; old must occur exactly once."""
    text = MINI
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def fever_relevant(condition: str) -> tuple[str, str]:
    return FEVER_CHOICES, f'{FEVER_CHOICES}        relevant: "{condition}"\n'


def problem(msg: Msg, item: str, **values: object) -> str:
    return str(Problem.of(msg, "form.yaml", item, **values))


def problems_of(tmp_path: Path, yaml_text: str) -> list[str]:
    path = tmp_path / "form.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(DefinitionError) as caught:
        load_form(path)
    return [str(p) for p in caught.value.problems]


QUESTION_TYPES = "'text', 'integer', 'date', 'select_one', 'select_multiple' or 'checkbox'"

BROKEN = [
    pytest.param(
        edited(('title: {en: "Mini"}', 'title: {en: "Mini"')),
        [
            problem(
                Msg.YAML_UNREADABLE,
                "line 4",
                detail="expected ',' or '}', but got '<scalar>'",
            )
        ],
        id="yaml-syntax-error",
    ),
    pytest.param(
        edited(('{code: "yes",', "{code: yes,")),
        [
            problem(
                Msg.CODE_NOT_STRING,
                "choice_lists.yes_no",
                code=True,
                list="yes_no",
                code_text="yes",
            )
        ],
        id="unquoted-yes-code",
    ),
    pytest.param(
        edited((FEVER_CHOICES, FEVER_CHOICES + "        requird: true\n")),
        [
            problem(
                Msg.FIELD_UNKNOWN,
                "fever",
                field="requird",
                suggestion=" (did you mean 'required'?)",
            )
        ],
        id="unknown-key-did-you-mean",
    ),
    pytest.param(
        edited(('        label: {en: "Fever?"}\n', "")),
        [problem(Msg.FIELD_MISSING, "fever", field="label")],
        id="missing-label",
    ),
    pytest.param(
        edited(('canonical_url: "https://example.org/mini"\n', "")),
        [problem(Msg.FIELD_MISSING, "file", field="canonical_url")],
        id="missing-top-level-key",
    ),
    pytest.param(
        edited(("type: integer", "type: number")),
        [
            problem(
                Msg.FIELD_INVALID,
                "pain_average",
                field="type",
                detail=f"Input should be {QUESTION_TYPES}",
                fix=f"use one of {QUESTION_TYPES}",
            )
        ],
        id="bad-question-type",
    ),
    pytest.param(
        edited(("id: fever", "id: pain_average")),
        [problem(Msg.DUPLICATE_ID, "pain_average", id="pain_average", kind="question")],
        id="duplicate-question-id",
    ),
    pytest.param(
        edited(('{code: "no",', '{code: "yes",')),
        [problem(Msg.DUPLICATE_CODE, "choice_lists.yes_no", code="yes", list="yes_no")],
        id="duplicate-choice-code",
    ),
    pytest.param(
        edited((FEVER_CHOICES, "        choices: yes_noo\n")),
        [
            problem(
                Msg.UNKNOWN_CHOICE_LIST,
                "fever",
                name="yes_noo",
                suggestion=" (did you mean 'yes_no'?)",
            )
        ],
        id="unknown-choice-list-did-you-mean",
    ),
    pytest.param(
        edited((FEVER_CHOICES, "")),
        [problem(Msg.CHOICES_MISSING, "fever", type="select_one")],
        id="select-without-choices",
    ),
    pytest.param(
        edited(fever_relevant("pain_averag > 3")),
        [
            problem(
                Msg.UNKNOWN_NAME,
                "fever",
                field="relevant",
                name="pain_averag",
                suggestion=" (did you mean 'pain_average'?)",
            )
        ],
        id="relevance-unknown-question-did-you-mean",
    ),
    pytest.param(
        edited(
            (
                "        choices: areas\n",
                "        choices: areas\n        relevant: \"fever = 'yes'\"\n",
            )
        ),
        [problem(Msg.LATER_QUESTION, "pain_areas", field="relevant", name="fever")],
        id="relevance-refers-to-later-question",
    ),
    pytest.param(
        edited(fever_relevant("pain_areas has 'knee_lft'")),
        [
            problem(
                Msg.UNKNOWN_CODE,
                "fever",
                field="relevant",
                code="knee_lft",
                where="'pain_areas'",
                suggestion=" (did you mean 'knee_left'?)",
                codes="knee_left, hip_left",
            )
        ],
        id="relevance-code-not-in-list-did-you-mean",
    ),
    pytest.param(
        edited(fever_relevant("pain_average = 'high'")),
        [
            problem(
                Msg.TYPE_MISMATCH,
                "fever",
                field="relevant",
                detail="'pain_average' is a number, but is compared with 'high'",
                fix="compare it with a number without quotes",
            )
        ],
        id="relevance-number-compared-with-text",
    ),
    pytest.param(
        edited(fever_relevant("pain_areas = 'knee_left'")),
        [
            problem(
                Msg.TYPE_MISMATCH,
                "fever",
                field="relevant",
                detail="'pain_areas' is multiple choice and cannot be compared with =",
                fix="write pain_areas has '...' or count(pain_areas) >= 1",
            )
        ],
        id="relevance-multiple-choice-compared-with-equals",
    ),
    pytest.param(
        edited(fever_relevant("pain_average >> 3")),
        [
            problem(
                Msg.CONDITION_SYNTAX,
                "fever",
                field="relevant",
                detail="expected a question id, a quoted code, a number, true or false "
                "but found '>'",
                position=14,
                source="pain_average >> 3",
            )
        ],
        id="relevance-syntax-error-with-position",
    ),
    pytest.param(
        edited(fever_relevant("pain_average > 3 ; 1")),
        [
            problem(
                Msg.CONDITION_SYNTAX,
                "fever",
                field="relevant",
                detail="unexpected character ';'",
                position=17,
                source="pain_average > 3 ; 1",
            )
        ],
        id="relevance-character-outside-grammar",
    ),
    pytest.param(
        edited(("min: 0", "min: 11")),
        [problem(Msg.BAD_RANGE, "pain_average", min=11, max=10)],
        id="min-greater-than-max",
    ),
    pytest.param(
        edited(('label: {en: "Pain"}', 'label: {es: "Dolor"}')),
        [problem(Msg.MISSING_TRANSLATION, "pain_average", field="label", lang="en")],
        id="missing-translation",
    ),
    pytest.param(
        edited((FEVER_CHOICES, FEVER_CHOICES + "        choice_filter: pain_average\n")),
        [
            problem(
                Msg.WRONG_REFERENCE_TYPE,
                "fever",
                field="choice_filter",
                expected="select_multiple",
                name="pain_average",
                actual="integer",
            )
        ],
        id="choice-filter-names-non-multiple-question",
    ),
    pytest.param(
        edited((FEVER_CHOICES, FEVER_CHOICES + "        choice_filter: pain_area\n")),
        [
            problem(
                Msg.UNKNOWN_REFERENCE,
                "fever",
                field="choice_filter",
                name="pain_area",
                suggestion=" (did you mean 'pain_areas'?)",
            )
        ],
        id="choice-filter-unknown-question-did-you-mean",
    ),
    pytest.param(
        edited(("        max: 10\n", "        max: 10\n        choices: yes_no\n")),
        [problem(Msg.CHOICES_ON_WRONG_TYPE, "pain_average", field="choices", types="choice")],
        id="choices-on-integer-question",
    ),
    pytest.param(
        "- form_id: mini\n",
        [problem(Msg.NOT_A_MAPPING, "file")],
        id="top-level-is-a-list",
    ),
]


@pytest.mark.parametrize(("yaml_text", "expected"), BROKEN)
def test_broken_definition_gives_exact_message(tmp_path, yaml_text, expected):
    assert problems_of(tmp_path, yaml_text) == expected


def test_minimal_form_loads(tmp_path):
    path = tmp_path / "form.yaml"
    path.write_text(MINI, encoding="utf-8")

    form = load_form(path)

    assert [q.id for q in form.questions()] == ["pain_areas", "pain_average", "fever"]


def test_missing_file_names_the_path(tmp_path):
    path = tmp_path / "absent.yaml"

    with pytest.raises(DefinitionError) as caught:
        load_form(path)

    assert [str(p) for p in caught.value.problems] == [
        str(Problem.of(Msg.FILE_MISSING, str(path), "file"))
    ]


def test_several_cross_reference_problems_are_reported_together(tmp_path):
    yaml_text = edited(
        ("id: fever", "id: pain_average"),
        (FEVER_CHOICES, "        choices: yes_noo\n"),
        ("min: 0", "min: 11"),
        ('label: {en: "Where?"}', 'label: {en: ""}'),
    )

    assert sorted(problems_of(tmp_path, yaml_text)) == sorted(
        [
            problem(Msg.DUPLICATE_ID, "pain_average", id="pain_average", kind="question"),
            problem(
                Msg.UNKNOWN_CHOICE_LIST,
                "pain_average",
                name="yes_noo",
                suggestion=" (did you mean 'yes_no'?)",
            ),
            problem(Msg.BAD_RANGE, "pain_average", min=11, max=10),
            problem(Msg.MISSING_TRANSLATION, "pain_areas", field="label", lang="en"),
        ]
    )


def test_several_relevance_problems_are_reported_together(tmp_path):
    yaml_text = edited(
        ("        max: 10\n", "        max: 10\n        relevant: \"pain_areas has 'knee'\"\n"),
        fever_relevant("pain_average = 'high' or fevr = 'yes'"),
    )

    assert sorted(problems_of(tmp_path, yaml_text)) == sorted(
        [
            problem(
                Msg.UNKNOWN_CODE,
                "pain_average",
                field="relevant",
                code="knee",
                where="'pain_areas'",
                suggestion=" (did you mean 'knee_left'?)",
                codes="knee_left, hip_left",
            ),
            problem(
                Msg.TYPE_MISMATCH,
                "fever",
                field="relevant",
                detail="'pain_average' is a number, but is compared with 'high'",
                fix="compare it with a number without quotes",
            ),
            problem(
                Msg.UNKNOWN_NAME,
                "fever",
                field="relevant",
                name="fevr",
                suggestion=" (did you mean 'fever'?)",
            ),
        ]
    )


def test_several_shape_problems_are_reported_together(tmp_path):
    yaml_text = edited(
        ('{code: "yes",', "{code: yes,"),
        ("type: integer", "type: number"),
        (FEVER_CHOICES, FEVER_CHOICES + "        requird: true\n"),
        ('        label: {en: "Where?"}\n', ""),
    )

    assert sorted(problems_of(tmp_path, yaml_text)) == sorted(
        [
            problem(
                Msg.CODE_NOT_STRING,
                "choice_lists.yes_no",
                code=True,
                list="yes_no",
                code_text="yes",
            ),
            problem(
                Msg.FIELD_INVALID,
                "pain_average",
                field="type",
                detail=f"Input should be {QUESTION_TYPES}",
                fix=f"use one of {QUESTION_TYPES}",
            ),
            problem(
                Msg.FIELD_UNKNOWN,
                "fever",
                field="requird",
                suggestion=" (did you mean 'required'?)",
            ),
            problem(Msg.FIELD_MISSING, "pain_areas", field="label"),
        ]
    )


ROOT = Path(__file__).resolve().parent.parent
SHIPPED_YAML = sorted([*ROOT.glob("questions/*.yaml"), *ROOT.glob("rules/*.yaml")])


@pytest.mark.parametrize("path", SHIPPED_YAML, ids=lambda p: p.name)
def test_fast_yaml_loader_reads_shipped_definitions_like_the_reference_loader(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert yaml.load(text, Loader=SAFE_LOADER) == yaml.safe_load(text)


def test_fast_yaml_loader_refuses_python_object_tags() -> None:
    with pytest.raises(yaml.constructor.ConstructorError):
        yaml.load("!!python/object/apply:os.getcwd []", Loader=SAFE_LOADER)  # noqa: S506
