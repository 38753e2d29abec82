"""Cache-aside for shows through a real Redis-protocol socket (fakeredis TCP server), kept fresh by every
service that changes a show."""

import time
from unittest import mock
from urllib.parse import parse_qs, urlparse

import pytest

from events import FakeLambdaContext, api_event, cognito_authorizer, parse
from fn_support import _client, load_service, put_show

ADMIN = cognito_authorizer("admin-1", "admins")


@pytest.fixture
def cache_env(tables, redis_server, monkeypatch):
    """The environment Cache.grant() hands a function (locally: no TLS, no IAM)."""
    monkeypatch.setenv("CACHE_ENDPOINT", "127.0.0.1")
    monkeypatch.setenv("CACHE_PORT", str(redis_server.port))
    monkeypatch.setenv("CACHE_TLS", "false")
    monkeypatch.setenv("CACHE_AUTH", "none")
    monkeypatch.setenv("CACHE_TTL_SECONDS", "30")


@pytest.fixture
def cached_shows(cache_env):
    return load_service("shows")


def call(module, *args, **kwargs):
    return parse(module.handler(api_event(*args, **kwargs), FakeLambdaContext()))


def set_title_behind_the_cache(show_id, title):
    _client("dynamodb").update_item(
        TableName="shows", Key={"id": {"S": show_id}},
        UpdateExpression="SET title = :t", ExpressionAttributeValues={":t": {"S": title}},
    )


def test_reads_are_served_from_cache_with_ttl(cached_shows, redis_server):
    put_show("s1", title="Original")
    assert call(cached_shows, "GET", "/shows/{id}", path_params={"id": "s1"})[1]["title"] == "Original"
    # The entry really is in Redis, with the configured TTL.
    ttl = redis_server.client().ttl("{shows}:item:s1")
    assert 0 < ttl <= 30
    # GIVEN the table changes behind the cache, WHEN read again, THEN the cached copy is served
    set_title_behind_the_cache("s1", "Changed")
    assert call(cached_shows, "GET", "/shows/{id}", path_params={"id": "s1"})[1]["title"] == "Original"
    # ...until the entry expires (the staleness bound is the TTL)
    redis_server.client().delete("{shows}:item:s1")
    assert call(cached_shows, "GET", "/shows/{id}", path_params={"id": "s1"})[1]["title"] == "Changed"


def test_entries_expire_after_the_ttl(tables, redis_server, monkeypatch):
    monkeypatch.setenv("CACHE_ENDPOINT", "127.0.0.1")
    monkeypatch.setenv("CACHE_PORT", str(redis_server.port))
    monkeypatch.setenv("CACHE_TTL_SECONDS", "1")
    module = load_service("shows")
    put_show("s1", title="Original")
    call(module, "GET", "/shows/{id}", path_params={"id": "s1"})
    set_title_behind_the_cache("s1", "Changed")
    time.sleep(2.1)
    assert call(module, "GET", "/shows/{id}", path_params={"id": "s1"})[1]["title"] == "Changed"


def test_list_pages_are_cached_and_admin_writes_invalidate(cached_shows):
    put_show("s1", title="First")
    assert [s["title"] for s in call(cached_shows, "GET", "/shows")[1]["items"]] == ["First"]
    put_show("s2", title="Behind the cache", starts_at="2026-12-02T19:30:00Z")
    assert len(call(cached_shows, "GET", "/shows")[1]["items"]) == 1  # cached page
    call(cached_shows, "GET", "/shows/{id}", path_params={"id": "s1"})  # cache the item too

    body = {"title": "Renamed", "venue": "Main hall", "starts_at": "2026-12-01T19:30:00Z", "capacity": 100,
            "price_cents": 2500}
    status, _ = call(cached_shows, "PUT", "/shows/{id}", path_params={"id": "s1"}, body=body, authorizer=ADMIN)
    assert status == 200
    # Both the item and every list page see the write at once.
    assert call(cached_shows, "GET", "/shows/{id}", path_params={"id": "s1"})[1]["title"] == "Renamed"
    assert [s["title"] for s in call(cached_shows, "GET", "/shows")[1]["items"]] == ["Renamed", "Behind the cache"]

    new = {**body, "title": "Third", "starts_at": "2026-12-03T19:30:00Z"}
    assert call(cached_shows, "POST", "/shows", body=new, authorizer=ADMIN)[0] == 201
    assert len(call(cached_shows, "GET", "/shows")[1]["items"]) == 3


def test_a_corrupt_entry_is_read_from_dynamodb(cached_shows, redis_server):
    put_show("s1", title="Original")
    redis_server.client().set("{shows}:item:s1", b"{not json")
    status, show = call(cached_shows, "GET", "/shows/{id}", path_params={"id": "s1"})
    assert status == 200 and show["title"] == "Original"


