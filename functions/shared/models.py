"""Pydantic models of the ticketing API (requests, responses, stored items)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

ISO_UTC = "%Y-%m-%dT%H:%M:%SZ"


def utc_now_iso() -> str:
    return datetime.now(UTC).strftime(ISO_UTC)


def to_iso_utc(value: datetime) -> str:
    """Normalise an aware datetime to the stored form ``YYYY-MM-DDTHH:MM:SSZ`` (sortable)."""
    return value.astimezone(UTC).strftime(ISO_UTC)


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ShowIn(_Input):
    """Body of ``POST /shows`` and ``PUT /shows/{id}`` (PUT replaces every field)."""

    title: str = Field(min_length=1, max_length=200)
    venue: str = Field(min_length=1, max_length=200)
    starts_at: AwareDatetime = Field(description="ISO-8601 with a time zone, e.g. 2026-12-01T19:30:00Z")
    capacity: int = Field(ge=1, le=100_000)
    price_cents: int = Field(ge=0, le=100_000_000)


class Show(BaseModel):
    id: str
    title: str
    venue: str
    starts_at: str
    capacity: int
    remaining: int
    price_cents: int
    created_at: str
    updated_at: str


class ShowPage(BaseModel):
    items: list[Show]
    next_cursor: str | None = Field(default=None, description="Pass as ?cursor= to get the next page")


class TicketIn(_Input):
    """Body of ``POST /tickets``."""

    show_id: str = Field(min_length=1, max_length=64)
    quantity: int = Field(ge=1, le=10)

    @field_validator("quantity", mode="before")
    @classmethod
    def _no_bool_or_float(cls, value: object) -> object:
        # 2.0 or true are not seat counts; pydantic would otherwise coerce them.
        if isinstance(value, bool) or isinstance(value, float):
            raise ValueError("quantity must be an integer")
        return value


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
    next_cursor: str | None = None


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


INFO_SECTIONS = ("general", "opening_hours", "accessibility", "transport", "policies")
InfoSection = Literal["general", "opening_hours", "accessibility", "transport", "policies"]


class InfoSectionOut(BaseModel):
    section: InfoSection
    content: dict | list
