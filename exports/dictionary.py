"""A REDCap data dictionary describing every column of the raw CSV, in the same order.

Rows: the submission's own fields first (instrument `submission`; `submission_id` is the
record id, which REDCap requires as the first field), then one row per question (Form Name
= page id, Section Header = page title on the page's first question), then the calculated
fields (instrument `calculated`). A REDCap project built from this file can import the raw
CSV as it is: REDCap expands a checkbox field into the same `<id>___<code>` columns.

Choices made where REDCap offers several ways:
- Our `checkbox` questions (consent ticks) become `yesno` fields, not one-choice REDCap
  checkboxes: a yesno field stores 1/0 under the question's own name, which is exactly
  the raw CSV column (a REDCap checkbox would need a `<id>___1` column instead).
- Calculated fields are `text` (validated integer / number_1dp) or `yesno`, marked
  `@READONLY`, not REDCap `calc` fields. The stored values were computed on the
  submission date (age on that day, BMI from the answers then); a `calc` field would be
  recomputed by REDCap — age against today — and disagree with the exported data. The
  Field Annotation says how each was computed.
- Text limits go in Field Annotation as `@CHARLIMIT=n`, exclusive multi-select codes as
  `@NONEOFTHEABOVE`; rules REDCap cannot enforce (choice filters, signature matching, a
  relevance it cannot express) are written there in plain words. Words come before the
  action tags so that no cell starts with `@` (a formula to a spreadsheet); every cell
  still goes through the same formula guard as the data exports.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TextIO

from exports.csv_export import csv_writer
from exports.formula import guard
from exports.redcap_logic import redcap_logic
from questions.form import CALCULATED_KINDS, Form, text
from questions.models import Calculated, Question, QuestionType, TextFormat
from storage.queries import OUTCOME_ORDER
from storage.submissions import STATUSES

HEADERS = (
    "Variable / Field Name",
    "Form Name",
    "Section Header",
    "Field Type",
    "Field Label",
    "Choices, Calculations, OR Slider Labels",
    "Field Note",
    "Text Validation Type OR Show Slider Number",
    "Text Validation Min",
    "Text Validation Max",
    "Identifier?",
    "Branching Logic (Show field only if...)",
    "Required Field?",
    "Custom Alignment",
    "Question Number (surveys only)",
    "Matrix Group Name",
    "Matrix Ranking?",
    "Field Annotation",
)
Row = dict[str, str]

SUBMISSION_FORM = "submission"
CALCULATED_FORM = "calculated"
META_FIELDS = (
    ("submission_id", "Submission ID", "", "Record ID: the submission's UUID."),
    ("reference", "Reference", "", "Short code given to the patient after submitting."),
    ("submitted_at", "Submitted at (UTC)", "", "ISO 8601 in UTC, e.g. 2026-11-26T14:03:00Z."),
    ("form_version", "Questionnaire version", "integer", "Version of the questionnaire answered."),
    ("rules_version", "Rules version", "", "Version (hash) of the screening rules applied."),
    ("outcome", "Screening outcome", "", "One of: " + ", ".join(OUTCOME_ORDER) + "."),
    ("rules_fired", "Rules fired", "", "Ids of the screening rules that fired, separated by ';'."),
    ("status", "Review status", "", "One of: " + ", ".join(STATUSES) + "."),
)
TEXT_VALIDATION = {TextFormat.PHONE: "phone", TextFormat.EMAIL: "email"}


SHORT_NAMES = {
    "name": "Variable / Field Name", "form": "Form Name", "section": "Section Header",
    "type": "Field Type", "label": "Field Label",
    "choices": "Choices, Calculations, OR Slider Labels", "note": "Field Note",
    "validation": "Text Validation Type OR Show Slider Number", "min": "Text Validation Min",
    "max": "Text Validation Max", "identifier": "Identifier?",
    "branching": "Branching Logic (Show field only if...)", "required": "Required Field?",
    "annotation": "Field Annotation",
}
"""Python-friendly names for the headers this module fills; the others stay empty."""


def _fields(**named: str) -> Row:
    cells = {SHORT_NAMES[key]: value for key, value in named.items()}
    return {h: cells.get(h, "") for h in HEADERS}


def meta_rows() -> Iterator[Row]:
    for i, (name, label, check, note) in enumerate(META_FIELDS):
        yield _fields(name=name, form=SUBMISSION_FORM, section="Submission" if i == 0 else "",
                      type="text", label=label, validation=check,
                      annotation=f"{note} @READONLY")


def field_type(question: Question) -> str:
    if question.type is QuestionType.SELECT_ONE:
        return "radio"
    if question.type is QuestionType.SELECT_MULTIPLE:
        return "checkbox"
    if question.type is QuestionType.CHECKBOX:
        return "yesno"
    if question.type is QuestionType.TEXT and question.multiline:
        return "notes"
    return "text"


def choices_cell(form: Form, question: Question, lang: str) -> str:
    if question.type not in (QuestionType.SELECT_ONE, QuestionType.SELECT_MULTIPLE):
        return ""
    return " | ".join(f"{c.code}, {text(c.label, lang)}" for c in form.choices(question))


def validation(question: Question) -> tuple[str, str, str]:
    """(validation type, min, max) for REDCap's text validation columns."""
    if question.type is QuestionType.INTEGER:
        low = "" if question.min is None else str(question.min)
        high = "" if question.max is None else str(question.max)
        return "integer", low, high
    if question.type is QuestionType.DATE:
        return "date_ymd", "", "today" if question.not_future else ""
    if question.type is QuestionType.TEXT and question.format:
        return TEXT_VALIDATION[question.format], "", ""
    return "", "", ""


