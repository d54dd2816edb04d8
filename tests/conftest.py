"""Fixtures shared by the test modules: the loaded definitions, a real SQLite store, answers."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import baseline
import pytest
from baseline import TODAY
from helpers.pg import BACKENDS, backend_url, fresh_database, fresh_schema, server_url
from sqlalchemy import Engine

from intake_pipeline import Intake
from questions import AnswerValidator, Form, Messages, load_form, load_messages
from storage import SubmissionStore, open_engine


@pytest.fixture(scope="session")
def form() -> Form:
    return load_form()


@pytest.fixture(scope="session")
def messages(form: Form) -> Messages:
    return load_messages(languages=form.definition.languages)


@pytest.fixture(scope="session")
def validator(form: Form) -> AnswerValidator:
    return AnswerValidator(form)


@pytest.fixture(scope="session")
def intake() -> Intake:
    return Intake.load()


@pytest.fixture
def today() -> dt.date:
    return TODAY


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """A real SQLite file in a folder make_engine has to create."""
    return f"sqlite:///{tmp_path / 'data' / 'intake.db'}"


@pytest.fixture
def app_db_url(db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """`db_url`, also the database of the app run by AppTest (INTAKE_DATABASE_URL), with the
    display settings at their defaults whatever the machine's environment says."""
    monkeypatch.setenv("INTAKE_DATABASE_URL", db_url)
    for name in ("INTAKE_SHOW_OUTCOME_MESSAGE", "INTAKE_IDLE_TIMEOUT_MINUTES"):
        monkeypatch.delenv(name, raising=False)
    return db_url


def opened(url: str) -> Iterator[Engine]:
    """An engine on `url` (migrated by open_engine), disposed after the test."""
    engine = open_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    yield from opened(db_url)


@pytest.fixture
def store(engine: Engine) -> SubmissionStore:
    return SubmissionStore(engine)


def candidate_answers() -> dict[str, Any]:
    """A typical 64-year-old with right-knee osteoarthritis and no reason for review."""
    return baseline.answers()


@pytest.fixture
def valid_answers(validator: AnswerValidator) -> dict[str, Any]:
    """A fresh copy of the candidate baseline for each test, checked valid on TODAY."""
    answers = candidate_answers()
    validator.validate(answers, today=TODAY)
    return answers


@pytest.fixture
def postgres_url() -> str:
    url = os.environ.get("INTAKE_TEST_POSTGRES_URL", "").strip()
    if not url:
        if os.environ.get("INTAKE_REQUIRE_POSTGRES") == "1":
            pytest.fail("INTAKE_REQUIRE_POSTGRES=1 but INTAKE_TEST_POSTGRES_URL is not set")
        pytest.skip("PostgreSQL tests need INTAKE_TEST_POSTGRES_URL (CI sets it)")
    return url


@pytest.fixture
def pg_engine(postgres_url: str) -> Iterator[Engine]:
    """An engine on a fresh schema of the test database (migrated), dropped afterwards."""
    with fresh_schema(postgres_url, "test") as url:
        yield from opened(url)


@pytest.fixture(scope="module")
def pg_database(request: pytest.FixtureRequest) -> Iterator[str]:
    """A PostgreSQL database of the test module's own, dropped after it (the audit log
    cannot be emptied, so modules never share one)."""
    name = "intake_test_" + request.module.__name__.rpartition(".")[2].removeprefix("test_")
    with fresh_database(server_url(), name) as url:
        yield url


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A real SQLite file, then a fresh schema of `pg_database`: each test runs on both."""
    with backend_url(request, tmp_path) as url:
        yield url


@pytest.fixture
def any_engine(url: str) -> Iterator[Engine]:
    """An engine on `url`: a real SQLite file, then a fresh PostgreSQL schema."""
    yield from opened(url)
