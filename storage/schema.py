"""Database tables (SQLAlchemy Core). Portable between SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import (
    DDL,
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
    event,
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
    # The raw CSV text of the answer columns, written at submit (exports.cells_cache,
    # revision 0004), and the column layout it was written for; NULL before.
    Column("export_layout", String(16)),
    Column("export_cells", Text),
    Index("ix_submissions_submitted_at", "submitted_at"),
    Index("ix_submissions_status", "status"),
    # The dashboard's first render (revision 0003): the outcome/status counts read only
    # the first index, and each outcome's newest rows are the start of the second.
    Index("ix_submissions_outcome_status", "outcome", "status"),
    Index("ix_submissions_outcome_submitted_at", "outcome", "submitted_at"),
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

# ---- Clinician area (issue 4): accounts, login failures, audit log, status history. ----

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("disabled_at", DateTime(timezone=True)),
)
"""Clinician accounts; `password_hash` is an argon2id PHC string, `disabled_at` NULL = active."""

login_failures = Table(
    "login_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username_key", String(64), nullable=False),
    Column("failed_at", DateTime(timezone=True), nullable=False),
    Column("locked_until", DateTime(timezone=True)),
    Index("ix_login_failures_key_at", "username_key", "failed_at"),
)
"""Failed logins per account (SHA-256 of the typed name, so a password typed into the name
field is never stored); the failure that starts a lockout carries `locked_until`."""

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("username", String(64), nullable=False),
    Column("action", String(32), nullable=False),
    Column("record_ids", JSON, nullable=False),
    Column("record_count", Integer),
    Column("detail", Text, nullable=False, default=""),
    Index("ix_audit_log_at", "at"),
)
"""Append-only (see storage.audit): who did what to which records, when (UTC)."""

status_history = Table(
    "status_history",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("submission_id", String(36), ForeignKey("submissions.id", ondelete="CASCADE"),
           nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
    Column("username", String(64), nullable=False),
    Column("from_status", String(16), nullable=False),
    Column("to_status", String(16), nullable=False),
    Column("note", Text, nullable=False, default=""),
    Index("ix_status_history_submission", "submission_id"),
)
"""Every status change of a submission: who, when, from, to and an optional note."""


_REFUSE_CHANGE = "audit_log is append-only"
for _ddl in (
    f"CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    f"BEGIN SELECT RAISE(ABORT, '{_REFUSE_CHANGE}'); END",
    f"CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    f"BEGIN SELECT RAISE(ABORT, '{_REFUSE_CHANGE}'); END",
):
    event.listen(audit_log, "after_create", DDL(_ddl).execute_if(dialect="sqlite"))
for _ddl in (
    "CREATE OR REPLACE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql "
    f"AS $$ BEGIN RAISE EXCEPTION '{_REFUSE_CHANGE}'; END $$",
    "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change()",
):
    event.listen(audit_log, "after_create", DDL(_ddl).execute_if(dialect="postgresql"))
"""The database itself refuses UPDATE and DELETE on the audit log, not only our API."""

# ---- Durability (issue 6): unfinished questionnaires a patient can resume. ----

drafts = Table(
    "drafts",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("answers", JSON, nullable=False),
    Column("step", Integer, nullable=False, default=0),
    Column("language", String(8), nullable=False, default="en"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Index("ix_drafts_expires_at", "expires_at"),
)
"""In-progress answers keyed by the SHA-256 of the resume token in the patient's URL (the
token itself is never stored). Never listed or exported as submissions; deleted on submit."""
