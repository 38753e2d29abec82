"""Venue information rules: validate the stored document, cut sections."""

from __future__ import annotations

import functools
from typing import Any, Callable

from pydantic import ValidationError

from shared.errors import NotFoundError
from shared.models import InfoSectionOut, VenueInfo
from shared.observability import logger

from info_dal import InfoMissing, InfoSource
from info_settings import get_settings

GENERAL_FIELDS = ("name", "address", "city", "country", "capacity", "phone", "email", "website", "timezone")


class InfoService:
    def __init__(self, source: InfoSource):
        self.source = source

    def venue_info(self) -> VenueInfo:
        try:
            document = self.source.venue_info()
        except InfoMissing:
            raise NotFoundError("Venue information has not been published yet") from None
        try:
            return VenueInfo.model_validate(document)
        except ValidationError:
            # Bad content is our fault, not the caller's: a 500, logged with the details.
            logger.exception("Stored venue information is invalid")
            raise

    def section(self, name: str) -> InfoSectionOut:
        info = self.venue_info()
        if name == "general":
            content: dict | list = info.model_dump(mode="json", include=set(GENERAL_FIELDS))
        else:
            content = info.model_dump(mode="json")[name]
        return InfoSectionOut(section=name, content=content)


@functools.cache
def configured_service(time_left: Callable[[], float] | None = None) -> InfoService:
    """The service over the configured source, built once per container on first use.

    ``time_left`` gives the seconds the current invocation has left: a paused database is
    retried until then (and answered 503 after); without it, one connection attempt.
    """
    from info_dal import PostgresInfoSource, S3InfoSource

    settings = get_settings()
    if settings.source == "postgres":
        from shared.config import load_settings
        from shared.db import Database, DatabaseSettings

        source: Any = PostgresInfoSource(Database(load_settings(DatabaseSettings), "multitier-info",
                                                  time_left=time_left))
    else:
        source = S3InfoSource(settings.bucket, settings.prefix)
    return InfoService(source)
