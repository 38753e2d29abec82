"""The tickets service: transactional purchases, ownership, cancellation, idempotency."""

import multiprocessing
import os
import uuid

import pytest

from events import FakeLambdaContext, api_event, cognito_authorizer, lambda_authorizer, parse
from fn_support import _client, get_item, load_service, put_show

ALICE = lambda_authorizer("alice")
BOB = cognito_authorizer("bob")


@pytest.fixture
def tickets(tables):
    return load_service("tickets")


def call(module, *args, **kwargs):
    return parse(module.handler(api_event(*args, **kwargs), FakeLambdaContext()))


def buy(module, show_id, quantity, authorizer=ALICE, key=None):
    headers = {"Idempotency-Key": key} if key else None
    return call(module, "POST", "/tickets", body={"show_id": show_id, "quantity": quantity}, authorizer=authorizer,
                headers=headers)


def owned_tickets(owner):
    items = _client("dynamodb").scan(TableName="tickets")["Items"]
    return [item for item in items if item["owner"]["S"] == owner]


def test_buy_takes_seats_and_records_the_ticket(tickets):
    put_show("s1", capacity=10, price_cents=2500)
    status, ticket = buy(tickets, "s1", 3)
    assert status == 201
    assert ticket["owner"] == "alice" and ticket["quantity"] == 3 and ticket["status"] == "active"
    assert ticket["price_cents"] == 7500
    assert get_item("shows", "s1")["remaining"] == 7
    assert get_item("tickets", ticket["id"])["show_id"] == "s1"


def test_owner_comes_from_the_request_context_not_the_body(tickets):
    put_show("s1")
    status, body = call(tickets, "POST", "/tickets", body={"show_id": "s1", "quantity": 1, "owner": "mallory"},
                        authorizer=ALICE)
    assert status == 400 and body["errors"][0]["field"] == "body.owner"  # unknown fields are refused
    assert buy(tickets, "s1", 1, authorizer=None)[0] == 401
    assert get_item("shows", "s1")["remaining"] == 100


def test_sold_out_is_409_and_nothing_is_written(tickets):
    put_show("s1", capacity=5, remaining=2)
    status, body = buy(tickets, "s1", 3)
    assert status == 409
    assert body["message"] == "Not enough seats: 3 requested but only 2 left for show 's1'"
    assert buy(tickets, "s1", 2)[0] == 201
    status, body = buy(tickets, "s1", 1)
    assert status == 409 and body["message"] == "Show 's1' is sold out"
    assert get_item("shows", "s1")["remaining"] == 0
    assert len(owned_tickets("alice")) == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"show_id": "s1", "quantity": 0}, "body.quantity"),
        ({"show_id": "s1", "quantity": 11}, "body.quantity"),
        ({"show_id": "s1", "quantity": 1.5}, "body.quantity"),
        ({"show_id": "s1", "quantity": True}, "body.quantity"),
        ({"show_id": "", "quantity": 1}, "body.show_id"),
        ({"quantity": 1}, "body.show_id"),
    ],
)
def test_invalid_purchase_is_400(tickets, body, field):
    put_show("s1")
    status, response = call(tickets, "POST", "/tickets", body=body, authorizer=ALICE)
    assert status == 400 and field in [error["field"] for error in response["errors"]]
    assert get_item("shows", "s1")["remaining"] == 100


def test_unknown_show_is_404(tickets):
    status, body = buy(tickets, "ghost", 1)
    assert status == 404 and body["message"] == "Show 'ghost' not found"
    assert owned_tickets("alice") == []


def test_callers_see_only_their_own_tickets(tickets):
    put_show("s1")
    _, mine = buy(tickets, "s1", 1)
    _, also_mine = buy(tickets, "s1", 2)
    _, bobs = buy(tickets, "s1", 1, authorizer=BOB)

    status, page = call(tickets, "GET", "/tickets", authorizer=ALICE)
    assert status == 200
    assert {t["id"] for t in page["items"]} == {mine["id"], also_mine["id"]}
    assert call(tickets, "GET", "/tickets/{id}", path_params={"id": mine["id"]}, authorizer=ALICE)[1] == mine

    status, body = call(tickets, "GET", "/tickets/{id}", path_params={"id": bobs["id"]}, authorizer=ALICE)
    assert status == 404 and "not found" in body["message"]  # not 403: existence is not revealed
    assert call(tickets, "POST", "/tickets/{id}/cancel", path_params={"id": bobs["id"]}, authorizer=ALICE)[0] == 404
    assert get_item("tickets", bobs["id"])["status"] == "active"
    assert call(tickets, "GET", "/tickets")[0] == 401


