"""Pydantic models of the ticketing API: parameters, bodies, answers and stored items.

Pydantic and the standard library only: the program reads these too (through
``shared/api.py``) to write the OpenAPI documents, so what a document promises is
what these models accept. Inputs are strict where JSON has the type (``"5"`` is no
integer), every string is bounded, and patterns use only what JSON Schema, Python
and pydantic's regex engine read alike (``$`` there never matches before a newline).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictInt

ISO_UTC = "%Y-%m-%dT%H:%M:%SZ"
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
# RFC 3339, years 1900-2099 (so that any offset still converts to a UTC time of the same form).
DATE_TIME_PATTERN = (r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
                     r"T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$")
# A position in a listing: the sort key of the last item, "~", its id. Any value of this shape is valid.
CURSOR_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z~[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
TEXT_PATTERN = r"^[^\x00-\x1f\x7f]+$"  # no control characters


def utc_now_iso() -> str:
    return datetime.now(UTC).strftime(ISO_UTC)


def to_iso_utc(value: datetime) -> str:
    """Normalise an aware datetime to the stored form ``YYYY-MM-DDTHH:MM:SSZ`` (sortable)."""
    return value.astimezone(UTC).strftime(ISO_UTC)


def _utc(value: str) -> str:
    return to_iso_utc(datetime.fromisoformat(value))  # ValueError (e.g. 30 February) is a validation error


Id = Annotated[str, Field(min_length=1, max_length=64, pattern=ID_PATTERN, examples=["show-001"])]
Instant = Annotated[str, Field(pattern=DATE_TIME_PATTERN, json_schema_extra={"format": "date-time"},
                               examples=["2026-12-01T19:30:00Z"]), AfterValidator(_utc)]
Text = Annotated[str, Field(min_length=1, max_length=200, pattern=TEXT_PATTERN)]
Limit = Annotated[int, Field(ge=1, le=100, description="Items per page")]
Cursor = Annotated[str, Field(max_length=100, pattern=CURSOR_PATTERN,
                              description="The next_cursor of the previous page")]
IdempotencyKey = Annotated[str, Field(min_length=1, max_length=255, pattern=r"^[\x21-\x7e]+$",
                                      examples=["3f2c8a1e-buy-1"])]
InfoSection = Literal["general", "opening_hours", "accessibility", "transport", "policies"]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- parameters ---------------------------------------------------------------------------------
class ShowPath(BaseModel):
    id: Id


class TicketPath(BaseModel):
    id: Annotated[Id, Field(examples=["0b7e5c2a-4f1d-4c39-9d2e-6a1f0c3b8e77"])]


class InfoPath(BaseModel):
    section: InfoSection


class ShowsQuery(BaseModel):
    starts_from: Instant | None = Field(default=None, alias="from", description="Shows starting at or after")
    starts_to: Instant | None = Field(default=None, alias="to", description="Shows starting at or before")
    limit: Limit = 20
    cursor: Cursor | None = None


class PageQuery(BaseModel):
    limit: Limit = 20
    cursor: Cursor | None = None


class PurchaseHeaders(BaseModel):
    idempotency_key: IdempotencyKey | None = Field(
        default=None, alias="Idempotency-Key",
        description="Retries with the same key return the same ticket and never buy twice; the key with another "
                    "body is refused (422)")


# -- bodies ---------------------------------------------------------------------------------------
class ShowIn(_Input):
    """Body of ``POST /shows`` and ``PUT /shows/{id}`` (PUT replaces every field)."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"title": "The Tempest", "venue": "Main Hall", "starts_at": "2026-12-01T19:30:00Z", "capacity": 120,
         "price_cents": 2500}]})

    title: Text
    venue: Text
    starts_at: Instant = Field(description="With a time zone; stored in UTC")
    capacity: Annotated[StrictInt, Field(ge=1, le=100_000)]
    price_cents: Annotated[StrictInt, Field(ge=0, le=100_000_000)]


class TicketIn(_Input):
    """Body of ``POST /tickets``."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"show_id": "show-001", "quantity": 2}]})

    show_id: Id
    quantity: Annotated[StrictInt, Field(ge=1, le=10)]


# -- answers ----------------------------------------------------------------------------------------
class Show(BaseModel):
    id: str
    title: str
    venue: str
    starts_at: str = Field(json_schema_extra={"format": "date-time"})
    capacity: int
    remaining: int
    price_cents: int
    created_at: str
    updated_at: str


class ShowPage(BaseModel):
    items: list[Show]
    next_cursor: str | None = Field(default=None, description="Pass as ?cursor= to get the next page")


class Ticket(BaseModel):
    id: str
    owner: str
    show_id: str
    quantity: int
    status: Literal["active", "cancelled"]
    price_cents: int = Field(description="Total paid: quantity x the show's unit price at purchase")
    created_at: str
    cancelled_at: str | None = None


class TicketDocument(BaseModel):
    """The receipt of one purchase, kept as a file (where the deployment mounts a file system)."""

    ticket_id: str
    owner: str
    show_id: str
    show_title: str
    venue: str
    starts_at: str
    quantity: int
    price_cents: int
    purchased_at: str


class TicketPage(BaseModel):
    items: list[Ticket]
    next_cursor: str | None = Field(default=None, description="Pass as ?cursor= to get the next page")


class OpeningHours(BaseModel):
    day: Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    opens: str | None = Field(default=None, description="HH:MM local time; null when closed")
    closes: str | None = None
    note: str | None = None


class VenueInfo(BaseModel):
    name: str
    address: str
    city: str
    country: str
    capacity: int
    phone: str | None = None
    email: str | None = None
    website: str | None = None
    timezone: str
    opening_hours: list[OpeningHours]
    accessibility: list[str]
    transport: list[str]
    policies: list[str]


class InfoSectionOut(BaseModel):
    section: InfoSection
    content: dict | list


class Health(BaseModel):
    """What ``GET /health`` answers: API Gateway's own values, from a mock template."""

    status: Literal["ok"]
    stage: str
    request_id: str
    time: str = Field(description="API Gateway's request time, e.g. 01/Dec/2026:19:30:00 +0000")


class FieldError(BaseModel):
    field: str = Field(description="Where: e.g. body.quantity, query.limit")
    message: str
    type: str


class Error(BaseModel):
    """Every error, whether API Gateway or a function answers it."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"message": "Show 'show-009' not found"}]})

    message: str
    errors: list[FieldError] | None = Field(default=None, description="What was invalid, for a 400")
    request_id: str | None = Field(default=None, description="API Gateway's request id, for support")
