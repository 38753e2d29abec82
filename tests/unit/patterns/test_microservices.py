"""Microservices: independent services, one domain with base-path mappings."""

from multitier._declarations import contract
from multitier._patterns import microservices
from multitier._patterns.services import INFO_S3_ENV, info_from_s3
from local.engine import run_stack
from tests.unit.patterns.helpers import assert_authorized_but_health, document, operations, pattern


def test_each_service_has_its_own_api_stage_function_and_permissions(dev_stack):
    apis = {r.name: r for r in pattern(dev_stack, "microservices") if r.type == "aws:apigateway/restApi:RestApi"}
    assert set(apis) == {"microservices-shows-api", "microservices-tickets-api", "microservices-info-api"}
    stages = [r for r in pattern(dev_stack, "microservices") if r.type == "aws:apigateway/stage:Stage"]
    assert sorted(s.inputs["restApi"] for s in stages) == sorted(a.id for a in apis.values())
    for name, api in apis.items():
        service = name.split("-")[1]
        doc = document(dev_stack, name)
        paths = {path for path, _, _ in operations(doc)}
        assert all(path.startswith(f"/{service}") for path in paths - {"/health"})
        assert_authorized_but_health(doc, [{"cognito": []}])
        permissions = [r for r in dev_stack.of_type("aws:lambda/permission:Permission")
                       if r.name.startswith(name)]
        assert permissions and all(p.inputs["sourceArn"].startswith(api.outputs["executionArn"] + "/")
                                   for p in permissions)


def test_one_custom_domain_with_a_base_path_per_service(prod_stack, dev_stack):
    domain = prod_stack.one("aws:apigateway/domainName:DomainName", "microservices").inputs
    assert domain["domainName"] == "api.tickets.example.com"
    mappings = {r.inputs["basePath"] for r in prod_stack.of_type("aws:apigateway/basePathMapping:BasePathMapping")}
    assert mappings == {"shows", "tickets", "info"}
    assert prod_stack.outputs["microservices_shows_url"] == "https://api.tickets.example.com/shows"
    assert dev_stack.of_type("aws:apigateway/basePathMapping:BasePathMapping") == []


def test_each_service_has_its_own_canary_and_throttling(prod_stack):
    stages = [r for r in pattern(prod_stack, "microservices") if r.type == "aws:apigateway/stage:Stage"]
    assert len(stages) == 3 and all(s.inputs["canarySettings"]["percentTraffic"] == 10 for s in stages)
    throttles = [r for r in pattern(prod_stack, "microservices")
                 if r.type == "aws:apigateway/methodSettings:MethodSettings" and r.inputs["methodPath"] == "*/*"]
    assert len(throttles) == 3


def test_a_new_service_is_one_entry(monkeypatch):
    # GIVEN one more entry (here a second deployment of the info code under its own base path)
    extra = microservices.Microservice(contract.INFO, lambda shared: info_from_s3(shared.info)[0], INFO_S3_ENV,
                                       path="venue")
    monkeypatch.setattr(microservices, "SERVICES", microservices.SERVICES + (extra,))
    # WHEN the stack runs THEN the service has its own API, stage and function
    rec = run_stack("prod", overrides={"multitier:patterns": ["microservices"]})
    assert rec.one("aws:apigateway/restApi:RestApi", "microservices-venue-api")
    assert rec.one("aws:lambda/function:Function", "microservices-venue")
    assert rec.outputs["microservices_venue_url"] == "https://api.tickets.example.com/venue"
