"""Environment of the info service."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, model_validator

from shared.config import EnvSettings, load_settings


class InfoSettings(EnvSettings):
    source: Literal["postgres", "s3"] = Field(alias="INFO_SOURCE")
    bucket: str | None = Field(default=None, alias="INFO_BUCKET", min_length=3)
    prefix: str = Field(default="info/", alias="INFO_PREFIX")
    cors_origin: str = Field(default="*", alias="CORS_ORIGIN")

    @model_validator(mode="after")
    def _s3_needs_bucket(self) -> InfoSettings:
        if self.source == "s3" and not self.bucket:
            raise ValueError("INFO_SOURCE=s3 requires INFO_BUCKET")
        return self


@lru_cache(maxsize=1)
def get_settings() -> InfoSettings:
    settings = load_settings(InfoSettings)
    if settings.source == "postgres":
        from shared.db import DatabaseSettings

        load_settings(DatabaseSettings)  # validate DB_* at cold start too
    return settings
