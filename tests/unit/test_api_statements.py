"""What the published documents tell clients beyond the shapes: how fresh each read is, what a status means.

GIVEN every REST API of the dev stack
THEN every read of shows and tickets says whether it may be stale and for how long (the single-page app's
     shows through its cache: the cache's time to live), and buying says what reusing a key answers (422, 409).
"""

from __future__ import annotations

import pytest

from local import engine
from tests.unit.test_api_documents import documents

READS = {("/shows", "get"), ("/shows/{id}", "get"), ("/tickets", "get"), ("/tickets/{id}", "get")}


def _operations(recording):
    for name, _, published in documents(recording):
        for path, item in published["paths"].items():
            for method, operation in item.items():
                yield name, path, method, operation


def test_every_read_of_shows_and_tickets_says_how_fresh_it_is(dev_stack):
    seen = set()
    for api, path, method, operation in _operations(dev_stack):
        if (path, method) not in READS:
            continue
        seen.add((api, path))
        text = operation.get("description", "")
        fresh = "eventually consistent" if path in ("/shows", "/tickets") else "strongly consistent"
        assert fresh in text, (api, path, text)
        ttl = engine.stack_config("dev").get("multitier:cacheTtlSeconds", 30)
        through_cache = api.startswith("single-page-app") and path.startswith("/shows")
        assert (f"for at most {ttl} s" in text) == through_cache, (api, path, text)
    assert {api for api, _ in seen} >= {"mobile-backend-api", "single-page-app-api", "web-app-api",
                                         "microservices-shows-api", "microservices-tickets-api"}


def test_buying_says_what_a_reused_key_answers(dev_stack):
    buys = [op for _, path, method, op in _operations(dev_stack) if (path, method) == ("/tickets", "post")]
    assert len(buys) == 4
    for operation in buys:
        assert {"409", "422"} <= set(operation["responses"])
        assert "422" in operation["description"] and "409" in operation["description"]
        header = next(p for p in operation["parameters"] if p["name"] == "Idempotency-Key")
        assert "422" in header["description"]


@pytest.mark.parametrize("setting", [{"multitier:apiCacheEnabled": True, "multitier:apiCacheTtlSeconds": 45}])
def test_a_stage_cache_is_said_on_every_read(setting):
    recording = engine.run_stack("dev", overrides={**setting, "multitier:patterns": ["mobile_backend"]})
    for api, path, method, operation in _operations(recording):
        if method == "get" and path != "/health":
            assert "up to 45 s old" in operation.get("description", ""), (api, path)
