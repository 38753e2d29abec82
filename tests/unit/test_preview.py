"""Offline preview: the resource tree, totals and outputs of a stack; clear errors."""

import json
import subprocess
import sys

from local.engine import PROJECT_ROOT

# Both stacks once each; every test reads these.
_RUNS: dict = {}


def preview(*args: str) -> subprocess.CompletedProcess:
    key = args
    if key not in _RUNS:
        _RUNS[key] = subprocess.run([sys.executable, "-m", "local", "preview", *args], cwd=PROJECT_ROOT,
                                    capture_output=True, text=True, timeout=300)
    return _RUNS[key]


def test_json_preview_lists_every_resource_with_parents_and_totals():
    result = preview("--stack", "dev", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["stack"] == "dev"
    assert data["total"] == len(data["resources"]) == sum(data["totals"].values())
    names = {r["name"] for r in data["resources"]}
    assert all(r["parent"] in names or r["parent"].startswith("multitier-") for r in data["resources"])
    assert data["totals"]["multitier:patterns:MobileBackend"] == 1
    assert "mobile_backend_api_url" in data["outputs"]


def test_text_preview_shows_the_tree_and_the_differences_between_stacks():
    dev, prod = preview("--stack", "dev"), preview("--stack", "prod")
    assert dev.returncode == prod.returncode == 0
    assert "Offline preview of stack 'dev'" in dev.stdout and "Totals by type:" in dev.stdout
    assert "  aws:lambda/function:Function" in dev.stdout  # indented under its component
    # prod adds WAF, the alarms' e-mail and a custom domain that dev does not have
    for token in ("aws:wafv2/webAcl:WebAcl", "aws:sns/topicSubscription:TopicSubscription",
                  "aws:apigateway/domainName:DomainName"):
        assert token in prod.stdout and token not in dev.stdout


def test_unknown_stack_is_a_clear_error():
    result = preview("--stack", "staging")
    assert result.returncode == 2
    assert result.stderr.strip().startswith("error: no stack named 'staging'")


def test_a_bad_setting_prints_the_clear_error_and_exits_non_zero(monkeypatch, capsys):
    from local import __main__ as cli
    from local.engine import runner

    original = runner.stack_config
    monkeypatch.setattr(runner, "stack_config",
                        lambda stack, root=PROJECT_ROOT: {**original(stack, root), "multitier:apiWaf": "sometimes"})
    assert cli.main(["preview", "--stack", "dev"]) == 2
    error = capsys.readouterr().err
    assert "multitier:apiWaf = 'sometimes': Input should be a valid boolean" in error


def test_the_preview_writes_each_apis_documents_and_prints_where():
    # GIVEN the dev stack's preview (as text, as a user runs it)
    result = preview("--stack", "dev")
    assert result.returncode == 0, result.stderr
    # THEN each REST API's published and imported documents are files, named in the output
    listing = result.stdout.split("OpenAPI documents")[1].splitlines()[1:]
    written = [line.strip() for line in listing if line.strip()]
    assert {path.rsplit("/", 1)[-1] for path in written} >= {"mobile-backend-api.json",
                                                             "mobile-backend-api.apigateway.json"}
    for path in written:
        document = json.loads(open(path).read())
        assert document["openapi"].startswith("3.0") and document["paths"], path


def test_the_tree_is_the_same_for_any_registration_order(dev_stack):
    # The program registers in the order its Outputs resolve, which changes between runs: two previews
    # of the same program must still be the same text, so they can be diffed.
    import dataclasses
    import random

    from local import engine

    def shown(recording):
        return [(depth, r.type, r.name) for depth, r in engine.tree(recording)]

    shuffled = list(dev_stack.registrations)
    random.Random(7).shuffle(shuffled)
    assert shown(dataclasses.replace(dev_stack, registrations=shuffled)) == shown(dev_stack)
    siblings = [name for depth, _, name in shown(dev_stack) if depth == 0]
    assert siblings == sorted(siblings)
