"""What a signed-in user does: sign in over SRP, list shows, buy a ticket (and replay it), read it back,
cancel it, read the venue's information. Only the verification user's own data is touched."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from urllib.parse import urljoin

from verify.aws import request_id
from verify.checks import Context, Failed, Skipped, check, expect, expect_status
from verify.cognito import SignInError, VerificationUser, claims, srp_sign_in
from verify.http import Response

# A 503 with Retry-After (dev's paused database resuming, a busy store) is retried as a client would.
RETRIES = 3
RETRY_AFTER_MAX = 15
# A show must start at least this long after the purchase, so that cancelling it is still allowed.
SALE_MARGIN = timedelta(hours=1)
SHOW_PAGES = 5
ADMINS = "admins"  # the pool's group that may create shows
# Created (with --create-show) where no show is on sale, and found again by later runs: it never starts.
VERIFICATION_SHOW = {"title": "multitier verification (not a real show)", "venue": "Verification",
                     "starts_at": "2099-12-31T20:00:00Z", "capacity": 10, "price_cents": 0}
VENUE_SECTION = "general"
VENUE_FIELDS = ("name", "address", "city", "country", "capacity", "timezone", "opening_hours")


def _call(ctx: Context, method: str, url: str, **options) -> Response:
    """A signed-in request; a 503 naming a Retry-After is sent again (same headers: a purchase keeps its key)."""
    for _ in range(RETRIES):
        response = ctx.http(method, url, token=ctx.id_token, **options)
        retry_after = response.headers.get("retry-after", "")
        if response.status != 503 or not retry_after.isdigit():
            return response
        ctx.sleep(min(int(retry_after), RETRY_AFTER_MAX))
    return response


@check("sign-in", "a verification user, made with the admin API, signs in over SRP at the pattern's endpoint")
def sign_in(ctx: Context, _: None) -> str:
    p = ctx.pattern
    ctx.user = VerificationUser(ctx.target.client("cognito-idp"), p.user_pool_id)
    try:
        ctx.user.create()
    except Exception as error:  # noqa: BLE001 (botocore's ClientError, or no credentials: both say why)
        raise Failed(f"could not create the verification user in {p.user_pool_id}",
                     expected="cognito-idp:AdminCreateUser and AdminSetUserPassword allowed on the pool",
                     actual=f"{type(error).__name__}: {error}", request_id=request_id(error)) from None
    _sign_in(ctx)
    wanted = {"token_use": "id", "aud": p.client_id}
    wrong = {k: ctx.claims.get(k) for k, v in wanted.items() if ctx.claims.get(k) != v}
    expect(not wrong and ctx.claims.get("sub") and str(ctx.claims.get("iss", "")).endswith("/" + p.user_pool_id),
           "the ID token does not name this pool and app client",
           f"{wanted}, a sub, and iss ending in /{p.user_pool_id}",
           actual=f"{wrong or ''} sub {ctx.claims.get('sub')} iss {ctx.claims.get('iss')}")
    return f"{ctx.user.email} signed in over SRP at {p.sign_in_endpoint}"


def _sign_in(ctx: Context) -> None:
    p = ctx.pattern
    try:
        tokens = srp_sign_in(ctx.http, p.sign_in_endpoint, p.user_pool_id, p.client_id, ctx.user.email,
                             ctx.user.password)
    except SignInError as error:
        raise Failed(str(error), expected="USER_SRP_AUTH, then tokens for the PASSWORD_VERIFIER answer",
                     actual=error.response.summary(), request_id=error.response.request_id) from None
    ctx.id_token, ctx.claims = tokens["IdToken"], claims(tokens["IdToken"])


@check("shows", "the signed-in user lists the shows and finds one on sale", needs=("sign-in",),
       applies=lambda ctx, _: ctx.pattern.api_for("/shows") is not None)
def shows(ctx: Context, _: None) -> str:
    api = ctx.api("/shows")
    after = (datetime.now(timezone.utc) + SALE_MARGIN).strftime("%Y-%m-%dT%H:%M:%SZ")
    url, count = api.at(f"/shows?from={after}&limit=100"), 0
    for _page in range(SHOW_PAGES):
        response = _call(ctx, "GET", url)
        page = expect_status(response, 200, "GET /shows")
        expect(isinstance(page, dict) and isinstance(page.get("items"), list), "GET /shows is not a page of shows",
               '{"items": [...], "next_cursor": ...}', response)
        count += len(page["items"])
        ctx.show = next((s for s in page["items"] if s.get("remaining", 0) >= 1), None)
        if ctx.show or not page.get("next_cursor"):
            break
        url = api.at(f"/shows?from={after}&limit=100&cursor={page['next_cursor']}")
    if ctx.show is None and ctx.create_show:
        ctx.show = _create_show(ctx)
        return f"{count} shows on sale; created the verification show {ctx.show['id']} to buy from"
    if ctx.show is None:
        return f"{count} shows after {after}, none with a seat left: nothing to buy"
    return f"{count} shows; buying from {ctx.show['id']} ({ctx.show['remaining']} seats left)"


def _create_show(ctx: Context) -> dict:
    """The verification user joins the pool's admins (its next token says so) and creates the verification show."""
    try:
        ctx.user.join(ADMINS)
    except Exception as error:  # noqa: BLE001 (botocore's ClientError: it says why)
        raise Failed(f"could not add the verification user to {ADMINS}", expected="cognito-idp:AdminAddUserToGroup "
                     f"allowed on the pool, which has a group {ADMINS}", actual=f"{type(error).__name__}: {error}",
                     request_id=request_id(error)) from None
    _sign_in(ctx)
    response = _call(ctx, "POST", ctx.api("/shows").at("/shows"), body=VERIFICATION_SHOW)
    show = expect_status(response, 201, "POST /shows (the verification show)")
    expect(isinstance(show, dict) and show.get("id") and show.get("remaining") == VERIFICATION_SHOW["capacity"],
           "the created show is not the verification show", f"a show with {VERIFICATION_SHOW['capacity']} seats",
           response)
    return show


