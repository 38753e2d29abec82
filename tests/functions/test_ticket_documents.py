"""Ticket documents on a mounted file system: written at purchase, read back by their owner only."""

import json

import pytest

from events import FakeLambdaContext, api_event, cognito_authorizer, lambda_authorizer, parse
from fn_support import load_service, put_show

ALICE = lambda_authorizer("alice")
BOB = cognito_authorizer("bob")


@pytest.fixture
def mount(tmp_path):
    folder = tmp_path / "mnt-tickets"
    folder.mkdir()
    return folder


@pytest.fixture
def tickets(tables, mount, monkeypatch):
    monkeypatch.setenv("TICKET_DOCUMENTS_PATH", str(mount))
    return load_service("tickets")


def call(module, *args, **kwargs):
    return parse(module.handler(api_event(*args, **kwargs), FakeLambdaContext()))


def buy(module, show_id="s1", quantity=2):
    status, ticket = call(module, "POST", "/tickets", body={"show_id": show_id, "quantity": quantity},
                          authorizer=ALICE)
    assert status == 201, ticket
    return ticket


def document_of(module, ticket_id, authorizer=ALICE):
    return call(module, "GET", "/tickets/{id}/document", path_params={"id": ticket_id}, authorizer=authorizer)


def test_a_purchase_writes_its_document_and_the_owner_reads_it(tickets, mount):
    put_show("s1", capacity=10, price_cents=1500)
    ticket = buy(tickets)
    stored = json.loads((mount / f"{ticket['id']}.json").read_text())
    assert stored["ticket_id"] == ticket["id"] and stored["quantity"] == 2 and stored["price_cents"] == 3000
    assert stored["show_id"] == "s1" and stored["owner"] == "alice" and stored["purchased_at"] == ticket["created_at"]
    assert [p.name for p in mount.iterdir()] == [f"{ticket['id']}.json"]  # no temporary file left behind

    status, body = document_of(tickets, ticket["id"])
    assert (status, body) == (200, stored)


def test_someone_elses_or_an_unknown_ticket_has_no_document(tickets):
    put_show("s1")
    ticket = buy(tickets)
    assert document_of(tickets, ticket["id"], authorizer=BOB)[0] == 404
    assert document_of(tickets, "no-such-ticket")[0] == 404
    assert document_of(tickets, ticket["id"], authorizer=None)[0] == 401


def test_a_document_lost_at_purchase_is_written_on_first_read(tickets, mount):
    put_show("s1", title="Hamlet")
    ticket = buy(tickets)
    (mount / f"{ticket['id']}.json").unlink()
    status, body = document_of(tickets, ticket["id"])
    assert status == 200 and body["show_title"] == "Hamlet"
    assert (mount / f"{ticket['id']}.json").is_file()


def test_a_purchase_stands_when_its_document_cannot_be_written(tickets, mount):
    put_show("s1", capacity=5)
    mount.rmdir()  # the file system is gone (as an unreachable mount): writing fails with an OSError
    ticket = buy(tickets)
    assert ticket["status"] == "active"
    mount.mkdir()
    assert document_of(tickets, ticket["id"])[0] == 200  # written on first read


def test_without_a_mount_there_are_no_documents(tables):
    put_show("s1")
    module = load_service("tickets")
    ticket = buy(module)
    status, body = document_of(module, ticket["id"])
    assert (status, body["message"]) == (404, "Ticket documents are not kept by this deployment")
