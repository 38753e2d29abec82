"""The syntax of local mode's VTL subset: the nodes a template parses into, and the parser.

Constructs outside the subset are refused here, with their line, when they can be seen before running.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

MAX_ITERATIONS = 1000
UNSUPPORTED_DIRECTIVES = ("macro", "parse", "include", "define", "evaluate", "break", "stop")
CONTEXT_KEYS = frozenset({
    "accountId", "apiId", "authorizer", "domainName", "domainPrefix", "extendedRequestId", "httpMethod",
    "identity", "path", "protocol", "requestId", "requestTime", "requestTimeEpoch", "resourceId",
    "resourcePath", "responseOverride", "stage"})
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_WORD_OPS = {"eq": "==", "ne": "!=", "lt": "<", "gt": ">", "le": "<=", "ge": ">=", "and": "&&", "or": "||",
             "not": "!"}
_TOKEN = re.compile(r"\s*(?:(?P<num>\d+)|(?P<op>==|!=|<=|>=|&&|\|\||\.\.|[<>!+\-()\[\]{},:])"
                    r"|(?P<word>[A-Za-z_][A-Za-z0-9_]*))")
INPUT_MEMBERS = frozenset({"body", "params", "path", "json"})
UTIL_FUNCTIONS = frozenset({"escapeJavaScript", "parseJson", "urlEncode", "urlDecode", "base64Encode",
                            "base64Decode"})


class VtlError(ValueError):
    """A template outside the supported subset, or one that fails while it runs."""


# -- the nodes -------------------------------------------------------------------------------------------
class Ref(NamedTuple):  # parts: ("attr", name) | ("call", name, [args]) | ("index", expression)
    root: str
    parts: list
    quiet: bool
    line: int
    source: str


class Lit(NamedTuple):
    value: Any


class Interp(NamedTuple):  # a double-quoted string
    nodes: list


class ListLit(NamedTuple):
    items: list


class MapLit(NamedTuple):
    pairs: list


class Range(NamedTuple):
    start: Any
    end: Any


class Op(NamedTuple):
    op: str
    args: list


class SetNode(NamedTuple):
    target: Ref
    value: Any


class IfNode(NamedTuple):
    branches: list  # [(condition, body)]
    otherwise: list


class ForNode(NamedTuple):
    var: str
    iterable: Any
    body: list
    line: int


# -- the parser ---------------------------------------------------------------------------------------------
class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.pos = 0

    def line(self, pos: int | None = None) -> int:
        return self.text.count("\n", 0, self.pos if pos is None else pos) + 1

    def fail(self, message: str, pos: int | None = None) -> VtlError:
        return VtlError(f"line {self.line(pos)}: {message}")

    def block(self, closers: tuple[str, ...] = ()) -> tuple[list, str]:
        """Nodes up to one of ``closers`` (``end``, ``else``, ``elseif``); returns the closer met."""
        nodes: list = []
        text: list[str] = []
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char == "$":
                ref = self.reference()
                if ref is None:
                    text.append("$")
                    self.pos += 1
                else:
                    nodes += [Lit("".join(text)), ref]
                    text = []
                continue
            if char != "#":
                end = min([i for i in (self.text.find("$", self.pos), self.text.find("#", self.pos)) if i >= 0],
                          default=len(self.text))
                text.append(self.text[self.pos:end])
                self.pos = end
                continue
            directive = self.directive()
            if directive is None:
                text.append("#")
                self.pos += 1
                continue
            nodes.append(Lit("".join(text)))
            text = []
            if isinstance(directive, str):
                if directive in closers:
                    return _compact(nodes), directive
                raise self.fail(f"#{directive} without a matching #if or #foreach")
            if directive is not True:
                nodes.append(directive)
        if closers:
            raise self.fail(f"missing #end (expected one of {', '.join('#' + c for c in closers)})")
        nodes.append(Lit("".join(text)))
        return _compact(nodes), ""

    def directive(self) -> Any:
        """A directive node, a closer's name, True for a comment, or None when ``#`` is plain text."""
        start, text = self.pos, self.text
        if text.startswith("##", start):
            end = text.find("\n", start)
            self.pos = len(text) if end < 0 else end + 1
            return True
        if text.startswith("#*", start):
            end = text.find("*#", start + 2)
            if end < 0:
                raise self.fail("unterminated #* comment")
            self.pos = end + 2
            return True
        m = re.compile(r"#\{?([A-Za-z]+)\}?").match(text, start)
        if m is None:
            return None
        name = m.group(1)
        if name in UNSUPPORTED_DIRECTIVES:
            raise self.fail(f"#{name} is not in local mode's VTL subset (supported: #set #if #elseif #else "
                            f"#end #foreach)")
        if name in ("end", "else"):
            self.pos = m.end()
            return name
        if name not in ("set", "if", "elseif", "foreach"):
            return None
        self.pos = m.end()
        self.skip_spaces()
        if not self.text.startswith("(", self.pos):
            raise self.fail(f"#{name} needs (...)")
        self.pos += 1
        if name == "elseif":
            return name  # a closer of the #if being parsed, which reads its condition
        if name == "set":
            target = self.reference()
            if target is None or target.quiet:
                raise self.fail("#set needs a $reference on the left")
            if any(part[0] != "attr" for part in target.parts):
                raise self.fail(f"#set({target.source} = ...): only $name or $map.key can be assigned")
            self.skip_spaces()
            if not self.text.startswith("=", self.pos):
                raise self.fail("#set needs '='")
            self.pos += 1
            value = self.expression_until(")")
            return SetNode(target, value)
        if name == "foreach":
            line = self.line()
            var = self.reference()
            self.skip_spaces()
            if var is None or var.parts or not re.compile(r"in\b").match(self.text, self.pos):
                raise self.fail("#foreach needs ($item in expression)")
            self.pos += 2
            iterable = self.expression_until(")")
            body, closer = self.block(("end",))
            return ForNode(var.root, iterable, body, line)
        condition = self.expression_until(")")
        branches, otherwise = [], []
        body, closer = self.block(("end", "else", "elseif"))
        branches.append((condition, body))
        while closer == "elseif":
            condition = self.expression_until(")")
            body, closer = self.block(("end", "else", "elseif"))
            branches.append((condition, body))
        if closer == "else":
            otherwise, _ = self.block(("end",))
        return IfNode(branches, otherwise)

    def skip_spaces(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in " \t\r\n":
            self.pos += 1

    def reference(self) -> Ref | None:
        """``$name...`` at ``self.pos``, or None when ``$`` starts no reference (it is then text)."""
        start, text = self.pos, self.text
        m = re.compile(r"\$(!?)(\{?)").match(text, start)
        quiet, braced = bool(m.group(1)), bool(m.group(2))
        name = _IDENT.match(text, m.end())
        if name is None:
            return None
        self.pos = name.end()
        root = name.group(0)
        parts: list = []
        while self.pos < len(text):
            if text[self.pos] == "." and (attr := _IDENT.match(text, self.pos + 1)):
                member = attr.group(0)
                self.pos = attr.end()
                if text.startswith("(", self.pos):
                    self.pos += 1
                    parts.append(("call", member, self.arguments()))
                else:
                    parts.append(("attr", member))
            elif text[self.pos] == "[":
                self.pos += 1
                parts.append(("index", self.expression_until("]")))
            else:
                break
        if braced:
            if not text.startswith("}", self.pos):
                raise self.fail(f"unterminated ${{...}} reference {text[start:self.pos]}", start)
            self.pos += 1
        ref = Ref(root, parts, quiet, self.line(start), text[start:self.pos])
        _check_known(ref)
        return ref

    def arguments(self) -> list:
        args: list = []
        self.skip_spaces()
        if self.text.startswith(")", self.pos):
            self.pos += 1
            return args
        while True:
            expression, closer = self._expression((",", ")"))
            args.append(expression)
            if closer == ")":
                return args

    def expression_until(self, closer: str) -> Any:
        expression, _ = self._expression((closer,))
        return expression

    def _expression(self, closers: tuple[str, ...]) -> tuple[Any, str]:
        parser = _ExpressionParser(self)
        value = parser.parse_or()
        parser.skip()
        for closer in closers:
            if self.text.startswith(closer, self.pos):
                self.pos += len(closer)
                return value, closer
        raise self.fail(f"expected {' or '.join(repr(c) for c in closers)} in expression, found "
                        f"{self.text[self.pos:self.pos + 20]!r}")


class _ExpressionParser:
    """Operator precedence over the shared position of the template parser."""

    def __init__(self, outer: _Parser):
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
            inner = _Parser(raw)
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


def _compact(nodes: list) -> list:
    return [n for n in nodes if not (isinstance(n, Lit) and n.value == "")]


def _check_known(ref: Ref) -> None:
    """What can be refused before running: members of $input and $util, keys of $context."""
    if not ref.parts:
        return
    first = ref.parts[0]
    allowed = {"input": INPUT_MEMBERS, "util": UTIL_FUNCTIONS}.get(ref.root)
    if allowed is not None and first[1] not in allowed:
        raise VtlError(f"line {ref.line}: {ref.source}: ${ref.root}.{first[1]} is not in local mode's VTL subset "
                       f"(supported: {', '.join(sorted(allowed))})")
    if ref.root == "context" and first[0] == "attr" and first[1] not in CONTEXT_KEYS:
        raise VtlError(f"line {ref.line}: {ref.source}: $context.{first[1]} is not emulated in local mode "
                       f"(supported: {', '.join(sorted(CONTEXT_KEYS))})")


def parse(template: str) -> list:
    """The template's nodes; VtlError for a construct outside the subset or a syntax error."""
    nodes, _ = _Parser(template).block()
    return nodes
