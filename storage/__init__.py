"""Durable storage behind a small interface: SQLite by default, PostgreSQL by URL."""

from storage.db import default_url, make_engine, read, write
from storage.migrate import MigrationError, ensure_current
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
    "MigrationError",
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
    """An engine whose database is at the newest schema revision (migrated if behind).

    At the newest revision this costs one SELECT; the Streamlit app calls it once per
    process (st.cache_resource), each CLI command once.
    """
    engine = make_engine(url)
    try:
        ensure_current(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine
