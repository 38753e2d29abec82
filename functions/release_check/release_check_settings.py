"""Environment of the release check (names: ``shared.contract.RELEASE_CHECK``)."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from pydantic import Field, field_validator

from shared import contract
from shared.config import EnvSettings, load_settings


class ReleaseCheckSettings(EnvSettings):
    # function name → the event its new version must answer (a request of one of its own routes)
    checks: dict[str, dict[str, Any]] = Field(alias=contract.RELEASE_CHECKS.name)

    @field_validator("checks", mode="before")
    @classmethod
    def _json(cls, value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value


@lru_cache(maxsize=1)
def get_settings() -> ReleaseCheckSettings:
    return load_settings(ReleaseCheckSettings)
