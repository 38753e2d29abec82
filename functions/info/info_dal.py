"""The two sources of venue information: PostgreSQL (mobile backend) or S3 JSON (SPA).

Both return the raw document; the logic layer validates it.
"""

from __future__ import annotations

import json
from typing import Any, Protocol

from shared import aws

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
VENUE_OBJECT = "venue.json"


class InfoMissing(Exception):
    """The source holds no venue information (not seeded or not published)."""


class InfoSource(Protocol):
    def venue_info(self) -> dict[str, Any]: ...


class PostgresInfoSource:
    def __init__(self, database: Any):
        self.database = database

    def venue_info(self) -> dict[str, Any]:
        return self.database.run(self._read)

    @staticmethod
    def _read(conn: Any) -> dict[str, Any]:
        venue = conn.execute(
            "SELECT name, address, city, country, capacity, phone, email, website, timezone FROM venue WHERE id = 1",
        ).fetchone()
        if venue is None:
            raise InfoMissing
        hours = conn.execute(
            "SELECT weekday, to_char(opens, 'HH24:MI'), to_char(closes, 'HH24:MI'), note "
            "FROM opening_hours ORDER BY weekday",
        ).fetchall()
        notes = conn.execute("SELECT section, body FROM venue_notes ORDER BY section, position").fetchall()
        columns = ("name", "address", "city", "country", "capacity", "phone", "email", "website", "timezone")
        document: dict[str, Any] = dict(zip(columns, venue, strict=True))
        document["opening_hours"] = [
            {"day": WEEKDAYS[weekday - 1], "opens": opens, "closes": closes, "note": note}
            for weekday, opens, closes, note in hours
        ]
        for section in ("accessibility", "transport", "policies"):
            document[section] = [body for name, body in notes if name == section]
        return document


class S3InfoSource:
    def __init__(self, bucket: str, prefix: str):
        self.bucket = bucket
        self.key = f"{prefix}{VENUE_OBJECT}"

    def venue_info(self) -> dict[str, Any]:
        s3 = aws.client("s3")
        try:
            response = s3.get_object(Bucket=self.bucket, Key=self.key)
        except s3.exceptions.NoSuchKey:
            raise InfoMissing from None
        return json.loads(response["Body"].read())
