"""python -m verify --stack dev --target local|aws [--json] [--junit FILE] [--summary FILE] (see --help)"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from verify import report
from verify.checks import CHECKS
from verify.runner import run
from verify.target import TargetError, aws_target, local_target, read_outputs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m verify", description="Check a running stack end to end: local mode or a deployed stack. "
        "Exit status 0 when every check passes (skips included), 1 when one fails, 2 when the target cannot be read.")
    parser.add_argument("--stack", help="stack name (dev, prod); required unless --list")
    parser.add_argument("--target", choices=("local", "aws"), default="local",
                        help="local: local mode's endpoints.json; aws: the deployed stack's outputs (default: local)")
    parser.add_argument("--pattern", action="append", default=[], metavar="NAME",
                        help="check only this pattern (repeatable; default: every pattern the stack runs)")
    parser.add_argument("--check", action="append", default=[], metavar="NAME",
                        help="run only this check and the checks it needs (repeatable; --list shows them)")
    parser.add_argument("--endpoints", type=Path, metavar="FILE",
                        help="local: endpoints.json to read (default: .local/<stack>/endpoints.json)")
    parser.add_argument("--outputs", type=Path, metavar="FILE",
                        help="aws: the stack's outputs as `pulumi stack output --json` prints them "
                             "(default: run that command)")
    parser.add_argument("--create-show", action="store_true",
                        help="where no show is on sale, let the verification user (made an admin) create the stack's "
                             "verification show, which stays for later runs (default: skip the purchase checks)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON instead of a table")
    parser.add_argument("--junit", type=Path, metavar="FILE", help="also write the results as JUnit XML")
    parser.add_argument("--summary", type=Path, metavar="FILE",
                        help="also append the results as Markdown (e.g. $GITHUB_STEP_SUMMARY)")
    parser.add_argument("--list", action="store_true", help="list the checks and exit")
    args = parser.parse_args(argv)

    if args.list:
        for c in CHECKS:
            where = "" if c.targets == {"local", "aws"} else f" ({'/'.join(sorted(c.targets))} only)"
            print(f"{c.name:<16} per {c.scope:<8} {c.summary}{where}")
        return 0
    if not args.stack:
        parser.error("--stack is required")
    try:
        if args.target == "local":
            target = local_target(args.stack, args.endpoints)
        else:
            target = aws_target(args.stack, read_outputs(args.outputs) if args.outputs else None)
        result = run(target, args.pattern, args.check, create_show=args.create_show)
    except (TargetError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    try:
        print(report.as_json(result) if args.json else report.text(result), flush=True)
    except BrokenPipeError:  # the reader stopped early (`| head`): the files and the status still count
        sys.stdout = None
    if args.junit:
        args.junit.write_text(report.junit(result))
    if args.summary:
        with args.summary.open("a") as out:
            out.write(report.markdown(result))
    return 0 if result.passed else 1


if __name__ == "__main__":
    sys.exit(main())
