"""Lambda handler of the shows service: GET/POST /shows, GET/PUT /shows/{id} (``shared.api``)."""


import functools
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from shared import api
from shared.http import api_handler, location, new_resolver, route
from shared.identity import identity_from_event
from shared.models import Id, Show, ShowIn, ShowPage, ShowsQuery
from shared.observability import tracer

from shows_settings import get_settings

app = new_resolver()

@functools.cache
def _get_service() -> Any:
    """Build the data access and logic once per container, on first use."""
    from shared.cache import cache_of
    from shows_dal import ShowsTable
    from shows_logic import ShowsService

    settings = get_settings()
    return ShowsService(ShowsTable(settings.shows_table), cache_of(settings))


@route(app, api.LIST_SHOWS)
@tracer.capture_method
def list_shows(query: Annotated[ShowsQuery, Query()]) -> ShowPage:
    return _get_service().list_shows(query.starts_from, query.starts_to, query.limit, query.cursor)


@route(app, api.GET_SHOW)
@tracer.capture_method
def get_show(id: Annotated[Id, Path()]) -> Show:  # noqa: A002 (the route is /shows/{id})
    return _get_service().get_show(id)


@route(app, api.CREATE_SHOW)
@tracer.capture_method
def create_show(body: ShowIn) -> Response[Show]:
    caller = identity_from_event(app.current_event.raw_event)
    show = _get_service().create_show(caller, body)
    return Response(
        status_code=201,
        content_type=content_types.APPLICATION_JSON,
        body=show,
        headers={"Location": location(app.current_event.raw_event, f"/shows/{show.id}")},
    )


@route(app, api.REPLACE_SHOW)
@tracer.capture_method
def replace_show(id: Annotated[Id, Path()], body: ShowIn) -> Show:  # noqa: A002
    caller = identity_from_event(app.current_event.raw_event)
    return _get_service().replace_show(caller, id, body)


handler = api_handler(app, get_settings)
