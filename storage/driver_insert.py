"""A statement whose values are made before the write transaction starts (submits).

A submit holds a lock from the start of its transaction to COMMIT (SQLite's one write
lock; on PostgreSQL the row and index locks, and the server's CPU shared with the app on a
small host), so whatever runs in between is paid again by every writer waiting. Through
`Connection.execute` that included looking the compiled statement up and turning each
value into what the driver sends (JSON text, the datetime format), about as long as the
insert itself. Here both are done ahead: the SQL is compiled by SQLAlchemy once, and each
value is made by its own bound type's processor (`TypeEngine.dialect_impl(dialect)
.bind_processor`), the very functions `execute` calls, so the stored bytes are the same;
only `exec_driver_sql` runs inside the transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Dialect
from sqlalchemy.sql.expression import Executable

Processor = Callable[[Any], Any] | None


@dataclass(frozen=True)
class Field:
    """One parameter: its name in the SQL, where its value comes from, how it is made."""

    name: str
    key: str | None
    """The row's key holding the value; None for a constant of the statement."""
    constant: Any
    process: Processor


@dataclass(frozen=True)
class DriverStatement:
    """A compiled statement as driver SQL, and how a row's values become its parameters."""

    sql: str
    fields: tuple[Field, ...]
    """In the order of a positional driver's parameters."""
    positional: bool

    @classmethod
    def of(cls, statement: Executable, dialect: Dialect,
           columns: Sequence[str] | None = None) -> DriverStatement:
        """`statement` compiled for `dialect`; `columns` limits an INSERT to those columns."""
        compiled = statement.compile(dialect=dialect,  # type: ignore[attr-defined]
                                     column_keys=list(columns) if columns else None)
        if compiled.insert_prefetch or compiled.update_prefetch:  # made by execute alone
            missing = [c.name for c in [*compiled.insert_prefetch, *compiled.update_prefetch]]
            raise ValueError(f"give a value for every column with a Python default: {missing}")
        binds = {name: bind for bind, name in compiled.bind_names.items()}
        names = compiled.positiontup if compiled.positional else list(binds)
        fields = tuple(
            Field(name, binds[name].key if binds[name].required else None, binds[name].value,
                  binds[name].type.dialect_impl(dialect).bind_processor(dialect))
            for name in names or ()
        )
        return cls(str(compiled), fields, compiled.positional)

    def parameters(self, row: Mapping[str, Any]) -> tuple[Any, ...] | dict[str, Any]:
        """The row's values as the driver receives them (a tuple or a dict, as it takes)."""
        values = []
        for field in self.fields:
            value = field.constant if field.key is None else row[field.key]
            values.append(value if field.process is None else field.process(value))  # None
            # too: a JSON column's None is stored as 'null', as `execute` stores it
        if self.positional:
            return tuple(values)
        return {field.name: value for field, value in zip(self.fields, values, strict=True)}
