"""Business rules for tickets; no boto3 here."""

from __future__ import annotations

import uuid
from typing import Any

from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyValidationError,
)
from aws_lambda_powertools.utilities.idempotency.serialization.pydantic import PydanticSerializer

from shared.cache import NullCache, RedisCache, show_changed
from shared.errors import ConflictError, NotFoundError, ServiceUnavailableError, UnprocessableError
from shared.identity import Identity
from shared.models import Ticket, TicketDocument, TicketIn, TicketPage, utc_now_iso
from shared.observability import logger, metrics

from tickets_dal import (
    Contended,
    NotActive,
    PriceChanged,
    ShowMissing,
    ShowStarted,
    SoldOut,
    TicketsStore,
)
from tickets_documents import TicketDocuments

# A price changed between reading the show and buying is read again, this many times.
_PRICE_ATTEMPTS = 3


class TicketsService:
    def __init__(self, store: TicketsStore, idempotency_store: Any, idempotency_ttl_seconds: int = 3600,
                 documents: TicketDocuments | None = None, cache: NullCache | RedisCache | None = None):
        self.store = store
        self.documents = documents
        self.cache = cache or NullCache()  # the shows cache: a purchase or a cancel changes a show's seats
        self.idempotency_config = IdempotencyConfig(
            # The key is per caller: two users can never collide on an Idempotency-Key.
            event_key_jmespath="[owner, idempotency_key]",
            # Same key, different purchase → IdempotencyValidationError.
            payload_validation_jmespath="[show_id, quantity]",
            raise_on_no_idempotency_key=True,
            expires_after_seconds=idempotency_ttl_seconds,
        )
        self._purchase_once = idempotent_function(
            data_keyword_argument="request",
            persistence_store=idempotency_store,
            config=self.idempotency_config,
            output_serializer=PydanticSerializer(Ticket),
        )(self._purchase_request)
        self._purchased = False  # whether the last keyed purchase bought (else it was a replay)

    def register_lambda_context(self, context: Any) -> None:
        self.idempotency_config.register_lambda_context(context)

    def buy(self, caller: Identity, body: TicketIn, idempotency_key: str | None) -> Ticket:
        """Buy seats; with an ``Idempotency-Key``, a replay buys nothing and returns that ticket as it is now.

        (After a cancel, a replay of the key that bought it answers the cancelled ticket: the
        purchase is never made twice.)
        """
        if idempotency_key is None:
            return self._purchase(caller.user_id, body.show_id, body.quantity)
        request = {
            "owner": caller.user_id,
            "idempotency_key": idempotency_key,
            "show_id": body.show_id,
            "quantity": body.quantity,
        }
        self._purchased = False
        try:
            ticket = self._purchase_once(request=request)
        except IdempotencyValidationError:
            raise UnprocessableError(
                "This Idempotency-Key was already used with a different request body; use a new key for a new purchase",
            ) from None
        except IdempotencyAlreadyInProgressError:
            raise ConflictError(
                "A request with this Idempotency-Key is still being processed; retry it in a moment",
            ) from None
        if not self._purchased:
            metrics.add_metric(name="IdempotentReplays", unit="Count", value=1)
        current = self.store.get_ticket(ticket.id)
        return _to_ticket(current) if current is not None else ticket

    def _purchase_request(self, request: dict[str, Any]) -> Ticket:
        self._purchased = True
        return self._purchase(request["owner"], request["show_id"], request["quantity"])

    def _purchase(self, owner: str, show_id: str, quantity: int) -> Ticket:
        for _ in range(_PRICE_ATTEMPTS):
            show = self.store.get_show(show_id)
            if show is None:
                raise NotFoundError(f"Show '{show_id}' not found")
            now = utc_now_iso()
            unit_price = int(show["price_cents"])
            ticket = Ticket(id=str(uuid.uuid4()), owner=owner, show_id=show_id, quantity=quantity, status="active",
                            price_cents=unit_price * quantity, created_at=now)
            try:
                self.store.purchase(ticket.model_dump(exclude_none=True), unit_price, now)
            except PriceChanged:
                continue
            except ShowMissing:
                raise NotFoundError(f"Show '{show_id}' not found") from None
            except ShowStarted:
                raise ConflictError(f"Show '{show_id}' has already started; tickets are no longer sold") from None
            except SoldOut as exc:
                metrics.add_metric(name="SoldOut", unit="Count", value=1)
                if not exc.remaining:
                    raise ConflictError(f"Show '{show_id}' is sold out") from None
                raise ConflictError(
                    f"Not enough seats: {quantity} requested but only {exc.remaining} left for show '{show_id}'",
                ) from None
            except Contended:
                raise ServiceUnavailableError("The show is in high demand; retry the request") from None
            show_changed(self.cache, show_id)
            metrics.add_metric(name="TicketsSold", unit="Count", value=quantity)
            logger.info("Ticket purchased", extra={"ticket_id": ticket.id, "show_id": show_id, "quantity": quantity})
            self._keep_document(ticket, show)
            return ticket
        raise ServiceUnavailableError(f"The price of show '{show_id}' is changing; retry the request")

    def _keep_document(self, ticket: Ticket, show: dict[str, Any]) -> None:
        """Write the purchase's document; the purchase stands even if this fails (it is written on first read)."""
        if self.documents is None:
            return
        try:
            self.documents.write(_document(ticket, show))
        except OSError:
            metrics.add_metric(name="TicketDocumentNotWritten", unit="Count", value=1)
            logger.exception("Ticket document not written", extra={"ticket_id": ticket.id})

    def ticket_document(self, caller: Identity, ticket_id: str) -> TicketDocument:
        if self.documents is None:
            raise NotFoundError("Ticket documents are not kept by this deployment")
        ticket = self.get_ticket(caller, ticket_id)  # someone else's ticket is a 404 here too
        document = self.documents.read(ticket.id)
        if document is None:
            show = self.store.get_show(ticket.show_id)
            if show is None:
                raise NotFoundError(f"Ticket '{ticket_id}' has no document: its show no longer exists")
            document = _document(ticket, show)
            self.documents.write(document)
        return document

    def list_tickets(self, caller: Identity, limit: int, cursor: str | None) -> TicketPage:
        items, next_cursor = self.store.list_by_owner(caller.user_id, limit, cursor)
        return TicketPage(items=[_to_ticket(item) for item in items], next_cursor=next_cursor)

    def get_ticket(self, caller: Identity, ticket_id: str) -> Ticket:
        item = self.store.get_ticket(ticket_id)
        # Someone else's ticket is indistinguishable from a missing one.
        if item is None or item.get("owner") != caller.user_id:
            raise NotFoundError(f"Ticket '{ticket_id}' not found")
        return _to_ticket(item)

    def cancel_ticket(self, caller: Identity, ticket_id: str) -> Ticket:
        ticket = self.get_ticket(caller, ticket_id)
        if ticket.status != "active":
            raise ConflictError(f"Ticket '{ticket_id}' is already cancelled")
        now = utc_now_iso()
        try:
            self.store.cancel(ticket.model_dump(exclude_none=True), now)
        except NotActive:
            raise ConflictError(f"Ticket '{ticket_id}' is already cancelled") from None
        except ShowMissing:
            raise ConflictError(f"Ticket '{ticket_id}' cannot be cancelled: its show no longer exists") from None
        except Contended:
            raise ServiceUnavailableError("The show is in high demand; retry the request") from None
        show_changed(self.cache, ticket.show_id)
        metrics.add_metric(name="TicketsCancelled", unit="Count", value=ticket.quantity)
        return ticket.model_copy(update={"status": "cancelled", "cancelled_at": now})


def _document(ticket: Ticket, show: dict[str, Any]) -> TicketDocument:
    return TicketDocument(ticket_id=ticket.id, owner=ticket.owner, show_id=ticket.show_id, show_title=show["title"],
                          venue=show["venue"], starts_at=show["starts_at"], quantity=ticket.quantity,
                          price_cents=ticket.price_cents, purchased_at=ticket.created_at)


def _to_ticket(item: dict[str, Any]) -> Ticket:
    return Ticket.model_validate({key: value for key, value in item.items() if key in Ticket.model_fields})
