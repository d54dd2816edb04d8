"""The condition language of relevance, calculated fields and screening rules.

A small, safe expression language, parsed once at load time and compiled to closures;
nothing is ever passed to `eval`. Grammar (keywords are lower case)::

    condition  := or_expr
    or_expr    := and_expr ("or" and_expr)*
    and_expr   := not_expr ("and" not_expr)*
    not_expr   := "not" not_expr | "(" or_expr ")" | atom
    atom       := value OP value                    OP: = != < <= > >=
                | NAME ["not"] "in" list             value in a list
                | NAME "has" ["any"] (literal|list)  select_multiple contains code(s)
                | "answered" "(" NAME ")"
    value      := NAME | literal | "count" "(" NAME ")" | "$" PARAM
    list       := "(" literal ("," literal)* ")" | "$" PARAM
    literal    := 'text' | "text" | 12 | 4.5 | true | false

NAME is a question id or a calculated field id; `$PARAM` is a named parameter of a rule.
A comparison, `in` or `has` on an unanswered value is false (so a hidden question never
makes a condition true through a stale value); `count` of an unanswered question is 0.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Values = Mapping[str, Any]

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<number>-?\d+(?:\.\d+)?)
    | (?P<string>'[^']*'|"[^"]*")
    | (?P<op><=|>=|!=|==|=|<|>)
    | (?P<punct>[(),])
    | (?P<param>\$[A-Za-z_][A-Za-z0-9_]*)
    | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
    )""",
    re.VERBOSE,
)
KEYWORDS = {"and", "or", "not", "in", "has", "any", "answered", "count", "true", "false"}
OPS: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
SHOW_OP = {"=": "=", "==": "=", "!=": "≠", "<": "<", "<=": "≤", ">": ">", ">=": "≥"}
NEGATE_OP = {"=": "!=", "==": "!=", "!=": "=", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}


class ConditionSyntaxError(ValueError):
    """A condition that cannot be parsed; `position` is the character offset."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    position: int


def tokenize(source: str) -> list[Token]:
    """Split a condition into tokens, refusing any character outside the grammar."""
    tokens: list[Token] = []
    pos = 0
    while pos < len(source):
        if source[pos:].strip() == "":
            break
        match = _TOKEN.match(source, pos)
        if not match or match.end() == pos:
            start = pos + (len(source[pos:]) - len(source[pos:].lstrip()))
            raise ConditionSyntaxError(f"unexpected character {source[start]!r}", start)
        kind = match.lastgroup or ""
        text = match.group(kind)
        start = match.start(kind)
        if kind == "word" and text in KEYWORDS:
            kind = "keyword"
        tokens.append(Token(kind, text, start))
        pos = match.end()
    tokens.append(Token("end", "", len(source)))
    return tokens


# --- syntax tree ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Name:
    id: str
    position: int


@dataclass(frozen=True)
class Literal:
    value: Any


@dataclass(frozen=True)
class Param:
    name: str
    position: int


@dataclass(frozen=True)
class Count:
    name: Name


@dataclass(frozen=True)
class Compare:
    left: Name | Literal | Param | Count
    op: str
    right: Name | Literal | Param | Count


@dataclass(frozen=True)
class InList:
    name: Name
    items: tuple[Literal, ...] | Param
    negated: bool


@dataclass(frozen=True)
class Has:
    name: Name
    items: tuple[Literal, ...] | Param
    any_of: bool


@dataclass(frozen=True)
class Answered:
    name: Name


@dataclass(frozen=True)
class And:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    part: Node


Node = Compare | InList | Has | Answered | And | Or | Not
Operand = Name | Literal | Param | Count
