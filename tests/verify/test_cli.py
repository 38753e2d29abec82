"""The command line and its reports: exit codes, the table, JSON, JUnit XML and the Markdown summary."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from verify import report
from verify.__main__ import main
from verify.checks import CHECKS
from verify.runner import Report, Result, select

RESULTS = (
    Result("web_app", "health", "web-app-api", "pass", "ok on stage dev in 3 ms", 0.004),
    Result("web_app", "buy-ticket", "", "fail", "POST /tickets: ... answered 502", 0.25,
           expected="HTTP 201", actual='502 {"message": "Internal server error"}', request_id="req-1"),
    Result("web_app", "read-ticket", "", "skip", "needs buy-ticket, which did not pass", 0.0),
    Result("stack", "alarms", "", "pass", "54 alarms | none in ALARM", 0.5),
)
FAILED = Report("dev", "aws", RESULTS, 3.2)


def test_the_table_names_what_failed_with_expected_got_and_request_id():
    text = report.text(FAILED)
    assert text.splitlines()[0] == ("verify: stack dev on aws FAILED: 2 passed, 1 failed, 1 skipped in 3.2 s")
    assert "FAIL  buy-ticket" in text and "expected: HTTP 201" in text and "request id: req-1" in text
    assert 'got: 502 {"message": "Internal server error"}' in text
    assert "ok    health [web-app-api]" in text and "skip  read-ticket" in text


def test_json_and_junit_carry_every_result():
    data = json.loads(report.as_json(FAILED))
    assert data["passed"] is False and data["counts"] == {"pass": 2, "fail": 1, "skip": 1}
    assert data["results"][1]["request_id"] == "req-1" and data["results"][1]["expected"] == "HTTP 201"

    root = ET.fromstring(report.junit(FAILED))
    assert (root.get("tests"), root.get("failures"), root.get("skipped")) == ("4", "1", "1")
    suites = {s.get("name"): s for s in root}
    assert set(suites) == {"dev.web_app", "dev.stack"}
    case = next(c for c in suites["dev.web_app"] if c.get("name") == "buy-ticket")
    assert case.find("failure").get("message").endswith("answered 502")
    assert "request id: req-1" in case.find("failure").text
    assert next(c for c in suites["dev.web_app"] if c.get("name") == "read-ticket").find("skipped") is not None


def test_the_markdown_summary_lists_failures_first_and_escapes_tables():
    summary = report.markdown(FAILED)
    assert summary.startswith("## ❌ verify: stack dev on aws FAILED")
    assert summary.index("**web_app / buy-ticket**") < summary.index("### web_app")
    assert "54 alarms \\| none in ALARM" in summary


def test_an_empty_run_does_not_pass():
    assert not Report("dev", "local", (), 0.0).passed


def test_selecting_a_check_brings_what_it_needs():
    assert [c.name for c in select(["cancel-ticket"])] == ["sign-in", "shows", "buy-ticket", "cancel-ticket"]
    with pytest.raises(ValueError, match="no check named nope"):
        select(["nope"])


def test_list_names_every_check(capsys):
    assert main(["--list"]) == 0
    listed = capsys.readouterr().out
    assert all(c.name in listed for c in CHECKS) and "(aws only)" in listed and "(local only)" in listed


def test_a_stack_is_required(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["--target", "aws"])
    assert exited.value.code == 2 and "--stack is required" in capsys.readouterr().err


def test_a_target_that_cannot_be_read_exits_2(tmp_path, capsys):
    assert main(["--stack", "dev", "--endpoints", str(tmp_path / "endpoints.json")]) == 2
    assert "local mode is not running" in capsys.readouterr().err
    outputs = tmp_path / "outputs.json"
    outputs.write_text('{"web_app_api_url": "https://x"}')
    assert main(["--stack", "dev", "--target", "aws", "--outputs", str(outputs)]) == 2
    assert "no `region` output" in capsys.readouterr().err
    outputs.write_text("[]")
    assert main(["--stack", "dev", "--target", "aws", "--outputs", str(outputs)]) == 2
    assert "expected the JSON object" in capsys.readouterr().err


def test_exit_codes_follow_the_verdict(dev_local, tmp_path, capsys):
    endpoints = str(dev_local.endpoints_path)
    assert main(["--stack", "dev", "--endpoints", endpoints, "--pattern", "nope"]) == 2
    assert "runs no pattern nope" in capsys.readouterr().err
    junit = tmp_path / "health.xml"
    assert main(["--stack", "dev", "--endpoints", endpoints, "--pattern", "web_app", "--check", "health",
                 "--junit", str(junit)]) == 0
    assert "1 passed, 0 failed" in capsys.readouterr().out
    assert ET.parse(junit).getroot().get("tests") == "1"


def test_a_failed_check_exits_1_and_still_writes_the_reports(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr("verify.__main__.local_target", lambda stack, endpoints: None)
    monkeypatch.setattr("verify.__main__.run", lambda target, patterns, checks, create_show: FAILED)
    junit, summary = tmp_path / "r.xml", tmp_path / "s.md"
    summary.write_text("earlier steps\n")
    assert main(["--stack", "dev", "--junit", str(junit), "--summary", str(summary)]) == 1
    assert "FAILED" in capsys.readouterr().out
    assert ET.parse(junit).getroot().get("failures") == "1"
    assert summary.read_text().startswith("earlier steps\n## ❌")  # appended, as GitHub's job summary wants
