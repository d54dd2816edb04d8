"""SQLite's query plans of the statements some code runs: tests that a read stays on an index."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, event


def sqlite_plans(engine: Engine, call: Callable[[], Any]) -> list[str]:
    """EXPLAIN QUERY PLAN of every SELECT `call` runs on `engine`, each as one line."""
    statements: list[tuple[str, Any]] = []

    def seen(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", seen)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    with engine.connect() as conn:
        return [" / ".join(row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {s}", p))
                for s, p in statements]
