"""The deploy workflow verifies dev after `pulumi up`, reports it, and deploys prod only after that passed."""

from __future__ import annotations

import yaml

from tests.verify.conftest import ROOT


def test_dev_is_verified_after_its_deploy_and_prod_waits_for_it():
    jobs = yaml.safe_load((ROOT / ".github/workflows/deploy.yml").read_text())["jobs"]
    steps = jobs["dev"]["steps"]
    names = [s.get("name") or s.get("uses") or s.get("run") for s in steps]
    up = next(i for i, s in enumerate(steps) if s.get("uses", "").startswith("pulumi/actions@"))
    verify = next(i for i, s in enumerate(steps) if "python -m verify" in s.get("run", ""))
    upload = next(i for i, s in enumerate(steps) if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert steps[up]["with"]["command"] == "up" and up < verify < upload, names

    command = steps[verify]["run"]
    assert "--stack dev --target aws --create-show" in command and "--junit verify-dev.xml" in command
    assert '--summary "$GITHUB_STEP_SUMMARY"' in command
    assert steps[verify]["env"]["PULUMI_ACCESS_TOKEN"] == "${{ secrets.PULUMI_ACCESS_TOKEN }}"
    assert "if" not in steps[verify]  # a failed `up` is not verified: the job has failed already
    # The report is uploaded whether the checks passed or not (not when the run was cancelled).
    assert steps[upload]["if"] == "${{ !cancelled() }}" and steps[upload]["with"]["path"] == "verify-dev.xml"
    # Prod's deploy needs dev's job, whose last gate is the verification.
    assert jobs["prod"]["needs"] == "dev"
