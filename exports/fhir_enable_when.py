"""Relevance conditions as FHIR R4 `enableWhen` + `enableBehavior`, where exactly expressible.

An item has one flat list of enableWhen and one behaviour (all / any), so a condition is
expressible when it is a single test, an `and` of tests (behaviour all) or an `or` of
tests (behaviour any); an `and` holding an `or` (or the reverse) is not. Neither are
`count(...)`, `$param`s or comparisons between two questions. The questionnaire then
has no enableWhen for the item (a renderer shows it always) and the original condition is
kept verbatim in an extension (see `exports.fhir`).

Unanswered questions are handled exactly. In FHIR `!=` means "no answer equals", which is
true for an unanswered question, while the questionnaire's `x != 'a'` is false until x is
answered; so:

    answered(x)            exists true                 not answered(x)   exists false
    x = 'a'                x = a                       not (x = 'a')      x != a
    x != 'a'               all: exists true, x != a    not (x != 'a')     any: exists false, x = a
    n < 5                  n < 5                       not (n < 5)        any: exists false, n >= 5
    x in ('a', 'b')        any: x = a, x = b           not (x in …)       all: x != a, x != b
    m has 'a'              m = a                       not (m has 'a')    m != a
    m has any ('a', 'b')   any: m = a, m = b           not (…)            all: m != a, m != b
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from exports.logic import name_first, push_not
from questions.conditions import (
    NEGATE_OP,
    And,
    Answered,
    Compare,
    Has,
    InList,
    Literal,
    Name,
    Node,
    Not,
    Or,
)
from questions.form import Form

FHIR_OP = {"=": "=", "==": "=", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
ORDERED = {"integer", "decimal", "date"}

Coding = Callable[[str, str], dict[str, Any]]
"""(question id, code) → a FHIR Coding (system and code) for answerCoding."""


class Untranslatable(Exception):
    """This part of a condition has no enableWhen equivalent."""


@dataclass(frozen=True)
class Gate:
    """enableWhen entries and how they combine; behaviour is None for a single entry."""

    behavior: str | None
    conditions: tuple[dict[str, Any], ...]

    @classmethod
    def of(cls, behavior: str, conditions: list[dict[str, Any]]) -> Gate:
        return cls(behavior if len(conditions) > 1 else None, tuple(conditions))


def enable_when(node: Node, form: Form, coding: Coding) -> Gate | None:
    """The enableWhen gate of a relevance condition, or None when it cannot be expressed."""
    try:
        return _Translator(form, coding).gate(push_not(node))
    except Untranslatable:
        return None


class _Translator:
    def __init__(self, form: Form, coding: Coding) -> None:
        self.form = form
        self.coding = coding

    def gate(self, node: Node) -> Gate:
        if isinstance(node, And | Or):
            behavior = "all" if isinstance(node, And) else "any"
            conditions: list[dict[str, Any]] = []
            for part in node.parts:
                inner = self.gate(part)
                if inner.behavior not in (None, behavior):
                    raise Untranslatable("and/or mixed")
                conditions += inner.conditions
            return Gate.of(behavior, conditions)
        negated = isinstance(node, Not)
        atom = node.part if isinstance(node, Not) else node
        if isinstance(atom, Answered):
            return Gate.of("all", [self.exists(atom.name, not negated)])
        if isinstance(atom, Compare):
            return self.compare(name_first(atom), negated)
        if isinstance(atom, InList):
            return self.in_list(atom, negated)
        if isinstance(atom, Has):
            return self.has(atom, negated)
        raise Untranslatable(type(atom).__name__)

    def kind(self, name: Name) -> str:
        spec = self.form.fields.get(name.id)
        if spec is None:
            raise Untranslatable(f"unknown field {name.id}")
        return spec.kind

    @staticmethod
    def exists(name: Name, answered: bool) -> dict[str, Any]:
        return {"question": name.id, "operator": "exists", "answerBoolean": answered}

    def test(self, name: Name, op: str, value: Any) -> dict[str, Any]:
        kind = self.kind(name)
        if FHIR_OP[op] not in ("=", "!=") and kind not in ORDERED:
            raise Untranslatable(f"ordering on a {kind} field")
        entry: dict[str, Any] = {"question": name.id, "operator": FHIR_OP[op]}
        if kind in ("select_one", "select_multiple") and isinstance(value, str):
            entry["answerCoding"] = self.coding(name.id, value)
        elif kind == "boolean" and isinstance(value, bool):
            entry["answerBoolean"] = value
        elif kind == "integer" and isinstance(value, int) and not isinstance(value, bool):
            entry["answerInteger"] = value
        elif kind == "decimal" and isinstance(value, int | float) and not isinstance(value, bool):
            entry["answerDecimal"] = value
        elif kind == "date" and isinstance(value, str):
            entry["answerDate"] = value
        elif kind == "text" and isinstance(value, str):
            entry["answerString"] = value
        else:
            raise Untranslatable(f"{value!r} for a {kind} field")
        return entry

    def compare(self, node: Compare, negated: bool) -> Gate:
        if not isinstance(node.left, Name) or not isinstance(node.right, Literal):
            raise Untranslatable("only a question compared with a value")
        name, op, value = node.left, node.op, node.right.value
        if FHIR_OP[op] == "=":
            return Gate.of("all", [self.test(name, "!=" if negated else "=", value)])
        if not negated and FHIR_OP[op] != "!=":  # FHIR ordering is false when unanswered too
            return Gate.of("all", [self.test(name, op, value)])
        if not negated:  # FHIR != holds for an unanswered question; ours does not
            return Gate.of("all", [self.exists(name, True), self.test(name, op, value)])
        return Gate.of("any", [self.exists(name, False), self.test(name, NEGATE_OP[op], value)])

    def in_list(self, node: InList, negated: bool) -> Gate:
        if not isinstance(node.items, tuple):
            raise Untranslatable("a list given as a parameter")
        values = [item.value for item in node.items]
        if not node.negated and not negated:  # x in (…)
            return Gate.of("any", [self.test(node.name, "=", v) for v in values])
        if node.negated and not negated:  # x not in (…): false while unanswered
            tests = [self.test(node.name, "!=", v) for v in values]
            return Gate.of("all", [self.exists(node.name, True), *tests])
        if not node.negated:  # not (x in (…))
            return Gate.of("all", [self.test(node.name, "!=", v) for v in values])
        tests = [self.test(node.name, "=", v) for v in values]  # not (x not in (…))
        return Gate.of("any", [self.exists(node.name, False), *tests])

    def has(self, node: Has, negated: bool) -> Gate:
        if not isinstance(node.items, tuple):
            raise Untranslatable("a list given as a parameter")
        op = "!=" if negated else "="
        behavior = "any" if node.any_of != negated else "all"
        return Gate.of(behavior, [self.test(node.name, op, item.value) for item in node.items])
