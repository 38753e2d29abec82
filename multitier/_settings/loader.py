"""Read a stack's config: the flat ``multitier:*`` keys into the validated settings, and
the ``aws:*`` keys into the arguments of every AWS provider the program creates.

Only ``__main__.py`` calls ``load()`` and ``provider_settings()``; tests and tools build
settings from a stack file's values with ``settings_from_config``.
"""

from __future__ import annotations

import dataclasses
import enum
import inspect
import json
import re
import typing
from importlib.metadata import version
from typing import Any, Mapping, TypeVar

import pulumi_aws as aws
from pydantic import ValidationError

from multitier._settings.model import NAMESPACE, Settings, camel, config_keys, key_of, sections, value_of

# The region when a stack sets no ``aws:region`` (local mode and the offline engine use it too).
DEFAULT_REGION = "us-east-1"
PROVIDER_SETTINGS_DOC = "https://www.pulumi.com/registry/packages/aws/installation-configuration/"


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


_Inputs = TypeVar("_Inputs", bound="SettingsInputs")


class SettingsInputs:
    """Settings as typed fields of a dataclass, each named after its flat key (``lambda_memory_mb`` is
    ``multitier:lambdaMemoryMb``) and None when unset: what a program in any language hands a pattern
    (``PatternSettings``, generated from the model). ``validated()`` checks them together."""

    def validated(self) -> Settings:
        """The settings these fields give (unset: the default). Raises SettingsError naming the key, the
        value and what is allowed."""
        return settings_from_config({camel(f.name): getattr(value, "value", value)
                                     for f in dataclasses.fields(self)  # type: ignore[arg-type]
                                     if (value := getattr(self, f.name)) is not None})

    @classmethod
    def of(cls: type[_Inputs], settings: Settings) -> _Inputs:
        """These fields as ``settings`` has them."""
        keys = config_keys()
        hints = typing.get_type_hints(cls)
        values = {}
        for f in dataclasses.fields(cls):  # type: ignore[arg-type]
            section, name, _ = keys[camel(f.name)]
            value = value_of(settings, section, name)
            kind = next((t for t in typing.get_args(hints[f.name]) if isinstance(t, type) and issubclass(t, enum.Enum)),
                        None)
            values[f.name] = kind(value) if kind else value
        return cls(**values)


def load() -> Settings:
    """Read this stack's ``multitier:*`` config."""
    return settings_from_config(_stack_config())


def region_of(config: Mapping[str, Any]) -> str:
    """The ``aws:region`` of a stack's config, or the default region."""
    return config.get("aws:region") or DEFAULT_REGION


def provider_settings(config: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Every ``aws:*`` setting of the stack (default: this one's) as ``aws.Provider`` arguments.

    An explicit provider reads none of the stack's ``aws:*`` config by itself (profile,
    assumeRoles, allowedAccountIds, ...): the program hands them over, region included.
    Raises SettingsError naming a key the provider does not know or a value it cannot read.
    """
    config = _stack_config() if config is None else config
    fields = inspect.signature(aws.ProviderArgs.__init__).parameters
    arguments: dict[str, Any] = {"region": region_of(config)}
    for key, value in config.items():
        namespace, _, name = key.partition(":")
        if namespace != "aws":
            continue
        argument = re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()  # allowedAccountIds → allowed_account_ids
        if argument not in fields or argument.startswith("_"):
            raise SettingsError(f"{key} = {value!r}: not a setting of the AWS provider (pulumi-aws "
                                f"{version('pulumi_aws')}: {PROVIDER_SETTINGS_DOC})")
        arguments[argument] = value if _is_text(fields[argument].annotation) else _structured(key, value)
    return arguments


def _is_text(annotation: Any) -> bool:
    return typing.get_args(annotation)[:1] == (str,)


def _structured(key: str, value: Any) -> Any:
    # The engine hands lists, objects, booleans and numbers over as JSON text.
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        raise SettingsError(f"{key} = {value!r}: must be a list, an object, true/false or a number") from None


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
