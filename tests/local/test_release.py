"""Releases rehearsed in local mode (local/release): a good version is promoted, a version failing a share of its
requests is rolled back, through CodeDeploy's schedule and through the stage canary, with no request lost beyond
the share the new version was given.

The rehearsals run in the session's local mode on a ``ManualClock`` moved by the test between batches of real
requests (AWS time: a batch is 20 s or a minute of traffic), so what they decide depends on the traffic, never on
how fast this machine is. The canary's and the alias's draws are seeded for the same reason.
"""

from __future__ import annotations

import json
import random
import shutil
import time
from pathlib import Path

import pytest

from local.cloudwatch import ManualClock
from local.release.rehearsal import PROMOTED, ROLLED_BACK
from multitier._release.shift import TrafficShift
from tests.local.conftest import http

# A fault injected into a copy of the code: every second invocation of a worker fails (a handler exception).
FAULT = '''

_calls = [0]
_handler = handler


def handler(event, context):
    _calls[0] += 1
    if _calls[0] % 2 == 0:
        raise RuntimeError("injected failure")
    return _handler(event, context)
'''


@pytest.fixture(scope="module")
def shows(local_stack, patterns, sign_in):
    """The mobile backend's shows function: its release plan, the URL of GET /shows and a token."""
    releases = local_stack.releases
    plan = next(p for p in releases.functions.values() if p.service == "shows" and "mobile-backend" in p.function)
    pattern = patterns["mobile_backend"]
    releases.aliases.draw = random.Random(21).random
    return plan, pattern.url("/shows"), sign_in.id_token(pattern)


def candidate(local_stack, plan, tmp_path: Path, fault: bool) -> str:
    """A new version of the function: a copy of its live code, with the fault injected when asked."""
    live = local_stack.releases.aliases.function(plan.function, local_stack.releases.aliases.alias(
        plan.function, plan.alias).version)
    code = tmp_path / f"code-{'bad' if fault else 'good'}"
    shutil.copytree(live.code_dir, code)
    if fault:
        app = code / live.handler.split(".")[0]
        app = app.with_suffix(".py")
        app.write_text(app.read_text() + FAULT)
    return local_stack.releases.publish(plan.function, code)


def get(url: str, token: str) -> int:
    """GET's status; a 429 (the dev stage's throttle: 20 requests/s) is waited out and sent again."""
    while (status := http("GET", url, token=token).status) == 429:
        time.sleep(0.1)
    return status


def drive(local_stack, rehearsal, url: str, token: str, batch: int, step_seconds: float, limit: int = 60):
    """Requests in batches, the clock moved ``step_seconds`` and the rehearsal ticked after each; the statuses."""
    statuses = []
    rehearsal.start()
    for _ in range(limit):
        statuses += [get(url, token) for _ in range(batch)]
        rehearsal.clock.advance(step_seconds)
        if rehearsal.tick():
            return statuses
    pytest.fail(f"the rehearsal did not end:\n{rehearsal.timeline.render()}")


def served(function_logs, start: int) -> list[tuple[int, str]]:
    """(status, version) of each request the gateway logged since line ``start`` (its access log)."""
    lines = [json.loads(line) for line in function_logs.of("gateway")[start:] if line.startswith('{"requestId"')]
    return [(entry["status"], entry.get("version")) for entry in lines
            if entry.get("path", "").endswith("/shows") and entry["status"] != 429]


def test_a_good_version_is_promoted_through_codedeploys_canary(local_stack, shows, tmp_path, function_logs):
    plan, url, token = shows
    version = candidate(local_stack, plan, tmp_path, fault=False)
    stable = local_stack.releases.aliases.alias(plan.function, plan.alias).version
    start = len(function_logs.of("gateway"))
    with local_stack.releases.rehearsal(ManualClock()) as rehearsal:
        release = local_stack.releases.function_release(rehearsal, plan.function, version,
                                                        TrafficShift.parse("Canary10Percent5Minutes"))
        statuses = drive(local_stack, rehearsal, url, token, batch=6, step_seconds=20)
    assert release.outcome == PROMOTED, rehearsal.timeline.render()
    assert set(statuses) == {200}
    assert local_stack.releases.aliases.alias(plan.function, plan.alias).version == version
    timeline = rehearsal.timeline.render()
    assert "BeforeAllowTraffic check: version" in timeline and "10 % of invocations to version" in timeline
    assert "AfterAllowTraffic check" in timeline and f"release succeeded; live serves version {version}" in timeline
    # Before the 5 minutes were up, both versions served: the canary got its share, the rest stayed on the old one.
    during = served(function_logs, start)
    assert {v for _, v in during} == {stable, version}


