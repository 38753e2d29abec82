"""Environment of the tickets service."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field

from shared.config import EnvSettings, load_settings


class TicketsSettings(EnvSettings):
    tickets_table: str = Field(alias="TICKETS_TABLE", min_length=3)
    shows_table: str = Field(alias="SHOWS_TABLE", min_length=3)
    idempotency_table: str = Field(alias="IDEMPOTENCY_TABLE", min_length=3)
    idempotency_ttl_seconds: int = Field(default=3600, alias="IDEMPOTENCY_TTL_SECONDS", ge=60, le=7 * 86_400)
    cors_origin: str = Field(default="*", alias="CORS_ORIGIN")


@lru_cache(maxsize=1)
def get_settings() -> TicketsSettings:
    return load_settings(TicketsSettings)
