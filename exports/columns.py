"""The flat column layout of the raw and labelled CSV exports (the dictionary describes it).

Columns: the submission's own fields (`META`), then every question in form order — a
select_multiple becomes one `<id>___<code>` column per choice (REDCap's convention) —
then the calculated fields. A row is made from the stored values of `STORED`; the layout is
planned once per export as a short list of `Cells` functions (runs of one-column questions,
and multi-selects), so a row costs one pass over the plan with no per-question decisions.
This is the reference for every cell; `exports.csv_lines` writes most raw rows faster with
the same bytes.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Mapping
from typing import Any

from exports.formula import TRIGGERS, cell, guard
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
STORED = ("id", "reference", "submitted_at", "form_version", "rules_version", "outcome",
          "rules_fired", "status", "answers", "calculated")
"""The stored columns a row is made from, in this order: `META`'s sources, then the JSON."""
CHECKED = ("Checked", "Unchecked")
"""Labels of a ticked / unticked choice column or checkbox (REDCap's words)."""
YES_NO = ("Yes", "No")
"""Labels of a true / false calculated condition."""
MULTI_SEPARATOR = "___"
_ID = operator.itemgetter("id")

Record = Mapping[str, Any]
StoredRow = tuple[Any, ...]
"""One submission as the values of `STORED`, JSON columns decoded (`exports.stored`), then
the raw CSV text of its answer columns when it was cached at submit for the current column
layout (`exports.cells_cache`; the answers and calculated values are then not read: None),
else None."""
Cells = Callable[[Mapping[str, Any]], list[Any]]
"""Given a submission's answers (or calculated values), the cells of some columns.

A cell is a string, or None / an int / a float that the csv module writes as "" / the number.
"""


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


def stored_values(record: Record) -> StoredRow:
    """A record (a dict, e.g. from `storage.queries.stream`) as the values of `STORED`, with
    no cached cells (they are read only by `exports.stored` for the raw CSV)."""
    return (*map(record.get, STORED), None)


def iso_utc(at: Any) -> str:
    """2026-11-26T14:03:00Z: UTC to the second, whatever the database handed back."""
    if isinstance(at, dt.datetime):
        if at.tzinfo is None:  # SQLite hands back naive UTC
            return at.isoformat(timespec="seconds") + "Z"
        if at.tzinfo is dt.UTC:  # "…+00:00" becomes "…Z"
            return at.isoformat(timespec="seconds")[:-6] + "Z"
        if at.utcoffset():
            at = at.astimezone(dt.UTC)
        return at.replace(tzinfo=None).isoformat(timespec="seconds") + "Z"
    return cell(at)


def fired_ids(rules_fired: Any) -> str:
    """Rule ids joined by ';'; notes and explanations stay in the store for the detail view."""
    if not rules_fired:
        return ""
    try:  # as stored: a list of objects, each with its text id
        return guard(";".join(map(_ID, rules_fired)))
    except (KeyError, TypeError):
        ids = [r.get("id", "") if isinstance(r, Mapping) else str(r) for r in rules_fired]
        return guard(";".join(ids))


def meta_cells(row: StoredRow) -> list[Any]:
    """The `META` cells: text guarded (None empty), the form version as the number it is."""
    ident, reference, at, version, rules_version, outcome, fired, status = row[:8]
    return [cell(ident), cell(reference), iso_utc(at), version, cell(rules_version),
            cell(outcome), fired_ids(fired), cell(status)]


def _multi(question_id: str, codes: list[str], yes: str, no: str) -> Cells:
    """One multi-select's block of columns: `yes` for each picked code, `no` for the rest."""
    empty = [""] * len(codes)
    unticked = [no] * len(codes)
    position = {code: i for i, code in enumerate(codes)}

    def cells(answers: Mapping[str, Any]) -> list[str]:
        picked = answers.get(question_id)
        if not picked:
            return empty  # not relevant (or nothing picked): empty cells, not "0"
        out = unticked.copy()  # then tick the few picked codes (cheaper than testing each)
        for code in picked if isinstance(picked, list) else (picked,):
            i = position.get(code)
            if i is not None:
                out[i] = yes
        return out

    return cells


