"""Expressions inside directives and method arguments: operator precedence over the template parser's position."""

from __future__ import annotations

import re
from typing import Any

from local.apigateway.vtl.nodes import Interp, ListLit, Lit, MapLit, Op, Range

_WORD_OPS = {"eq": "==", "ne": "!=", "lt": "<", "gt": ">", "le": "<=", "ge": ">=", "and": "&&", "or": "||",
             "not": "!"}
_TOKEN = re.compile(r"\s*(?:(?P<num>\d+)|(?P<op>==|!=|<=|>=|&&|\|\||\.\.|[<>!+\-()\[\]{},:])"
                    r"|(?P<word>[A-Za-z_][A-Za-z0-9_]*))")


class ExpressionParser:
    """Operator precedence over the shared position of the template parser."""

    def __init__(self, outer: Any):  # the template parser (syntax._Parser), whose position this advances
        self.p = outer

    def skip(self) -> None:
        self.p.skip_spaces()

    def peek(self) -> tuple[str, str] | None:
        self.skip()
        text, pos = self.p.text, self.p.pos
        if pos >= len(text):
            return None
        if text[pos] in "$'\"":
            return ("start", text[pos])
        m = _TOKEN.match(text, pos)
        if m is None:
            raise self.p.fail(f"unexpected {text[pos:pos + 10]!r} in expression")
        kind = m.lastgroup
        value = m.group(kind)
        if kind == "word" and value in _WORD_OPS:
            return ("op", _WORD_OPS[value])
        return (kind, value)

    def take(self, value: str) -> bool:
        token = self.peek()
        if token and token[0] in ("op", "word") and token[1] == value:
            m = _TOKEN.match(self.p.text, self.p.pos)
            self.p.pos = m.end()
            return True
        return False

    def parse_or(self) -> Any:
        left = self.parse_and()
        while self.take("||"):
            left = Op("||", [left, self.parse_and()])
        return left

    def parse_and(self) -> Any:
        left = self.parse_not()
        while self.take("&&"):
            left = Op("&&", [left, self.parse_not()])
        return left

    def parse_not(self) -> Any:
        if self.take("!"):
            return Op("!", [self.parse_not()])
        return self.parse_comparison()

    def parse_comparison(self) -> Any:
        left = self.parse_sum()
        for op in ("==", "!=", "<=", ">=", "<", ">"):
            if self.take(op):
                return Op(op, [left, self.parse_sum()])
        return left

    def parse_sum(self) -> Any:
        left = self.parse_primary()
        while True:
            if self.take("+"):
                left = Op("+", [left, self.parse_primary()])
            elif self.take("-"):
                left = Op("-", [left, self.parse_primary()])
            else:
                return left

    def parse_primary(self) -> Any:
        token = self.peek()
        if token is None:
            raise self.p.fail("expression ends too early")
        kind, value = token
        p = self.p
        if kind == "start" and value == "$":
            ref = p.reference()
            if ref is None:
                raise p.fail("'$' starts no reference")
            return ref
        if kind == "start":
            end = p.text.find(value, p.pos + 1)
            if end < 0:
                raise p.fail("unterminated string")
            raw = p.text[p.pos + 1:end]
            p.pos = end + 1
            if value == "'":
                return Lit(raw)
            inner = type(p)(raw)  # a double-quoted string is a template of its own
            nodes, _ = inner.block()
            return Interp(nodes)
        m = _TOKEN.match(p.text, p.pos)
        if kind == "num":
            p.pos = m.end()
            return Lit(int(value))
        if kind == "word":
            p.pos = m.end()
            if value in ("true", "false", "null"):
                return Lit({"true": True, "false": False, "null": None}[value])
            raise p.fail(f"unexpected word {value!r} in expression (a variable needs '$')")
        if self.take("("):
            inner = self.parse_or()
            if not self.take(")"):
                raise p.fail("missing ')'")
            return inner
        if self.take("["):
            items: list = []
            if self.take("]"):
                return ListLit(items)
            first = self.parse_or()
            if self.take(".."):
                end = self.parse_or()
                if not self.take("]"):
                    raise p.fail("missing ']' after a range")
                return Range(first, end)
            items.append(first)
            while self.take(","):
                items.append(self.parse_or())
            if not self.take("]"):
                raise p.fail("missing ']'")
            return ListLit(items)
        if self.take("{"):
            pairs: list = []
            if self.take("}"):
                return MapLit(pairs)
            while True:
                key = self.parse_or()
                if not self.take(":"):
                    raise p.fail("missing ':' in a map")
                pairs.append((key, self.parse_or()))
                if self.take("}"):
                    return MapLit(pairs)
                if not self.take(","):
                    raise p.fail("missing ',' or '}' in a map")
        if self.take("-"):
            return Op("-", [Lit(0), self.parse_primary()])
        raise p.fail(f"unexpected {value!r} in expression")
