"""Storing and reading submissions; idempotent on the submission key.

A submission is confirmed to the patient only after `save` returns, i.e. after COMMIT.
The same key sent twice (double click, retry) returns the first record; the same key
with different answers is refused, never stored twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, Insert, bindparam, func, insert, literal, select
from sqlalchemy.exc import DBAPIError, IntegrityError

from storage.db import driver_write, one_statement, read, write
from storage.driver_insert import DriverStatement
from storage.schema import screenings, submissions
from storage.times import aware  # also imported from here: storage.submissions.aware

REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # no 0/O, 1/I/L, U (looks like V)
STATUSES = ("new", "reviewed", "contacted", "closed")
SUBMIT_REASON = "submit"
"""`screenings.reason` of the screening done when the submission was stored."""


class KeyConflict(ValueError):
    """The submission key is already stored with different answers."""


@dataclass(frozen=True)
class NewSubmission:
    submission_key: str
    form_id: str
    form_version: int
    answers: dict[str, Any]
    calculated: dict[str, Any]
    submitted_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    language: str = "en"
    outcome: str | None = None
    rules_version: str | None = None
    rules_fired: list[dict[str, Any]] = field(default_factory=list)
    search_text: str = ""
    export_layout: str | None = None
    """The column layout `export_cells` was written for (exports.cells_cache)."""
    export_cells: str | None = None
    """The raw CSV text of the answer columns; None: the export writes them from the answers."""


@dataclass(frozen=True)
class Saved:
    id: str
    reference: str
    outcome: str | None
    duplicate: bool


def canonical_sha256(answers: Mapping[str, Any]) -> str:
    """SHA-256 of the answers as canonical JSON (sorted keys, no spaces, UTF-8)."""
    text = json.dumps(answers, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def new_reference() -> str:
    """Eight unambiguous characters shown as XXXX-XXXX (about 6.6e11 codes)."""
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"{chars[:4]}-{chars[4:]}"


def searchable(*parts: str) -> str:
    """Case- and accent-insensitive text for the clinician's search box."""
    decomposed = unicodedata.normalize("NFKD", " ".join(parts))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def choice_tokens(answers: Mapping[str, Any]) -> str:
    """' q=code q=code ' for every choice answer, so filters can use LIKE '% q=code %'."""
    tokens = []
    for key, value in answers.items():
        for code in value if isinstance(value, list) else [value]:
            if isinstance(code, str) and code.isascii() and " " not in code and len(code) <= 60:
                tokens.append(f"{key}={code}")
    return " " + " ".join(tokens) + " "


def submission_row(new: NewSubmission, digest: str | None = None,
                   reference: str | None = None) -> dict[str, Any]:
    """The submissions row for a new submission, with a fresh id and reference.

    Shared by `SubmissionStore.save` and `storage.bulk.save_many` so both store the same.
    """
    return {
        "id": str(uuid.uuid4()),
        "reference": reference or new_reference(),
        "submission_key": new.submission_key,
        "submitted_at": new.submitted_at.astimezone(dt.UTC),
        "form_id": new.form_id,
        "form_version": new.form_version,
        "language": new.language,
        "answers": new.answers,
        "calculated": new.calculated,
        "answers_sha256": digest or canonical_sha256(new.answers),
        "rules_version": new.rules_version,
        "outcome": new.outcome,
        "rules_fired": new.rules_fired,
        "status": "new",
        "search_text": new.search_text,
        "choice_tokens": choice_tokens(new.answers),
        "export_layout": new.export_layout,
        "export_cells": new.export_cells,
    }


def submit_screening_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """The screenings row recording the screening done at submit, for a submissions row."""
    return {
        "submission_id": row["id"],
        "screened_at": row["submitted_at"],
        "rules_version": row["rules_version"],
        "outcome": row["outcome"],
        "rules_fired": row["rules_fired"],
        "reason": SUBMIT_REASON,
    }


SUBMISSION_COLUMNS = tuple(c.name for c in submissions.columns)
SCREENING_COLUMNS = ("submission_id", "screened_at", "rules_version", "outcome", "rules_fired",
                     "reason")
"""The columns of `submission_row` and `submit_screening_row` (screenings.id is the database's)."""
_BY_KEY = select(
    submissions.c.id, submissions.c.reference, submissions.c.outcome, submissions.c.answers_sha256
).where(submissions.c.submission_key == bindparam("key"))


def _insert_both() -> Insert:
    """One statement storing the submission and its submit screening (PostgreSQL).

    `WITH stored AS (INSERT INTO submissions … RETURNING …) INSERT INTO screenings SELECT …`:
    one round trip to the server instead of two, with the same rows as the two inserts.
    """
    stored = (
        insert(submissions)
        .values({c.name: bindparam(c.name, type_=c.type) for c in submissions.columns})
        .returning(submissions.c.id, submissions.c.submitted_at, submissions.c.rules_version,
                   submissions.c.outcome, submissions.c.rules_fired)
        .cte("stored")
    )
    return insert(screenings).from_select(
        SCREENING_COLUMNS,
        select(stored.c.id, stored.c.submitted_at, stored.c.rules_version, stored.c.outcome,
               stored.c.rules_fired, literal(SUBMIT_REASON)),
    )


