"""The ticketing API, declared once: each operation's route, parameters, body and answers.

Pydantic and the standard library only (the models and the contract are imported relatively), so both
sides read this one file: each service registers its handlers by these operations
(``shared.http.route``) and validates with their models, and the program loads it by
path (``multitier/_declarations.py``) to write the OpenAPI documents that API Gateway
imports and clients read. An operation that is not here is not deployed, and a
parameter that is not here is not read. ``GATEWAY`` operations are answered by API
Gateway itself (a mock, an S3 object); the program holds their integrations to the
statuses declared here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping

from pydantic import BaseModel

from . import contract
from .models import (
    Error,
    Health,
    InfoPath,
    InfoSectionOut,
    PageQuery,
    PurchaseHeaders,
    Show,
    ShowIn,
    ShowPage,
    ShowPath,
    ShowsQuery,
    Ticket,
    TicketIn,
    TicketPage,
    TicketDocument,
    TicketPath,
    VenueInfo,
)

ERROR_MODEL = Error
# What each error status means in this API; every operation may answer the COMMON ones.
ERRORS = {
    400: "Invalid parameters or body; `errors` says which",
    401: "No token, or not a valid one",
    403: "The token may not call this (e.g. not in the admins group), or no such route",
    404: "No such item (or not yours)",
    409: "Conflicts with the current state (sold out, started, already cancelled, seats sold)",
    413: "Body larger than 10 MB",
    415: "Body is not application/json",
    422: "Idempotency-Key already used with another body",
    429: "Too many requests: slow down",
    500: "Unexpected error; `request_id` names it in the logs",
    502: "The store behind API Gateway failed",
    503: "Busy or starting up: retry shortly",
}
# What API Gateway or any function may answer, whatever the operation (an operation answered by
# API Gateway alone declares its own). Any request may carry a body: over 10 MB it is 413, and
# one that is not JSON is 415 wherever it arrives (no template or function reads another type).
BODY_ERRORS = (413, 415)
COMMON_ERRORS = (400, 401, 403, *BODY_ERRORS, 429, 500)


@dataclass(frozen=True)
class Link:
    """A follow-up call whose values come from this operation's answer (OpenAPI runtime expressions)."""

    operation_id: str
    parameters: Mapping[str, str] = field(default_factory=dict)
    request_body: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Operation:
    """One method on one path: its models say what is accepted and what comes back."""

    operation_id: str
    method: str
    path: str                                   # OpenAPI form: /shows/{id}
    summary: str
    response: type[BaseModel]                   # the body of a success
    status: int = 200                           # 201: created, with a Location header
    path_params: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    headers: type[BaseModel] | None = None
    body: type[BaseModel] | None = None         # application/json
    errors: tuple[int, ...] = ()                # besides common_errors
    links: Mapping[str, Link] = field(default_factory=dict)
    common_errors: tuple[int, ...] = COMMON_ERRORS
    description: str = ""                       # beyond the summary: freshness, retries, what a status means

    @property
    def tag(self) -> str:
        return self.path.strip("/").split("/")[0]

    @property
    def rule(self) -> str:
        """The route as Powertools spells it: /shows/<id>."""
        return re.sub(r"\{(\w+)\}", r"<\1>", self.path)

    @property
    def error_statuses(self) -> tuple[int, ...]:
        return tuple(sorted({*self.common_errors, *self.errors}))


def _by_id(pointer: str, *operation_ids: str) -> dict[str, Link]:
    """Links to operations on the item whose id is at ``pointer`` in the answer."""
    return {operation_id: Link(operation_id, {"id": f"$response.body#{pointer}"}) for operation_id in operation_ids}


# How fresh a read is. A list is read from a DynamoDB global secondary index, which DynamoDB
# updates asynchronously after the write (typically well within a second; it has no
# consistent reads); one item by id is a strongly consistent read.
INDEX_READ = ("Read from an index that DynamoDB updates asynchronously: a write of the last second or so may not "
              "show yet (eventually consistent).")
CONSISTENT_READ = "Read with a strongly consistent read: every write answered before it shows."

