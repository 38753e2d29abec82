"""Concurrent purchases and cancels through each pattern's API: never more seats sold than there are, a cancelled
ticket's seats back exactly once (test_moto_app.py runs the same races many more times at the emulator)."""

from __future__ import annotations

import threading
import time
import uuid

import pytest

from local import engine
from tests.local.conftest import STACK, http

PATTERNS = list(engine.stack_config(STACK).get("multitier:patterns") or [])
ROUNDS = 2
BUYERS = 10
SEATS = 3


def _at_once(calls: list) -> list:
    """Run the calls at the same instant; their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index: int) -> None:
        barrier.wait(30)
        results[index] = calls[index]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.parametrize("name", PATTERNS)
def test_concurrent_purchases_and_cancels_through_the_api(name, local_stack, patterns, sign_in):
    pattern, token = patterns[name], sign_in.id_token(patterns[name])
    prefix = name.replace("_", "-")
    tickets_fn = next(f for f in local_stack.functions if f.name.startswith(prefix) and f.environment.get("TICKETS_TABLE"))
    shows, tickets = tickets_fn.environment["SHOWS_TABLE"], tickets_fn.environment["TICKETS_TABLE"]
    ddb = local_stack.emulators.aws.client("dynamodb")
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    template = next(item for item in ddb.scan(TableName=shows)["Items"] if item["starts_at"]["S"] > now)

    def remaining(show_id: str) -> int:
        return int(ddb.get_item(TableName=shows, Key={"id": {"S": show_id}}, ConsistentRead=True)["Item"]["remaining"]["N"])

    for round_ in range(ROUNDS):
        show_id = f"race-{uuid.uuid4()}"
        ddb.put_item(TableName=shows, Item={**template, "id": {"S": show_id}, "remaining": {"N": str(SEATS)}})

        # GIVEN more buyers than seats, all at once
        answers = _at_once([lambda: http("POST", pattern.url("/tickets"), token=token,
                                         body={"show_id": show_id, "quantity": 1},
                                         headers={"Idempotency-Key": str(uuid.uuid4())})] * BUYERS)
        sold = [a.json()["id"] for a in answers if a.status == 201]
        # THEN each is sold or refused (sold out, or throttled), and what was sold is what was taken and written
        assert {a.status for a in answers} <= {201, 409, 429}, [(a.status, a.body[:200]) for a in answers]
        written = [i for i in ddb.scan(TableName=tickets, ConsistentRead=True)["Items"] if i["show_id"]["S"] == show_id]
        assert len(sold) <= SEATS and len(sold) + remaining(show_id) == SEATS, (round_, len(sold))
        assert sorted(i["id"]["S"] for i in written) == sorted(sold)

        # WHEN one sold ticket is cancelled six times at once THEN one cancel succeeds and its seat comes back once
        before = remaining(show_id)
        cancels = _at_once([lambda: http("POST", pattern.url(f"/tickets/{sold[0]}/cancel"), token=token)] * 6)
        assert sorted(a.status for a in cancels).count(200) == 1, [(a.status, a.body[:200]) for a in cancels]
        assert {a.status for a in cancels} <= {200, 404, 409, 429}
        assert remaining(show_id) == before + 1
