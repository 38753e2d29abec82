"""Routing by the document's paths: ``{param}``, greedy ``{proxy+}``, literal segments win over parameters.

A path the document does not declare (or a method it does not declare there) is
403 "Missing Authentication Token", as API Gateway answers. A path matches whole:
``/info%0A`` is no ``/info`` (a regex ``$`` would match before the newline), while
``/info/%0A`` is ``/info/{section}`` with the section "\n", as API Gateway routes it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any, Mapping

from local.apigateway.request import Request
from local.apigateway.responses import GatewayError

_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
ANY = "x-amazon-apigateway-any-method"


@dataclass
class Route:
    path: str
    regex: re.Pattern
    rank: tuple
    operations: dict[str, dict]   # upper-case method (or ANY) → operation
    resource_id: str

    @property
    def param_names(self) -> dict[str, str]:
        """Regex group → path parameter name."""
        return {_group(m.group(1)): m.group(1) for m in re.finditer(r"\{([^}]+?)\+?\}", self.path)}


def compile_route(path: str, operations: Mapping[str, Any]) -> Route:
    segments = [s for s in path.split("/") if s]
    parts, rank = [], []
    for seg in segments:
        m = re.fullmatch(r"\{([^}]+?)(\+?)\}", seg)
        if m and m.group(2):
            parts.append(f"(?P<{_group(m.group(1))}>.+)")
            rank.append(0)
        elif m:
            parts.append(f"(?P<{_group(m.group(1))}>[^/]+)")
            rank.append(1)
        else:
            parts.append(re.escape(seg))
            rank.append(2)
    regex = re.compile("/" + "/".join(parts), re.DOTALL)
    ops = {(k if k == ANY else k.upper()): v for k, v in operations.items()
           if isinstance(v, Mapping) and (k.upper() in _METHODS or k == ANY)}
    resource_id = hashlib.sha1(path.encode()).hexdigest()[:6]
    return Route(path, regex, tuple(rank), ops, resource_id)


def _group(name: str) -> str:
    return "p_" + re.sub(r"\W", "_", name) + "_" + hashlib.sha1(name.encode()).hexdigest()[:6]


class Router:
    """The routes of one document, most specific first."""

    def __init__(self, paths: Mapping[str, Any]):
        self.routes = sorted((compile_route(path, ops) for path, ops in paths.items()),
                             key=lambda r: r.rank, reverse=True)

    def match(self, req: Request) -> dict:
        """The operation for ``req.path`` and ``req.method``; sets ``req.route`` and ``req.path_params``."""
        for route in self.routes:
            m = route.regex.fullmatch(req.path)
            if not m:
                continue
            operation = route.operations.get(req.method) or route.operations.get(ANY)
            if operation is None:
                continue
            names = route.param_names
            req.route = route
            req.path_params = {names[g]: v for g, v in m.groupdict().items()}
            return operation
        raise GatewayError("MISSING_AUTHENTICATION_TOKEN")
