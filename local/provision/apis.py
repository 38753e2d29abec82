"""REST API registrations → ``LocalApi``s: the document, the stage, its throttles and its API keys."""

from __future__ import annotations

import dataclasses
import json
from typing import Mapping

from local.engine import Recording
from local.model import LocalApi, UsagePlanKey


def read_apis(recording: Recording, api_ports: Mapping[str, int], region: str) -> list[LocalApi]:
    """Every REST API with a stage and a local port, as its gateway serves it."""
    of = recording.of_type
    apis = []
    for api in of("aws:apigateway/restApi:RestApi"):
        api_id = api.id
        stages = [s for s in of("aws:apigateway/stage:Stage") if s.inputs.get("restApi") == api_id]
        if not stages or api_id not in api_ports:
            continue
        stage = stages[0]
        rate, burst, per_method = 10000.0, 5000, {}
        for setting in of("aws:apigateway/methodSettings:MethodSettings"):
            if setting.inputs.get("restApi") != api_id:
                continue
            values = setting.inputs.get("settings") or {}
            pair = (float(values.get("throttlingRateLimit", -1)), int(values.get("throttlingBurstLimit", -1)))
            if setting.inputs.get("methodPath") == "*/*":
                rate, burst = pair
            else:
                per_method[setting.inputs["methodPath"]] = pair
        keys = []
        for plan in of("aws:apigateway/usagePlan:UsagePlan"):
            if not any(s.get("apiId") == api_id for s in plan.inputs.get("apiStages") or []):
                continue
            throttle = plan.inputs.get("throttleSettings") or {}
            quota = plan.inputs.get("quotaSettings") or {}
            for link in of("aws:apigateway/usagePlanKey:UsagePlanKey"):
                if link.inputs.get("usagePlanId") != plan.id:
                    continue
                key = next((k for k in of("aws:apigateway/apiKey:ApiKey") if k.id == link.inputs.get("keyId")), None)
                if key is not None:
                    keys.append(UsagePlanKey(value=key.outputs.get("value") or key.inputs.get("value"),
                                             rate=float(throttle.get("rateLimit", rate)),
                                             burst=int(throttle.get("burstLimit", burst)),
                                             quota_per_day=int(quota.get("limit", 0))))
        body = api.inputs.get("body")
        # The RestApi component around it publishes the document clients read.
        component = next((r for r in recording.registrations if r.urn == api.parent), None)
        published = component.outputs.get("published_openapi") if component else None
        apis.append(LocalApi(
            name=api.name, api_id=api_id, stage=stage.inputs["stageName"],
            openapi=json.loads(body) if isinstance(body, str) else dict(body or {}),
            stage_variables=dict(stage.inputs.get("variables") or {}), port=api_ports[api_id],
            throttle_rate=rate, throttle_burst=burst, method_throttles=per_method, api_keys=tuple(keys),
            region=region, published_openapi=json.loads(published) if isinstance(published, str) else None,
            canary_percent=float((stage.inputs.get("canarySettings") or {}).get("percentTraffic") or 0),
            canary_stage_variables=dict((stage.inputs.get("canarySettings") or {}).get("stageVariableOverrides") or {})))
    return apis


def with_throttle(api: LocalApi, rate: float, burst: int) -> LocalApi:
    """The stage with one limit on every method and API key instead of the program's (negative: no limit)."""
    return dataclasses.replace(api, throttle_rate=rate, throttle_burst=burst, method_throttles={},
                               api_keys=tuple(dataclasses.replace(k, rate=rate, burst=burst) for k in api.api_keys))