Single = tuple[str, Mapping[Any, str] | None]
"""A one-column field: its key and, for labels, code (or True/False) → formula-safe label."""


def _singles(fields: list[Single]) -> Cells:
    """Cells of consecutive one-column fields.

    None, int and float go to the csv module as they are (it writes "" and the number);
    text is guarded inline; anything else (booleans, odd stored values) goes to `cell`.
    """
    keys = [key for key, _ in fields]
    if all(labels is None for _, labels in fields):

        def raw(values: Mapping[str, Any]) -> list[Any]:
            return [
                v if (t := type(v)) is str and not (v and v[0] in TRIGGERS)  # most cells
                else v if v is None or t is int or t is float
                else "'" + v if t is str
                else cell(v)
                for v in map(values.get, keys)
            ]

        return raw

    def labelled(values: Mapping[str, Any]) -> list[Any]:
        out = []
        for key, labels in fields:
            value = values.get(key)
            if value is None:
                out.append("")
            elif labels is not None and type(value) in (str, bool) and value in labels:
                out.append(labels[value])
            else:
                out.append(cell(value))
        return out

    return labelled


def _labels(form: Form, question: Question, lang: str) -> Mapping[Any, str] | None:
    if question.type is QuestionType.SELECT_ONE:
        return {c.code: guard(form.choice_label(question, c.code, lang))
                for c in form.choices(question)}
    if question.type is QuestionType.CHECKBOX:
        return {True: CHECKED[0], False: CHECKED[1]}
    return None


def multi_blocks(form: Form, yes: str, no: str) -> list[tuple[int, Cells]]:
    """Each multi-select's cells with the answer column where its block starts."""
    blocks: list[tuple[int, Cells]] = []
    width = 0
    for question in form.questions():
        if question.type is QuestionType.SELECT_MULTIPLE:
            codes = [c.code for c in form.choices(question)]
            blocks.append((width, _multi(question.id, codes, yes, no)))
            width += len(codes)
        else:
            width += 1
    return blocks


def answer_cells(form: Form, labels: bool, lang: str) -> Cells:
    """How the answers become cells, in one pass per row.

    Every one-column question is read by a single comprehension (`_singles`), then each
    multi-select's block of columns is put in at its place. One call per run of questions
    cost more than the cells themselves (about 1.5 µs a call, 0.15 µs a cell).
    """
    singles = _singles([
        (q.id, _labels(form, q, lang) if labels else None)
        for q in form.questions() if q.type is not QuestionType.SELECT_MULTIPLE
    ])
    blocks = multi_blocks(form, *(CHECKED if labels else ("1", "0")))

    def cells(answers: Mapping[str, Any]) -> list[Any]:
        out = singles(answers)
        for at, multi in blocks:  # in column order, so each `at` is already its final place
            out[at:at] = multi(answers)
        return out

    return cells


def calculated_plan(form: Form, labels: bool) -> Cells:
    boolean = {True: YES_NO[0], False: YES_NO[1]}
    return _singles([
        (calc.id, boolean if labels and CALCULATED_KINDS[calc.kind.value] == "boolean" else None)
        for calc in form.calculated
    ])


def stored_row_function(
    form: Form, labels: bool = False, lang: str = "en"
) -> Callable[[StoredRow], list[Any]]:
    """A function from a stored row (the values of `STORED`) to its cells (see `header`)."""
    answers_cells = answer_cells(form, labels, lang)
    calculated_cells = calculated_plan(form, labels)

    def row(stored: StoredRow) -> list[Any]:
        cells = meta_cells(stored)
        cells += answers_cells(stored[8] or {})
        cells += calculated_cells(stored[9] or {})
        return cells

    return row


def row_function(
    form: Form, labels: bool = False, lang: str = "en"
) -> Callable[[Record], list[Any]]:
    """A function from a stored submission record (a dict) to its row of cells."""
    row = stored_row_function(form, labels, lang)
    return lambda record: row(stored_values(record))
