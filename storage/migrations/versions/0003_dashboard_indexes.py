"""Dashboard indexes: (outcome, status) for the counts, (outcome, submitted_at) for the
urgent-first page, read one outcome at a time. ix_submissions_outcome goes: it is the
left part of both, so it only cost writes.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26

IF [NOT] EXISTS because a database made by `create_all` before migrations existed is
stamped at 0002 (storage.migrate) and may already have the indexes of storage/schema.py.
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

NEW_INDEXES = {
    "ix_submissions_outcome_status": ["outcome", "status"],
    "ix_submissions_outcome_submitted_at": ["outcome", "submitted_at"],
}


def upgrade() -> None:
    for name, columns in NEW_INDEXES.items():
        op.create_index(name, "submissions", columns, if_not_exists=True)
    op.drop_index("ix_submissions_outcome", "submissions", if_exists=True)


def downgrade() -> None:
    op.create_index("ix_submissions_outcome", "submissions", ["outcome"], if_not_exists=True)
    for name in NEW_INDEXES:
        op.drop_index(name, "submissions", if_exists=True)
