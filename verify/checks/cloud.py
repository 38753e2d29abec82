"""What only a deployed stack shows: its alarms, its stages' access logs and the X-Ray trace of a request.

Each reads AWS with the ambient credentials; a missing permission skips the check and names it.
Logs and traces arrive after the requests: these checks poll for up to ``WAIT_SECONDS``.
"""

from __future__ import annotations

import json
import secrets
import time
from typing import Any, Callable

from verify.aws import aws_call
from verify.checks import Context, Failed, Skipped, check, expect, expect_status
from verify.target import Api

WAIT_SECONDS = 120
POLL_SECONDS = 5
LOGGED_REQUESTS = 5     # request ids the access-log check looks for, per API
# A trace reaches every tier when it holds these: (what, test of one segment or subsegment document).
TIERS: tuple[tuple[str, Callable[[dict], bool]], ...] = (
    ("API Gateway stage", lambda doc: doc.get("origin") == "AWS::ApiGateway::Stage"),
    ("Lambda function", lambda doc: doc.get("origin") == "AWS::Lambda::Function"),
    ("DynamoDB", lambda doc: doc.get("origin") == "AWS::DynamoDB::Table"
     or (doc.get("namespace") == "aws" and doc.get("name") == "DynamoDB")),
)


def _poll(ctx: Context, attempt: Callable[[], Any]) -> tuple[Any, float]:
    """Call ``attempt`` every ``POLL_SECONDS`` until it returns something true, for ``WAIT_SECONDS`` at most:
    (its last result, the seconds it took)."""
    started = time.monotonic()
    for _ in range(WAIT_SECONDS // POLL_SECONDS):
        result = attempt()
        if result:
            break
        ctx.sleep(POLL_SECONDS)
    else:
        result = attempt()
    return result, time.monotonic() - started


@check("access-logs", "the stage's access log received the requests this run made", scope="api", targets=("aws",),
       applies=lambda ctx, api: bool(api.access_log_group))
def access_logs(ctx: Context, api: Api) -> str:
    ids = list(dict.fromkeys(r.request_id for r in ctx.http.answers
                             if r.url.startswith(api.url + "/") and 200 <= r.status < 300 and r.request_id))
    ids = ids[:LOGGED_REQUESTS]
    if not ids:
        raise Skipped("this run got no answer from the API to look for")
    pattern = "{ " + " || ".join(f'$.requestId = "{i}"' for i in ids) + " }"
    found: set[str] = set()

    def attempt() -> bool:
        params = {"logGroupName": api.access_log_group, "startTime": int((ctx.started - 60) * 1000),
                  "filterPattern": pattern}
        while True:
            page = aws_call(ctx, "logs:FilterLogEvents", "filter_log_events", **params)
            for event in page.get("events", []):
                try:
                    found.add(json.loads(event["message"]).get("requestId"))
                except (ValueError, AttributeError):
                    continue
            if not page.get("nextToken"):
                return set(ids) <= found
            params["nextToken"] = page["nextToken"]

    done, waited = _poll(ctx, attempt)
    missing = [i for i in ids if i not in found]
    expect(done, f"{api.access_log_group} lacks requests this run made (after {waited:.0f} s)",
           f"entries with requestId {', '.join(ids)}", actual=f"missing {', '.join(missing)}")
    return f"{len(ids)} requests logged in {api.access_log_group} within {waited:.0f} s"


@check("trace", "the X-Ray trace of a signed-in request reaches API Gateway, the function and DynamoDB",
       targets=("aws",), needs=("sign-in",), applies=lambda ctx, _: ctx.pattern.api_for("/tickets") is not None)
def trace(ctx: Context, _: None) -> str:
    # Listing the user's tickets reaches the tickets function and a DynamoDB query in every pattern (no cache in
    # between). The trace id is ours: API Gateway continues a trace it is handed, so we know which to read.
    trace_id = f"1-{int(time.time()):08x}-{secrets.token_hex(12)}"
    response = ctx.http("GET", ctx.api("/tickets").at("/tickets?limit=1"), token=ctx.id_token,
                        headers={"X-Amzn-Trace-Id": f"Root={trace_id};Sampled=1"})
    expect_status(response, 200, "GET /tickets (the traced request)")
    documents: list[dict] = []

    def attempt() -> bool:
        answer = aws_call(ctx, "xray:BatchGetTraces", "batch_get_traces", TraceIds=[trace_id])
        documents.clear()
        for found in answer.get("Traces", []):
            for segment in found.get("Segments", []):
                documents.extend(_with_subsegments(json.loads(segment["Document"])))
        return all(any(test(doc) for doc in documents) for _, test in TIERS)

    done, waited = _poll(ctx, attempt)
    reached = [what for what, test in TIERS if any(test(doc) for doc in documents)]
    expect(done, f"trace {trace_id} does not reach every tier (after {waited:.0f} s)",
           ", ".join(what for what, _ in TIERS), response, actual=", ".join(reached) or "no segment")
    return f"trace {trace_id}: {', '.join(reached)} ({len(documents)} segments)"


def _with_subsegments(document: dict) -> list[dict]:
    found = [document]
    for sub in document.get("subsegments") or []:
        found += _with_subsegments(sub)
    return found


@check("alarms", "every alarm of the stack exists and none is in ALARM", scope="stack", targets=("aws",))
def alarms(ctx: Context, _: None) -> str:
    names = list(ctx.target.alarm_names)
    if not names:
        raise Skipped("the stack has no alarms (multitier:alarmsEnabled is false)")
    states: dict[str, dict] = {}
    for start in range(0, len(names), 100):  # DescribeAlarms takes 100 names at a time
        answer = aws_call(ctx, "cloudwatch:DescribeAlarms", "describe_alarms", AlarmNames=names[start:start + 100],
                          MaxRecords=100)
        states.update({a["AlarmName"]: a for a in answer.get("MetricAlarms", [])})
    missing = [n for n in names if n not in states]
    firing = [f"{n}: {states[n].get('StateReason', '')}" for n in names if states.get(n, {}).get("StateValue") == "ALARM"]
    if missing or firing:
        raise Failed(f"{len(missing)} alarms missing, {len(firing)} in ALARM",
                     expected=f"{len(names)} alarms, none in ALARM",
                     actual="; ".join([*(f"missing {n}" for n in missing), *firing]))
    waiting = sum(1 for n in names if states[n].get("StateValue") == "INSUFFICIENT_DATA")
    return f"{len(names)} alarms, none in ALARM" + (f" ({waiting} not evaluated yet)" if waiting else "")
