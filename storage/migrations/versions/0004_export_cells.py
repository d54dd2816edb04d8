"""Cached export cells: the raw CSV text of each submission's answer columns, written at
submit, and the column layout it was written for (exports.cells_cache).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26

Both columns are NULL for submissions stored before: the export writes those from their
answers, as before, until `intake refresh-exports` caches them. A column already there
is kept: a database made by `create_all` before migrations existed is stamped at 0002
(storage.migrate) and may already have the columns of storage/schema.py.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


NEW_COLUMNS = (("export_layout", sa.String(16)), ("export_cells", sa.Text()))


def upgrade() -> None:
    present = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("submissions")}
    for name, kind in NEW_COLUMNS:
        if name not in present:
            op.add_column("submissions", sa.Column(name, kind))


def downgrade() -> None:  # SQLite drops a column by copying the table (batch mode)
    with op.batch_alter_table("submissions") as batch:
        batch.drop_column("export_cells")
        batch.drop_column("export_layout")
