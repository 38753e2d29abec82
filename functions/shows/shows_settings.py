"""Environment of the shows service (names and defaults: ``shared.contract.SHOWS``)."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, model_validator

from shared import contract
from shared.config import EnvSettings, load_settings


class ShowsSettings(EnvSettings):
    shows_table: str = Field(alias=contract.SHOWS_TABLE.name, min_length=3)
    cache_endpoint: str | None = Field(default=None, alias=contract.CACHE_ENDPOINT.name)
    cache_port: int = Field(default=6379, alias=contract.CACHE_PORT.name, ge=1, le=65535)
    cache_tls: bool = Field(default=False, alias=contract.CACHE_TLS.name)
    cache_auth: Literal["iam", "none"] = Field(default="none", alias=contract.CACHE_AUTH.name)
    cache_user: str | None = Field(default=None, alias=contract.CACHE_USER.name)
    cache_name: str | None = Field(default=None, alias=contract.CACHE_NAME.name)
    cache_mode: Literal["serverless", "cluster"] = Field(default="serverless", alias=contract.CACHE_MODE.name)
    cache_ttl_seconds: int = Field(default=30, alias=contract.CACHE_TTL_SECONDS.name, ge=1, le=86_400)
    region: str = Field(alias="AWS_REGION", min_length=1)  # set by Lambda in every function
    cors_origin: str = Field(default="*", alias=contract.CORS_ORIGIN.name)

    @model_validator(mode="after")
    def _iam_needs_user_and_name(self) -> ShowsSettings:
        if self.cache_endpoint and self.cache_auth == "iam" and not (self.cache_user and self.cache_name):
            raise ValueError(f"{contract.CACHE_AUTH.name}=iam requires {contract.CACHE_USER.name} "
                             f"and {contract.CACHE_NAME.name}")
        return self


@lru_cache(maxsize=1)
def get_settings() -> ShowsSettings:
    return load_settings(ShowsSettings)
