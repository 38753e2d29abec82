"""Mock integrations (the CORS preflight): response parameters as headers, and a small VTL subset.

The one template idiom the program uses (echo ``Origin`` when it is one of several
allowed origins) is supported: ``#set($v = $input.params("X"))``,
``#if($v == "a" || $v == "b") ... #end`` and
``#set($context.responseOverride.header.H = $v)`` (or ``.status``). Not a VTL engine.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Mapping

from local.apigateway.request import Request, param_value
from local.apigateway.responses import Response
from local.model import LocalApi


def mock_response(api: LocalApi, req: Request, operation: Mapping[str, Any]) -> Response:
    integration = operation["x-amazon-apigateway-integration"]
    responses = integration.get("responses") or {}
    response = responses.get("default") or next(iter(responses.values()), {})
    status = int(response.get("statusCode", 200))
    headers: dict[str, str] = {}
    for name, expr in (response.get("responseParameters") or {}).items():
        if name.startswith("method.response.header."):
            value = param_value(expr, req, api)
            if value is not None:
                headers[name.removeprefix("method.response.header.")] = value
    body = ""
    template = (response.get("responseTemplates") or {}).get("application/json")
    if template:
        body, overrides, status_override = render_template(template, req)
        headers.update(overrides)
        status = status_override or status
    headers.setdefault("Content-Type", "application/json")
    payload = b"" if status in (204, 304) else body.encode()
    return status, list(headers.items()), payload


def render_template(template: str, req: Request) -> tuple[str, dict[str, str], int | None]:
    """(body, header overrides, status override) of a mock integration's template."""
    variables: dict[str, str | None] = {}
    headers: dict[str, str] = {}
    status: list[int] = []

    def value(token: str) -> str | None:
        token = token.strip()
        if token.startswith('"') and token.endswith('"'):
            return token[1:-1]
        if token.startswith("$"):
            return variables.get(token[1:])
        return token

    def run(block: str) -> str:
        pos, out = 0, []
        pattern = re.compile(r'#set\(\s*\$([\w.-]+)\s*=\s*(\$input\.params\("([^"]*)"\)|"[^"]*"|\$[\w]+|\d+)\s*\)'
                             r'|#if\((.*?)\)(.*?)#end', re.DOTALL)
        for m in pattern.finditer(block):
            out.append(block[pos:m.start()])
            pos = m.end()
            if m.group(1):
                target = m.group(1)
                v = req.param(m.group(3)) if m.group(3) is not None else value(m.group(2))
                if target.startswith("context.responseOverride.header."):
                    if v is not None:
                        headers[target.removeprefix("context.responseOverride.header.")] = v
                elif target == "context.responseOverride.status":
                    if v and str(v).isdigit():
                        status.append(int(v))
                else:
                    variables[target] = v
            else:
                if _condition(m.group(4), value):
                    out.append(run(m.group(5)))
        out.append(block[pos:])
        return "".join(out)

    body = run(template).strip()
    return body, headers, (status[-1] if status else None)


def _condition(expr: str, value: Callable[[str], str | None]) -> bool:
    for alternative in expr.split("||"):
        if all(_comparison(term, value) for term in alternative.split("&&")):
            return True
    return False


def _comparison(term: str, value: Callable[[str], str | None]) -> bool:
    for op in ("==", "!="):
        if op in term:
            left, right = term.split(op, 1)
            equal = value(left) == value(right)
            return equal if op == "==" else not equal
    v = value(term)
    return bool(v) and v != "false"