LIST_SHOWS = Operation(
    "listShows", "GET", "/shows", "Shows by start time, earliest first", ShowPage, query=ShowsQuery,
    links={**_by_id("/items/0/id", "getShow"),
           "buyTickets": Link("buyTickets", request_body={"show_id": "$response.body#/items/0/id", "quantity": 1})},
    description=INDEX_READ)
GET_SHOW = Operation("getShow", "GET", "/shows/{id}", "One show", Show, path_params=ShowPath, errors=(404,),
                     description=CONSISTENT_READ)
CREATE_SHOW = Operation("createShow", "POST", "/shows", "Create a show (admins only)", Show, status=201,
                        body=ShowIn, links=_by_id("/id", "getShow", "replaceShow"))
REPLACE_SHOW = Operation("replaceShow", "PUT", "/shows/{id}", "Replace a show (admins only)", Show,
                         path_params=ShowPath, body=ShowIn, errors=(404, 409))
BUY_TICKETS = Operation("buyTickets", "POST", "/tickets", "Buy seats for a show that has not started", Ticket,
                        status=201, headers=PurchaseHeaders, body=TicketIn, errors=(404, 409, 422, 503),
                        links=_by_id("/id", "getTicket", "cancelTicket", "getTicketDocument"),
                        description="With an `Idempotency-Key`, a retry of the same purchase (same show and "
                                    "quantity, same caller) buys nothing and answers the ticket it bought, as it is "
                                    "now; the key sent again with another body answers 422, and while the first "
                                    "request with it is still running, 409. A key is remembered for an hour "
                                    "(`IDEMPOTENCY_TTL_SECONDS`). Without a key, every request buys.")
LIST_TICKETS = Operation("listTickets", "GET", "/tickets", "The caller's tickets, newest first", TicketPage,
                         query=PageQuery, links=_by_id("/items/0/id", "getTicket", "cancelTicket", "getTicketDocument"),
                         description=INDEX_READ)
GET_TICKET = Operation("getTicket", "GET", "/tickets/{id}", "One of the caller's tickets", Ticket,
                       path_params=TicketPath, errors=(404,), description=CONSISTENT_READ)
# A cancelled ticket stays readable (status "cancelled"), so cancelling is an action on it, not a DELETE.
CANCEL_TICKET = Operation("cancelTicket", "POST", "/tickets/{id}/cancel", "Cancel a ticket: its seats go back on sale",
                          Ticket, path_params=TicketPath, errors=(404, 409, 503))
GET_TICKET_DOCUMENT = Operation("getTicketDocument", "GET", "/tickets/{id}/document",
                                "The receipt of one of the caller's purchases", TicketDocument, path_params=TicketPath,
                                errors=(404,))
GET_INFO = Operation("getVenueInfo", "GET", "/info", "Everything about the venue", VenueInfo, errors=(404, 503))
GET_INFO_SECTION = Operation("getVenueInfoSection", "GET", "/info/{section}", "One section of the venue information",
                             InfoSectionOut, path_params=InfoPath, errors=(404, 503))

# Public, and answered from a template, so only throttling (or a WAF) stands between.
GET_HEALTH = Operation("getHealth", "GET", "/health", "Whether the API answers (API Gateway itself, no backend)",
                       Health, common_errors=(403, *BODY_ERRORS, 429))
GET_VENUE = Operation("getVenueDocument", "GET", "/venue", "The venue's published document, straight from S3",
                      VenueInfo, errors=(404, 502))

# The operations each service's function answers, by the service's name in its contract.
SERVICES: dict[str, tuple[Operation, ...]] = {
    contract.SHOWS.service: (LIST_SHOWS, GET_SHOW, CREATE_SHOW, REPLACE_SHOW),
    contract.TICKETS.service: (BUY_TICKETS, LIST_TICKETS, GET_TICKET, CANCEL_TICKET, GET_TICKET_DOCUMENT),
    contract.INFO.service: (GET_INFO, GET_INFO_SECTION),
}
# Routed only where a pattern asks: what they read is not everywhere (the documents' file system).
OPT_IN = (GET_TICKET_DOCUMENT,)
# Answered by API Gateway itself: no function registers them.
GATEWAY = (GET_HEALTH, GET_VENUE)
OPERATIONS = {op.operation_id: op for op in (*(op for ops in SERVICES.values() for op in ops), *GATEWAY)}
