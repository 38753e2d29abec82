"""Pydantic models as OpenAPI 3.0 objects: component schemas and parameters.

Pydantic writes JSON Schema 2020-12; OpenAPI 3.0 reads its own dialect of draft 4:
``nullable`` instead of a ``null`` type, ``enum`` instead of ``const``, one ``example``
instead of ``examples``, ``$ref`` with no siblings. ``openapi.py`` then renders the
schemas for clients as they are and for API Gateway's importer as it allows.
"""

from __future__ import annotations

import copy
import functools
from typing import Any, Iterable

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

REF = "#/components/schemas/{model}"
_NULL = {"type": "null"}


def component_schemas(models: Iterable[type[BaseModel]]) -> tuple[dict[type[BaseModel], str], dict[str, dict]]:
    """Each model's component name, and every component schema the models need."""
    names, schemas = _component_schemas(tuple(dict.fromkeys(models)))
    return dict(names), copy.deepcopy(schemas)


# Models are classes, fixed once imported: their schemas are made once per process (pydantic's
# generation is a tenth of a program run), and each caller gets its own copy.
@functools.cache
def _component_schemas(models: tuple[type[BaseModel], ...]) -> tuple[dict[type[BaseModel], str], dict[str, dict]]:
    refs, top = models_json_schema([(model, "validation") for model in models], ref_template=REF)
    names = {model: ref["$ref"].rsplit("/", 1)[-1] for (model, _), ref in refs.items()}
    return names, {name: to_openapi(schema) for name, schema in top.get("$defs", {}).items()}


def parameters(model: type[BaseModel], location: str) -> list[dict[str, Any]]:
    """A Parameter object for each field of ``model`` (its alias is the name) found ``in`` location."""
    schema = to_openapi(copy.deepcopy(_json_schema(model)))
    required = set(schema.get("required", ()))
    found = []
    for name, field in schema["properties"].items():
        field = {k: v for k, v in field.items() if k != "nullable" and not (k == "default" and v is None)}
        parameter = {"name": name, "in": location, "required": location == "path" or name in required}
        for key in ("description", "example"):
            if key in field:
                parameter[key] = field.pop(key)
        found.append({**parameter, "schema": field})
    return found


@functools.cache
def _json_schema(model: type[BaseModel]) -> dict[str, Any]:
    return model.model_json_schema(ref_template=REF)


def to_openapi(node: Any) -> Any:
    """One JSON Schema (2020-12, as pydantic writes it) in OpenAPI 3.0's dialect."""
    if isinstance(node, list):
        return [to_openapi(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "title" or (key == "default" and value is None):
            continue
        if key in ("properties", "$defs"):
            out[key] = {name: to_openapi(item) for name, item in value.items()}
        elif key == "const":
            out["enum"] = [value]
        elif key == "examples":
            out["example"] = value[0]
        elif key == "anyOf" and _NULL in value:
            rest = [to_openapi(item) for item in value if item != _NULL]
            single = rest[0] if len(rest) == 1 else {"anyOf": rest}
            out.update({"allOf": [single]} if "$ref" in single else single, nullable=True)
        else:
            out[key] = to_openapi(value)
    return out
