"""Database tables (SQLAlchemy Core). Portable between SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

submissions = Table(
    "submissions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("reference", String(16), nullable=False, unique=True),
    Column("submission_key", String(128), nullable=False, unique=True),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
    Column("form_id", String(60), nullable=False),
    Column("form_version", Integer, nullable=False),
    Column("language", String(8), nullable=False, default="en"),
    Column("answers", JSON, nullable=False),
    Column("calculated", JSON, nullable=False),
    Column("answers_sha256", String(64), nullable=False),
    Column("rules_version", String(40)),
    Column("outcome", String(16)),
    Column("rules_fired", JSON),
    Column("status", String(16), nullable=False, default="new"),
    # Denormalised for the clinician's filters on 100,000 rows without parsing JSON:
    Column("search_text", Text, nullable=False, default=""),
    Column("choice_tokens", Text, nullable=False, default=""),
    Index("ix_submissions_submitted_at", "submitted_at"),
    Index("ix_submissions_outcome", "outcome"),
    Index("ix_submissions_status", "status"),
)

screenings = Table(
    "screenings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("submission_id", String(36), ForeignKey("submissions.id", ondelete="CASCADE"),
           nullable=False),
    Column("screened_at", DateTime(timezone=True), nullable=False),
    Column("rules_version", String(40)),
    Column("outcome", String(16)),
    Column("rules_fired", JSON),
    Column("reason", String(32), nullable=False),
    Index("ix_screenings_submission", "submission_id"),
)
"""Every screening a submission has had (at submit, then each rescreen): nothing is overwritten."""
