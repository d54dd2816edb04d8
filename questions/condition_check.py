"""Load-time checking of a parsed condition against the form's fields, types and codes.

A condition that names an unknown question, a code that is not in the choice list, or
compares values of different types is refused when the definition is loaded, never
discovered while a patient is answering.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from questions.conditions import (
    And,
    Answered,
    Compare,
    Count,
    Has,
    InList,
    Literal,
    Name,
    Node,
    Not,
    Operand,
    Or,
    Param,
)
from questions.errors import Msg, did_you_mean

NUMERIC = {"integer", "decimal"}
ORDERED = NUMERIC | {"date"}


@dataclass(frozen=True)
class FieldSpec:
    """What a condition may know about a question or calculated field."""

    kind: str  # text, integer, decimal, date, select_one, select_multiple, boolean
    codes: tuple[str, ...] = ()


@dataclass
class Checker:
    """Collects (message, values) pairs for one condition; `field` names it in messages."""

    field: str
    fields: Mapping[str, FieldSpec]
    params: Mapping[str, Any] = field(default_factory=dict)
    later: frozenset[str] = frozenset()
    problems: list[tuple[Msg, dict[str, object]]] = field(default_factory=list)

    def add(self, msg: Msg, **values: object) -> None:
        self.problems.append((msg, {"field": self.field, **values}))

    def mismatch(self, detail: str, fix: str) -> None:
        self.add(Msg.TYPE_MISMATCH, detail=detail, fix=fix)

    def check(self, node: Node) -> list[tuple[Msg, dict[str, object]]]:
        self.node(node)
        return self.problems

    def node(self, node: Node) -> None:
        if isinstance(node, And | Or):
            for part in node.parts:
                self.node(part)
        elif isinstance(node, Not):
            self.node(node.part)
        elif isinstance(node, Answered):
            self.spec(node.name)
        elif isinstance(node, Has):
            spec = self.spec(node.name)
            if spec and spec.kind != "select_multiple":
                self.mismatch(
                    f"'has' needs a multiple-choice question, but '{node.name.id}' is {spec.kind}",
                    f"write {node.name.id} = '...' or {node.name.id} in (...)",
                )
            self.items(node.items, spec, node.name.id)
        elif isinstance(node, InList):
            spec = self.spec(node.name)
            if spec and spec.kind in ("select_multiple", "boolean"):
                self.mismatch(
                    f"'in' needs a single value, but '{node.name.id}' is {spec.kind}",
                    f"write {node.name.id} has any (...)"
                    if spec.kind == "select_multiple"
                    else f"write {node.name.id} = true",
                )
            self.items(node.items, spec, node.name.id)
        elif isinstance(node, Compare):
            self.compare(node)

    def spec(self, name: Name) -> FieldSpec | None:
        if name.id in self.later:
            self.add(Msg.LATER_QUESTION, name=name.id)
            return None
        spec = self.fields.get(name.id)
        if spec is None:
            self.add(Msg.UNKNOWN_NAME, name=name.id, suggestion=did_you_mean(name.id, self.fields))
        return spec

    def param(self, param: Param) -> Any:
        if param.name not in self.params:
            self.add(
                Msg.UNKNOWN_PARAM,
                name=param.name,
                suggestion=did_you_mean(param.name, self.params),
            )
            return None
        return self.params[param.name]

    def items(self, items: tuple[Literal, ...] | Param, spec: FieldSpec | None, name: str) -> None:
        if isinstance(items, Param):
            value = self.param(items)
            if value is None:
                return
            values = value if isinstance(value, list) else [value]
        else:
            values = [item.value for item in items]
        for value in values:
            self.value_fits(value, spec, name)

    def value_fits(self, value: Any, spec: FieldSpec | None, name: str) -> None:
        """Check one literal against the kind (and codes) of the field it is compared with."""
        if spec is None:
            return
        kind = literal_kind(value)
        if spec.kind in ("select_one", "select_multiple"):
            if kind != "text":
                self.mismatch(
                    f"'{name}' holds choice codes, but is compared with {value!r}",
                    f"quote the code, e.g. '{spec.codes[0] if spec.codes else 'code'}'",
                )
            elif value not in spec.codes:
                self.add(
                    Msg.UNKNOWN_CODE,
                    code=value,
                    where=f"'{name}'",
                    suggestion=did_you_mean(str(value), spec.codes),
                    codes=", ".join(spec.codes),
                )
        elif spec.kind == "date":
            if kind != "text" or not is_iso_date(value):
                self.mismatch(
                    f"'{name}' is a date, but is compared with {value!r}",
                    "write the date as 'YYYY-MM-DD'",
                )
        elif spec.kind in NUMERIC:
            if kind not in NUMERIC:
                self.mismatch(
                    f"'{name}' is a number, but is compared with {value!r}",
                    "compare it with a number without quotes",
                )
        elif spec.kind != kind:
            self.mismatch(
                f"'{name}' is {spec.kind}, but is compared with {value!r}",
                "compare it with true or false" if spec.kind == "boolean" else "quote the text",
            )

    def compare(self, node: Compare) -> None:
        left, right = self.side(node.left), self.side(node.right)
        if left is None or right is None:
            return
        for operand, spec in ((node.left, left), (node.right, right)):
            if spec.kind == "select_multiple":
                name = operand.id if isinstance(operand, Name) else "?"
                self.mismatch(
                    f"'{name}' is multiple choice and cannot be compared with {node.op}",
                    f"write {name} has '...' or count({name}) >= 1",
                )
                return
        if node.op not in ("=", "==", "!=") and not (left.kind in ORDERED or right.kind in ORDERED):
            self.mismatch(
                f"'{node.op}' needs numbers or dates, not {left.kind} and {right.kind}",
                "use = or != for choices and text",
            )
            return
        named = [(o, s) for o, s in ((node.left, left), (node.right, right)) if isinstance(o, Name)]
        literals = [o for o in (node.left, node.right) if isinstance(o, Literal | Param)]
        if named and literals:
            name, spec = named[0]
            for lit in literals:
                value = lit.value if isinstance(lit, Literal) else self.params.get(lit.name)
                self.value_fits(value, spec, name.id)
        elif len(named) == 2 and not compatible(left.kind, right.kind):
            self.mismatch(
                f"'{named[0][0].id}' ({left.kind}) and '{named[1][0].id}' ({right.kind}) "
                "cannot be compared",
                "compare values of the same kind",
            )

    def side(self, operand: Operand) -> FieldSpec | None:
        if isinstance(operand, Name):
            return self.spec(operand)
        if isinstance(operand, Count):
            spec = self.spec(operand.name)
            if spec and spec.kind != "select_multiple":
                self.mismatch(
                    f"count() needs a multiple-choice question, but '{operand.name.id}' is "
                    f"{spec.kind}",
                    f"use answered({operand.name.id})",
                )
            return FieldSpec("integer")
        if isinstance(operand, Param):
            value = self.param(operand)
            return None if value is None else FieldSpec(literal_kind(value))
        return FieldSpec(literal_kind(operand.value))


def literal_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "decimal"
    if isinstance(value, list):
        return "list"
    return "text"


def compatible(a: str, b: str) -> bool:
    return a == b or (a in NUMERIC and b in NUMERIC) or {a, b} <= {"text", "select_one"}


def is_iso_date(value: object) -> bool:
    try:
        dt.date.fromisoformat(str(value))
    except ValueError:
        return False
    return len(str(value)) == 10
