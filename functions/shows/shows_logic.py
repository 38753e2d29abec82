"""Business rules for shows; no boto3 or Redis here."""

from __future__ import annotations

import uuid
from typing import Any

from shared.cache import NullCache, RedisCache, item_key, list_key, show_changed
from shared.errors import ConflictError, ForbiddenError, NotFoundError
from shared.identity import Identity
from shared.models import Show, ShowIn, ShowPage, utc_now_iso
from shared.observability import metrics

from shows_dal import CapacityConflict, ShowsTable

ADMIN_GROUP = "admins"


class ShowsService:
    def __init__(self, table: ShowsTable, cache: NullCache | RedisCache):
        self.table = table
        self.cache = cache

    def list_shows(self, starts_from: str | None, starts_to: str | None, limit: int, cursor: str | None) -> ShowPage:
        """Shows starting in [starts_from, starts_to] (UTC, stored form), after ``cursor``."""
        position = cursor.split("~", 1)[0] if cursor else None
        if starts_to and (starts_from and starts_from > starts_to or position and position > starts_to):
            return ShowPage(items=[])  # an empty range, or a position after its end
        if position and starts_from and position < starts_from:
            cursor = None  # a position before the range: the page starts where the range does
        generation = self.cache.generation()
        key = list_key(generation, starts_from, starts_to, limit, cursor) if generation is not None else None
        if key is not None:
            cached = self.cache.get(key)
            if cached is not None:
                return ShowPage.model_validate(cached)
        items, next_cursor = self.table.list_by_start(starts_from, starts_to, limit, cursor)
        page = ShowPage(items=[_to_show(item) for item in items], next_cursor=next_cursor)
        if key is not None:
            self.cache.set(key, page.model_dump(mode="json"))
        return page

    def get_show(self, show_id: str) -> Show:
        cached = self.cache.get(item_key(show_id))
        if cached is not None:
            return Show.model_validate(cached)
        item = self.table.get(show_id)
        if item is None:
            raise NotFoundError(f"Show '{show_id}' not found")
        show = _to_show(item)
        self.cache.set(item_key(show_id), show.model_dump(mode="json"))
        return show

    def create_show(self, caller: Identity, body: ShowIn) -> Show:
        _require_admin(caller)
        now = utc_now_iso()
        show = Show(
            id=str(uuid.uuid4()),
            title=body.title,
            venue=body.venue,
            starts_at=body.starts_at,
            capacity=body.capacity,
            remaining=body.capacity,
            price_cents=body.price_cents,
            created_at=now,
            updated_at=now,
        )
        self.table.create(show.model_dump())
        self.cache.invalidate(bump_lists=True)
        metrics.add_metric(name="ShowsCreated", unit="Count", value=1)
        return show

    def replace_show(self, caller: Identity, show_id: str, body: ShowIn) -> Show:
        _require_admin(caller)
        for _ in range(3):  # retry a lost race with a concurrent edit; seats sold are re-read
            current = self.table.get(show_id)
            if current is None:
                raise NotFoundError(f"Show '{show_id}' not found")
            delta = body.capacity - int(current["capacity"])
            fields: dict[str, Any] = {
                "title": body.title,
                "venue": body.venue,
                "starts_at": body.starts_at,
                "capacity": body.capacity,
                "price_cents": body.price_cents,
                "updated_at": utc_now_iso(),
            }
            try:
                updated = self.table.replace(show_id, fields, int(current["capacity"]), delta)
            except CapacityConflict:
                latest = self.table.get(show_id)
                if latest is None:
                    raise NotFoundError(f"Show '{show_id}' not found") from None
                if int(latest["capacity"]) == int(current["capacity"]):
                    sold = int(latest["capacity"]) - int(latest["remaining"])
                    raise ConflictError(
                        f"Capacity {body.capacity} is below the {sold} seats already sold for show '{show_id}'",
                    ) from None
                continue
            show_changed(self.cache, show_id)
            return _to_show(updated)
        raise ConflictError(f"Show '{show_id}' was modified concurrently; retry the request")


def _require_admin(caller: Identity) -> None:
    if not caller.in_group(ADMIN_GROUP):
        raise ForbiddenError(f"Only members of the '{ADMIN_GROUP}' group may change shows")


def _to_show(item: dict[str, Any]) -> Show:
    return Show.model_validate({key: value for key, value in item.items() if key in Show.model_fields})
