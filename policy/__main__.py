"""The CrossGuard pack: ``pulumi preview --policy-pack policy`` starts this (never the tests: it blocks)."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repo root holds the `policy` package

from pulumi_policy import EnforcementLevel, PolicyPack  # noqa: E402

from policy.pack import initial_config, policies  # noqa: E402

PolicyPack(name="multitier", enforcement_level=EnforcementLevel.MANDATORY, policies=policies(),
           initial_config=initial_config(os.environ.get("PULUMI_STACK", "prod")),
           description="multitier's secure defaults, deploy checks, AWS value limits and cost budget")
