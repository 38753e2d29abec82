"""CrossGuard: each rule as a pulumi-policy policy (``policy/__main__.py`` builds the pack).

Only translation lives here: CrossGuard's arguments become the Resource/Stack the
rules read, the rule's config (parameters, suppressions) comes from the pack config,
and each open violation is reported with the resource's URN. Levels come from
``policy/config.<stack>.json`` (the stack in ``PULUMI_STACK``; prod's, the strictest,
otherwise) or from ``--policy-pack-config``.
"""

from __future__ import annotations

import json
import os
from typing import Any, Mapping

from pulumi_policy import (EnforcementLevel, PolicyConfigSchema, ReportViolation, ResourceValidationArgs,
                           ResourceValidationPolicy, Severity, StackValidationArgs, StackValidationPolicy)

from policy import enforce
from policy.core import Resource, Rule, Stack
from policy.rules import RULES

SUPPRESSIONS_SCHEMA = {"type": "array", "items": {"type": "object", "properties": {
    "resource": {"type": "string"}, "reason": {"type": "string"}}, "required": ["resource"]}}
JSON_TYPES = {bool: "boolean", int: "number", float: "number", str: "string", list: "array"}


def _region(provider: Any) -> str | None:
    props = getattr(provider, "props", None) or {}
    return props.get("region") if hasattr(props, "get") else None


def resource_from_args(args: ResourceValidationArgs) -> Resource:
    opts = args.opts
    return Resource(type=args.resource_type, name=args.name, props=args.props, urn=args.urn,
                    parent=opts.parent or "", provider_region=_region(args.provider),
                    delete_before_replace=bool(opts.delete_before_replace),
                    ignore_changes=tuple(opts.ignore_changes or ()), protect=bool(opts.protect))


def stack_from_args(args: StackValidationArgs, environ: Mapping[str, str] = os.environ) -> Stack:
    resources = []
    for r in args.resources:
        dependencies = {d.urn for d in r.dependencies} | {d.urn for deps in r.property_dependencies.values()
                                                           for d in deps}
        resources.append(Resource(type=r.resource_type, name=r.name, props=r.props, urn=r.urn,
                                  parent=r.parent.urn if r.parent else "", dependencies=tuple(sorted(dependencies)),
                                  provider_region=_region(r.provider),
                                  delete_before_replace=bool(r.opts.delete_before_replace),
                                  ignore_changes=tuple(r.opts.ignore_changes or ()), protect=bool(r.opts.protect)))
    return Stack(resources, name=environ.get("PULUMI_STACK", ""), config=stack_config(environ))


def stack_config(environ: Mapping[str, str] = os.environ) -> dict[str, Any]:
    """The stack's config, as the CLI hands it to the pack (``PULUMI_CONFIG``)."""
    try:
        config = json.loads(environ.get("PULUMI_CONFIG") or "{}")
    except ValueError:
        return {}
    return dict(config) if isinstance(config, dict) else {}


def report(rule: Rule, stack: Stack, config: Mapping[str, Any], report_violation: ReportViolation) -> None:
    """Run ``rule`` over ``stack`` and report what no reasoned suppression covers."""
    rule_config = enforce.rule_config(rule, {k: v for k, v in config.items() if k != "enforcementLevel"})
    findings, _ = rule.evaluate(stack, rule_config.params)
    for violation in enforce.apply(rule, findings, rule_config):
        if not violation.suppressed:
            urn = next((r.urn for r in stack.resources if r.name == violation.resource), None)
            report_violation(f"{violation.resource}: {violation.message}", urn)


def config_schema(rule: Rule) -> PolicyConfigSchema:
    properties = {"why": {"type": "string"}, "suppressions": SUPPRESSIONS_SCHEMA}
    properties.update({name: {"type": JSON_TYPES[type(default)]} for name, default in rule.params.items()})
    return PolicyConfigSchema(properties)


def policy(rule: Rule) -> ResourceValidationPolicy | StackValidationPolicy:
    common = dict(name=rule.id, description=rule.description, severity=Severity(rule.severity),
                  remediation_steps=rule.remediation, config_schema=config_schema(rule), tags=[rule.kind])
    if rule.is_stack_rule:
        return StackValidationPolicy(
            validate=lambda args, report_violation: report(rule, stack_from_args(args), args.get_config(),
                                                           report_violation), **common)
    return ResourceValidationPolicy(
        validate=lambda args, report_violation: report(rule, Stack([resource_from_args(args)]), args.get_config(),
                                                       report_violation), **common)


def policies() -> list[ResourceValidationPolicy | StackValidationPolicy]:
    return [policy(rule) for rule in RULES.values()]


def initial_config(stack: str) -> dict[str, Any]:
    """The pack's default config, rule by rule: ``config.<stack>.json`` when it exists, else prod's."""
    path = enforce.config_path(stack)
    configs = enforce.load(stack, path if path.is_file() else enforce.config_path("prod"))
    return {rule_id: {"enforcementLevel": EnforcementLevel(config.level), **config.params,
                      **({"suppressions": [dict(s) for s in config.suppressions]} if config.suppressions else {})}
            for rule_id, config in configs.items()}
