"""Request validators: required parameters, and the JSON body against ``components.schemas`` (draft 4)."""

from __future__ import annotations

import json
from typing import Any, Mapping

import jsonschema

from local.apigateway.request import Request
from local.apigateway.responses import GatewayError


def validate(doc: Mapping[str, Any], req: Request, operation: Mapping[str, Any]) -> None:
    """Raise BAD_REQUEST_PARAMETERS or BAD_REQUEST_BODY as the operation's validator demands."""
    validators = doc.get("x-amazon-apigateway-request-validators") or {}
    name = operation.get("x-amazon-apigateway-request-validator", doc.get("x-amazon-apigateway-request-validator"))
    validator = validators.get(name) or {} if name else {}
    if validator.get("validateRequestParameters"):
        missing = []
        for p in operation.get("parameters") or []:
            if not p.get("required"):
                continue
            where, pname = p.get("in"), p.get("name", "")
            present = {"query": lambda n: req.query(n) is not None,
                       "header": lambda n: req.header(n) is not None,
                       "path": lambda n: bool(req.path_params.get(n))}.get(where, lambda n: True)(pname)
            if not present:
                missing.append(pname)
        if missing:
            raise GatewayError("BAD_REQUEST_PARAMETERS", f"Missing required request parameters: [{', '.join(missing)}]")
    request_body = operation.get("requestBody")
    if validator.get("validateRequestBody") and request_body:
        content = request_body.get("content") or {}
        media = (req.header("Content-Type") or "application/json").split(";")[0].strip().lower()
        schema_ref = (content.get(media) or {}).get("schema")
        if schema_ref is None:
            return  # no model for this content type: API Gateway passes the body through
        schemas = (doc.get("components") or {}).get("schemas") or {}
        schema = _deref(schema_ref, schemas)
        try:
            data = json.loads(req.body) if req.body else None
        except (ValueError, RecursionError):  # RecursionError: nested deeper than a parser goes
            raise GatewayError("BAD_REQUEST_BODY", validation="[Invalid JSON]") from None
        if data is None and not request_body.get("required"):
            return
        try:
            errors = sorted(jsonschema.Draft4Validator(schema).iter_errors(data), key=lambda e: list(e.path))
        except RecursionError:
            raise GatewayError("BAD_REQUEST_BODY", validation="[nested too deeply]") from None
        if errors:
            raise GatewayError("BAD_REQUEST_BODY", validation="[" + ", ".join(e.message for e in errors) + "]")


def _deref(node: Any, schemas: Mapping[str, Any], depth: int = 0) -> Any:
    if depth > 32:
        return {}
    if isinstance(node, Mapping):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            return _deref(schemas.get(ref.rsplit("/", 1)[-1], {}), schemas, depth + 1)
        return {k: _deref(v, schemas, depth + 1) for k, v in node.items()}
    if isinstance(node, list):
        return [_deref(v, schemas, depth + 1) for v in node]
    return node
