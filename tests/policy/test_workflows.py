"""The GitHub workflows: schema-valid, zizmor-clean, pinned, least privilege, one deploy per stack at a time."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
BIN = Path(sys.executable).parent


def _run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_workflows_exist():
    assert {w.name for w in WORKFLOWS} == {"pull-request.yml", "deploy.yml"}


def test_workflows_match_githubs_schema():
    result = _run(str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *map(str, WORKFLOWS))
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_finds_nothing():
    result = _run(str(BIN / "zizmor"), "--offline", "--no-progress", ".github/workflows")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda w: w.name)
def test_every_action_is_pinned_to_a_commit(workflow):
    uses = re.findall(r"uses:\s*(\S+)", workflow.read_text())
    assert uses and all(re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", u) for u in uses), uses


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda w: w.name)
def test_permissions_default_to_read_only(workflow):
    document = yaml.safe_load(workflow.read_text())
    assert document["permissions"] == {"contents": "read"}
    for job in document["jobs"].values():
        extra = {k: v for k, v in job.get("permissions", {}).items() if v == "write"}
        assert set(extra) <= {"id-token", "pull-requests"}


def test_deploys_of_one_stack_never_overlap_and_prod_waits_for_review():
    jobs = yaml.safe_load((ROOT / ".github/workflows/deploy.yml").read_text())["jobs"]
    assert jobs["dev"]["concurrency"] == {"group": "deploy-dev", "cancel-in-progress": False}
    assert jobs["prod"]["concurrency"] == {"group": "deploy-prod", "cancel-in-progress": False}
    assert jobs["prod"]["environment"] == "production" and jobs["prod"]["needs"] == "dev"


def test_preview_is_skipped_with_a_notice_when_aws_is_not_configured():
    jobs = yaml.safe_load((ROOT / ".github/workflows/pull-request.yml").read_text())["jobs"]
    assert jobs["preview"]["if"] == "needs.aws-config.outputs.configured == 'true'"
    probe = jobs["aws-config"]["steps"][0]["run"]
    assert "::notice" in probe and "AWS_ROLE_ARN" in probe
    preview = next(s for s in jobs["preview"]["steps"] if s.get("uses", "").startswith("pulumi/actions@"))
    assert preview["with"]["policyPacks"] == "policy" and preview["with"]["comment-on-pr"] is True
