"""Read a stack's flat ``multitier:*`` config into the validated settings.

Only ``__main__.py`` calls ``load()``; tests and tools build settings from a
stack file's values with ``settings_from_config``.
"""

from __future__ import annotations

import json
from typing import Any, Mapping

from pydantic import ValidationError

from components.settings.model import NAMESPACE, Settings, camel, config_keys, key_of, sections

# The region when a stack sets no ``aws:region``.
DEFAULT_REGION = "us-east-1"


class SettingsError(ValueError):
    """A stack setting is wrong; the message names the key, the value and what is allowed."""


def settings_from_config(flat: Mapping[str, Any]) -> Settings:
    """Build the settings from flat ``multitier:*`` config values (namespace optional).

    Raises SettingsError naming the offending key, its value and what is allowed.
    """
    keys = config_keys()
    nested: dict[str, Any] = {}
    for raw_key, value in flat.items():
        namespace, _, key = raw_key.rpartition(":")
        if namespace and namespace != NAMESPACE:
            continue  # provider settings such as aws:region belong to the providers
        if key not in keys:
            close = [k for k in keys if k.lower().startswith(key.lower()[:4])]
            hint = f"; did you mean {', '.join(sorted(close)[:3])}?" if close else ""
            raise SettingsError(f"{NAMESPACE}:{key} = {value!r}: unknown setting{hint} "
                                f"(every setting is listed in Pulumi.yaml)")
        section, field, _ = keys[key]
        value = _parse(value)
        if section is None:
            nested[field] = value
        else:
            nested.setdefault(section, {})[field] = value
    try:
        return Settings.model_validate(nested)
    except ValidationError as exc:
        raise SettingsError(_describe(exc, flat)) from None


def load() -> Settings:
    """Read this stack's ``multitier:*`` config."""
    return settings_from_config(_stack_config())


def region() -> str:
    """This stack's ``aws:region``, or the default region."""
    return _stack_config().get("aws:region") or DEFAULT_REGION


def _stack_config() -> dict[str, Any]:
    from pulumi.runtime.config import CONFIG, get_config_env

    return {**get_config_env(), **CONFIG.get()}


def _describe(exc: ValidationError, flat: Mapping[str, Any]) -> str:
    lines = []
    for error in exc.errors():
        loc = [str(part) for part in error["loc"] if not isinstance(part, int)]
        if len(loc) >= 2:
            key = key_of(loc[0], loc[1])
        elif loc:
            key = camel(loc[0]) if loc[0] not in sections() else loc[0]
        else:
            key = "(settings)"
        value = flat.get(f"{NAMESPACE}:{key}", flat.get(key, error.get("input")))
        message = error["msg"].removeprefix("Value error, ")
        if key in sections() or key == "(settings)":
            lines.append(f"{NAMESPACE}: {message}")
        else:
            lines.append(f"{NAMESPACE}:{key} = {value!r}: {message}")
    return "invalid stack settings:\n  " + "\n  ".join(lines)


def _parse(value: Any) -> Any:
    # The engine hands structured values (arrays) over as JSON text; scalars stay
    # strings and pydantic converts them to the field's type.
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value
