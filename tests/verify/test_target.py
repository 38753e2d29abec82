"""Reading a target: the program's stack outputs (aws) and local mode's endpoints.json (local), and what is
said when either is missing or wrong."""

from __future__ import annotations

import json
import os
import stat

import pytest

from verify.target import TargetError, aws_target, local_target, pulumi_outputs


def _client(service):
    raise AssertionError("no AWS call while reading outputs")


def test_the_program_exports_what_the_aws_target_reads(prod_stack):
    """GIVEN prod's outputs as the program exports them (mock engine) THEN every pattern, API, site and alarm is read."""
    target = aws_target("prod", dict(prod_stack.outputs), client=_client)

    assert target.region == "us-east-1"
    assert set(target.patterns) == {"mobile_backend", "single_page_app", "web_app", "microservices"}
    micro = target.patterns["microservices"]
    assert [a.name for a in micro.apis] == ["microservices-shows-api", "microservices-tickets-api",
                                            "microservices-info-api"]
    shows = micro.api_for("/shows")
    assert shows.url == "https://api.tickets.example.com/shows" and shows.at("/health").endswith("/shows/health")
    assert shows.stage == "prod" and shows.rest_api_id and shows.access_log_group.startswith("/aws/apigateway/")
    assert micro.api_for("/tickets/{id}/cancel").name == "microservices-tickets-api"
    assert target.patterns["mobile_backend"].api_for("/tickets/{id}/document") is not None
    assert target.patterns["single_page_app"].api_for("/venue") is not None
    assert target.patterns["web_app"].sites == (prod_stack.outputs["web_app_site_url"],)
    assert all(p.sign_in_endpoint == "https://cognito-idp.us-east-1.amazonaws.com/" for p in target.patterns.values())
    assert all(p.user_pool_id and p.client_id for p in target.patterns.values())
    # one alarm per watched signal, by its physical name
    assert len(target.alarm_names) == len(prod_stack.of_type("aws:cloudwatch/metricAlarm:MetricAlarm"))
    assert set(target.alarm_names) == {a.outputs["name"] for a in
                                       prod_stack.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")}


def test_the_outputs_name_the_same_routes_as_the_apis_documents(dev_stack):
    target = aws_target("dev", dict(dev_stack.outputs), client=_client)
    for api in (a for p in target.patterns.values() for a in p.apis):
        component = next(c for c in dev_stack.of_type("multitier:logic:RestApi") if c.name == api.name)
        assert list(api.paths) == sorted(json.loads(component.outputs["openapi"])["paths"]), api.name
    assert len(target.alarm_names) == len(dev_stack.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")) > 0


def test_outputs_of_an_older_program_say_what_to_do():
    with pytest.raises(TargetError, match="no `region` output: run `pulumi up`"):
        aws_target("dev", {"web_app_api_url": "https://x"}, client=_client)
    with pytest.raises(TargetError, match="no `<pattern>_apis` outputs"):
        aws_target("dev", {"region": "us-east-1"}, client=_client)
    with pytest.raises(TargetError, match="missing outputs web_app_client_id"):
        aws_target("dev", {"region": "us-east-1", "web_app_apis": [], "web_app_user_pool_id": "p"}, client=_client)


def test_pulumi_outputs_runs_the_cli(tmp_path, monkeypatch):
    fake = tmp_path / "pulumi"
    fake.write_text("#!/bin/sh\n[ \"$*\" = 'stack output --json --stack dev' ] || { echo \"bad: $*\" >&2; exit 3; }\n"
                    "echo '{\"region\": \"eu-west-1\"}'\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    assert pulumi_outputs("dev") == {"region": "eu-west-1"}
    with pytest.raises(TargetError, match="bad: stack output --json --stack prod"):
        pulumi_outputs("prod")


def test_without_the_pulumi_cli_it_says_so(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(TargetError, match="pulumi CLI is not on PATH.*--outputs"):
        pulumi_outputs("dev")


def _endpoints(tmp_path, **changes) -> dict:
    doc = {"stack": "dev", "pid": os.getpid(), "patterns": {"web_app": {
        "apis": [{"name": "web-app-api", "url": "http://127.0.0.1:4001/dev", "paths": ["/health", "/shows"],
                  "throttle": {"rate": 20.0, "burst": 40}}],
        "sites": ["http://127.0.0.1:4002/"],
        "user_pools": [{"id": "eu-west-1_abc", "client_ids": ["c1"], "sign_in_endpoint": "http://127.0.0.1:4003/"}]}},
        "emulators": {"cognito": "http://127.0.0.1:4004"}, **changes}
    (tmp_path / "dev").mkdir(exist_ok=True)
    (tmp_path / "dev" / "endpoints.json").write_text(json.dumps(doc))
    return doc


def test_local_mode_endpoints_become_the_target(tmp_path, monkeypatch):
    _endpoints(tmp_path)
    monkeypatch.setenv("MULTITIER_LOCAL_DIR", str(tmp_path))
    target = local_target("dev")
    web = target.patterns["web_app"]
    assert (target.kind, target.region, web.sites, web.client_id) == ("local", "eu-west-1", ("http://127.0.0.1:4002/",), "c1")
    assert web.apis[0].stage == "dev" and web.apis[0].throttle == (20.0, 40)
    assert target.client("cognito-idp").meta.endpoint_url == "http://127.0.0.1:4004"
    with pytest.raises(TargetError, match="no xray"):
        target.client("xray")


def test_local_mode_not_running_is_said_plainly(tmp_path):
    with pytest.raises(TargetError, match="local mode is not running for stack 'dev'.*make local STACK=dev"):
        local_target("dev", tmp_path / "dev" / "endpoints.json")
    _endpoints(tmp_path, pid=2 ** 22 + 12345)  # beyond pid_max: no such process
    with pytest.raises(TargetError, match="which is not running"):
        local_target("dev", tmp_path / "dev" / "endpoints.json")
    (tmp_path / "dev" / "endpoints.json").write_text("{not json")
    with pytest.raises(TargetError, match="endpoints.json"):
        local_target("dev", tmp_path / "dev" / "endpoints.json")
