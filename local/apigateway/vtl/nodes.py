"""The nodes a template parses into, the vocabulary of the subset, and its error."""

from __future__ import annotations

from typing import Any, NamedTuple

MAX_ITERATIONS = 1000
UNSUPPORTED_DIRECTIVES = ("macro", "parse", "include", "define", "evaluate", "break", "stop")
CONTEXT_KEYS = frozenset({
    "accountId", "apiId", "authorizer", "domainName", "domainPrefix", "extendedRequestId", "httpMethod",
    "identity", "path", "protocol", "requestId", "requestTime", "requestTimeEpoch", "resourceId",
    "resourcePath", "responseOverride", "stage"})
INPUT_MEMBERS = frozenset({"body", "params", "path", "json"})
UTIL_FUNCTIONS = frozenset({"escapeJavaScript", "parseJson", "urlEncode", "urlDecode", "base64Encode",
                            "base64Decode"})


class VtlError(ValueError):
    """A template outside the supported subset, or one that fails while it runs."""


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
