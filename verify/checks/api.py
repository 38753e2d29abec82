"""Each API's public behaviour: its document (local), /health, refusals, CORS and throttling."""

from __future__ import annotations

import secrets
import time
from concurrent.futures import ThreadPoolExecutor

from verify.aws import aws_call
from verify.checks import Context, Failed, Skipped, check, expect, expect_status, origin
from verify.target import Api

THROTTLE_BUDGET = 300     # requests the throttling check may send
THROTTLE_CLIENTS = 16
# An authorized route without parameters, per API: the first of these the API serves.
AUTHORIZED_PATHS = ("/shows", "/tickets", "/info")


def _site_origin(ctx: Context) -> str:
    """The origin a browser calls from: this pattern's site, else the stack's first, else a stand-in."""
    sites = [*ctx.pattern.sites, *(s for p in ctx.target.patterns.values() for s in p.sites)]
    return origin(sites[0]) if sites else "https://example.com"


def _authorized_path(api: Api) -> str:
    return next((p for p in AUTHORIZED_PATHS if p in api.paths), "")


@check("api-document", "the API's published OpenAPI document is served and lists its routes", scope="api",
       targets=("local",))
def api_document(ctx: Context, api: Api) -> str:
    response = ctx.http("GET", api.at("/openapi.json"))
    document = expect_status(response, 200, "the published document")
    expect(isinstance(document, dict) and str(document.get("openapi", "")).startswith("3."),
           "the published document is not OpenAPI 3", '{"openapi": "3.x", ...}', response)
    missing = sorted(set(api.paths) - set(document.get("paths") or {}))
    expect(not missing, "the published document lacks routes the API serves", f"paths {', '.join(missing)}",
           response, actual=f"paths {', '.join(sorted(document.get('paths') or {}))}")
    operations = [op for item in document["paths"].values() for op in item.values() if isinstance(op, dict)]
    unnamed = [op.get("summary", "?") for op in operations if not op.get("operationId")]
    expect(not unnamed, "operations without an operationId", "an operationId on every operation", response,
           actual=", ".join(unnamed))
    return f"OpenAPI {document['openapi']}, {len(document['paths'])} paths, {len(operations)} operations"


@check("health", "GET /health answers 200 from API Gateway's mock integration, naming the stage", scope="api",
       applies=lambda ctx, api: "/health" in api.paths)
def health(ctx: Context, api: Api) -> str:
    response = ctx.http("GET", api.at("/health"))
    body = expect_status(response, 200, "GET /health")
    expect(isinstance(body, dict) and body.get("status") == "ok" and body.get("stage") == api.stage,
           "GET /health answered something else", f'{{"status": "ok", "stage": "{api.stage}", ...}}', response)
    return f"ok on stage {api.stage} in {response.seconds * 1000:.0f} ms"


@check("undeclared-path", "a path the API does not declare is refused: 403 Missing Authentication Token", scope="api")
def undeclared_path(ctx: Context, api: Api) -> str:
    response = ctx.http("GET", api.at(f"/verify-undeclared-{secrets.token_hex(4)}"))
    body = expect_status(response, 403, "an undeclared path")
    expect(isinstance(body, dict) and body.get("message") == "Missing Authentication Token",
           "an undeclared path was refused with another message", '{"message": "Missing Authentication Token"}',
           response)
    return "403 Missing Authentication Token"


@check("no-token", "an authorized route without a token is refused: 401, with CORS so the browser can read it",
       scope="api", applies=lambda ctx, api: bool(_authorized_path(api)))
def no_token(ctx: Context, api: Api) -> str:
    path, site = _authorized_path(api), _site_origin(ctx)
    response = ctx.http("GET", api.at(path), headers={"Origin": site})
    body = expect_status(response, 401, f"GET {path} without a token")
    expect(isinstance(body, dict) and body.get("message") == "Unauthorized", f"GET {path} without a token",
           '{"message": "Unauthorized"}', response)
    allowed = response.headers.get("access-control-allow-origin")
    expect(allowed in ("*", site), f"the 401 of GET {path} carries no CORS header for {site}",
           f"Access-Control-Allow-Origin: {site} (or *)", response, actual=f"Access-Control-Allow-Origin: {allowed}")
    return f"GET {path}: 401 Unauthorized, readable from {site}"


@check("cors-preflight", "a preflight from the site's origin is answered by API Gateway without a token",
       scope="api", applies=lambda ctx, api: bool(_authorized_path(api)))
