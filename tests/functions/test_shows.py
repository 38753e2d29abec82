"""The shows service against moto DynamoDB (no cache configured)."""

import pytest

from events import FakeLambdaContext, api_event, cognito_authorizer, lambda_authorizer, parse
from fn_support import get_item, load_service, put_show

ADMIN = cognito_authorizer("admin-1", "[admins staff]")
USER = cognito_authorizer("user-1", "staff")
NEW_SHOW = {"title": "Hamlet", "venue": "Main hall", "starts_at": "2026-12-01T19:30:00+01:00", "capacity": 50,
            "price_cents": 4500}


@pytest.fixture
def shows(tables):
    return load_service("shows")


def call(module, *args, **kwargs):
    return parse(module.handler(api_event(*args, **kwargs), FakeLambdaContext()))


def test_admin_creates_and_anyone_reads_a_show(shows):
    status, created = call(shows, "POST", "/shows", body=NEW_SHOW, authorizer=ADMIN)
    assert status == 201
    assert created["starts_at"] == "2026-12-01T18:30:00Z"  # normalised to UTC
    assert created["remaining"] == created["capacity"] == 50
    stored = get_item("shows", created["id"])
    assert stored["kind"] == "show" and stored["remaining"] == 50  # the GSI hash key is set

    status, fetched = call(shows, "GET", "/shows/{id}", path_params={"id": created["id"]}, authorizer=USER)
    assert status == 200 and fetched == created


@pytest.mark.parametrize("authorizer", [USER, lambda_authorizer("u", "staff,guests")])
def test_non_admins_cannot_write(shows, authorizer):
    put_show("s1")
    assert call(shows, "POST", "/shows", body=NEW_SHOW, authorizer=authorizer)[0] == 403
    status, body = call(shows, "PUT", "/shows/{id}", path_params={"id": "s1"}, body=NEW_SHOW, authorizer=authorizer)
    assert status == 403 and "admins" in body["message"]
    assert get_item("shows", "s1")["title"] == "A show"


def test_lambda_authorizer_admin_can_write(shows):
    assert call(shows, "POST", "/shows", body=NEW_SHOW, authorizer=lambda_authorizer("a", "staff,admins"))[0] == 201


def test_write_without_identity_is_401(shows):
    status, body = call(shows, "POST", "/shows", body=NEW_SHOW)
    assert status == 401 and body == {"message": "Authentication required"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**NEW_SHOW, "capacity": 0}, "body.capacity"),
        ({**NEW_SHOW, "starts_at": "2026-12-01T19:30:00"}, "body.starts_at"),  # no time zone
        ({**NEW_SHOW, "starts_at": "tomorrow"}, "body.starts_at"),
        ({**NEW_SHOW, "title": "Hamlet\n"}, "body.title"),  # no control characters
        ({**NEW_SHOW, "starts_at": "2026-02-30T19:30:00Z"}, "body.starts_at"),  # the shape, not a day
        ({**NEW_SHOW, "capacity": "50"}, "body.capacity"),  # a string is no integer
        ({**NEW_SHOW, "remaining": 5}, "body.remaining"),  # server-owned field
        ({k: v for k, v in NEW_SHOW.items() if k != "price_cents"}, "body.price_cents"),
    ],
)
def test_invalid_show_is_400_naming_the_field(shows, body, field):
    status, response = call(shows, "POST", "/shows", body=body, authorizer=ADMIN)
    assert status == 400
    assert response["message"] == "Invalid request"
    assert field in [error["field"] for error in response["errors"]]


@pytest.mark.parametrize("raw", ["{not json", "[" * 100_000 + "]" * 100_000])
def test_malformed_json_is_400(shows, raw):
    status, body = call(shows, "POST", "/shows", body=raw, authorizer=ADMIN)
    assert status == 400 and body["errors"][0] == {"field": "body", "message": "Not valid JSON (UTF-8)",
                                                   "type": "json_invalid"}


def test_unknown_show_is_404(shows):
    status, body = call(shows, "GET", "/shows/{id}", path_params={"id": "nope"})
    assert status == 404 and body == {"message": "Show 'nope' not found"}