def _on_sale(ctx: Context) -> dict:
    if ctx.show is None:
        raise Skipped("no show on sale (starting in an hour or more, with a seat left) to buy from: "
                      "--create-show creates one, or an admin can (POST /shows)")
    return ctx.show


@check("buy-ticket", "one seat is bought with an Idempotency-Key: 201, a Location leading to it, the user's ticket "
                     "at the price",
       needs=("shows",), applies=lambda ctx, _: ctx.pattern.api_for("/tickets") is not None)
def buy_ticket(ctx: Context, _: None) -> str:
    show, api = _on_sale(ctx), ctx.api("/tickets")
    ctx.idempotency_key = f"verify-{uuid.uuid4()}"
    response = _call(ctx, "POST", api.at("/tickets"), body={"show_id": show["id"], "quantity": 1},
                     headers={"Idempotency-Key": ctx.idempotency_key})
    ticket = expect_status(response, 201, "POST /tickets")
    if isinstance(ticket, dict) and ticket.get("id"):
        ctx.bought.append((api.url, ticket["id"]))
    expect(isinstance(ticket, dict) and ticket.get("status") == "active" and ticket.get("quantity") == 1
           and ticket.get("show_id") == show["id"] and ticket.get("owner") == ctx.claims.get("sub")
           and ticket.get("price_cents") == show.get("price_cents"),
           "the purchase answered another ticket",
           f"an active ticket for 1 seat of {show['id']} owned by {ctx.claims.get('sub')} at {show.get('price_cents')}",
           response)
    # the Location resolves, against the request's URL, to the ticket's URL under the API's stage or base path
    created = api.at(f"/tickets/{ticket['id']}")
    expect(urljoin(api.at("/tickets"), response.headers.get("location") or "") == created,
           "the purchase's Location does not lead to its ticket", f"Location resolving to {created}", response,
           actual=f"Location: {response.headers.get('location')}")
    ctx.ticket = ticket
    return f"ticket {ticket['id']} for {show['id']}, {ticket['price_cents']} cents"


@check("replay-purchase", "the same Idempotency-Key returns the same ticket; with another body it is refused (422)",
       needs=("buy-ticket",))
def replay_purchase(ctx: Context, _: None) -> str:
    api, ticket = ctx.api("/tickets"), ctx.ticket
    again = _call(ctx, "POST", api.at("/tickets"), body={"show_id": ticket["show_id"], "quantity": 1},
                     headers={"Idempotency-Key": ctx.idempotency_key})
    replayed = expect_status(again, (200, 201), "the replayed purchase")
    if isinstance(replayed, dict) and replayed.get("id") and replayed["id"] != ticket["id"]:
        ctx.bought.append((api.url, replayed["id"]))
    expect(isinstance(replayed, dict) and replayed.get("id") == ticket["id"], "the replay bought another ticket",
           f"ticket {ticket['id']} again", again)
    other = _call(ctx, "POST", api.at("/tickets"), body={"show_id": ticket["show_id"], "quantity": 2},
                     headers={"Idempotency-Key": ctx.idempotency_key})
    if other.status in (200, 201) and isinstance(other.json(), dict) and other.json().get("id") != ticket["id"]:
        ctx.bought.append((api.url, other.json()["id"]))
    expect_status(other, 422, "the same Idempotency-Key with another body")
    return f"replay: {again.status} with ticket {ticket['id']}; another body: 422"


@check("read-ticket", "the ticket reads back, is listed among the user's, and has its receipt where the API keeps one",
       needs=("buy-ticket",))
