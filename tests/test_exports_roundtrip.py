"""Round trip: stored answers → CSV export → csv.reader gives back every stored value.

Awkward text (commas, quotes, newlines, emoji, a 2,000-character medicines list, every
character that starts a spreadsheet formula) is stored directly through the store — as an
import could — so that characters the patient form strips (a leading tab or newline) are
covered too. Every cell must equal the stored value, or `'` + value for a formula trigger.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from typing import Any

import pytest
from sqlalchemy import Engine

from exports import export_bytes
from questions import Form, QuestionType
from questions.synthetic import synthetic_answers
from storage import NewSubmission, SubmissionStore
from storage.queries import SubmissionFilter

LONG_MEDICATIONS = (
    'Metformin 500 mg "twice" a day, lisinopril 10 mg;\natorvastatin 20 mg, ibuprofen 400 mg '
    "as needed, 🦵 knee gel. " * 30
)[:2000]
CORPUS = [
    "plain words",
    "comma, inside",
    'a "quoted" word',
    '"starts with a quote',
    "line one\nline two",
    "windows\r\nline end",
    "ends with a newline\n",
    "emoji 🦵🏽 and accents: María, Zoë, Nguyễn",
    "🙂",
    "=HYPERLINK(\"http://example.com\",\"x\")",
    "=1+2",
    "+1 555 123 4567",
    "-5",
    "-",
    "@SUM(A1:A2)",
    "\tleading tab",
    "\rleading carriage return",
    "\nleading newline",
    "'already starts with an apostrophe",
    " =space first",
    "semi;colon|pipe\\backslash",
    "中文, العربية, עברית",
    LONG_MEDICATIONS,
]
TEXT_FIELDS = ["first_name", "last_name", "pain_other", "medications", "other_conditions",
               "goals", "signature"]
AT = dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")  # OWASP CSV injection list


def expected_cell(value: Any) -> str:
    """What a reader must get back for one stored value (independent of the exporter)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    return str(value)


def expected_row(form: Form, record: dict[str, Any]) -> list[str]:
    fired = ";".join(rule["id"] for rule in record["rules_fired"] or [])
    cells = [record["id"], record["reference"], record["submitted_at"].strftime(
        "%Y-%m-%dT%H:%M:%SZ"), str(record["form_version"]), record["rules_version"] or "",
        record["outcome"] or "", expected_cell(fired), record["status"]]
    answers = record["answers"]
    for q in form.questions():
        value = answers.get(q.id)
        if q.type is QuestionType.SELECT_MULTIPLE:
            for choice in form.choices(q):
                cells.append("" if value is None else "1" if choice.code in value else "0")
        else:
            cells.append(expected_cell(value))
    cells += [expected_cell(record["calculated"].get(c.id)) for c in form.calculated]
    return cells


@pytest.fixture
def awkward_records(form: Form, store: SubmissionStore) -> list[dict[str, Any]]:
    """One submission per corpus string, each text answer a different corpus entry."""
    rng = random.Random(5)
    records = []
    for i in range(len(CORPUS)):
        answers = synthetic_answers(form, rng, AT.date())
        for j, field in enumerate(TEXT_FIELDS):
            answers[field] = CORPUS[(i + j) % len(CORPUS)]
        answers["pain_average"] = -5 if i == 0 else answers["pain_average"]  # a negative number
        saved = store.save(NewSubmission(
            submission_key=f"awkward-{i}", form_id=form.form_id, form_version=form.version,
            answers=answers,
            calculated={"age": 50 + i, "bmi": 20.5 + i, "nice_oa_features": i % 2 == 0},
            submitted_at=AT + dt.timedelta(minutes=i), outcome="review", rules_version="r1",
            rules_fired=[{"id": "CR-x"}, {"id": "-RF-y"}] if i % 3 == 0 else []))
        records.append(store.get(saved.id))
    return records


def read_back(engine: Engine, form: Form, fmt: str = "csv") -> list[list[str]]:
    data = export_bytes(fmt, engine, form, SubmissionFilter())
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def test_every_cell_reads_back_as_the_stored_value(
    engine: Engine, form: Form, awkward_records: list[dict[str, Any]]
) -> None:
    header, *rows = read_back(engine, form)
    assert len(rows) == len(awkward_records) == len(CORPUS)
    assert all(len(row) == len(header) for row in rows)
    for row, record in zip(rows, awkward_records, strict=True):
        assert row == expected_row(form, record)


@pytest.mark.parametrize("fmt", ["csv", "labels"])
def test_each_corpus_string_survives_in_every_text_column(
    engine: Engine, form: Form, awkward_records: list[dict[str, Any]], fmt: str
) -> None:
    header, *rows = read_back(engine, form, fmt)
    for row, record in zip(rows, awkward_records, strict=True):
        cells = dict(zip(header, row, strict=True))
        for field in TEXT_FIELDS:
            stored = record["answers"][field]
            assert cells[field] == ("'" + stored if stored.startswith(FORMULA_STARTS) else stored)


def test_the_long_text_and_the_negative_number_are_not_altered(
    engine: Engine, form: Form, awkward_records: list[dict[str, Any]]
) -> None:
    header, *rows = read_back(engine, form)
    columns = {name: [row[i] for row in rows] for i, name in enumerate(header)}
    assert len(LONG_MEDICATIONS) == 2000 and LONG_MEDICATIONS in columns["medications"]
    assert columns["pain_average"][0] == "-5"
    assert columns["rules_fired"][0] == "CR-x;-RF-y"  # starts with C: no quote needed


def test_the_file_is_utf8_with_crlf_row_ends_and_no_bom(
    engine: Engine, form: Form, awkward_records: list[dict[str, Any]]
) -> None:
    data = export_bytes("csv", engine, form, SubmissionFilter())
    assert not data.startswith(b"\xef\xbb\xbf")
    assert data.split(b"\r\n", 1)[0].startswith(b"submission_id,reference,")
    assert "🦵🏽".encode() in data and data.endswith(b"\r\n")
