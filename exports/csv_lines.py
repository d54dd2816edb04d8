"""Raw CSV rows written as whole lines: the same bytes as `exports.columns` + the csv module.

A 100,000-row export spent most of its time deciding each of 94 cells in Python and then
having the csv module scan each again. Here a row's cells are gathered with C-level calls,
joined once with a separator text never holds, and the joined text is searched once for
the few cells that need work: text starting like a formula gets its `'`, and a cell with a
comma, quote or line break gets RFC 4180 quotes (what `csv.QUOTE_MINIMAL` does). Anything
unusual — a value of an unexpected type, a separator inside a value, a trigger where a
number or a stored field sits — returns None, and the caller writes that row the reference
way (`exports.columns.stored_row_function` and the csv module).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from exports.columns import META, StoredRow, fired_ids, header, iso_utc, multi_blocks
from exports.formula import TRIGGERS
from questions.form import Form
from questions.models import QuestionType

SEPARATOR = "\x1f"
"""ASCII unit separator: joins the cells for the searches below (a value holding one goes
the reference way)."""
LEADING_TRIGGER = re.compile(SEPARATOR + "[" + re.escape("".join(sorted(TRIGGERS))) + "]")
"""A cell (after the first) whose first character would start a spreadsheet formula."""
NEEDS_QUOTES = re.compile('[,"\r\n]')
"""What makes the csv module quote a field: the delimiter, the quote or a line-end character."""
LINE_END = "\r\n"

Line = Callable[[StoredRow], str | None]


def typed_columns(form: Form) -> tuple[int, ...]:
    """Where numbers and booleans are expected: integer and checkbox answers, calculated fields.

    These are turned into text as the reference does (`_as_text`); in the other columns
    anything but text goes the reference way.
    """
    kinds = (QuestionType.INTEGER, QuestionType.CHECKBOX)
    typed: list[int] = []
    at = len(META)
    for question in form.questions():
        if question.type is QuestionType.SELECT_MULTIPLE:
            at += len(form.choices(question))
            continue
        if question.type in kinds:
            typed.append(at)
        at += 1
    typed += range(at, at + len(form.calculated))
    return tuple(typed)


def line_function(form: Form) -> Line:
    """A function from a stored row to its finished raw CSV line, or None for a row that the
    reference must write (see the module docstring)."""
    keys = [q.id for q in form.questions() if q.type is not QuestionType.SELECT_MULTIPLE]
    blanks = [""] * len(keys)  # an absent (not relevant) answer is an empty cell
    calculated = [calc.id for calc in form.calculated]
    calculated_blanks = [""] * len(calculated)
    blocks = [(len(META) + at, cells) for at, cells in multi_blocks(form, "1", "0")]
    typed = typed_columns(form)
    # A formula-like start in these columns is a negative number or an odd stored value.
    no_guard = frozenset(range(len(META))) | frozenset(typed)
    separators = len(header(form)) - 1

    def line(stored: StoredRow) -> str | None:
        ident, reference, at, version, rules_version, outcome, fired, status, answers, calc = (
            stored)
        answers = answers or {}
        cells = [ident, reference, iso_utc(at), str(version) if type(version) is int else None,
                 "" if rules_version is None else rules_version,
                 "" if outcome is None else outcome, fired_ids(fired) if fired else "", status]
        cells += map(answers.get, keys, blanks)
        for position, multi in blocks:
            cells[position:position] = multi(answers)
        cells += map((calc or {}).get, calculated, calculated_blanks)
        _as_text(cells, typed)
        try:
            text = SEPARATOR.join(cells)
        except TypeError:  # a value that is not text where text is expected
            return None
        if text.count(SEPARATOR) != separators or text[:1] in TRIGGERS:
            return None
        return _finish(cells, text, no_guard)

    return line


def _as_text(cells: list[Any], typed: tuple[int, ...]) -> None:
    """None → "", True/False → "1"/"0", an int or float → str (what the csv module would
    write), in the typed columns; anything else is left for the join to refuse."""
    for i in typed:
        value = cells[i]
        if value is None:
            cells[i] = ""
        elif value is True or value is False:
            cells[i] = "1" if value else "0"
        elif type(value) is int or type(value) is float:
            cells[i] = str(value)


def _finish(cells: list[str], text: str, no_guard: frozenset[int]) -> str | None:
    """The line, with formula-like text guarded and RFC 4180 quotes where needed.

    A row that needs neither is `text` with commas; otherwise each search resumes after the
    cell it fixed, so a row costs about one pass over its text either way.
    """
    trigger = LEADING_TRIGGER.search(text)
    quotes = "," in text or '"' in text or "\r" in text or "\n" in text  # faster than a regex
    if trigger is None and not quotes:
        return text.replace(SEPARATOR, ",") + LINE_END
    while trigger is not None:
        i = text.count(SEPARATOR, 0, trigger.start()) + 1
        if i in no_guard:
            return None
        cells[i] = "'" + cells[i]
        trigger = LEADING_TRIGGER.search(text, trigger.end())
    found = NEEDS_QUOTES.search(text) if quotes else None
    while found is not None:  # quote the cell holding `found`, then look after that cell
        i = text.count(SEPARATOR, 0, found.start())
        cells[i] = '"' + cells[i].replace('"', '""') + '"'
        after = text.find(SEPARATOR, found.start())
        found = NEEDS_QUOTES.search(text, after) if after >= 0 else None
    return ",".join(cells) + LINE_END