def cors_preflight(ctx: Context, api: Api) -> str:
    path, site = _authorized_path(api), _site_origin(ctx)
    method, headers = ("POST", "authorization,content-type,idempotency-key") if path == "/tickets" \
        else ("GET", "authorization")
    response = ctx.http("OPTIONS", api.at(path), headers={
        "Origin": site, "Access-Control-Request-Method": method, "Access-Control-Request-Headers": headers})
    expect_status(response, (200, 204), f"the preflight of {method} {path}")
    h = response.headers
    allowed_headers = {x.strip().lower() for x in h.get("access-control-allow-headers", "").split(",")}
    problems = []
    if h.get("access-control-allow-origin") not in ("*", site):
        problems.append(f"Access-Control-Allow-Origin {site} or *")
    if method not in h.get("access-control-allow-methods", "").upper().split(","):
        problems.append(f"Access-Control-Allow-Methods with {method}")
    if not set(headers.split(",")) <= allowed_headers:
        problems.append(f"Access-Control-Allow-Headers with {headers}")
    expect(not problems, f"the preflight of {method} {path} does not allow the site", "; ".join(problems), response,
           actual=", ".join(f"{k}: {v}" for k, v in sorted(h.items()) if k.startswith("access-control")))
    return f"{method} {path} from {site}: {response.status}"


def stage_throttle(ctx: Context, api: Api) -> tuple[float, int]:
    """The stage's limits on every method (``*/*``), as API Gateway holds them."""
    if ctx.target.kind != "aws" or not api.rest_api_id:
        raise Skipped("the target does not say the stage's limits")
    stage = aws_call(ctx, "apigateway:GET", "get_stage", restApiId=api.rest_api_id, stageName=api.stage)
    every = (stage.get("methodSettings") or {}).get("*/*") or {}
    return float(every.get("throttlingRateLimit", -1)), int(every.get("throttlingBurstLimit", -1))


@check("throttling", "past the stage's limits API Gateway answers 429, with the gateway response's CORS header",
       scope="api", applies=lambda ctx, api: "/health" in api.paths)
def throttling(ctx: Context, api: Api) -> str:
    rate, burst = api.throttle or stage_throttle(ctx, api)
    if rate < 0 or burst < 0:
        raise Skipped("the stage sets no limit")
    if burst + rate > THROTTLE_BUDGET:
        raise Skipped(f"the stage allows {rate:g} requests/s with a burst of {burst}: reaching that takes more than "
                      f"the {THROTTLE_BUDGET} requests this check sends")
    url, statuses, throttled = api.at("/health"), [], []
    started = time.perf_counter()

    def hit(_: int) -> None:
        if throttled:
            return  # seen: stop spending requests
        response = ctx.http("GET", url, headers={"Origin": _site_origin(ctx)})
        statuses.append(response.status)
        if response.status == 429:
            throttled.append(response)

    with ThreadPoolExecutor(THROTTLE_CLIENTS) as pool:
        list(pool.map(hit, range(THROTTLE_BUDGET)))
    seconds = time.perf_counter() - started
    odd = sorted({s for s in statuses if s not in (200, 429)})
    expect(not odd, "the burst got answers other than 200 and 429", "200 until the limit, then 429",
           actual=f"statuses {odd}")
    if throttled:
        response = throttled[0]
        body = response.json()
        expect(isinstance(body, dict) and body.get("message") == "Too Many Requests"
               and response.headers.get("access-control-allow-origin") is not None,
               "the 429 is not API Gateway's THROTTLED response with the API's CORS headers",
               '429 {"message": "Too Many Requests"} with Access-Control-Allow-Origin', response,
               actual=f"{response.summary()} headers {dict(response.headers)}")
        return f"429 after {len(statuses)} requests in {seconds:.1f} s (limit {rate:g}/s, burst {burst})"
    allowed = burst + rate * seconds
    if len(statuses) > 1.2 * allowed + 5:
        raise Failed(f"{len(statuses)} requests in {seconds:.1f} s all passed, past the stage's limit",
                     expected=f"a 429 past {allowed:.0f} requests ({rate:g}/s, burst {burst})",
                     actual=f"{len(statuses)} x 200")
    raise Skipped(f"this machine sent only {len(statuses) / seconds:.0f} requests/s, too few to pass the limit "
                  f"({rate:g}/s, burst {burst})")
