"""Demo shows that local mode puts into an empty shows table (see ``shared.contract.SHOWS_TABLE``).

Standard library only: local mode calls ``seed_items`` from the unpacked archive, outside Lambda.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

# title, venue, days from now, capacity, price in cents
SHOWS = (
    ("The Tempest", "Main Hall", 2, 120, 2500),
    ("Jazz at the Riverside", "Studio B", 5, 60, 1800),
    ("A Midsummer Night's Dream", "Main Hall", 9, 120, 3000),
    ("Improv Night", "Studio B", 12, 40, 1200),
    ("Chamber Orchestra", "Main Hall", 16, 200, 4500),
)


def seed_items(now: datetime | None = None) -> list[dict]:
    """Upcoming shows, starting at 19:30 UTC on their day, with every seat for sale."""
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    items = []
    for index, (title, venue, days, capacity, price) in enumerate(SHOWS, start=1):
        starts = (now + timedelta(days=days)).replace(hour=19, minute=30, second=0)
        items.append({"id": f"show-{index:03d}", "kind": "show", "title": title, "venue": venue,
                      "starts_at": starts.strftime("%Y-%m-%dT%H:%M:%SZ"), "capacity": capacity,
                      "remaining": capacity, "price_cents": price, "created_at": stamp, "updated_at": stamp})
    return items
