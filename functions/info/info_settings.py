"""Environment of the info service (names and defaults: ``shared.contract.INFO``)."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, model_validator

from shared import contract
from shared.config import EnvSettings, load_settings


class InfoSettings(EnvSettings):
    source: Literal["postgres", "s3"] = Field(alias=contract.INFO_SOURCE.name)
    bucket: str | None = Field(default=None, alias=contract.INFO_BUCKET.name, min_length=3)
    prefix: str = Field(default="info/", alias=contract.INFO_PREFIX.name)
    cors_origin: str = Field(default="*", alias=contract.CORS_ORIGIN.name)

    @model_validator(mode="after")
    def _s3_needs_bucket(self) -> InfoSettings:
        if self.source == "s3" and not self.bucket:
            raise ValueError(f"{contract.INFO_SOURCE.name}=s3 requires {contract.INFO_BUCKET.name}")
        return self


@lru_cache(maxsize=1)
def get_settings() -> InfoSettings:
    settings = load_settings(InfoSettings)
    if settings.source == "postgres":
        from shared.db import DatabaseSettings

        load_settings(DatabaseSettings)  # validate DB_* at cold start too
    return settings
