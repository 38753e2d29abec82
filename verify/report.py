"""A report four ways: a table per pattern (people), JSON (programs), JUnit XML (CI), Markdown (job summaries)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from verify.runner import Report, Result

MARK = {"pass": "ok", "fail": "FAIL", "skip": "skip"}
ICON = {"pass": "✅", "fail": "❌", "skip": "⏭️"}


def _title(report: Report) -> str:
    c = report.counts()
    verdict = "passed" if report.passed else "FAILED"
    return (f"verify: stack {report.stack} on {report.target} {verdict}: {c['pass']} passed, {c['fail']} failed, "
            f"{c['skip']} skipped in {report.seconds:.1f} s")


def _details(result: Result) -> list[str]:
    lines = []
    if result.expected:
        lines.append(f"expected: {result.expected}")
    if result.actual:
        lines.append(f"got: {result.actual}")
    if result.request_id:
        lines.append(f"request id: {result.request_id}")
    return lines


def text(report: Report) -> str:
    lines = [_title(report)]
    for pattern, results in report.patterns().items():
        lines += ["", pattern]
        width = max(len(_label(r)) for r in results)
        for r in results:
            lines.append(f"  {MARK[r.status]:<4}  {_label(r):<{width}}  {r.seconds:6.2f}s  {r.reason}")
            lines += [f"{'':>{width + 18}}{line}" for line in _details(r)] if r.status == "fail" else []
    return "\n".join(lines)


def as_json(report: Report) -> str:
    return json.dumps({"stack": report.stack, "target": report.target, "passed": report.passed,
                       "seconds": round(report.seconds, 3), "counts": report.counts(),
                       "results": [{**r.as_dict(), "seconds": round(r.seconds, 3)} for r in report.results]},
                      indent=2)


def junit(report: Report) -> str:
    """JUnit XML: a testsuite per pattern, a testcase per check (and subject)."""
    counts = report.counts()
    root = ET.Element("testsuites", name=f"verify {report.stack} ({report.target})", tests=str(len(report.results)),
                      failures=str(counts["fail"]), skipped=str(counts["skip"]), errors="0",
                      time=f"{report.seconds:.3f}")
    for pattern, results in report.patterns().items():
        suite = ET.SubElement(root, "testsuite", name=f"{report.stack}.{pattern}", tests=str(len(results)),
                              failures=str(sum(r.status == "fail" for r in results)),
                              skipped=str(sum(r.status == "skip" for r in results)), errors="0",
                              time=f"{sum(r.seconds for r in results):.3f}")
        for r in results:
            case = ET.SubElement(suite, "testcase", classname=f"verify.{report.stack}.{pattern}", name=_label(r),
                                 time=f"{r.seconds:.3f}")
            if r.status == "fail":
                ET.SubElement(case, "failure", message=r.reason).text = "\n".join(_details(r))
            elif r.status == "skip":
                ET.SubElement(case, "skipped", message=r.reason)
            else:
                ET.SubElement(case, "system-out").text = r.reason
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def markdown(report: Report) -> str:
    """For ``$GITHUB_STEP_SUMMARY``: the verdict, the failures with their details, a table per pattern."""
    lines = [f"## {ICON['pass' if report.passed else 'fail']} {_title(report)}", ""]
    for r in (r for r in report.results if r.status == "fail"):
        lines += [f"- **{r.pattern} / {_label(r)}**: {_cell(r.reason)}",
                  *(f"  - {_cell(line)}" for line in _details(r))]
    for pattern, results in report.patterns().items():
        lines += ["", f"### {pattern}", "", "| | check | time | reason |", "|---|---|---|---|"]
        lines += [f"| {ICON[r.status]} | {_cell(_label(r))} | {r.seconds:.2f} s | {_cell(r.reason)} |" for r in results]
    return "\n".join(lines) + "\n"


def _label(result: Result) -> str:
    return f"{result.check} [{result.subject}]" if result.subject else result.check


def _cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ")
