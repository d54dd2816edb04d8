"""Raw CSV rows written as whole lines: the same bytes as `exports.columns` + the csv module.

A 100,000-row export spent most of its time deciding each of 94 cells in Python and then
having the csv module scan each again. Here a row's cells are gathered with C-level calls,
joined once with a separator text never holds, and the joined text is searched once for
the few cells that need work: text starting like a formula gets its `'`, and a cell with a
comma, quote or line break gets RFC 4180 quotes (what `csv.QUOTE_MINIMAL` does). Anything
unusual — a value of an unexpected type, a separator inside a value, a trigger where a
number or a stored field sits — returns None, and the caller writes that row the reference
way (`exports.columns.stored_row_function` and the csv module).

A line is its `META` cells (`meta_function`) and the cells of the answer columns
(`tail_function`). The latter is what `exports.cells_cache` stores when a submission is
stored, so a cached row's line is its `META` cells and that text.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Mapping
from typing import Any

from exports.columns import (
    META,
    StoredRow,
    fired_ids,
    header,
    iso_utc,
    meta_cells,
    multi_blocks,
)
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
    reference must write (see the module docstring).

    A row read with its cells cached at submit (`exports.cells_cache`) is its `META` cells
    and the cached text: the answers are neither read nor decoded.
    """
    answers_text = tail_function(form)
    meta = meta_function()

    def line(stored: StoredRow) -> str | None:
        if stored[10] is not None:  # the cells cached at submit, for this column layout
            return (meta(stored) or reference_meta(stored)) + "," + stored[10] + LINE_END
        head = meta(stored)
        if head is None:
            return None
        tail = answers_text(stored[8] or {}, stored[9] or {})
        return None if tail is None else head + "," + tail + LINE_END

    return line


def meta_function() -> Callable[[StoredRow], str | None]:
    """The `META` cells of a stored row as CSV text (no line end); None for an odd row.

    A formula-like start in these columns (our own ids, codes and times) is an odd stored
    value: the reference writes it.
    """
    no_guard = frozenset(range(len(META)))
    separators = len(META) - 1

    def meta(stored: StoredRow) -> str | None:
        ident, reference, at, version, rules_version, outcome, fired, status = stored[:8]
        return _joined(
            [ident, reference, iso_utc(at), str(version) if type(version) is int else None,
             "" if rules_version is None else rules_version,
             "" if outcome is None else outcome, fired_ids(fired) if fired else "", status],
            separators, no_guard)

    return meta


def reference_meta(stored: StoredRow) -> str:
    """The `META` cells written by the csv module (for the odd row `meta_function` refuses)."""
    from exports.csv_export import csv_writer  # it imports this module; needed only here

    out = io.StringIO(newline="")
    csv_writer(out).writerow(meta_cells(stored))
    return out.getvalue().removesuffix(LINE_END)


def tail_function(form: Form) -> Callable[[Mapping[str, Any], Mapping[str, Any]], str | None]:
    """A function from a submission's answers and calculated values to the CSV text of every
    column after `META` (no line end), or None when the reference must write them."""
    keys = [q.id for q in form.questions() if q.type is not QuestionType.SELECT_MULTIPLE]
    blanks = [""] * len(keys)  # an absent (not relevant) answer is an empty cell
    calculated = [calc.id for calc in form.calculated]
    calculated_blanks = [""] * len(calculated)
    blocks = multi_blocks(form, "1", "0")
    typed = tuple(at - len(META) for at in typed_columns(form))
    # A formula-like start in these columns is a negative number or an odd stored value.
    no_guard = frozenset(typed)
    separators = len(header(form)) - len(META) - 1

    def tail(answers: Mapping[str, Any], calc: Mapping[str, Any]) -> str | None:
        cells = list(map(answers.get, keys, blanks))
        for position, multi in blocks:
            cells[position:position] = multi(answers)
        cells += map(calc.get, calculated, calculated_blanks)
        _as_text(cells, typed)
        return _joined(cells, separators, no_guard)

    return tail


def _joined(cells: list[Any], separators: int, no_guard: frozenset[int]) -> str | None:
    """The cells as CSV text, or None when one is not text, holds the separator, or starts
    like a formula where text is not expected (`no_guard`)."""
    try:
        text = SEPARATOR.join(cells)
    except TypeError:  # a value that is not text where text is expected
        return None
    if text.count(SEPARATOR) != separators:
        return None
    if text[:1] in TRIGGERS:  # no separator before the first cell for the search to find
        if 0 in no_guard:
            return None
        cells[0] = "'" + cells[0]
        text = SEPARATOR.join(cells)
    return _finish(cells, text, no_guard)


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
    """The cells' CSV text, with formula-like text guarded and RFC 4180 quotes where needed.

    A row that needs neither is `text` with commas; otherwise each search resumes after the
    cell it fixed, so a row costs about one pass over its text either way.
    """
    trigger = LEADING_TRIGGER.search(text)
    quotes = "," in text or '"' in text or "\r" in text or "\n" in text  # faster than a regex
    if trigger is None and not quotes:
        return text.replace(SEPARATOR, ",")
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
    return ",".join(cells)
