"""The checks: each a named function of a run's ``Context`` (and, per API or site, of that API or site).

A check returns why it passed, raises ``Failed`` (what was expected, what came back, the
request id) or ``Skipped`` (why it could not run). ``CHECKS`` lists them in the order a run
takes: the site, each API's public behaviour, sign-in and a purchase, then what only
AWS can show. ``needs`` names checks whose state a check uses (a token, the ticket).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Literal

from verify.http import Http, Response
from verify.target import Api, Pattern, Target

Scope = Literal["stack", "pattern", "api", "site"]


class Failed(Exception):
    def __init__(self, message: str, expected: str = "", actual: str = "", request_id: str | None = None):
        super().__init__(message)
        self.expected, self.actual, self.request_id = expected, actual, request_id


class Skipped(Exception):
    """The check could not run here (a missing permission, nothing on sale): the reason says what to do."""


@dataclass
class Context:
    """One run of one pattern (``pattern`` is None for the stack's own checks): what the checks share."""

    target: Target
    pattern: Pattern | None
    http: Http
    sleep: Callable[[float], None] = time.sleep
    create_show: bool = False             # with no show on sale, create the stack's verification show
    user: Any = None                      # the verification user (cognito.VerificationUser)
    id_token: str | None = None
    claims: dict[str, Any] = field(default_factory=dict)
    show: dict[str, Any] | None = None    # a show on sale
    ticket: dict[str, Any] | None = None  # the ticket this run bought
    bought: list[tuple[str, str]] = field(default_factory=list)  # (API URL, ticket id) of every purchase: cleaned up
    idempotency_key: str | None = None
    started: float = field(default_factory=time.time)

    def api(self, path: str) -> Api:
        """The pattern's API serving ``path`` (a check's ``applies`` made sure there is one)."""
        api = self.pattern.api_for(path) if self.pattern else None
        if api is None:
            raise Skipped(f"no API of {self.pattern.name if self.pattern else 'the stack'} serves {path}")
        return api


@dataclass(frozen=True)
class Check:
    name: str
    summary: str
    run: Callable[..., str]
    scope: Scope = "pattern"
    targets: frozenset[str] = frozenset({"local", "aws"})
    needs: tuple[str, ...] = ()
    applies: Callable[[Context, Any], bool] | None = None  # False: not part of this pattern (no result at all)

    def subjects(self, ctx: Context) -> Iterable[Any]:
        """What the check runs on: each API or site of the pattern, or once."""
        if self.scope == "api":
            items = list(ctx.pattern.apis)
        elif self.scope == "site":
            items = list(ctx.pattern.sites)
        else:
            items = [None]
        return [item for item in items if self.applies is None or self.applies(ctx, item)]


CHECKS: list[Check] = []


def check(name: str, summary: str, *, scope: Scope = "pattern", targets: Iterable[str] = ("local", "aws"),
          needs: Iterable[str] = (), applies: Callable[[Context, Any], bool] | None = None):
    """Register the decorated function as a check (in the order of definition)."""
    def register(run: Callable[..., str]) -> Callable[..., str]:
        if any(c.name == name for c in CHECKS):
            raise ValueError(f"two checks are named {name!r}")
        CHECKS.append(Check(name, summary, run, scope, frozenset(targets), tuple(needs), applies))
        return run
    return register


def expect_status(response: Response, status: int | Iterable[int], what: str) -> Any:
    """The response's JSON body when its status is ``status``; otherwise ``Failed`` naming ``what``."""
    wanted = {status} if isinstance(status, int) else set(status)
    if response.status not in wanted:
        raise Failed(f"{what}: {response.method} {response.url} answered {response.status}",
                     expected=f"HTTP {' or '.join(map(str, sorted(wanted)))}", actual=response.summary(),
                     request_id=response.request_id)
    return response.json()


def expect(condition: bool, what: str, expected: str, response: Response | None = None, actual: str = "") -> None:
    if not condition:
        raise Failed(what, expected=expected, actual=actual or (response.summary() if response else ""),
                     request_id=response.request_id if response else None)


def origin(url: str) -> str:
    """scheme://host[:port] of a URL."""
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}"


# The checks register themselves when imported, in this order.
from verify.checks import site as _site, api as _api, purchase as _purchase, cloud as _cloud  # noqa: E402,F401
