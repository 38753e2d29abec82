"""The syntax of local mode's VTL subset: the template parser.

Constructs outside the subset are refused here, with their line, when they can be seen before running.
"""

from __future__ import annotations

import re
from typing import Any

from local.apigateway.vtl.expressions import ExpressionParser
from local.apigateway.vtl.nodes import (CONTEXT_KEYS, INPUT_MEMBERS, UNSUPPORTED_DIRECTIVES, UTIL_FUNCTIONS, ForNode,
                                        IfNode, Lit, Ref, SetNode, VtlError)

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


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
        parser = ExpressionParser(self)
        value = parser.parse_or()
        parser.skip()
        for closer in closers:
            if self.text.startswith(closer, self.pos):
                self.pos += len(closer)
                return value, closer
        raise self.fail(f"expected {' or '.join(repr(c) for c in closers)} in expression, found "
                        f"{self.text[self.pos:self.pos + 20]!r}")


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
