"""Environment of the tickets service (names and defaults: ``shared.contract.TICKETS``)."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field

from shared import contract
from shared.cache import CacheSettings
from shared.config import load_settings


class TicketsSettings(CacheSettings):
    """With a cache (the shows service's, as a user that may only invalidate): purchases and cancels
    invalidate the show they change."""

    tickets_table: str = Field(alias=contract.TICKETS_TABLE.name, min_length=3)
    shows_table: str = Field(alias=contract.SHOWS_TABLE.name, min_length=3)
    idempotency_table: str = Field(alias=contract.IDEMPOTENCY_TABLE.name, min_length=3)
    idempotency_ttl_seconds: int = Field(
        default=3600, alias=contract.IDEMPOTENCY_TTL_SECONDS.name, ge=60, le=7 * 86_400
    )
    cors_origin: str = Field(default="*", alias=contract.CORS_ORIGIN.name)
    documents_path: str | None = Field(default=None, alias=contract.TICKET_DOCUMENTS_PATH.name, pattern=r"^/")


@lru_cache(maxsize=1)
def get_settings() -> TicketsSettings:
    return load_settings(TicketsSettings)
