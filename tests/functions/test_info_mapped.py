"""/info behind API Gateway's non-proxy integration: the mapped payload in, the plain result and
prefixed errors out, as the web app pattern's integration responses expect."""

import importlib
import json
import re

import pytest

from events import FakeLambdaContext
from fn_support import FUNCTIONS, _client, load_service

SEED = json.loads((FUNCTIONS / "info" / "seed" / "venue.json").read_text())


@pytest.fixture
def mapped(aws, monkeypatch):
    _client("s3").create_bucket(Bucket="content")
    monkeypatch.setenv("INFO_SOURCE", "s3")
    monkeypatch.setenv("INFO_BUCKET", "content")
    load_service("info")  # a cold start: the service's modules afresh
    return importlib.import_module("info_mapped")


def publish():
    _client("s3").put_object(Bucket="content", Key="info/venue.json", Body=json.dumps(SEED).encode())


def invoke(module, event):
    return module.handler(event, FakeLambdaContext())


def test_a_section_and_the_whole_venue(mapped):
    publish()
    assert invoke(mapped, {"section": "transport"}) == {"section": "transport", "content": SEED["transport"]}
    whole = invoke(mapped, {"section": ""})
    assert whole["section"] == "" and whole["content"] == SEED


@pytest.mark.parametrize("event, message", [
    ({"section": "bar"}, "Bad request: unknown section 'bar'; one of general, opening_hours"),
    ({}, "Bad request: the event needs a 'section' string"),
    ("not a map", "Bad request: the event needs a 'section' string"),
])
def test_bad_input_is_a_bad_request_error(mapped, event, message):
    publish()
    with pytest.raises(mapped.MappedError, match=re.escape(message)):
        invoke(mapped, event)


def test_nothing_published_is_not_found(mapped):
    with pytest.raises(mapped.MappedError, match="^Not found: Venue information has not been published yet$"):
        invoke(mapped, {"section": "general"})


def test_an_invalid_document_is_no_caller_error(mapped):
    _client("s3").put_object(Bucket="content", Key="info/venue.json", Body=b'{"name": "only"}')
    with pytest.raises(Exception) as error:
        invoke(mapped, {"section": ""})
    assert not isinstance(error.value, mapped.MappedError)  # → the integration's catch-all 500


def test_prefixes_are_the_ones_the_integration_responses_select_on(mapped):
    from multitier._patterns.gateway_routes import mapped_info

    for route in mapped_info(function=object()):  # the routes as the web app declares them
        errors = route.integration.errors
        for status, prefix in mapped.ERROR_PREFIXES.items():
            message = prefix + "a detail"
            assert [s for pattern, s in errors.items() if re.fullmatch(pattern, message)] == [status], route.path


def test_a_database_still_resuming_is_unavailable(mapped, monkeypatch):
    import info_logic
    from shared.errors import ServiceUnavailableError

    class Resuming:
        def venue_info(self):
            raise ServiceUnavailableError("The database is resuming; retry shortly", retry_after_seconds=5)

    budgets = []

    def resuming(time_left):  # the service retries a resuming database for the invocation's time left
        budgets.append(time_left())
        return Resuming()

    monkeypatch.setattr(info_logic, "configured_service", resuming)
    with pytest.raises(mapped.MappedError, match="^Unavailable: The database is resuming; retry shortly$"):
        mapped.handler({"section": ""}, FakeLambdaContext(remaining_ms=7_000))
    assert budgets == [7.0]
