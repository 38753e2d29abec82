"""Amplify app registrations → ``LocalAmplifyApp``s: the deployed zip, the custom rules and headers.

Rules are kept in order with their status: ``200`` (rewrite), ``301``/``302``
(redirect) and ``404-200`` (rewrite what does not exist); a source is a literal path or
Amplify's ``</regex/>``. A rule outside that (placeholders such as ``<*>``, conditions,
another status) is refused here, naming the app and the rule, rather than served wrongly.
"""

from __future__ import annotations

from typing import Any, Mapping

import yaml

from local.engine import Recording
from local.model import LocalAmplifyApp

STATUSES = ("200", "301", "302", "404-200")


def read_amplify_apps(recording: Recording, ports: Mapping[str, int],
                      deployments: Mapping[str, str]) -> list[LocalAmplifyApp]:
    """Every Amplify app with a deployment, on its local port."""
    apps = []
    for app in recording.of_type("aws:amplify/app:App"):
        deployed = deployments.get(app.id)
        if deployed is None:
            continue  # an app nothing was deployed to serves nothing
        bucket, _, key = deployed.removeprefix("s3://").partition("/")
        apps.append(LocalAmplifyApp(name=app.name, port=ports[app.name], bucket=bucket, key=key,
                                    rules=[_rule(app.name, r) for r in app.inputs.get("customRules") or []],
                                    headers=custom_headers(app.inputs.get("customHeaders") or "")))
    return apps


def _rule(app: str, rule: Mapping[str, Any]) -> tuple[str, str, str]:
    source, target, status = rule.get("source", ""), rule.get("target", ""), str(rule.get("status") or "200")
    literal = source.startswith("/") and "<" not in source
    regex = source.startswith("</") and source.endswith("/>")
    if status not in STATUSES or rule.get("condition") or not (literal or regex):
        raise ValueError(f"Amplify app {app}: custom rule {dict(rule)} is not emulated (sources: a literal path "
                         f"or </regex/>; statuses: {', '.join(STATUSES)}; no conditions)")
    return source, target, status


def custom_headers(text: str) -> list[tuple[str, dict[str, str]]]:
    """Amplify's ``customHeaders`` YAML: (path pattern, headers) in order."""
    document = yaml.safe_load(text) if text else None
    return [(str(entry["pattern"]), {str(h["key"]): str(h["value"]) for h in entry.get("headers") or []})
            for entry in (document or {}).get("customHeaders") or []]
