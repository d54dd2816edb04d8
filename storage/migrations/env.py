"""Alembic environment: migrates the connection that storage.migrate hands in.

There is no alembic.ini: `storage.migrate.upgrade` (used by `intake migrate` and at start
by `storage.open_engine`) builds the configuration in code, opens the transaction, takes
the migration lock and passes the connection in `config.attributes["connection"]`.
"""

from __future__ import annotations

from alembic import context

from storage.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "run migrations with `intake migrate` or storage.migrate.upgrade(url); "
        "they pass the database connection in (there is no alembic.ini)"
    )
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying
)
with context.begin_transaction():  # a no-op: the caller's transaction holds the lock
    context.run_migrations()
