"""Running a parsed template: what ``$input`` and ``$util`` offer, the methods of values, the evaluator."""

from __future__ import annotations

import base64
import json
import re
import urllib.parse
from typing import Any, Callable, Mapping

from local.apigateway.vtl.nodes import (MAX_ITERATIONS, ForNode, IfNode, Interp, ListLit, Lit,
                                        MapLit, Range, Ref, SetNode, VtlError)


class Input:
    """``$input``: the body a template transforms and the method request's parameters."""

    def __init__(self, body: str, params: Mapping[str, Mapping[str, str]]):
        self.body = body
        self.params = {"path": dict(params.get("path") or {}), "querystring": dict(params.get("querystring") or {}),
                       "header": dict(params.get("header") or {})}

    def param(self, name: str | None = None) -> Any:
        if name is None:
            return self.params
        for where in ("path", "querystring"):
            if name in self.params[where]:
                return self.params[where][name]
        headers = {k.lower(): v for k, v in self.params["header"].items()}
        return headers.get(str(name).lower(), "")

    def document(self) -> Any:
        try:
            return json.loads(self.body) if self.body.strip() else {}
        except (ValueError, RecursionError):
            raise VtlError("$input.path/$input.json: the body is not JSON") from None

    def path(self, expression: str) -> Any:
        return json_path(self.document(), expression)

    def json(self, expression: str) -> str:
        return json.dumps(self.path(expression))


def json_path(document: Any, expression: str) -> Any:
    """The value at a JSONPath of the subset ``$``, ``.name``, ``['name']``, ``[index]``; None if absent."""
    expression = str(expression).strip()
    if not expression.startswith("$"):
        raise VtlError(f"JSONPath {expression!r} must start with '$'")
    node, rest = document, expression[1:]
    step = re.compile(r"\.([A-Za-z_][A-Za-z0-9_-]*)|\['([^']*)'\]|\[(\d+)\]")
    while rest:
        m = step.match(rest)
        if m is None:
            raise VtlError(f"JSONPath {expression!r}: {rest!r} is not in local mode's subset "
                           f"($, .name, ['name'], [index])")
        rest = rest[m.end():]
        key = m.group(1) or m.group(2)
        if key is not None:
            node = node.get(key) if isinstance(node, dict) else None
        else:
            index = int(m.group(3))
            node = node[index] if isinstance(node, list) and index < len(node) else None
    return node


