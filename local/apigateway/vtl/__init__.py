"""API Gateway's mapping-template language: a documented subset of Velocity (VTL), and nothing silently more.

Supported:

* text, ``## line`` and ``#* block *#`` comments;
* references ``$name``, ``$!name``, ``${name}``, ``$!{name}`` with property access (``$a.b``), method
  calls (``$a.m(x)``) and indexes (``$list[0]``); an undefined variable is an error, a missing property
  renders as the empty string;
* ``#set($x = expr)`` (also into a map: ``#set($context.responseOverride.status = 404)``),
  ``#if(expr)`` / ``#elseif(expr)`` / ``#else`` / ``#end`` and ``#foreach($x in expr)`` with
  ``$foreach.hasNext``, ``$foreach.index``, ``$foreach.count`` and ``$velocityCount`` (at most 1000
  iterations, as API Gateway); ``#{else}`` and ``#{end}`` too;
* expressions: ``'single'`` (literal) and ``"double"`` (interpolated) strings, integers, ``true``,
  ``false``, ``null``, ``[lists]``, ``{maps}``, ``[1..3]``, ``== != < > <= >=`` (and ``eq ne lt gt le
  ge``), ``&& || !`` (and ``and or not``), integer ``+`` and ``-``, parentheses;
* ``$input``: ``.body``, ``.params()``, ``.params(name)`` (path, then query string, then header),
  ``.path(jsonpath)``, ``.json(jsonpath)`` with JSONPath ``$``, ``.name``, ``['name']`` and ``[index]``;
* ``$util``: ``escapeJavaScript``, ``parseJson``, ``urlEncode``, ``urlDecode``, ``base64Encode``,
  ``base64Decode``;
* ``$context.*`` (the keys ``CONTEXT_KEYS``) and ``$stageVariables.*``;
* on strings: ``length contains startsWith endsWith substring replace toLowerCase toUpperCase trim
  isEmpty equals``; on maps: ``get containsKey keySet values size isEmpty put``; on lists: ``get size isEmpty
  contains add``.

Anything else (``#macro``, ``#parse``, ``#include``, ``#define``, ``#evaluate``, ``#break``, ``#stop``,
another method, another ``$util`` or ``$input`` member, an unknown ``$context`` key) raises
``VtlError`` naming the construct and its line: at parse time where it can be seen, else when run.
"""

from __future__ import annotations

from typing import Any, Mapping

from local.apigateway.vtl.runtime import UTIL, Input, Run
from local.apigateway.vtl.nodes import CONTEXT_KEYS, VtlError
from local.apigateway.vtl.syntax import parse

__all__ = ["CONTEXT_KEYS", "UTIL", "Input", "VtlError", "parse", "render"]


def render(template: str, variables: Mapping[str, Any]) -> str:
    """Run ``template`` with ``variables`` (``input``, ``context``, ``stageVariables``, ``util``, ...).

    ``#set`` writes into the maps it is given (``context.responseOverride``), which the caller reads back.
    """
    out: list[str] = []
    Run(dict(variables)).nodes(parse(template), out)
    return "".join(out)
