"""Environment of the shows service."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, model_validator

from shared.config import EnvSettings, load_settings


class ShowsSettings(EnvSettings):
    shows_table: str = Field(alias="SHOWS_TABLE", min_length=3)
    cache_endpoint: str | None = Field(default=None, alias="CACHE_ENDPOINT")
    cache_port: int = Field(default=6379, alias="CACHE_PORT", ge=1, le=65535)
    cache_tls: bool = Field(default=False, alias="CACHE_TLS")
    cache_auth: Literal["iam", "none"] = Field(default="none", alias="CACHE_AUTH")
    cache_user: str | None = Field(default=None, alias="CACHE_USER")
    cache_name: str | None = Field(default=None, alias="CACHE_NAME")
    cache_ttl_seconds: int = Field(default=30, alias="CACHE_TTL_SECONDS", ge=1, le=86_400)
    region: str = Field(default="us-east-1", alias="AWS_REGION")
    cors_origin: str = Field(default="*", alias="CORS_ORIGIN")

    @model_validator(mode="after")
    def _iam_needs_user_and_name(self) -> ShowsSettings:
        if self.cache_endpoint and self.cache_auth == "iam" and not (self.cache_user and self.cache_name):
            raise ValueError("CACHE_AUTH=iam requires CACHE_USER and CACHE_NAME")
        return self


@lru_cache(maxsize=1)
def get_settings() -> ShowsSettings:
    return load_settings(ShowsSettings)
