"""The REDCap data dictionary, and relevance written in REDCap branching-logic syntax."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from exports import DICTIONARY_HEADERS, export_bytes, header, redcap_logic
from exports.columns import MULTI_SEPARATOR
from questions import Form, compile_condition, load_form
from storage.queries import SubmissionFilter

REDCAP_HEADERS = [
    "Variable / Field Name", "Form Name", "Section Header", "Field Type", "Field Label",
    "Choices, Calculations, OR Slider Labels", "Field Note",
    "Text Validation Type OR Show Slider Number", "Text Validation Min", "Text Validation Max",
    "Identifier?", "Branching Logic (Show field only if...)", "Required Field?",
    "Custom Alignment", "Question Number (surveys only)", "Matrix Group Name",
    "Matrix Ranking?", "Field Annotation",
]
META = ["submission_id", "reference", "submitted_at", "form_version", "rules_version",
        "outcome", "rules_fired", "status"]


def read(form: Form) -> tuple[list[str], dict[str, dict[str, str]], list[str]]:
    data = export_bytes("dictionary", None, form, SubmissionFilter())  # type: ignore[arg-type]
    head, *rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    fields = {row[0]: dict(zip(head, row, strict=True)) for row in rows}
    return head, fields, [row[0] for row in rows]


@pytest.fixture(scope="module")
def dictionary() -> tuple[list[str], dict[str, dict[str, str]], list[str]]:
    return read(load_form())


def test_headers_are_redcaps_eighteen_exactly(dictionary) -> None:  # type: ignore[no-untyped-def]
    head, _, _ = dictionary
    assert head == REDCAP_HEADERS == list(DICTIONARY_HEADERS)


def test_one_row_per_submission_field_question_and_calculated_field(  # type: ignore[no-untyped-def]
    dictionary, form: Form
) -> None:
    _, _, names = dictionary
    questions = [q.id for q in form.questions()]
    assert names == META + questions + [c.id for c in form.calculated]
    assert len(names) == len(set(names))


def test_the_dictionary_describes_exactly_the_raw_csv_columns(  # type: ignore[no-untyped-def]
    dictionary, form: Form
) -> None:
    """A REDCap project built from it accepts the raw CSV: checkbox fields expand to ___code."""
    _, fields, names = dictionary
    expanded: list[str] = []
    for name in names:
        row = fields[name]
        if row["Field Type"] == "checkbox":
            codes = [c.split(",")[0] for c in row["Choices, Calculations, OR Slider Labels"]
                     .split(" | ")]
            expanded += [f"{name}{MULTI_SEPARATOR}{code}" for code in codes]
        else:
            expanded.append(name)
    assert expanded == header(form)
    assert fields["submission_id"]["Form Name"] == "submission"  # the record id comes first


@pytest.mark.parametrize(
    "name, branching",
    [
        ("pain_other", "[pain_areas(other)] = '1'"),
        ("injury_recent", "[pain_onset] = 'injury'"),
        ("walk_4_steps",
         "[injury_recent] = 'yes' and ([pain_areas(knee_left)] = '1' or "
         "[pain_areas(knee_right)] = '1')"),
        ("knee_locked", "([pain_areas(knee_left)] = '1' or [pain_areas(knee_right)] = '1')"),
        ("saddle_numbness", "[pain_areas(low_back)] = '1'"),
        ("joint_replaced",
         "([main_area] = 'knee_left' or [main_area] = 'knee_right' or "
         "[main_area] = 'hip_left' or [main_area] = 'hip_right')"),
        ("pregnant", "[sex_at_birth] <> 'male' and [age] < 60"),
        ("main_area",
         "sum([pain_areas(knee_left)], [pain_areas(knee_right)], [pain_areas(hip_left)], "
         "[pain_areas(hip_right)], [pain_areas(shoulder_left)], [pain_areas(shoulder_right)], "
         "[pain_areas(elbow_wrist_hand)], [pain_areas(ankle_foot)], [pain_areas(low_back)], "
         "[pain_areas(neck)], [pain_areas(other)]) >= 2"),
        ("treatment_relief",
         "sum([treatments_tried(exercise_pt)], [treatments_tried(weight_loss)], "
         "[treatments_tried(pain_medicine)], [treatments_tried(brace)], "
         "[treatments_tried(steroid_injection)], [treatments_tried(hyaluronic_injection)], "
         "[treatments_tried(prp_injection)], [treatments_tried(prolotherapy)], "
         "[treatments_tried(surgery)], [treatments_tried(none)]) > 0 and "
         "[treatments_tried(none)] = '0'"),
        ("first_name", ""),
    ],
)
def test_branching_logic_is_written_in_redcap_syntax(  # type: ignore[no-untyped-def]
    dictionary, name: str, branching: str
) -> None:
    _, fields, _ = dictionary
    assert fields[name]["Branching Logic (Show field only if...)"] == branching


@pytest.mark.parametrize(
    "name, cells",
    [
        ("first_name", {"Form Name": "about_you", "Section Header": "About you",
                        "Field Type": "text", "Field Label": "First name", "Identifier?": "y",
                        "Required Field?": "y",
                        "Field Annotation": "At most 100 characters. @CHARLIMIT=100"}),
        ("last_name", {"Section Header": "", "Identifier?": "y"}),
        ("sex_at_birth", {"Field Type": "radio", "Identifier?": "",
                          "Choices, Calculations, OR Slider Labels":
                          "female, Female | male, Male | intersex, Intersex | "
                          "prefer_not, Prefer not to say"}),
        ("swelling", {"Choices, Calculations, OR Slider Labels":
                      "none, No swelling | mild, Some swelling | large, A lot of swelling"}),
        ("date_of_birth", {"Field Type": "text", "Text Validation Type OR Show Slider Number":
                           "date_ymd", "Text Validation Max": "today"}),
        ("height_ft", {"Text Validation Type OR Show Slider Number": "integer",
                       "Text Validation Min": "3", "Text Validation Max": "8"}),
        ("phone", {"Text Validation Type OR Show Slider Number": "phone",
                   "Field Note": "For example 555-123-4567."}),
        ("email", {"Text Validation Type OR Show Slider Number": "email", "Required Field?": ""}),
        ("pain_areas", {"Form Name": "where", "Section Header": "Where it hurts",
                        "Field Type": "checkbox"}),
        ("treatments_tried", {"Field Annotation": "Cannot be combined with other choices: none. "
                                                  "@NONEOFTHEABOVE='none'"}),
        ("goals", {"Field Type": "notes", "Required Field?": ""}),
        ("consent_store", {"Field Type": "yesno", "Choices, Calculations, OR Slider Labels": "",
                           "Field Annotation": "Must be Yes to submit."}),
        ("main_area", {"Field Annotation":
                       "Choices limited to those picked in [pain_areas]. "
                       "When only one is picked, it is stored without asking."}),
        ("age", {"Form Name": "calculated", "Field Type": "text",
                 "Text Validation Type OR Show Slider Number": "integer",
                 "Field Annotation": "Whole years from [date_of_birth] to the submission date. "
                                     "@READONLY"}),
        ("bmi", {"Text Validation Type OR Show Slider Number": "number_1dp"}),
        ("nice_oa_features", {"Field Type": "yesno", "Field Annotation":
                              "1 when [age] >= 45 and [pain_activity] = 'yes' and "
                              "([morning_stiffness] = 'none' or "
                              "[morning_stiffness] = 'under_30_min'), else 0. @READONLY"}),
    ],
)
def test_fields_are_described_literally(  # type: ignore[no-untyped-def]
    dictionary, name: str, cells: dict[str, str]
) -> None:
    _, fields, _ = dictionary
    assert {key: fields[name][key] for key in cells} == cells


def test_every_page_opens_with_its_section_header(dictionary, form: Form) -> None:  # type: ignore[no-untyped-def]
    _, fields, _ = dictionary
    for page in form.pages:
        headers = [fields[q.id]["Section Header"] for q in page.questions]
        assert headers == [page.title["en"]] + [""] * (len(page.questions) - 1)


def test_no_cell_would_start_a_spreadsheet_formula(dictionary) -> None:  # type: ignore[no-untyped-def]
    _, fields, _ = dictionary
    for row in fields.values():
        assert not any(cell[:1] in ("=", "+", "-", "@", "\t", "\r", "\n") for cell in row.values())


# ---- branching-logic translation, table-driven -------------------------------------------


@pytest.mark.parametrize(
    "condition, logic",
    [
        ("pain_onset = 'injury'", "[pain_onset] = 'injury'"),
        ("pain_onset != 'injury'", "[pain_onset] <> 'injury'"),
        ("pain_average >= 4", "[pain_average] >= 4"),
        ("4 > pain_average", "[pain_average] < 4"),
        ("bmi > 40.5", "[bmi] > 40.5"),
        ("consent_store = true", "[consent_store] = '1'"),
        ("answered(email)", "[email] <> ''"),
        ("not answered(email)", "[email] = ''"),
        ("pain_areas has 'neck'", "[pain_areas(neck)] = '1'"),
        ("not (pain_areas has 'neck')", "[pain_areas(neck)] = '0'"),
        ("not (pain_areas has any ('neck', 'other'))",
         "([pain_areas(neck)] = '0' and [pain_areas(other)] = '0')"),
        ("pain_areas has ('neck', 'other')",
         "([pain_areas(neck)] = '1' and [pain_areas(other)] = '1')"),
        ("swelling not in ('none', 'mild')", "([swelling] <> 'none' and [swelling] <> 'mild')"),
        ("not (swelling in ('none'))", "[swelling] <> 'none'"),
        ("not (pain_onset = 'injury' or age < 40)", "[pain_onset] <> 'injury' and [age] >= 40"),
        ("not (not (fever = 'yes'))", "[fever] = 'yes'"),
        ("fever = 'yes' or (swelling = 'large' and pain_average > 7)",
         "[fever] = 'yes' or ([swelling] = 'large' and [pain_average] > 7)"),
        ("first_name = \"O'Brien\"", "[first_name] = \"O'Brien\""),
        ("date_of_birth = '1960-01-01'", "[date_of_birth] = '1960-01-01'"),
        ("date_of_birth < '1960-01-01'", None),  # REDCap needs datediff for dates
        ("pain_average > $threshold", None),
    ],
)
def test_redcap_logic_translates_what_redcap_can_express(
    form: Form, condition: str, logic: str | None
) -> None:
    compiled, problems = compile_condition(condition, form.fields, params={"threshold": 4})
    assert compiled is not None, problems
    assert redcap_logic(compiled.node, form) == logic


def test_an_untranslatable_relevance_stays_in_the_field_annotation(tmp_path: Path) -> None:
    path = tmp_path / "tiny.yaml"
    path.write_text(
        """
form_id: tiny
version: 1
title: {en: "Tiny"}
canonical_url: "https://example.org/fhir/Questionnaire/tiny"
languages: [en]
choice_lists: {}
pages:
  - id: only
    title: {en: "Only"}
    questions:
      - {id: born, type: date, label: {en: "Born"}}
      - {id: why, type: text, label: {en: "Why"}, relevant: "born < '1950-01-01'"}
""",
        encoding="utf-8",
    )
    _, fields, _ = read(load_form(path))
    assert fields["why"]["Branching Logic (Show field only if...)"] == ""
    assert fields["why"]["Field Annotation"] == (
        "Shown only if (not expressible in REDCap): born < '1950-01-01'")
