"""Service settings read from environment variables and validated with pydantic."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

SettingsT = TypeVar("SettingsT", bound=BaseModel)


class ConfigError(RuntimeError):
    """A required environment variable is missing or has a bad value."""


class EnvSettings(BaseModel):
    """Base for service settings: each field's alias is its environment variable."""

    model_config = ConfigDict(frozen=True, populate_by_name=False, extra="ignore")


def load_settings(model: type[SettingsT], environ: Mapping[str, str] | None = None) -> SettingsT:
    """Validate the environment against ``model``.

    Raises
    ------
    ConfigError
        Naming every bad or missing variable, its value and what is allowed.
    """
    env = dict(os.environ if environ is None else environ)
    # An empty string is treated as "not set", as the infrastructure may pass "" for unused vars.
    env = {key: value for key, value in env.items() if value != ""}
    try:
        return model.model_validate(env)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = ".".join(str(part) for part in error["loc"])
            if error["type"] == "missing":
                problems.append(f"{name} is required but not set")
            else:
                problems.append(f"{name}={env.get(name)!r}: {error['msg']}")
        raise ConfigError(f"{model.__name__}: invalid environment: " + "; ".join(problems)) from None