def annotation(form: Form, question: Question, branching: str) -> str:
    """What REDCap cannot enforce, in plain words, then its action tags.

    Words come first so that no cell starts with `@`, which a spreadsheet reads as a formula.
    """
    notes: list[str] = []
    tags: list[str] = []
    if question.max_length:
        notes.append(f"At most {question.max_length} characters.")
        tags.append(f"@CHARLIMIT={question.max_length}")
    if question.exclusive:
        notes.append(f"Cannot be combined with other choices: {', '.join(question.exclusive)}.")
        tags.append(f"@NONEOFTHEABOVE='{','.join(question.exclusive)}'")
    if question.choice_filter:
        notes.append(f"Choices limited to those picked in [{question.choice_filter}].")
        if question.auto_single_choice:
            notes.append("When only one is picked, it is stored without asking.")
    if question.must_match:
        names = " ".join(f"[{name}]" for name in question.must_match)
        notes.append(f"Must match {names} (case, spacing and accents ignored).")
    if question.must_be_checked:
        notes.append("Must be Yes to submit.")
    if question.max_years_ago is not None:
        notes.append(f"At most {question.max_years_ago} years ago.")
    relevance = form.relevance.get(question.id)
    if relevance is not None and not branching:
        notes.append(f"Shown only if (not expressible in REDCap): {relevance.source}")
    return " ".join(notes + tags)


def question_rows(form: Form, lang: str = "en") -> Iterator[Row]:
    for page in form.pages:
        for i, question in enumerate(page.questions):
            relevance = form.relevance.get(question.id)
            branching = (redcap_logic(relevance.node, form) or "") if relevance else ""
            check, low, high = validation(question)
            yield _fields(
                name=question.id, form=page.id, section=text(page.title, lang) if i == 0 else "",
                type=field_type(question), label=text(question.label, lang),
                choices=choices_cell(form, question, lang), note=text(question.hint, lang),
                validation=check, min=low, max=high, identifier="y" if question.identifier else "",
                branching=branching, required="y" if question.required else "",
                annotation=annotation(form, question, branching),
            )


def how_calculated(form: Form, calc: Calculated) -> str:
    kind = calc.kind.value
    if kind == "age_years":
        return f"Whole years from [{calc.inputs['date']}] to the submission date."
    if kind == "bmi_imperial":
        i = calc.inputs
        return (f"703 × [{i['pounds']}] ÷ (12 × [{i['feet']}] + [{i['inches']}])², "
                "rounded to 1 decimal, on the submission date.")
    condition = form.calculations[calc.id]
    return f"1 when {redcap_logic(condition.node, form) or condition.source}, else 0."


def calculated_rows(form: Form, lang: str = "en") -> Iterator[Row]:
    kinds = {"integer": ("text", "integer"), "decimal": ("text", "number_1dp"),
             "boolean": ("yesno", "")}
    for i, calc in enumerate(form.calculated):
        field, check = kinds[CALCULATED_KINDS[calc.kind.value]]
        yield _fields(name=calc.id, form=CALCULATED_FORM,
                      section="Calculated at submission" if i == 0 else "", type=field,
                      label=text(calc.label, lang), validation=check,
                      annotation=f"{how_calculated(form, calc)} @READONLY")


def dictionary_rows(form: Form, lang: str = "en") -> Iterator[Row]:
    yield from meta_rows()
    yield from question_rows(form, lang)
    yield from calculated_rows(form, lang)


def write_dictionary(form: Form, out: TextIO, lang: str = "en") -> int:
    """Write the dictionary CSV; return the number of fields (rows after the header)."""
    writer = csv_writer(out)
    writer.writerow(HEADERS)
    count = 0
    for fields in dictionary_rows(form, lang):
        writer.writerow(guard(fields[h]) for h in HEADERS)
        count += 1
    return count
