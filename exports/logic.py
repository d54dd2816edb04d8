"""Helpers shared by the translations of conditions to REDCap and to FHIR enableWhen.

Both targets lack a general `not`, so negation is first pushed down to the atoms
(De Morgan); each translator then handles `Not(atom)` with its own exact equivalent or
declares it inexpressible.
"""

from __future__ import annotations

from questions.conditions import And, Compare, Literal, Node, Not, Operand, Or

FLIP = {"=": "=", "==": "=", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
"""The operator seen from the other side: `3 < x` is `x > 3`."""


def push_not(node: Node, negate: bool = False) -> Node:
    """The same condition with `Not` only directly above atoms (and no double negation)."""
    if isinstance(node, Not):
        return push_not(node.part, not negate)
    if isinstance(node, And | Or):
        parts = tuple(push_not(part, negate) for part in node.parts)
        if not negate:
            return type(node)(parts)
        return Or(parts) if isinstance(node, And) else And(parts)
    return Not(node) if negate else node


def name_first(node: Compare) -> Compare:
    """`3 < x` as `x > 3`, so translators see the field on the left when there is one."""
    if isinstance(node.left, Literal) and not isinstance(node.right, Literal):
        return Compare(node.right, FLIP[node.op], node.left)
    return node


def literal_value(operand: Operand) -> object:
    return operand.value if isinstance(operand, Literal) else None
