"""Per-stack enforcement: levels, rule parameters and reasoned suppressions.

``policy/config.<stack>.json`` is a Pulumi policy-pack config file (what
``pulumi preview --policy-pack policy --policy-pack-config policy/config.<stack>.json``
reads): ``"all"`` sets the default level; a rule id maps to a level or to an object
with ``enforcementLevel``, ``why`` (why this stack differs), ``suppressions``
(cdk-nag style: ``{"resource": <logical name or glob>, "reason": ...}``) and the
rule's own parameters.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from policy.core import LEVELS, Finding, Rule, Stack, matches
from policy.rules import RULES

POLICY_DIR = Path(__file__).resolve().parent
# Rule ids that moved, so a config naming the old one is told where it went.
RENAMED = {"MT-DEPLOY-10": "MT-OPENAPI-1", "MT-DEPLOY-11": "MT-OPENAPI-2", "MT-DEPLOY-12": "MT-OPENAPI-3",
           "MT-DEPLOY-13": "MT-OPENAPI-4", "MT-DEPLOY-18": "MT-OPENAPI-5", "MT-DEPLOY-31": "MT-OPENAPI-6",
           "MT-KMS-2": "MT-IAM-7"}
COMMON_KEYS = ("enforcementLevel", "why", "suppressions")


class ConfigError(ValueError):
    """A policy config file names an unknown rule, level or parameter."""


@dataclass(frozen=True)
class RuleConfig:
    level: str = "mandatory"
    params: Mapping[str, Any] = field(default_factory=dict)
    suppressions: tuple[Mapping[str, Any], ...] = ()


def config_path(stack: str) -> Path:
    return POLICY_DIR / f"config.{stack}.json"


def load(stack: str, path: Path | None = None) -> dict[str, RuleConfig]:
    """Each rule's config for ``stack``; a clear error for anything the rules don't know."""
    path = path or config_path(stack)
    if not path.is_file():
        raise FileNotFoundError(f"no policy config for stack {stack!r}: {path} does not exist")
    try:
        raw = json.loads(path.read_text())
    except ValueError as error:
        raise ConfigError(f"{path.name}: not valid JSON ({error})") from None
    return parse(raw, path.name)


def parse(raw: Any, source: str = "policy config") -> dict[str, RuleConfig]:
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{source}: must be a JSON object of rule ids")
    default = _level(raw.get("all", "mandatory"), source, "all")
    moved = sorted(f"{old} (now {RENAMED[old]})" for old in set(raw) & set(RENAMED))
    if moved:
        raise ConfigError(f"{source}: renamed rule ids {moved}")
    unknown = sorted(set(raw) - set(RULES) - {"all"})
    if unknown:
        raise ConfigError(f"{source}: unknown rule ids {unknown} (see `python -m local check --list`)")
    return {rule_id: rule_config(rule, raw.get(rule_id, {}), default, source) for rule_id, rule in RULES.items()}


def rule_config(rule: Rule, entry: Any, default: str = "mandatory", source: str = "policy config") -> RuleConfig:
    """One rule's entry (a level, or an object with level, why, suppressions and parameters).

    Without a level of its own the rule gets ``default`` (the config's ``all``), or its own
    level where that is less strict: an advisory rule (a trade-off) stays advisory unless
    the entry raises it.
    """
    if isinstance(entry, str):
        entry = {"enforcementLevel": entry}
    if not isinstance(entry, Mapping):
        raise ConfigError(f"{source}: {rule.id} must be a level or an object")
    extra = sorted(set(entry) - set(COMMON_KEYS) - set(rule.params))
    if extra:
        raise ConfigError(f"{source}: {rule.id} has no parameters {extra} "
                          f"(allowed: {sorted(COMMON_KEYS + tuple(rule.params))})")
    suppressions = entry.get("suppressions", [])
    if not isinstance(suppressions, list) or not all(isinstance(s, Mapping) and s.get("resource")
                                                     for s in suppressions):
        raise ConfigError(f'{source}: {rule.id}.suppressions must be a list of {{"resource": <name or glob>, '
                          f'"reason": <why>}}')
    level = entry.get("enforcementLevel") or max(default, rule.level, key=LEVELS.index)
    return RuleConfig(level=_level(level, source, rule.id),
                      params={k: v for k, v in entry.items() if k in rule.params},
                      suppressions=tuple(suppressions))


def _level(value: Any, source: str, key: str) -> str:
    if value not in LEVELS:
        raise ConfigError(f"{source}: {key} has enforcement level {value!r}; allowed: {', '.join(LEVELS)}")
    return value


@dataclass(frozen=True)
class Violation:
    rule: Rule
    level: str
    resource: str  # logical name, or "(stack)"
    type: str
    message: str
    suppressed: str = ""  # the reason, when a suppression covers it

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.rule.id, "level": self.level, "severity": self.rule.severity, "resource": self.resource,
                "type": self.type, "message": self.message, "remediation": self.rule.remediation,
                **({"suppressed": self.suppressed} if self.suppressed else {})}


def apply(rule: Rule, findings: list[Finding], config: RuleConfig) -> list[Violation]:
    """Findings as violations at the rule's level; reasoned suppressions mark them, reasonless ones don't."""
    out = []
    for suppression in config.suppressions:
        if not str(suppression.get("reason") or "").strip():
            out.append(Violation(rule, config.level, str(suppression["resource"]), "suppression",
                                 f"the suppression of {rule.id} for {suppression['resource']!r} has no reason; "
                                 f"a suppression must say why (it is ignored until it does)"))
    reasoned = [s for s in config.suppressions if str(s.get("reason") or "").strip()]
    for finding in findings:
        name = finding.resource.name if finding.resource else "(stack)"
        reason = next((s["reason"] for s in reasoned if matches(str(s["resource"]), name)), "")
        out.append(Violation(rule, config.level, name, finding.resource.type if finding.resource else "stack",
                             finding.message, reason))
    return out


@dataclass
class Report:
    stack: str
    violations: list[Violation]
    unevaluated: dict[str, list[str]]  # rule id -> resources it could not read (unknown values)

    @property
    def open(self) -> list[Violation]:
        return [v for v in self.violations if not v.suppressed]

    @property
    def mandatory(self) -> list[Violation]:
        return [v for v in self.open if v.level == "mandatory"]


def run(stack: Stack, configs: Mapping[str, RuleConfig], rules: Mapping[str, Rule] = RULES) -> Report:
    violations, unevaluated = [], {}
    for rule_id, rule in rules.items():
        config = configs.get(rule_id, RuleConfig())
        if config.level == "disabled":
            continue
        findings, unknown = rule.evaluate(stack, config.params)
        violations.extend(apply(rule, findings, config))
        if unknown:
            unevaluated[rule_id] = unknown
    return Report(stack.name, violations, unevaluated)
