"""The flat column layout shared by the raw and labelled CSV exports (and the dictionary).

Columns: the submission's own fields (`META`), then every question in form order — a
select_multiple becomes one `<id>___<code>` column per choice (REDCap's convention) —
then the calculated fields. The layout is planned once per export as a list of small
`Cells` functions, so a row costs one pass over the plan and no look-ups by name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from exports.formula import cell, guard
from questions.form import CALCULATED_KINDS, Form
from questions.models import Question, QuestionType

META = (
    "submission_id",
    "reference",
    "submitted_at",
    "form_version",
    "rules_version",
    "outcome",
    "rules_fired",
    "status",
)
CHECKED = ("Checked", "Unchecked")
"""Labels of a ticked / unticked choice column or checkbox (REDCap's words)."""
YES_NO = ("Yes", "No")
"""Labels of a true / false calculated condition."""
MULTI_SEPARATOR = "___"

Record = Mapping[str, Any]
Cells = Callable[[Mapping[str, Any]], list[str]]
"""Given a submission's answers (or calculated values), the cells of one question."""


def multi_column(question_id: str, code: str) -> str:
    return f"{question_id}{MULTI_SEPARATOR}{code}"


def question_columns(form: Form, question: Question) -> list[str]:
    """The column names of one question: its id, or one per choice for a select_multiple."""
    if question.type is QuestionType.SELECT_MULTIPLE:
        return [multi_column(question.id, c.code) for c in form.choices(question)]
    return [question.id]


def header(form: Form) -> list[str]:
    names = list(META)
    for question in form.questions():
        names += question_columns(form, question)
    names += [calc.id for calc in form.calculated]
    return names


def iso_utc(at: Any) -> str:
    """2026-11-26T14:03:00Z: UTC to the second, whatever the database handed back."""
    if isinstance(at, dt.datetime):
        if at.tzinfo is None:
            at = at.replace(tzinfo=dt.UTC)
        return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return cell(at)


def fired_ids(rules_fired: Any) -> str:
    """Rule ids joined by ';'; notes and explanations stay in the store for the detail view."""
    if not rules_fired:
        return ""
    ids = (r.get("id", "") if isinstance(r, Mapping) else str(r) for r in rules_fired)
    return guard(";".join(ids))


def meta_cells(record: Record) -> list[str]:
    return [
        cell(record.get("id")),
        cell(record.get("reference")),
        iso_utc(record.get("submitted_at")),
        cell(record.get("form_version")),
        cell(record.get("rules_version")),
        cell(record.get("outcome")),
        fired_ids(record.get("rules_fired")),
        cell(record.get("status")),
    ]


def _multi(question_id: str, codes: list[str], yes: str, no: str) -> Cells:
    empty = [""] * len(codes)

    def cells(answers: Mapping[str, Any]) -> list[str]:
        picked = answers.get(question_id)
        if picked is None:
            return empty  # not relevant: empty cells, not "0"
        chosen = set(picked) if isinstance(picked, list) else {picked}
        return [yes if code in chosen else no for code in codes]

    return cells


def _mapped(question_id: str, mapping: Mapping[Any, str]) -> Cells:
    def cells(answers: Mapping[str, Any]) -> list[str]:
        value = answers.get(question_id)
        if value is None:
            return [""]
        label = mapping.get(value) if isinstance(value, str | bool) else None
        return [guard(label) if label is not None else cell(value)]

    return cells


def _plain(question_id: str) -> Cells:
    return lambda answers: [cell(answers.get(question_id))]


def question_cells(form: Form, question: Question, labels: bool, lang: str) -> Cells:
    """How one question becomes cells, raw (codes, 1/0) or labelled."""
    if question.type is QuestionType.SELECT_MULTIPLE:
        codes = [c.code for c in form.choices(question)]
        yes, no = CHECKED if labels else ("1", "0")
        return _multi(question.id, codes, yes, no)
    if labels and question.type is QuestionType.SELECT_ONE:
        codes = [c.code for c in form.choices(question)]
        return _mapped(question.id, {c: form.choice_label(question, c, lang) for c in codes})
    if labels and question.type is QuestionType.CHECKBOX:
        return _mapped(question.id, {True: CHECKED[0], False: CHECKED[1]})
    return _plain(question.id)


def calculated_cells(form: Form, labels: bool) -> list[Cells]:
    out: list[Cells] = []
    for calc in form.calculated:
        if labels and CALCULATED_KINDS[calc.kind.value] == "boolean":
            out.append(_mapped(calc.id, {True: YES_NO[0], False: YES_NO[1]}))
        else:
            out.append(_plain(calc.id))
    return out


def row_function(form: Form, labels: bool = False, lang: str = "en") -> Callable[[Record], list[str]]:
    """A function from a stored submission record to its row of cells (see `header`)."""
    answer_plan = [question_cells(form, q, labels, lang) for q in form.questions()]
    calc_plan = calculated_cells(form, labels)

    def row(record: Record) -> list[str]:
        answers = record.get("answers") or {}
        calculated = record.get("calculated") or {}
        cells = meta_cells(record)
        for plan in answer_plan:
            cells += plan(answers)
        for plan in calc_plan:
            cells += plan(calculated)
        return cells

    return row
