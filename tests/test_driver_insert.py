"""Values made ahead of the transaction (`storage.driver_insert`) are stored exactly as
`Connection.execute` stores them, on both databases."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import Engine, Text, cast, insert, select

from storage import write
from storage.driver_insert import DriverStatement
from storage.schema import submissions
from storage.submissions import _INSERT_BOTH, SUBMISSION_COLUMNS

ROW: dict[str, Any] = {
    "reference": "7KQ4-M2XD", "submission_key": "k",
    "submitted_at": dt.datetime(2026, 11, 26, 14, 3, 7, 123456, tzinfo=dt.UTC),
    "form_id": "prolotherapy_intake", "form_version": 2026112601, "language": "es",
    "answers": {"first_name": "Zoë \"=x\"", "pain_areas": ["knee_left"], "pain_average": 6,
                "bmi": 28.3, "ok": True},
    "calculated": {"age": 64, "bmi": None}, "answers_sha256": "0" * 64,
    "rules_version": None, "outcome": None, "rules_fired": None, "status": "new",
    "search_text": "zoe", "choice_tokens": " pain_areas=knee_left ",
    "export_layout": None, "export_cells": "a,\"b\"",
}


def stored_text(engine: Engine, submission_id: str) -> tuple[Any, ...]:
    """Every column as the database holds it (JSON and times as their text)."""
    columns = [cast(c, Text) if c.name != "id" else c for c in submissions.columns]
    with engine.connect() as conn:
        row = conn.execute(select(*columns).where(submissions.c.id == submission_id)).one()
    return tuple(row)[1:]


def test_driver_parameters_store_the_same_as_execute(any_engine: Engine) -> None:
    statement = DriverStatement.of(insert(submissions), any_engine.dialect, SUBMISSION_COLUMNS)
    with write(any_engine) as conn:
        conn.execute(insert(submissions), {**ROW, "id": "by-execute"})
        conn.exec_driver_sql(statement.sql, statement.parameters(
            {**ROW, "id": "by-driver", "reference": "OTHER-REF", "submission_key": "k2"}))

    by_execute, by_driver = stored_text(any_engine, "by-execute"), stored_text(any_engine,
                                                                                "by-driver")
    differing = {c.name for c, a, b in zip(list(submissions.columns)[1:], by_execute, by_driver,
                                           strict=True) if a != b}
    assert differing == {"reference", "submission_key"}
    rules_fired = [c.name for c in submissions.columns][1:].index("rules_fired")
    assert by_driver[rules_fired] == "null"  # JSON None stays JSON null, as execute stores it


def test_a_constant_of_the_statement_is_sent_with_the_row(any_engine: Engine) -> None:
    statement = DriverStatement.of(_INSERT_BOTH, any_engine.dialect)
    parameters = statement.parameters({**ROW, "id": "x"})
    assert "submit" in (parameters.values() if isinstance(parameters, dict) else parameters)


def test_columns_whose_defaults_execute_would_make_must_be_given(any_engine: Engine) -> None:
    with pytest.raises(ValueError, match="language"):  # its default "en" is Python's
        DriverStatement.of(insert(submissions), any_engine.dialect, ["id", "status"])