def test_list_is_sorted_and_paginated_with_cursors(shows):
    for day in range(1, 8):
        put_show(f"s{day}", starts_at=f"2026-12-0{day}T19:30:00Z")
    seen, cursor, pages = [], None, 0
    while True:
        status, page = call(shows, "GET", "/shows", query={"limit": "3", **({"cursor": cursor} if cursor else {})})
        assert status == 200
        assert len(page["items"]) <= 3
        seen += [item["id"] for item in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == [f"s{day}" for day in range(1, 8)]
    assert pages >= 3


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"cursor": "2026-12-02T19:30:00Z~s2"}, ["s3", "s4", "s5", "s6", "s7"]),
        ({"cursor": "2026-12-02T20:00:00Z~forged"}, ["s3", "s4", "s5", "s6", "s7"]),  # no item needed there
        ({"from": "2026-12-04T00:00:00Z", "cursor": "2026-12-02T19:30:00Z~s2"}, ["s4", "s5", "s6", "s7"]),
        ({"to": "2026-12-03T23:59:59Z", "cursor": "2026-12-05T19:30:00Z~s5"}, []),
        ({"from": "2026-12-05T00:00:00Z", "to": "2026-12-01T00:00:00Z"}, []),
    ],
)
def test_any_cursor_is_a_position_and_out_of_range_ones_are_not_errors(shows, query, expected):
    # GIVEN a cursor before or after the requested range (forged, or kept after changing the filters)
    for day in range(1, 8):
        put_show(f"s{day}", starts_at=f"2026-12-0{day}T19:30:00Z")
    status, body = call(shows, "GET", "/shows", query=query)
    # THEN the page is what follows that position in the range, instead of DynamoDB's ValidationException
    assert status == 200 and [item["id"] for item in body["items"]] == expected


def test_list_filters_by_date_range(shows):
    for day in range(1, 8):
        put_show(f"s{day}", starts_at=f"2026-12-0{day}T19:30:00Z")
    status, page = call(shows, "GET", "/shows", query={"from": "2026-12-03T00:00:00Z", "to": "2026-12-05T23:59:59Z"})
    assert status == 200
    assert [item["id"] for item in page["items"]] == ["s3", "s4", "s5"]
    status, page = call(shows, "GET", "/shows", query={"from": "2026-12-06T00:00:00+00:00"})
    assert [item["id"] for item in page["items"]] == ["s6", "s7"]


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ({"limit": "0"}, "query.limit"),
        ({"limit": "101"}, "query.limit"),
        ({"limit": "ten"}, "query.limit"),
        ({"from": "yesterday"}, "query.from"),
        ({"from": "2026-12-05"}, "query.from"),  # a date-time, with its time zone
        ({"to": "2026-02-30T00:00:00Z"}, "query.to"),
        ({"cursor": "garbage"}, "query.cursor"),
    ],
)
def test_bad_list_queries_are_400(shows, query, fragment):
    status, body = call(shows, "GET", "/shows", query=query)
    assert status == 400
    assert fragment in str(body)


def test_put_replaces_fields_and_keeps_sold_seats(shows):
    put_show("s1", capacity=10, remaining=4)  # 6 sold
    update = {**NEW_SHOW, "title": "Hamlet (revival)", "capacity": 20}
    status, body = call(shows, "PUT", "/shows/{id}", path_params={"id": "s1"}, body=update, authorizer=ADMIN)
    assert status == 200
    assert body["title"] == "Hamlet (revival)" and body["capacity"] == 20 and body["remaining"] == 14
    assert get_item("shows", "s1")["remaining"] == 14


def test_put_cannot_shrink_below_sold_seats(shows):
    put_show("s1", capacity=10, remaining=4)  # 6 sold
    update = {**NEW_SHOW, "capacity": 5}
    status, body = call(shows, "PUT", "/shows/{id}", path_params={"id": "s1"}, body=update, authorizer=ADMIN)
    assert status == 409 and "6 seats already sold" in body["message"]
    assert get_item("shows", "s1")["capacity"] == 10


def test_put_unknown_show_is_404(shows):
    status, _ = call(shows, "PUT", "/shows/{id}", path_params={"id": "nope"}, body=NEW_SHOW, authorizer=ADMIN)
    assert status == 404


def test_cors_origin_comes_from_env(tables, monkeypatch):
    monkeypatch.setenv("CORS_ORIGIN", "https://tickets.example")
    module = load_service("shows")
    response = module.handler(api_event("GET", "/shows/{id}", path_params={"id": "x"}), FakeLambdaContext())
    assert response["multiValueHeaders"]["Access-Control-Allow-Origin"] == ["https://tickets.example"]


def test_unexpected_error_is_500_with_the_request_id(shows, monkeypatch):
    import shows_dal

    def boom(self, show_id):
        raise RuntimeError("database exploded at 10.0.0.12")

    monkeypatch.setattr(shows_dal.ShowsTable, "get", boom)
    event = api_event("GET", "/shows/{id}", path_params={"id": "s1"}, request_id="req-abc")
    status, body = parse(shows.handler(event, FakeLambdaContext()))
    assert status == 500
    assert body == {"message": "Internal server error", "request_id": "req-abc"}


def test_missing_table_env_fails_at_cold_start(aws):
    module = load_service("shows")
    from shared import ConfigError

    with pytest.raises(ConfigError, match="SHOWS_TABLE is required"):
        module.handler(api_event("GET", "/shows"), FakeLambdaContext())
