"""python -m local preview|up|check|cost --stack dev|prod (see --help)"""

from __future__ import annotations

import argparse
import json
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local", description="multitier's offline engine")
    commands = parser.add_subparsers(dest="command", required=True)
    preview = commands.add_parser("preview", help="print the resource tree of a stack, offline")
    preview.add_argument("--stack", required=True, help="stack name (Pulumi.<stack>.yaml)")
    preview.add_argument("--json", action="store_true", help="print JSON instead of text")
    up = commands.add_parser("up", help="run a whole stack on this machine (Ctrl-C stops it)")
    up.add_argument("--stack", required=True, help="stack name (Pulumi.<stack>.yaml)")
    up.add_argument("--fresh", action="store_true", help="forget the data of earlier runs")
    up.add_argument("--port-base", type=int, default=None,
                    help="use ports from N upwards (default: free ports)")
    from policy.cli import add_commands

    add_commands(commands)  # check and cost: the policy rules and cost estimate, offline
    args = parser.parse_args(argv)

    try:
        if hasattr(args, "run"):
            return args.run(args)
        if args.command == "preview":
            from local.preview import preview as run_preview, render

            result = run_preview(args.stack)
            print(json.dumps(result, indent=2, default=str) if args.json else render(result))
            return 0
        if args.command == "up":
            from local.up import run as run_up

            return run_up(args.stack, fresh=args.fresh, port_base=args.port_base)
    except (ValueError, FileNotFoundError) as error:  # SettingsError, BundleError and bad component args
        print(f"error: {error}", file=sys.stderr)
        return 2
    except ModuleNotFoundError as error:
        print(f"error: missing Python package {error.name} (run `make install` or "
              f"pip install -r requirements-dev.txt)", file=sys.stderr)
        return 2
    return 1


if __name__ == "__main__":
    sys.exit(main())
