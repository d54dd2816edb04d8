"""Compile checked conditions to closures, and explain why one holds.

Compilation happens once at load time; evaluating is a chain of Python calls with no
parsing, so relevance and screening stay cheap on every Streamlit rerun.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Mapping
from typing import Any

from questions.condition_check import FieldSpec
from questions.conditions import (
    NEGATE_OP,
    OPS,
    SHOW_OP,
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
    Values,
)

Predicate = Callable[[Values], bool]
Getter = Callable[[Values], Any]


class Compiler:
    """Turns a syntax tree into a predicate; literals compared with dates become dates.

    Every rule runs on every submission (27 rules × 100,000 on a rescreen), so the closures
    are shaped for speed: two- and three-part `and`/`or` are a single expression, a name
    compared with a constant reads the answer inline, and each node's predicate is built
    once and reused by `explain`.
    """

    def __init__(self, fields: Mapping[str, FieldSpec], params: Mapping[str, Any]) -> None:
        self.fields = fields
        self.params = params
        self._built: dict[int, tuple[Node, Predicate]] = {}

    def predicate(self, node: Node) -> Predicate:
        """The predicate of `node`, built on first use (keyed by identity: nodes are kept)."""
        built = self._built.get(id(node))
        if built is None or built[0] is not node:
            built = (node, self._build(node))
            self._built[id(node)] = built
        return built[1]

    def _build(self, node: Node) -> Predicate:
        if isinstance(node, And | Or):
            return _joined([self.predicate(p) for p in node.parts], isinstance(node, And))
        if isinstance(node, Not):
            inner = self.predicate(node.part)
            return lambda v: not inner(v)
        if isinstance(node, Answered):
            key = node.name.id
            return lambda v: is_answered(v.get(key))
        if isinstance(node, Has):
            key, wanted = node.name.id, frozenset(self.items(node.items, node.name))
            if node.any_of:
                return lambda v: bool(v.get(key)) and not wanted.isdisjoint(v[key])
            return lambda v: bool(v.get(key)) and wanted.issubset(v[key])
        if isinstance(node, InList):
            key, allowed = node.name.id, frozenset(self.items(node.items, node.name))
            if node.negated:
                return lambda v: v.get(key) is not None and v[key] not in allowed
            return lambda v: v.get(key) is not None and v[key] in allowed
        return self.compare(node)

    def compare(self, node: Compare) -> Predicate:
        date_side = any(
            isinstance(o, Name) and self.fields.get(o.id, FieldSpec("")).kind == "date"
            for o in (node.left, node.right)
        )
        op = OPS[node.op]
        if isinstance(node.left, Name) and isinstance(node.right, Literal | Param):
            constant = self.getter(node.right, date_side)({})
            if constant is not None:
                return _name_against(node.left.id, op, constant)
        left = self.getter(node.left, date_side)
        right = self.getter(node.right, date_side)

        def check(v: Values) -> bool:
            a, b = left(v), right(v)
            return a is not None and b is not None and op(a, b)

        return check

    def getter(self, operand: Operand, as_date: bool = False) -> Getter:
        if isinstance(operand, Name):
            key = operand.id
            return lambda v: v.get(key)
        if isinstance(operand, Count):
            key = operand.name.id
            return lambda v: len(v.get(key) or ())
        value = self.params[operand.name] if isinstance(operand, Param) else operand.value
        if as_date and isinstance(value, str):
            value = dt.date.fromisoformat(value)
        return lambda v: value

    def items(self, items: tuple[Literal, ...] | Param, name: Name) -> list[Any]:
        if isinstance(items, Param):
            value = self.params[items.name]
            return list(value) if isinstance(value, list) else [value]
        return [item.value for item in items]


def _joined(parts: list[Predicate], every: bool) -> Predicate:
    """`and` (every=True) or `or` of the parts, short-circuiting like Python's operators."""
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2:
        a, b = parts
        return (lambda v: a(v) and b(v)) if every else (lambda v: a(v) or b(v))
    if len(parts) == 3:
        a, b, c = parts
        return (lambda v: a(v) and b(v) and c(v)) if every else (lambda v: a(v) or b(v) or c(v))
    head = parts[0]
    rest = _joined(parts[1:], every)
    return (lambda v: head(v) and rest(v)) if every else (lambda v: head(v) or rest(v))


def _name_against(key: str, op: Callable[[Any, Any], bool], constant: Any) -> Predicate:
    """An answer compared with a constant; false when the question is unanswered."""
    if op is operator.eq:  # None == constant is already False
        return lambda v: v.get(key) == constant

    def check(v: Values) -> bool:
        a = v.get(key)
        return a is not None and op(a, constant)

    return check


def is_answered(value: Any) -> bool:
    """Unanswered means missing, None, an empty string or an empty list."""
    return value is not None and value != "" and value != []


def explain(node: Node, values: Values, compiler: Compiler, holds: bool = True) -> list[str]:
    """Facts, in the patient's own values, that make `node` evaluate to `holds`.

    Example: ["age 64 ≥ 55", "injury_recent = yes", "pain_areas includes knee_right"].
    """
    if isinstance(node, Not):
        return explain(node.part, values, compiler, not holds)
    if isinstance(node, And | Or):
        every_part = isinstance(node, And) == holds  # all parts share the outcome
        out: list[str] = []
        for part in node.parts:
            if every_part or bool(compiler.predicate(part)(values)) == holds:
                out.extend(explain(part, values, compiler, holds))
        return out
    return [_describe(node, values, compiler, holds)]


def _describe(node: Node, values: Values, compiler: Compiler, holds: bool) -> str:
    if isinstance(node, Answered):
        kind = compiler.fields.get(node.name.id, FieldSpec("")).kind
        if holds and kind in ("select_one", "select_multiple"):  # codes, never free text
            return f"{node.name.id} = {_show(values.get(node.name.id))}"
        return f"{node.name.id} {'answered' if holds else 'not answered'}"
    if isinstance(node, Has):
        items = compiler.items(node.items, node.name)
        picked = [c for c in values.get(node.name.id) or () if c in items]
        if holds:
            return f"{node.name.id} includes {', '.join(picked)}"
        return f"{node.name.id} does not include {' or '.join(map(str, items))}"
    if isinstance(node, InList):
        value = values.get(node.name.id)
        if value is None:
            return f"{node.name.id} not answered"
        return f"{node.name.id} = {_show(value)}"
    if isinstance(node, Compare):
        op = node.op if holds else NEGATE_OP[node.op]
        if isinstance(node.left, Name) and isinstance(node.right, Literal | Param):
            value = values.get(node.left.id)
            if value is None:
                return f"{node.left.id} not answered"
            if SHOW_OP[op] == "=":
                return f"{node.left.id} = {_show(value)}"
            if SHOW_OP[op] == "≠":
                wanted = _operand_text(node.right, values, compiler.params)
                return f"{node.left.id} = {_show(value)} (≠ {wanted})"
        left = _operand_text(node.left, values, compiler.params)
        right = _operand_text(node.right, values, compiler.params)
        return f"{left} {SHOW_OP[op]} {right}"
    raise TypeError(f"cannot describe {node!r}")  # pragma: no cover


def _operand_text(operand: Operand, values: Values, params: Mapping[str, Any]) -> str:
    if isinstance(operand, Name):
        value = values.get(operand.id)
        return f"{operand.id} {'not answered' if value is None else _show(value)}"
    if isinstance(operand, Count):
        return f"{operand.name.id} count {len(values.get(operand.name.id) or ())}"
    if isinstance(operand, Param):
        return _show(params.get(operand.name))
    return _show(operand.value)


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value))
    return str(value)