def escape_javascript(value: Any) -> str:
    """Java's StringEscapeUtils.escapeJavaScript, as API Gateway's ``$util.escapeJavaScript``."""
    out = []
    for char in _text(value):
        code = ord(char)
        if char in "\"'\\/":
            out.append("\\" + char)
        elif char in "\b\f\n\r\t":
            out.append({"\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}[char])
        elif code < 0x20 or code > 0x7E:
            units = char.encode("utf-16-be")  # beyond U+FFFF: Java escapes both surrogates
            out += [f"\\u{int.from_bytes(units[i:i + 2], 'big'):04X}" for i in range(0, len(units), 2)]
        else:
            out.append(char)
    return "".join(out)


UTIL_IMPLEMENTATIONS: dict[str, Callable[..., Any]] = {
    "escapeJavaScript": escape_javascript,
    "parseJson": lambda s: json.loads(_text(s)),
    "urlEncode": lambda s: urllib.parse.quote_plus(_text(s)),
    "urlDecode": lambda s: urllib.parse.unquote_plus(_text(s)),
    "base64Encode": lambda s: base64.b64encode(_text(s).encode()).decode(),
    "base64Decode": lambda s: base64.b64decode(_text(s)).decode(),
}


class _Util:
    """``$util``."""


UTIL = _Util()

_STRING_METHODS: dict[str, Callable[..., Any]] = {
    "length": len, "contains": lambda s, x: _text(x) in s, "startsWith": lambda s, x: s.startswith(_text(x)),
    "endsWith": lambda s, x: s.endswith(_text(x)), "toLowerCase": str.lower, "toUpperCase": str.upper,
    "trim": str.strip, "isEmpty": lambda s: s == "", "equals": lambda s, x: s == x,
    "substring": lambda s, a, b=None: s[a:] if b is None else s[a:b],
    "replace": lambda s, old, new: s.replace(_text(old), _text(new)),  # literal, as Java's String.replace
}
_MAP_METHODS: dict[str, Callable[..., Any]] = {
    "get": lambda m, k: m.get(k), "containsKey": lambda m, k: k in m, "keySet": lambda m: list(m),
    "values": lambda m: list(m.values()), "size": len, "isEmpty": lambda m: not m,
    "put": lambda m, k, v: (m.get(k), m.__setitem__(k, v))[0],
}
_LIST_METHODS: dict[str, Callable[..., Any]] = {
    "get": lambda s, i: s[i], "size": len, "isEmpty": lambda s: not s, "contains": lambda s, x: x in s,
    "add": lambda s, x: (s.append(x), True)[1],
}


def _text(value: Any) -> str:
    """How Velocity prints a value (Java's toString; null prints nothing)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_text(k)}={_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_text(v) for v in value) + "]"
    return str(value)


# -- the evaluator ------------------------------------------------------------------------------------------
class Run:
    def __init__(self, variables: dict[str, Any]):
        self.vars = variables

    def nodes(self, nodes: list, out: list[str]) -> None:
        for node in nodes:
            if isinstance(node, Lit):
                out.append(node.value)
            elif isinstance(node, Ref):
                out.append(_text(self.ref(node)))
            elif isinstance(node, SetNode):
                self.assign(node.target, self.eval(node.value))
            elif isinstance(node, IfNode):
                for condition, body in node.branches:
                    if _truthy(self.eval(condition)):
                        self.nodes(body, out)
                        break
                else:
                    self.nodes(node.otherwise, out)
            else:
                self.loop(node, out)

    def loop(self, node: ForNode, out: list[str]) -> None:
        items = self.eval(node.iterable)
        if isinstance(items, dict):
            items = list(items.values())
        if items is None:
            return
        if not isinstance(items, list):
            raise VtlError(f"line {node.line}: #foreach over {type(items).__name__}, not a list or map")
        if len(items) > MAX_ITERATIONS:
            raise VtlError(f"line {node.line}: #foreach over {len(items)} items; API Gateway stops at "
                           f"{MAX_ITERATIONS}")
        outer = self.vars.get("foreach")
        for index, item in enumerate(items):
            self.vars[node.var] = item
            self.vars["foreach"] = {"index": index, "count": index + 1, "hasNext": index + 1 < len(items),
                                    "first": index == 0, "last": index + 1 == len(items)}
            self.vars["velocityCount"] = index + 1
            self.nodes(node.body, out)
        self.vars["foreach"] = outer

    def assign(self, target: Ref, value: Any) -> None:
        if not target.parts:
            self.vars[target.root] = value
            return
        holder = self.resolve(Ref(target.root, target.parts[:-1], False, target.line, target.source))
        if not isinstance(holder, dict):
            raise VtlError(f"line {target.line}: #set({target.source} = ...): "
                           f"{target.source.rsplit('.', 1)[0]} is not a map local mode lets templates write")
        holder[target.parts[-1][1]] = value

    def ref(self, ref: Ref) -> Any:
        if ref.quiet and ref.root not in self.vars:
            return ""  # $!name: nothing when undefined
        return self.resolve(ref)

    def resolve(self, ref: Ref) -> Any:
        if ref.root not in self.vars:
            raise VtlError(f"line {ref.line}: {ref.source}: ${ref.root} is not defined")
        value = self.vars[ref.root]
        for part in ref.parts:
            value = self.member(value, part, ref)
        return value

    def member(self, value: Any, part: tuple, ref: Ref) -> Any:
        kind = part[0]
        if kind == "index":
            key = self.eval(part[1])
            if isinstance(value, list) and isinstance(key, int):
                return value[key] if -len(value) <= key < len(value) else None
            if isinstance(value, dict):
                return value.get(key)
            raise VtlError(f"line {ref.line}: {ref.source}: cannot index {type(value).__name__}")
        name = part[1]
        if kind == "attr":
            if isinstance(value, dict):
                return value.get(name)
            if isinstance(value, Input) and name == "body":
                return value.body
            if value is None:
                return None
            raise VtlError(f"line {ref.line}: {ref.source}: {type(value).__name__} has no property {name!r}")
        args = [self.eval(a) for a in part[2]]
        if isinstance(value, Input):
            method = {"params": value.param, "path": value.path, "json": value.json}.get(name)
        elif isinstance(value, _Util):
            method = UTIL_IMPLEMENTATIONS.get(name)
        else:
            table = _STRING_METHODS if isinstance(value, str) else _MAP_METHODS if isinstance(value, dict) \
                else _LIST_METHODS if isinstance(value, list) else {}
            method = table.get(name)
            if method is not None:
                method = (lambda f, v: lambda *a: f(v, *a))(method, value)
        if method is None:
            raise VtlError(f"line {ref.line}: {ref.source}: {name}() on {_type_name(value)} is not in local "
                           f"mode's VTL subset")
        try:
            return method(*args)
        except VtlError:
            raise
        except Exception as exc:  # a wrong argument: the template's fault, named
            raise VtlError(f"line {ref.line}: {ref.source}: {exc}") from None

    def eval(self, node: Any) -> Any:
        if isinstance(node, Lit):
            return node.value
        if isinstance(node, Ref):
            return self.resolve(node)
        if isinstance(node, Interp):
            out: list[str] = []
            self.nodes(node.nodes, out)
            return "".join(out)
        if isinstance(node, ListLit):
            return [self.eval(i) for i in node.items]
        if isinstance(node, MapLit):
            return {self.eval(k): self.eval(v) for k, v in node.pairs}
        if isinstance(node, Range):
            start, end = self.eval(node.start), self.eval(node.end)
            step = 1 if end >= start else -1
            return list(range(start, end + step, step))
        op, args = node.op, node.args
        if op == "!":
            return not _truthy(self.eval(args[0]))
        if op == "&&":
            return _truthy(self.eval(args[0])) and _truthy(self.eval(args[1]))
        if op == "||":
            return _truthy(self.eval(args[0])) or _truthy(self.eval(args[1]))
        left, right = self.eval(args[0]), self.eval(args[1])
        if op in ("==", "!="):
            equal = left == right if type(left) is type(right) or None in (left, right) \
                else _text(left) == _text(right)
            return equal if op == "==" else not equal
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (left, right)):
            raise VtlError(f"'{op}' needs two integers, got {_type_name(left)} and {_type_name(right)}")
        return {"<": left < right, ">": left > right, "<=": left <= right, ">=": left >= right,
                "+": left + right, "-": left - right}[op]


def _truthy(value: Any) -> bool:
    # Velocity 1.7: only null and false are false (an empty string is true).
    return value is not None and value is not False


def _type_name(value: Any) -> str:
    return {str: "a string", dict: "a map", list: "a list", bool: "a boolean", int: "a number",
            type(None): "null"}.get(type(value), type(value).__name__)