_INSERT_BOTH = _insert_both()
Row = Mapping[str, Any]


def _itself(row: Row) -> Row:
    return row


class SubmissionStore:
    def __init__(self, engine: Engine,
                 references: Callable[[], str] = new_reference) -> None:
        """`references` makes reference codes (tests pass a sequence to force a collision)."""
        self.engine = engine
        self.references = references
        dialect = engine.dialect
        self._sqlite = dialect.name == "sqlite"
        # Compiled once, values made before the transaction (storage/driver_insert.py).
        self._inserts: tuple[tuple[DriverStatement, Callable[[Row], Row]], ...] = (
            ((DriverStatement.of(_INSERT_BOTH, dialect), _itself),)
            if dialect.name == "postgresql"  # one round trip to the server, not two
            else ((DriverStatement.of(insert(submissions), dialect, SUBMISSION_COLUMNS), _itself),
                  (DriverStatement.of(insert(screenings), dialect, SCREENING_COLUMNS),
                   submit_screening_row))
        )

    def save(self, new: NewSubmission) -> Saved:
        """Insert once per key; return the stored record's id and reference.

        The insert is tried first and the key looked up only when it fails: a new
        submission (nearly every save) costs one transaction, not a read and then a write.
        """
        digest = canonical_sha256(new.answers)
        reconnected = False
        refused: IntegrityError | None = None
        for _ in range(5):  # a reference collision is astronomically rare; retry with a new one
            row = submission_row(new, digest, self.references())
            statements = [(statement.sql, statement.parameters(rows(row)))
                          for statement, rows in self._inserts]
            try:
                self._insert(statements)
            except IntegrityError as e:
                existing = self._by_key(new.submission_key)
                if existing is not None:  # a retry, a double click, or another writer first
                    return self._same_or_conflict(existing, digest)
                refused = e
                continue  # the reference was taken: try again with a new one
            except DBAPIError as e:
                if not e.connection_invalidated or reconnected:
                    raise
                reconnected = True  # the server restarted since this pooled connection's
                continue  # last use: once more on a new one (the key keeps it to one row)
            return Saved(row["id"], row["reference"], new.outcome, duplicate=False)
        raise RuntimeError("could not store the submission after 5 attempts") from refused

    def _insert(self, statements: list[tuple[str, Any]]) -> None:
        """Run the inserts in one transaction, as briefly as each database allows.

        SQLite: on the driver connection (storage.db.driver_write), since writers take turns.
        PostgreSQL: its one statement is atomic by itself, so it runs in autocommit: one
        round trip to the server instead of BEGIN, it, COMMIT.
        """
        if self._sqlite:
            with driver_write(self.engine) as execute:
                for sql, parameters in statements:
                    execute(sql, parameters)
            return
        with one_statement(self.engine) if len(statements) == 1 else write(self.engine) as conn:
            for sql, parameters in statements:
                conn.exec_driver_sql(sql, parameters)

    def _by_key(self, key: str) -> Mapping[str, Any] | None:
        with read(self.engine) as conn:
            row = conn.execute(_BY_KEY, {"key": key}).mappings().first()
        return dict(row) if row else None

    @staticmethod
    def _same_or_conflict(existing: Mapping[str, Any], digest: str) -> Saved:
        if existing["answers_sha256"] != digest:
            raise KeyConflict("this submission key is already stored with different answers")
        return Saved(existing["id"], existing["reference"], existing["outcome"], duplicate=True)

    def get(self, submission_id: str) -> dict[str, Any] | None:
        with read(self.engine) as conn:
            row = conn.execute(
                select(submissions).where(submissions.c.id == submission_id)
            ).mappings().first()
        return as_record(row) if row else None

    def count(self) -> int:
        with read(self.engine) as conn:
            return int(conn.execute(select(func.count()).select_from(submissions)).scalar_one())

    def all(self) -> Iterable[dict[str, Any]]:
        """Every submission, oldest first (small stores and tests; exports stream instead)."""
        with read(self.engine) as conn:
            query = select(submissions).order_by(submissions.c.submitted_at, submissions.c.id)
            return [as_record(row) for row in conn.execute(query).mappings()]

    def screening_history(self, submission_id: str) -> list[dict[str, Any]]:
        with read(self.engine) as conn:
            query = (
                select(screenings)
                .where(screenings.c.submission_id == submission_id)
                .order_by(screenings.c.id)
            )
            return [dict(row) for row in conn.execute(query).mappings()]


def as_record(row: Mapping[str, Any]) -> dict[str, Any]:
    """A row as a plain dict with an aware UTC submitted_at."""
    record = dict(row)
    if isinstance(record.get("submitted_at"), dt.datetime):
        record["submitted_at"] = aware(record["submitted_at"])
    return record
