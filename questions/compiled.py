"""A condition ready to run: parsed, checked and compiled once, able to explain itself."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from questions.condition_check import Checker, FieldSpec
from questions.condition_eval import Compiler, Predicate, explain
from questions.condition_parser import parse
from questions.conditions import (
    And,
    Answered,
    Compare,
    ConditionSyntaxError,
    Count,
    Has,
    InList,
    Name,
    Node,
    Not,
    Or,
    Values,
)
from questions.errors import Msg


@dataclass(frozen=True)
class Condition:
    source: str
    node: Node
    compiler: Compiler = field(repr=False)
    predicate: Predicate = field(repr=False)

    def __call__(self, values: Values) -> bool:
        return self.predicate(values)

    @property
    def names(self) -> frozenset[str]:
        """Question and calculated ids the condition reads."""
        return frozenset(_names(self.node))

    def explain(self, values: Values) -> list[str]:
        """Why the condition holds for these values (see `condition_eval.explain`)."""
        return explain(self.node, values, self.compiler)


def compile_condition(
    source: str,
    fields: Mapping[str, FieldSpec],
    *,
    where: str = "relevant",
    params: Mapping[str, Any] | None = None,
    later: frozenset[str] = frozenset(),
) -> tuple[Condition | None, list[tuple[Msg, dict[str, object]]]]:
    """Parse, check and compile; on problems return (None, problems) for the caller to place."""
    params = params or {}
    try:
        node = parse(source)
    except ConditionSyntaxError as e:
        return None, [
            (
                Msg.CONDITION_SYNTAX,
                {"field": where, "detail": e.message, "position": e.position, "source": source},
            )
        ]
    problems = Checker(where, fields, params, later).check(node)
    if problems:
        return None, problems
    compiler = Compiler(fields, params)
    return Condition(source, node, compiler, compiler.predicate(node)), []


def _names(node: object) -> set[str]:
    if isinstance(node, Name):
        return {node.id}
    if isinstance(node, Count | Answered):
        return {node.name.id}
    if isinstance(node, Has | InList):
        return {node.name.id}
    if isinstance(node, Compare):
        return _names(node.left) | _names(node.right)
    if isinstance(node, And | Or):
        return set().union(*(_names(p) for p in node.parts))
    if isinstance(node, Not):
        return _names(node.part)
    return set()