def test_list_paginates(tickets):
    put_show("s1")
    bought = {buy(tickets, "s1", 1)[1]["id"] for _ in range(5)}
    seen, cursor = [], None
    while True:
        query = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        status, page = call(tickets, "GET", "/tickets", query=query, authorizer=ALICE)
        assert status == 200 and len(page["items"]) <= 2
        seen += [t["id"] for t in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(bought) and len(seen) == 5


def test_cancel_returns_seats_exactly_once(tickets):
    put_show("s1", capacity=10)
    _, ticket = buy(tickets, "s1", 4)
    assert get_item("shows", "s1")["remaining"] == 6

    status, cancelled = call(tickets, "POST", "/tickets/{id}/cancel", path_params={"id": ticket["id"]}, authorizer=ALICE)
    assert status == 200 and cancelled["status"] == "cancelled" and cancelled["cancelled_at"]
    assert get_item("shows", "s1")["remaining"] == 10

    status, body = call(tickets, "POST", "/tickets/{id}/cancel", path_params={"id": ticket["id"]}, authorizer=ALICE)
    assert status == 409 and "already cancelled" in body["message"]
    assert get_item("shows", "s1")["remaining"] == 10  # no double refund
    assert get_item("tickets", ticket["id"])["status"] == "cancelled"


def test_cancel_is_conditional_on_status_even_if_the_read_was_stale(tickets, monkeypatch):
    # GIVEN two cancels that both read the ticket while it was still active
    put_show("s1", capacity=10)
    _, ticket = buy(tickets, "s1", 4)
    import tickets_dal

    stale = dict(get_item("tickets", ticket["id"]))
    monkeypatch.setattr(tickets_dal.TicketsStore, "get_ticket", lambda self, ticket_id: dict(stale))
    # WHEN both cancel
    first = call(tickets, "POST", "/tickets/{id}/cancel", path_params={"id": ticket["id"]}, authorizer=ALICE)
    second = call(tickets, "POST", "/tickets/{id}/cancel", path_params={"id": ticket["id"]}, authorizer=ALICE)
    # THEN the DynamoDB condition lets only one refund through
    assert (first[0], second[0]) == (200, 409)
    assert get_item("shows", "s1")["remaining"] == 10


def test_same_idempotency_key_buys_once_and_replays_the_response(tickets):
    put_show("s1", capacity=10)
    first = buy(tickets, "s1", 2, key="key-123")
    second = buy(tickets, "s1", 2, key="key-123")
    assert first[0] == second[0] == 201
    assert first[1] == second[1]
    assert get_item("shows", "s1")["remaining"] == 8
    assert len(owned_tickets("alice")) == 1


def test_same_key_with_a_different_body_is_rejected(tickets):
    put_show("s1", capacity=10)
    assert buy(tickets, "s1", 2, key="key-123")[0] == 201
    status, body = buy(tickets, "s1", 3, key="key-123")
    assert status == 422
    assert "Idempotency-Key" in body["message"] and "different request body" in body["message"]
    assert get_item("shows", "s1")["remaining"] == 8


def test_idempotency_keys_are_scoped_per_caller(tickets):
    put_show("s1", capacity=10)
    _, alice_ticket = buy(tickets, "s1", 1, key="shared-key")
    _, bob_ticket = buy(tickets, "s1", 1, authorizer=BOB, key="shared-key")
    assert alice_ticket["id"] != bob_ticket["id"] and bob_ticket["owner"] == "bob"
    assert get_item("shows", "s1")["remaining"] == 8


def test_a_failed_purchase_is_not_remembered(tickets):
    put_show("s1", capacity=5, remaining=0)
    assert buy(tickets, "s1", 1, key="retry-me")[0] == 409
    _client("dynamodb").update_item(TableName="shows", Key={"id": {"S": "s1"}},
                                    UpdateExpression="SET remaining = :r", ExpressionAttributeValues={":r": {"N": "1"}})
    assert buy(tickets, "s1", 1, key="retry-me")[0] == 201


def test_idempotency_key_header_is_validated(tickets):
    put_show("s1")
    status, body = buy(tickets, "s1", 1, key="x" * 300)
    assert status == 400 and body["errors"][0]["field"] == "header.Idempotency-Key"


# --------------------------------------------------------------------------- concurrency


def _buyer(module, endpoint, barrier, results, index, quantity):
    """One Lambda container (a forked process) buying seats as soon as every buyer is ready."""
    os.environ["AWS_ENDPOINT_URL"] = endpoint
    from shared import aws

    aws.reset_clients()
    module._service = None
    barrier.wait(timeout=30)
    event = api_event("POST", "/tickets", body={"show_id": "hot", "quantity": quantity},
                      authorizer=lambda_authorizer(f"buyer-{index}"))
    try:
        results.put((index, *parse(module.handler(event, FakeLambdaContext()))))
    except BaseException as exc:  # report, never hang the parent
        results.put((index, -1, {"message": repr(exc)}))


@pytest.mark.parametrize(("buyers", "quantity", "capacity", "expected_sales"), [(20, 1, 5, 5), (20, 2, 7, 3)])
def test_concurrent_buyers_never_oversell(moto_server, monkeypatch, buyers, quantity, capacity, expected_sales):
    from fn_support import create_idempotency_table, create_shows_table, create_tickets_table

    monkeypatch.setenv("SHOWS_TABLE", create_shows_table())
    monkeypatch.setenv("TICKETS_TABLE", create_tickets_table())
    monkeypatch.setenv("IDEMPOTENCY_TABLE", create_idempotency_table())
    put_show("hot", capacity=capacity)
    module = load_service("tickets")

    # GIVEN many containers that all try to buy at the same instant
    ctx = multiprocessing.get_context("fork")
    barrier, results = ctx.Barrier(buyers), ctx.Queue()
    processes = [ctx.Process(target=_buyer, args=(module, moto_server, barrier, results, i, quantity))
                 for i in range(buyers)]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(30)

    # THEN exactly the capacity is sold and everybody else gets a clear 409
    statuses = sorted(status for _, status, _ in outcomes)
    sold = [body for _, status, body in outcomes if status == 201]
    refused = [body for _, status, body in outcomes if status != 201]
    assert len(sold) == expected_sales, statuses
    assert all(status == 409 for _, status, _ in outcomes if status != 201), outcomes
    assert all("sold out" in body["message"] or "Not enough seats" in body["message"] for body in refused)
    show = get_item("shows", "hot")
    tickets_written = _client("dynamodb").scan(TableName="tickets")["Items"]
    seats_sold = sum(int(item["quantity"]["N"]) for item in tickets_written)
    assert len(tickets_written) == expected_sales
    assert show["remaining"] + seats_sold == capacity
    assert show["remaining"] == capacity - expected_sales * quantity
    assert len({body["id"] for body in sold}) == expected_sales


def test_concurrent_retries_with_one_key_buy_once(moto_server, monkeypatch):
    from fn_support import create_idempotency_table, create_shows_table, create_tickets_table

    monkeypatch.setenv("SHOWS_TABLE", create_shows_table())
    monkeypatch.setenv("TICKETS_TABLE", create_tickets_table())
    monkeypatch.setenv("IDEMPOTENCY_TABLE", create_idempotency_table())
    put_show("hot", capacity=50)
    module = load_service("tickets")
    key = str(uuid.uuid4())

    def retry(module, endpoint, barrier, results, index, quantity):
        os.environ["AWS_ENDPOINT_URL"] = endpoint
        from shared import aws

        aws.reset_clients()
        module._service = None
        barrier.wait(timeout=30)
        event = api_event("POST", "/tickets", body={"show_id": "hot", "quantity": 2}, authorizer=ALICE,
                          headers={"Idempotency-Key": key})
        results.put((index, *parse(module.handler(event, FakeLambdaContext()))))

    ctx = multiprocessing.get_context("fork")
    barrier, results = ctx.Barrier(8), ctx.Queue()
    processes = [ctx.Process(target=retry, args=(module, moto_server, barrier, results, i, 2)) for i in range(8)]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(30)
    # Each retry either replays the one purchase or is told it is still in progress; seats go once.
    assert {status for _, status, _ in outcomes} <= {201, 409}
    assert len({body["id"] for _, status, body in outcomes if status == 201}) == 1
    assert get_item("shows", "hot")["remaining"] == 48
    assert len(_client("dynamodb").scan(TableName="tickets")["Items"]) == 1


def test_no_purchase_for_a_show_that_has_started(tickets):
    put_show("s1", capacity=10, starts_at="2020-01-01T19:30:00Z")
    status, body = buy(tickets, "s1", 1)
    assert status == 409 and body["message"] == "Show 's1' has already started; tickets are no longer sold"
    assert get_item("shows", "s1")["remaining"] == 10 and owned_tickets("alice") == []


def test_a_show_that_starts_between_the_read_and_the_purchase_is_refused_by_the_transaction(tickets, monkeypatch):
    # GIVEN the show read while it had not started, but starting before the transaction runs
    put_show("s1", capacity=10, starts_at="2020-01-01T19:30:00Z")
    service = tickets._get_service()
    monkeypatch.setattr(service.store, "get_show", lambda show_id: {"price_cents": 2500,
                                                                    "starts_at": "2099-01-01T00:00:00Z"})
    # THEN the condition inside the transaction refuses it
    assert buy(tickets, "s1", 1)[0] == 409
    assert get_item("shows", "s1")["remaining"] == 10


def test_the_price_is_the_one_the_transaction_sees(tickets, monkeypatch):
    # GIVEN a price raised after the purchase read it (a concurrent PUT /shows/{id})
    put_show("s1", capacity=10, price_cents=3000)
    service = tickets._get_service()
    read = service.store.get_show
    stale = iter([{**read("s1"), "price_cents": 2500}])
    monkeypatch.setattr(service.store, "get_show", lambda show_id: next(stale, None) or read(show_id))
    # WHEN two seats are bought
    status, ticket = buy(tickets, "s1", 2)
    # THEN the total is charged at the price the seats were taken at, never the stale one
    assert status == 201 and ticket["price_cents"] == 6000
    assert get_item("tickets", ticket["id"])["price_cents"] == 6000
    assert get_item("shows", "s1")["remaining"] == 8


def test_replaying_a_key_after_a_cancel_buys_nothing_and_answers_the_cancelled_ticket(tickets):
    # GIVEN a keyed purchase, then its cancel
    put_show("s1", capacity=10)
    status, bought = buy(tickets, "s1", 2, key="key-cancel")
    assert status == 201
    assert call(tickets, "POST", "/tickets/{id}/cancel", path_params={"id": bought["id"]}, authorizer=ALICE)[0] == 200
    # WHEN the purchase is replayed with the same key
    status, replayed = buy(tickets, "s1", 2, key="key-cancel")
    # THEN it is that ticket as it is now, and no seats are taken again
    assert status == 201 and replayed["id"] == bought["id"] and replayed["status"] == "cancelled"
    assert get_item("shows", "s1")["remaining"] == 10 and len(owned_tickets("alice")) == 1


def test_a_replayed_purchase_is_counted_as_a_replay_not_a_sale(tickets, capsys):
    # The dashboards chart IdempotentReplays next to TicketsSold (Powertools' EMF lines on stdout).
    put_show("s1", capacity=10)
    capsys.readouterr()
    buy(tickets, "s1", 2, key="key-9")
    bought = capsys.readouterr().out
    buy(tickets, "s1", 2, key="key-9")
    replayed = capsys.readouterr().out
    assert '"TicketsSold"' in bought and '"IdempotentReplays"' not in bought
    assert '"IdempotentReplays"' in replayed and '"TicketsSold"' not in replayed
