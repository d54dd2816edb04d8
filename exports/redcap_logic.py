"""Relevance conditions written in REDCap branching-logic syntax, where expressible.

    x = 'code'                 [x] = 'code'          (x != 'code' → [x] <> 'code')
    n >= 2                     [n] >= 2              (numbers unquoted)
    multi has 'c'              [multi(c)] = '1'      (not has → [multi(c)] = '0')
    multi has any ('a', 'b')   ([multi(a)] = '1' or [multi(b)] = '1')
    x in ('a', 'b')            ([x] = 'a' or [x] = 'b')
    count(multi) >= 2          sum([multi(a)], [multi(b)], …) >= 2
    answered(x)                [x] <> ''             (a multi: sum(…) > 0)
    and / or                   and / or, nested groups in parentheses
    not (…)                    REDCap has no `not`: pushed down to the atoms and negated
    checkbox = true            [x] = '1'             (the dictionary makes it a yesno field)

Not expressible (None is returned, and the dictionary keeps the original condition in the
Field Annotation): `$param` references, ordering (<, >) on text or dates, and quotes of
both kinds inside one literal.

One difference is accepted: REDCap compares a blank field as an empty string, so
`[x] <> 'code'` holds while x is still blank, where the questionnaire's `x != 'code'` is
false until x is answered. It only matters before x is answered, and keeps the logic in
the form REDCap users write by hand.
"""

from __future__ import annotations

from exports.logic import name_first, push_not
from questions.conditions import (
    NEGATE_OP,
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
    Or,
)
from questions.form import Form

OPERATORS = {"=": "=", "==": "=", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
NUMERIC = {"integer", "decimal"}


class Untranslatable(Exception):
    """This part of a condition has no REDCap equivalent."""


def redcap_logic(node: Node, form: Form) -> str | None:
    """The condition in REDCap syntax, or None when some part cannot be expressed."""
    try:
        return _Writer(form).expr(push_not(node), top=True)
    except Untranslatable:
        return None


def quote(text: str) -> str:
    if "'" not in text:
        return f"'{text}'"
    if '"' not in text:
        return f'"{text}"'
    raise Untranslatable("a literal with both kinds of quotes")


class _Writer:
    def __init__(self, form: Form) -> None:
        self.form = form

    def kind(self, name: Name) -> str:
        spec = self.form.fields.get(name.id)
        if spec is None:
            raise Untranslatable(f"unknown field {name.id}")
        return spec.kind

    def expr(self, node: Node, top: bool = False) -> str:
        if isinstance(node, And | Or):
            joiner = " and " if isinstance(node, And) else " or "
            text = joiner.join(self.expr(part) for part in node.parts)
            return text if top else f"({text})"
        negated = isinstance(node, Not)
        atom = node.part if isinstance(node, Not) else node
        if isinstance(atom, Compare):
            return self.compare(name_first(atom), negated)
        if isinstance(atom, InList):
            return self.in_list(atom, atom.negated != negated)
        if isinstance(atom, Has):
            return self.has(atom, negated)
        if isinstance(atom, Answered):
            return self.answered(atom.name, negated)
        raise Untranslatable(type(atom).__name__)

    def compare(self, node: Compare, negated: bool) -> str:
        op = NEGATE_OP[node.op] if negated else node.op
        left, right = node.left, node.right
        if isinstance(left, Count):
            if not isinstance(right, Literal) or self.kind(left.name) != "select_multiple":
                raise Untranslatable("count compared with a non-number")
            return f"{self.sum(left.name)} {OPERATORS[op]} {right.value}"
        if not isinstance(left, Name):
            raise Untranslatable("no field in the comparison")
        kind = self.kind(left)
        if op not in ("=", "==", "!=") and kind not in NUMERIC:
            raise Untranslatable(f"ordering on a {kind} field")
        if isinstance(right, Name) and self.kind(right) == kind:
            return f"[{left.id}] {OPERATORS[op]} [{right.id}]"
        if not isinstance(right, Literal):
            raise Untranslatable("comparison with a parameter or a count")
        return f"[{left.id}] {OPERATORS[op]} {self.value(right.value, kind)}"

    @staticmethod
    def value(value: object, kind: str) -> str:
        if isinstance(value, bool):
            return "'1'" if value else "'0'"
        if kind in NUMERIC and isinstance(value, int | float):
            return str(value)
        return quote(str(value))

    def in_list(self, node: InList, negated: bool) -> str:
        if not isinstance(node.items, tuple):
            raise Untranslatable("a list given as a parameter")
        op, joiner = ("!=", " and ") if negated else ("=", " or ")
        kind = self.kind(node.name)
        field = f"[{node.name.id}] {OPERATORS[op]}"
        parts = [f"{field} {self.value(item.value, kind)}" for item in node.items]
        return parts[0] if len(parts) == 1 else "(" + joiner.join(parts) + ")"

    def has(self, node: Has, negated: bool) -> str:
        if not isinstance(node.items, tuple):
            raise Untranslatable("a list given as a parameter")
        # has any: one ticked; has all: every one ticked. Negation swaps and/or (De Morgan).
        joiner = " or " if node.any_of != negated else " and "
        mark = "'0'" if negated else "'1'"
        parts = [f"[{node.name.id}({item.value})] = {mark}" for item in node.items]
        return parts[0] if len(parts) == 1 else "(" + joiner.join(parts) + ")"

    def answered(self, name: Name, negated: bool) -> str:
        if self.kind(name) == "select_multiple":
            return f"{self.sum(name)} {'=' if negated else '>'} 0"
        return f"[{name.id}] {'=' if negated else '<>'} ''"

    def sum(self, name: Name) -> str:
        """How many codes of a select_multiple are ticked (REDCap checkbox values are 1/0)."""
        question = self.form.question(name.id)
        ticks = ", ".join(f"[{name.id}({c.code})]" for c in self.form.choices(question))
        return f"sum({ticks})"
