"""Environment of the shows service (names and defaults: ``shared.contract.SHOWS``)."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field

from shared import contract
from shared.cache import CacheSettings
from shared.config import load_settings


class ShowsSettings(CacheSettings):
    shows_table: str = Field(alias=contract.SHOWS_TABLE.name, min_length=3)
    cors_origin: str = Field(default="*", alias=contract.CORS_ORIGIN.name)


@lru_cache(maxsize=1)
def get_settings() -> ShowsSettings:
    return load_settings(ShowsSettings)
