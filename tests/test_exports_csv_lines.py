"""Raw CSV lines (`exports.csv_lines`) against the reference: `exports.columns` cells written by
the csv module. Every row, usual or odd, must come out byte for byte the same; the usual
ones must take the fast way (else the export is slow again with nothing failing).
"""

from __future__ import annotations

import datetime as dt
import io
import math
import random
from typing import Any

import pytest
from sqlalchemy import Engine, text

from exports.columns import StoredRow, stored_row_function
from exports.csv_export import csv_writer, write_stored
from exports.csv_lines import line_function, tail_function
from exports.stored import stored_rows
from intake_pipeline import Intake
from questions import Form
from storage import SubmissionStore
from storage.queries import SubmissionFilter

AT = dt.datetime(2026, 11, 26, 14, 3, 7, 999_999)
FIRED = [{"id": "CR-bmi", "level": "review", "note": "BMI, over 40"}]


def stored(answered: dict[str, Any], **meta: Any) -> StoredRow:
    """A stored row (the values of `STORED`) with these answers; `meta` sets other columns."""
    values = {"id": "3f1c2d4e-0000-4000-8000-000000000001", "reference": "7KQ4-M2XD",
              "submitted_at": AT, "form_version": 2026112601, "rules_version": "21cc2bbbd5d6",
              "outcome": "review", "rules_fired": FIRED, "status": "new", "answers": answered,
              "calculated": {"age": 64, "bmi": 28.3, "nice_oa_features": True}}
    values.update(meta)
    return (*values.values(), None)  # no cells cached at submit


def reference(form: Form, row: StoredRow) -> str:
    out = io.StringIO(newline="")
    csv_writer(out).writerow(stored_row_function(form)(row))
    return out.getvalue()


def written(form: Form, row: StoredRow) -> str:
    """What the export writes for the row (the header line dropped)."""
    out = io.StringIO(newline="")
    write_stored([row], form, out)
    return out.getvalue().split("\r\n", 1)[1]


def cached(form: Form, row: StoredRow) -> StoredRow | None:
    """The row as read when its answer cells were cached at submit (answers not read), or
    None when they could not be (the export then writes it from its answers)."""
    cells = tail_function(form)(row[8] or {}, row[9] or {})
    return None if cells is None else (*row[:8], None, None, cells)


def assert_written_as_reference(form: Form, row: StoredRow) -> None:
    """Both ways of writing a row, from its answers and from its cached cells, give the
    reference's bytes."""
    expected = reference(form, row)
    assert written(form, row) == expected
    from_cache = cached(form, row)
    if from_cache is not None:
        assert written(form, from_cache) == expected


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"first_name": "=1+1"}, {"first_name": "+1 555 0100"}, {"last_name": "-x"},
        {"email": "@home"}, {"goals": "\tTab"}, {"goals": "\rCR"}, {"goals": "\nLF"},
        {"goals": "Walk, then run"}, {"goals": 'say "hi"'}, {"goals": "two\nlines"},
        {"goals": "=a,b\n\"c\""}, {"goals": "'already quoted"}, {"goals": ""},
        {"first_name": "Zoë", "last_name": "Nguyễn Thị"},
        {"first_name": "=x", "medications": "a, b", "goals": "+y", "signature": '"z"'},
    ],
)
def test_usual_rows_take_the_fast_way_with_the_same_bytes(
    form: Form, valid_answers: dict[str, Any], changes: dict[str, Any]
) -> None:
    row = stored({**valid_answers, **changes})
    assert line_function(form)(row) == reference(form, row)
    from_cache = cached(form, row)
    assert from_cache is not None, "a usual submission's cells are cached at submit"
    assert line_function(form)(from_cache) == reference(form, row)


@pytest.mark.parametrize(
    "changes, meta",
    [
        ({"height_in": -5}, {}),  # a negative number is never guarded
        ({"height_in": "-5"}, {}),  # text that looks like one is
        ({"height_in": 5.5}, {}), ({"height_in": True}, {}), ({"height_in": None}, {}),
        ({"first_name": None}, {}), ({"first_name": True}, {}), ({"first_name": 7}, {}),
        ({"first_name": -7}, {}), ({"first_name": 2.5}, {}), ({"first_name": ["a", "=b"]}, {}),
        ({"first_name": {"x": 1}}, {}), ({"first_name": "a\x1fb"}, {}),
        ({"consent_store": False}, {}), ({"consent_store": "=yes"}, {}),
        ({"pain_areas": "knee_left"}, {}), ({"pain_areas": ["nowhere"]}, {}),
        ({"pain_areas": []}, {}), ({"unknown_question": "=x"}, {}),
        ({}, {"rules_version": None, "outcome": None}), ({}, {"status": "=x"}),
        ({}, {"id": "-1"}), ({}, {"reference": "+R"}), ({}, {"status": None}),
        ({}, {"form_version": "3"}), ({}, {"form_version": "=3"}), ({}, {"form_version": -1}),
        ({}, {"form_version": None}), ({}, {"form_version": True}),
        ({}, {"rules_fired": [{"level": "review"}, "CR-x"]}), ({}, {"rules_fired": []}),
        ({}, {"rules_fired": [{"id": "=CR"}]}), ({}, {"rules_fired": None}),
        ({}, {"calculated": {"age": -1, "bmi": math.nan, "nice_oa_features": False}}),
        ({}, {"calculated": {"age": "=1", "bmi": None}}), ({}, {"calculated": None}),
        ({}, {"answers": None}),
        ({}, {"submitted_at": AT.replace(tzinfo=dt.timezone(dt.timedelta(hours=1)))}),
        ({}, {"submitted_at": AT.replace(tzinfo=dt.UTC)}), ({}, {"submitted_at": "=now"}),
        ({}, {"submitted_at": None}),
    ],
)
def test_odd_values_are_written_as_the_reference_writes_them(
    form: Form, valid_answers: dict[str, Any], changes: dict[str, Any], meta: dict[str, Any]
) -> None:
    assert_written_as_reference(form, stored({**valid_answers, **changes}, **meta))


TRICKY = ["=", "+", "-", "@", "\t", "\r", "\n", ",", '"', "'", " ", "a", "1", "é", "\x1f", ";"]


def test_random_text_in_every_text_answer_is_written_as_the_reference_writes_it(
    form: Form, valid_answers: dict[str, Any]
) -> None:
    rng = random.Random(20261126)
    texts = [q.id for q in form.questions() if q.type.value in ("text", "date", "select_one")]
    for _ in range(300):
        answers = dict(valid_answers)
        for question_id in rng.sample(texts, 4):
            answers[question_id] = "".join(rng.choices(TRICKY, k=rng.randint(0, 6)))
        assert_written_as_reference(form, stored(answers))


def test_json_that_orjson_refuses_is_still_read_as_before(
    intake: Intake, engine: Engine, valid_answers: dict[str, Any]
) -> None:
    """NaN is not JSON, but `json` reads it (and a store may hold it): `nan`, as before."""
    saved = intake.submit(SubmissionStore(engine), valid_answers, "nan-key")
    with engine.begin() as conn:
        conn.execute(text("UPDATE submissions SET calculated = :c WHERE id = :id"),
                     {"c": '{"age": 64, "bmi": NaN, "nice_oa_features": true}', "id": saved.id})
    [row] = stored_rows(engine, SubmissionFilter())
    assert math.isnan(row[9]["bmi"])
    assert written(intake.form, row).endswith(",64,nan,1\r\n")