def test_a_failing_version_is_rolled_back_losing_only_canary_requests(local_stack, shows, tmp_path, function_logs):
    plan, url, token = shows
    stable = local_stack.releases.aliases.alias(plan.function, plan.alias).version
    version = candidate(local_stack, plan, tmp_path, fault=True)
    start = len(function_logs.of("gateway"))
    with local_stack.releases.rehearsal(ManualClock()) as rehearsal:
        release = local_stack.releases.function_release(rehearsal, plan.function, version,
                                                        TrafficShift.parse("Canary10Percent5Minutes"))
        statuses = drive(local_stack, rehearsal, url, token, batch=10, step_seconds=20)
    timeline = rehearsal.timeline.render()
    assert release.outcome == ROLLED_BACK, timeline
    assert f"rolled back (alarm {plan.function}" not in timeline  # the alarm is the release's, not the function's
    assert "-errors" in timeline and f"live serves version {stable}" in timeline
    assert local_stack.releases.aliases.alias(plan.function, plan.alias).version == stable
    # Every failed request was one the new version served, and the new version served only its canary share.
    during = served(function_logs, start)
    failed = [v for status, v in during if status >= 500]
    assert failed and set(failed) == {version}
    assert sum(1 for _, v in during if v == version) <= 0.3 * len(during)
    assert statuses.count(502) == len(failed)
    # After the rollback, every request succeeds on the old version.
    after = len(function_logs.of("gateway"))
    assert all(get(url, token) == 200 for _ in range(10))
    assert {v for _, v in served(function_logs, after)} == {stable}


def stage_release(local_stack, plan, version, percent):
    api = next(a for a in local_stack.apis if f"{plan.function}:{plan.alias}" in a.stage_variables.values())
    deployments = local_stack.releases.stages[api.name]
    deployments.draw = random.Random(5).random
    canary = local_stack.releases._with_versions(api, {plan.function: version})
    return api, deployments, canary


@pytest.mark.parametrize("fault", [False, True], ids=["good", "failing"])
def test_the_stage_canary_promotes_a_good_deployment_and_takes_a_failing_one_back(local_stack, shows, tmp_path,
                                                                                  function_logs, fault):
    plan, url, token = shows
    version = candidate(local_stack, plan, tmp_path, fault=fault)
    api, deployments, canary = stage_release(local_stack, plan, version, percent=20)
    before, canary_before = deployments.stable, deployments.canary
    start = len(function_logs.of("gateway"))
    with local_stack.releases.rehearsal(ManualClock()) as rehearsal:
        release = local_stack.releases.stage_release(rehearsal, canary, percent=20, bake_seconds=600)
        statuses = drive(local_stack, rehearsal, url, token, batch=10, step_seconds=60)
    timeline = rehearsal.timeline.render()
    during = served(function_logs, start)
    canary_served = [status for status, v in during if v == version]
    assert canary_served and len(canary_served) <= 0.4 * len(during)  # the canary's share, and no more
    if not fault:
        assert release.outcome == PROMOTED and set(statuses) == {200}, timeline
        assert "canary promoted: the stage serves the new deployment" in timeline
        assert deployments.stable.api.stage_variables == canary.stage_variables
    else:
        assert release.outcome == ROLLED_BACK, timeline
        assert "canary taken back (alarm" in timeline and "/Canary" in timeline
        assert deployments.stable is before and deployments.canary is canary_before  # as it was (dev: no canary)
        assert {status for status, v in during if v != version} == {200}  # nothing lost outside the canary
        after = len(function_logs.of("gateway"))
        assert all(get(url, token) == 200 for _ in range(10))
        assert version not in {v for _, v in served(function_logs, after)}