def read_ticket(ctx: Context, _: None) -> str:
    api, ticket_id = ctx.api("/tickets"), ctx.ticket["id"]
    one = _call(ctx, "GET", api.at(f"/tickets/{ticket_id}"))
    body = expect_status(one, 200, f"GET /tickets/{ticket_id}")
    expect(isinstance(body, dict) and body.get("id") == ticket_id and body.get("status") == "active",
           "the ticket reads back differently", f"active ticket {ticket_id}", one)
    listed = _call(ctx, "GET", api.at("/tickets?limit=100"))
    page = expect_status(listed, 200, "GET /tickets")
    ids = [t.get("id") for t in (page or {}).get("items", [])] if isinstance(page, dict) else []
    expect(ticket_id in ids, "the ticket is not among the user's", f"{ticket_id} in GET /tickets", listed)
    done = "read back and listed"
    if "/tickets/{id}/document" in api.paths:
        receipt = _call(ctx, "GET", api.at(f"/tickets/{ticket_id}/document"))
        document = expect_status(receipt, 200, f"GET /tickets/{ticket_id}/document")
        expect(isinstance(document, dict) and document.get("ticket_id") == ticket_id, "the receipt is another's",
               f'{{"ticket_id": "{ticket_id}", ...}}', receipt)
        done += ", with its receipt"
    return done


@check("cancel-ticket", "the ticket is cancelled (its seat goes back on sale) and cannot be cancelled twice (409)",
       needs=("buy-ticket",))
def cancel_ticket(ctx: Context, _: None) -> str:
    api, ticket_id = ctx.api("/tickets"), ctx.ticket["id"]
    cancelled = _call(ctx, "POST", api.at(f"/tickets/{ticket_id}/cancel"))
    body = expect_status(cancelled, 200, f"POST /tickets/{ticket_id}/cancel")
    expect(isinstance(body, dict) and body.get("status") == "cancelled", "the cancel answered another ticket",
           f'{{"id": "{ticket_id}", "status": "cancelled", ...}}', cancelled)
    ctx.bought.remove((api.url, ticket_id))
    again = _call(ctx, "POST", api.at(f"/tickets/{ticket_id}/cancel"))
    expect_status(again, 409, "a second cancel")
    return "cancelled; a second cancel: 409"


@check("venue-info", "GET /info and one of its sections answer the venue's information", needs=("sign-in",),
       applies=lambda ctx, _: ctx.pattern.api_for("/info") is not None)
def venue_info(ctx: Context, _: None) -> str:
    api = ctx.api("/info")
    response = _call(ctx, "GET", api.at("/info"))
    venue = expect_status(response, 200, "GET /info")
    missing = [f for f in VENUE_FIELDS if not isinstance(venue, dict) or f not in venue]
    expect(not missing, "GET /info is not the venue's information", f"fields {', '.join(VENUE_FIELDS)}", response)
    section = _call(ctx, "GET", api.at(f"/info/{VENUE_SECTION}"))
    body = expect_status(section, 200, f"GET /info/{VENUE_SECTION}")
    expect(isinstance(body, dict) and body.get("section") == VENUE_SECTION and "content" in body,
           f"GET /info/{VENUE_SECTION} is not that section", f'{{"section": "{VENUE_SECTION}", "content": ...}}',
           section)
    return f"{venue['name']}, {venue['city']}; section {VENUE_SECTION}"


@check("venue-document", "GET /venue answers the venue's document straight from S3", needs=("sign-in",),
       applies=lambda ctx, _: ctx.pattern.api_for("/venue") is not None)
def venue_document(ctx: Context, _: None) -> str:
    response = _call(ctx, "GET", ctx.api("/venue").at("/venue"))
    venue = expect_status(response, 200, "GET /venue")
    expect("application/json" in response.headers.get("content-type", ""), "GET /venue is not JSON",
           "Content-Type application/json", response,
           actual=f"Content-Type {response.headers.get('content-type')!r}")
    missing = [f for f in VENUE_FIELDS if not isinstance(venue, dict) or f not in venue]
    expect(not missing, "GET /venue is not the venue's document", f"fields {', '.join(VENUE_FIELDS)}", response)
    return f"{venue['name']} from the S3 object"


def clean_up(ctx: Context) -> str:
    """Cancel what this run bought and did not cancel, then delete the verification user (always run)."""
    left = []
    for url, ticket_id in list(ctx.bought):
        response = _call(ctx, "POST", f"{url}/tickets/{ticket_id}/cancel")
        if response.status == 200 or response.status == 409:  # 409: already cancelled
            ctx.bought.remove((url, ticket_id))
        else:
            left.append(f"ticket {ticket_id}: {response.summary()} (request id {response.request_id})")
    user = ctx.user.email if ctx.user else None
    if ctx.user is not None:
        try:
            ctx.user.delete()
        except Exception as error:  # noqa: BLE001 (whatever stops it is reported)
            left.append(f"user {user}: {type(error).__name__}: {error} (request id {request_id(error)})")
    if left:
        raise Failed("the run left things behind", expected="its tickets cancelled and its user deleted",
                     actual="; ".join(left))
    return f"deleted {user}" if user else "nothing to clean up"
