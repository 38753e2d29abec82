"""Property-based fuzzing of every API of the stack in local mode, driven by each API's published document.

GIVEN the session's stack in local mode, each API serving its document at /<stage>/openapi.json
WHEN schemathesis sends what the document allows and what it forbids (its examples, boundary
     values, random data, and sequences along the document's links) as a signed-in demo user
     (the admin for the admins' operations; tests/local/schemathesis.toml)
THEN every check holds: no 5xx; only documented statuses, content types, headers and bodies;
     valid data accepted and invalid data refused; auth enforced; undeclared methods refused.

It changes the demo data, so it runs after the other tests of the session (conftest). The
budget is MULTITIER_FUZZ_SECONDS per operation (1 under ``make test``: about 50 s in all; ``make
fuzz``: 5), shared by the APIs by their number of operations; the seed is fixed so that a failure
reproduces (MULTITIER_FUZZ_SEED picks another).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

CONFIG = Path(__file__).with_name("schemathesis.toml")
SCHEMATHESIS = Path(sys.executable).with_name("st")
SECONDS_PER_OPERATION = float(os.environ.get("MULTITIER_FUZZ_SECONDS", "1"))
SEED = os.environ.get("MULTITIER_FUZZ_SEED", "20261202")
METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}


def fuzz(url: str, budget: int, tokens: dict[str, str], har: Path) -> tuple[int, int, str]:
    """One schemathesis run: its exit code, the requests it sent and its report."""
    # Every check is on by default (no --checks: on the command line it would override the config's one exception).
    command = [str(SCHEMATHESIS), "--config-file", str(CONFIG), "run", f"{url}/openapi.json",
               "--max-time", str(budget), "--seed", SEED, "--workers", "1", "--no-color",
               "--report", "har", "--report-har-path", str(har)]
    run = subprocess.run(command, env={**os.environ, **tokens}, cwd=har.parent,  # its cache stays out of the repo
                         capture_output=True, text=True, timeout=budget + 180)
    requests = len(json.loads(har.read_text())["log"]["entries"]) if har.exists() else 0
    return run.returncode, requests, run.stdout + run.stderr


def test_every_api_holds_to_its_document_under_fuzzing(local_stack, patterns, sign_in, tmp_path):
    failed, sent = {}, {}
    for api in local_stack.apis:
        assert api.published_openapi, f"{api.name} serves no document"
        pattern = patterns[local_stack.pattern_of(api.name)]
        tokens = {"DEMO_TOKEN": sign_in.id_token(pattern), "ADMIN_TOKEN": sign_in.id_token(pattern, "admin@example.com")}
        operations = sum(len(METHODS & set(item)) for item in api.published_openapi["paths"].values())
        budget = max(3, round(SECONDS_PER_OPERATION * operations))
        code, sent[api.name], report = fuzz(api.url, budget, tokens, tmp_path / f"{api.name}.har")
        if code != 0 or not sent[api.name]:
            failed[api.name] = report
    print("requests sent by the fuzzer:", json.dumps(sent))
    assert not failed, "\n\n".join(f"==== {name}\n{report[-8000:]}" for name, report in failed.items())