def test_cache_outage_falls_back_to_dynamodb_and_warns(cached_shows, redis_server, monkeypatch):
    put_show("s1", title="Original")
    assert call(cached_shows, "GET", "/shows/{id}", path_params={"id": "s1"})[0] == 200
    set_title_behind_the_cache("s1", "Fresh from DynamoDB")

    # GIVEN the cache server goes away
    redis_server.stop()
    from shared.observability import logger

    with mock.patch.object(logger, "warning", wraps=logger.warning) as warning:
        # WHEN shows are read
        status, show = call(cached_shows, "GET", "/shows/{id}", path_params={"id": "s1"})
        list_status, page = call(cached_shows, "GET", "/shows")
    # THEN reads still succeed from DynamoDB and the outage is logged as a warning
    assert status == 200 and show["title"] == "Fresh from DynamoDB"
    assert list_status == 200 and page["items"][0]["id"] == "s1"
    assert any("Cache unavailable" in str(c.args[0]) for c in warning.call_args_list)

    # Writes succeed too (invalidation failure is logged, entries then expire by TTL).
    body = {"title": "During outage", "venue": "V", "starts_at": "2026-12-05T19:30:00Z", "capacity": 5,
            "price_cents": 1}
    assert call(cached_shows, "POST", "/shows", body=body, authorizer=ADMIN)[0] == 201

    # AND when the cache comes back, it is used again once the outage back-off has passed
    from shared import cache as shows_cache

    assert call(cached_shows, "GET", "/shows/{id}", path_params={"id": "s1"})[0] == 200
    redis_server.start()
    time.sleep(0.1)
    assert redis_server.client().exists("{shows}:item:s1") == 0  # still backing off: cache skipped
    monkeypatch.setattr(shows_cache, "OUTAGE_BACKOFF_SECONDS", 0.0)
    cached_shows._get_service().cache._down_until = 0.0
    assert call(cached_shows, "GET", "/shows/{id}", path_params={"id": "s1"})[0] == 200
    assert redis_server.client().exists("{shows}:item:s1") == 1


def test_iam_auth_token_is_a_presigned_elasticache_connect_url(monkeypatch):
    from fn_support import FUNCTIONS  # noqa: F401  (functions on sys.path)
    from shared import cache as shows_cache

    provider = shows_cache.ElastiCacheIAMTokenProvider("app-user", "my-cache", "us-east-1")
    user, token = provider.get_credentials()
    assert user == "app-user"
    assert not token.startswith("https://")
    url = urlparse("https://" + token)
    query = parse_qs(url.query)
    assert url.hostname == "my-cache"
    assert query["Action"] == ["connect"] and query["User"] == ["app-user"]
    assert query["ResourceType"] == ["ServerlessCache"]
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert query["X-Amz-Expires"] == ["900"]
    assert "/us-east-1/elasticache/aws4_request" in query["X-Amz-Credential"][0]
    assert query["X-Amz-Signature"][0]
    # Cached for about ten minutes, not regenerated per connection.
    assert provider.get_credentials()[1] == token


@pytest.mark.parametrize("env, message", [
    ({"CACHE_AUTH": "iam"}, "CACHE_USER and CACHE_NAME"),
    ({"CACHE_MODE": "replicated"}, "CACHE_MODE='replicated'"),
])
def test_a_bad_cache_environment_is_refused(tables, monkeypatch, env, message):
    monkeypatch.setenv("CACHE_ENDPOINT", "cache.example")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    module = load_service("shows")
    from shared import ConfigError

    with pytest.raises(ConfigError, match=message):
        module.handler(api_event("GET", "/shows"), FakeLambdaContext())


@pytest.mark.parametrize("mode, resource_type", [("serverless", ["ServerlessCache"]), ("cluster", None)])
def test_iam_token_names_the_kind_of_cache_the_grant_declares(tables, monkeypatch, mode, resource_type):
    # GIVEN the environment Cache.grant() hands the shows function for a cache of this mode
    for key, value in {"CACHE_ENDPOINT": "master.my-cache.example", "CACHE_TLS": "true", "CACHE_AUTH": "iam",
                       "CACHE_USER": "app-user", "CACHE_NAME": "my-cache", "CACHE_MODE": mode}.items():
        monkeypatch.setenv(key, value)
    module = load_service("shows")
    # WHEN the service signs in to the cache (redis-py asks its credential provider on every connection)
    client = module._get_service().cache._client
    user, token = client.connection_pool.connection_kwargs["credential_provider"].get_credentials()
    # THEN the token names a serverless cache, or a replication group (no ResourceType) in cluster mode
    url = urlparse("https://" + token)
    assert (user, url.hostname) == ("app-user", "my-cache")
    assert parse_qs(url.query).get("ResourceType") == resource_type



def test_a_purchase_and_a_cancel_refresh_the_cached_seats(cache_env, redis_server):
    # GIVEN a show whose item and list page the shows service has cached
    shows = load_service("shows")
    put_show("s1", title="Cached", capacity=10, remaining=10)
    assert call(shows, "GET", "/shows/{id}", path_params={"id": "s1"})[1]["remaining"] == 10
    assert call(shows, "GET", "/shows")[1]["items"][0]["remaining"] == 10
    assert redis_server.client().exists("{shows}:item:s1") == 1
    tickets = load_service("tickets")
    buyer = cognito_authorizer("buyer-1")
    # WHEN the tickets service sells two seats THEN the next reads (item and list) show 8
    status, ticket = call(tickets, "POST", "/tickets", body={"show_id": "s1", "quantity": 2}, authorizer=buyer,
                          headers={"Idempotency-Key": "buy-1"})
    assert status == 201, ticket
    assert call(shows, "GET", "/shows/{id}", path_params={"id": "s1"})[1]["remaining"] == 8
    assert call(shows, "GET", "/shows")[1]["items"][0]["remaining"] == 8
    # WHEN the ticket is cancelled THEN the seats are back in what readers see at once
    assert call(tickets, "POST", "/tickets/{id}/cancel", path_params={"id": ticket["id"]}, authorizer=buyer)[0] == 200
    assert call(shows, "GET", "/shows/{id}", path_params={"id": "s1"})[1]["remaining"] == 10
    assert call(shows, "GET", "/shows")[1]["items"][0]["remaining"] == 10


def test_a_purchase_stands_when_the_cache_is_down(cache_env, redis_server):
    put_show("s1", capacity=5, remaining=5)
    tickets = load_service("tickets")
    redis_server.stop()
    status, ticket = call(tickets, "POST", "/tickets", body={"show_id": "s1", "quantity": 1},
                          authorizer=cognito_authorizer("buyer-2"))
    assert status == 201 and ticket["quantity"] == 1
