"""Durable storage behind a small interface: SQLite by default, PostgreSQL by URL."""

from storage.db import default_url, make_engine, read, write
from storage.schema import metadata
from storage.submissions import (
    STATUSES,
    KeyConflict,
    NewSubmission,
    Saved,
    SubmissionStore,
    canonical_sha256,
    searchable,
)

__all__ = [
    "STATUSES",
    "KeyConflict",
    "NewSubmission",
    "Saved",
    "SubmissionStore",
    "canonical_sha256",
    "default_url",
    "make_engine",
    "metadata",
    "open_engine",
    "read",
    "searchable",
    "write",
]


def open_engine(url: str | None = None):  # type: ignore[no-untyped-def]
    """An engine with the schema in place (created if missing)."""
    engine = make_engine(url)
    metadata.create_all(engine)
    return engine
