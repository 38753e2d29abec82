"""``python -m local check`` and ``python -m local cost``: the rules and the estimate, offline."""

from __future__ import annotations

import argparse
import json
from typing import Sequence


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Register ``check`` and ``cost`` on the offline engine's command line."""
    check = commands.add_parser("check", help="run the policy rules over a stack, offline")
    check.add_argument("--stack", help="stack name (Pulumi.<stack>.yaml, policy/config.<stack>.json)")
    check.add_argument("--json", action="store_true", help="print JSON instead of a table")
    check.add_argument("--list", action="store_true", help="list every rule (id, severity, description)")
    check.set_defaults(run=run_check)
    cost = commands.add_parser("cost", help="estimate a stack's idle and per-request cost, offline")
    cost.add_argument("--stack", required=True, help="stack name (Pulumi.<stack>.yaml)")
    cost.add_argument("--json", action="store_true", help="print JSON instead of a table")
    cost.set_defaults(run=run_cost)


def table(rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows)


def run_check(args: argparse.Namespace) -> int:
    from policy import enforce, recorded
    from policy.rules import RULES

    if args.list:
        for rule in RULES.values():
            print(f"{rule.id}\t{rule.severity}\t{rule.description}")
        return 0
    if not args.stack:
        raise ValueError("check needs --stack (or --list)")
    configs = enforce.load(args.stack)
    report = enforce.run(recorded.record(args.stack), configs)
    if args.json:
        print(json.dumps({"stack": args.stack, "mandatory": len(report.mandatory),
                          "violations": [v.as_dict() for v in report.violations],
                          "unevaluated": report.unevaluated}, indent=2))
    else:
        rows = [("ID", "LEVEL", "RESOURCE", "MESSAGE", "REMEDIATION")] + [
            (v.rule.id, v.level if not v.suppressed else "suppressed", v.resource, v.message, v.rule.remediation)
            for v in sorted(report.violations, key=lambda v: (v.suppressed != "", v.level, v.rule.id, v.resource))]
        print(table(rows) if len(rows) > 1 else f"no violations in stack {args.stack}")
        suppressed = sum(1 for v in report.violations if v.suppressed)
        print(f"\n{args.stack}: {len(report.mandatory)} mandatory, {len(report.open) - len(report.mandatory)} "
              f"advisory, {suppressed} suppressed; {len(RULES)} rules")
    return 1 if report.mandatory else 0


def run_cost(args: argparse.Namespace) -> int:
    from policy import cost, recorded

    prices = cost.PriceTable.load()
    estimate = cost.estimate(recorded.record(args.stack), prices)
    if args.json:
        print(json.dumps(estimate.as_dict(prices), indent=2))
        return 0
    rows = [("PATTERN", "IDLE USD/MONTH", "USD PER MILLION REQUESTS")]
    rows += [(p, f"{estimate.idle_monthly(p):,.2f}", f"{estimate.per_million(p):,.2f}" if any(
        r.pattern == p for r in estimate.routes) else "-") for p in estimate.patterns]
    rows.append(("stack " + args.stack, f"{estimate.idle_monthly():,.2f}", f"{estimate.per_million():,.2f}"))
    print(table(rows))
    print("\nIdle items:")
    print(table([("PATTERN", "RESOURCE", "ITEM", "USD/MONTH")] + [
        (line.pattern, line.resource, line.item, f"{line.usd:,.2f}") for line in estimate.idle]))
    for item in estimate.not_priced:
        print(f"not priced: {item}")
    print(f"\nus-east-1 list prices of {prices.raw['date']} (policy/prices.json); per-request quantities are "
          f"the assumptions listed there.")
    return 0
