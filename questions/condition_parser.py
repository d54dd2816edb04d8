"""Recursive-descent parser: condition text → syntax tree (see `questions.conditions`)."""

from __future__ import annotations

from questions.conditions import (
    OPS,
    And,
    Answered,
    Compare,
    ConditionSyntaxError,
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
    Token,
    tokenize,
)


def parse(source: str) -> Node:
    """Parse a whole condition or raise ConditionSyntaxError with the offending position."""
    if not source or not source.strip():
        raise ConditionSyntaxError("the condition is empty", 0)
    parser = _Parser(tokenize(source))
    node = parser.or_expr()
    parser.expect_end()
    return node


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.i = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def at(self, kind: str, text: str | None = None) -> bool:
        return self.tok.kind == kind and (text is None or self.tok.text == text)

    def expect(self, kind: str, text: str, what: str) -> Token:
        if not self.at(kind, text):
            self.fail(f"expected {what}")
        return self.take()

    def fail(self, expected: str) -> None:
        found = "the end of the condition" if self.tok.kind == "end" else repr(self.tok.text)
        raise ConditionSyntaxError(f"{expected} but found {found}", self.tok.position)

    def expect_end(self) -> None:
        if not self.at("end"):
            self.fail("expected 'and', 'or' or the end of the condition")

    def or_expr(self) -> Node:
        parts = [self.and_expr()]
        while self.at("keyword", "or"):
            self.take()
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def and_expr(self) -> Node:
        parts = [self.not_expr()]
        while self.at("keyword", "and"):
            self.take()
            parts.append(self.not_expr())
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def not_expr(self) -> Node:
        if self.at("keyword", "not"):
            self.take()
            return Not(self.not_expr())
        if self.at("punct", "("):
            self.take()
            node = self.or_expr()
            self.expect("punct", ")", "')'")
            return node
        return self.atom()

    def atom(self) -> Node:
        if self.at("keyword", "answered"):
            self.take()
            self.expect("punct", "(", "'(' after answered")
            name = self.name()
            self.expect("punct", ")", "')'")
            return Answered(name)
        left = self.operand()
        if isinstance(left, Name) and self.at("keyword", "has"):
            self.take()
            any_of = self.at("keyword", "any")
            if any_of:
                self.take()
                return Has(left, self.items(), any_of=True)
            if self.at("punct", "(") or self.at("param"):
                return Has(left, self.items(), any_of=False)
            return Has(left, (self.literal(),), any_of=False)
        if isinstance(left, Name) and (self.at("keyword", "in") or self.at("keyword", "not")):
            negated = self.at("keyword", "not")
            if negated:
                self.take()
            self.expect("keyword", "in", "'in'")
            return InList(left, self.items(), negated)
        if not self.at("op"):
            self.fail("expected a comparison (=, !=, <, <=, >, >=), 'in' or 'has'")
        op = self.take().text
        if op not in OPS:  # pragma: no cover - the tokenizer only produces known operators
            self.fail("expected a comparison operator")
        return Compare(left, op, self.operand())

    def name(self) -> Name:
        if not self.at("word"):
            self.fail("expected a question id")
        token = self.take()
        return Name(token.text, token.position)

    def operand(self) -> Operand:
        if self.at("word"):
            return self.name()
        if self.at("param"):
            token = self.take()
            return Param(token.text[1:], token.position)
        if self.at("keyword", "count"):
            self.take()
            self.expect("punct", "(", "'(' after count")
            name = self.name()
            self.expect("punct", ")", "')'")
            return Count(name)
        return self.literal()

    def literal(self) -> Literal:
        token = self.tok
        if token.kind == "string":
            self.take()
            return Literal(token.text[1:-1])
        if token.kind == "number":
            self.take()
            return Literal(float(token.text) if "." in token.text else int(token.text))
        if token.kind == "keyword" and token.text in ("true", "false"):
            self.take()
            return Literal(token.text == "true")
        self.fail("expected a question id, a quoted code, a number, true or false")
        raise AssertionError("unreachable")  # pragma: no cover

    def items(self) -> tuple[Literal, ...] | Param:
        if self.at("param"):
            token = self.take()
            return Param(token.text[1:], token.position)
        self.expect("punct", "(", "'(' to start a list")
        items = [self.literal()]
        while self.at("punct", ","):
            self.take()
            items.append(self.literal())
        self.expect("punct", ")", "')' to close the list")
        return tuple(items)
