"""python -m local preview|up|check|cost --stack dev|prod (see --help)"""

from __future__ import annotations

import argparse
import json
import sys


def throttle(value: str) -> tuple[float, int]:
    """``off`` → no limit; ``RATE:BURST`` → requests per second and burst (``500:1000``)."""
    if value == "off":
        return (-1.0, -1)
    rate, _, burst = value.partition(":")
    try:
        parsed = (float(rate), int(burst))
    except ValueError:
        parsed = (-1.0, -1)
    if not parsed[0] > 0 or parsed[1] < 1:
        raise argparse.ArgumentTypeError(f"{value!r}: must be off or RATE:BURST, a rate above 0 per second and "
                                         f"a whole burst of at least 1 (e.g. 500:1000)")
    return parsed


def assignment(value: str) -> tuple[str, object]:
    """``key=value``; the value read as YAML, as a stack file holds it (``true``, ``8``, ``[a, b]``)."""
    import yaml

    key, sep, raw = value.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"{value!r}: must be KEY=VALUE (e.g. networkAzCount=3)")
    try:
        return key.strip(), yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError as error:
        raise argparse.ArgumentTypeError(f"{value!r}: the value is not YAML: {error}") from None


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
                    help="use ports from N upwards (default: the ports of the last run, else free ones)")
    up.add_argument("--json", action="store_true",
                    help="when ready, print what runs as one line of JSON (also in .local/<stack>/endpoints.json); "
                         "logs go to stderr")
    up.add_argument("--throttle", type=throttle, default=None, metavar="off|RATE:BURST",
                    help="one limit on every method and API key instead of the stack's (off: none), for load tests")
    up.add_argument("--no-reload", dest="reload", action="store_false",
                    help="do not apply changes of functions/ and site/ while running (they are by default)")
    up.add_argument("--time-scale", type=float, default=1.0, metavar="N",
                    help="the local alarms' and dashboards' periods pass N times faster (60: a minute lasts a second)")

    release = commands.add_parser(
        "release", help="rehearse the release of a service's changed code in the running local mode of a stack",
        description="Publishes the service's current code as a new version of each of its functions in the running "
                    "`python -m local up` of the stack and releases it as the stack would (CodeDeploy's shift, or the "
                    "stage canary), its alarms judging it over local metrics, in compressed time; prints the timeline. "
                    "Exit status: 0 promoted, 1 rolled back, 2 could not rehearse.")
    release.add_argument("--stack", required=True, help="stack name (its local mode must be running)")
    release.add_argument("--service", required=True, help="the service whose code changed, as its functions' contract names it")
    release.add_argument("--via", choices=("codedeploy", "stage"), default="codedeploy",
                         help="codedeploy: shift the functions' live alias (default); stage: through the stage canary, "
                              "its deployment naming the new versions")
    release.add_argument("--config", default="", metavar="NAME",
                         help="a CodeDeploy configuration instead of the stack's (e.g. Canary10Percent5Minutes)")
    release.add_argument("--percent", type=float, default=None, help="the stage canary's share instead of the stack's")
    release.add_argument("--bake-minutes", type=float, default=None,
                         help="the stage canary's bake time instead of the stack's")
    release.add_argument("--time-scale", type=float, default=30.0, metavar="N",
                         help="AWS time passes N times faster (default 30: a minute lasts 2 s; new versions start in real time)")
    release.add_argument("--traffic", type=float, default=20.0, metavar="RPS",
                         help="requests per second to the service's routes as the demo user (0: only yours)")
    plan = commands.add_parser("plan", help="what changed settings would update, replace, create or delete, offline")
    plan.add_argument("--stack", help="stack name (Pulumi.<stack>.yaml)")
    plan.add_argument("--set", dest="settings", action="append", default=[], metavar="KEY=VALUE", type=assignment,
                      help="a changed setting (multitier:<key> or <key>; aws:<key>); repeat for more")
    plan.add_argument("--json", action="store_true", help="print JSON instead of text")
    plan.add_argument("--sweep", action="store_true",
                      help="change every setting once (of --stack, or of every stack) and print what each does")
    plan.add_argument("--readme", action="store_true", help="with --sweep: write the table into README.md")

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
        if args.command == "release":
            from local.release import run_cli
            from local.up import STATE_ROOT

            return run_cli(args.stack, STATE_ROOT, {
                "service": args.service, "via": args.via, "config": args.config, "percent": args.percent,
                "bake_minutes": args.bake_minutes, "time_scale": args.time_scale, "traffic": args.traffic})
        if args.command == "plan":
            from local.plan import plan as run_plan, render as render_plan

            if args.sweep:
                from local.plan_sweep import sweep, table, write_readme

                results = sweep([args.stack] if args.stack else ["dev", "prod"])
                if args.readme:
                    write_readme(results)
                print(json.dumps(results, indent=2, default=str) if args.json else table(results))
                return 0
            if not args.stack or not args.settings:
                raise ValueError("plan needs --stack and at least one --set KEY=VALUE (or --sweep)")
            result = run_plan(args.stack, dict(args.settings))
            print(json.dumps(result.as_dict(), indent=2, default=str) if args.json else render_plan(result))
            return result.exit_code
        if args.command == "up":
            from local.up import run as run_up

            return run_up(args.stack, fresh=args.fresh, port_base=args.port_base, as_json=args.json,
                          throttle=args.throttle, time_scale=args.time_scale, reload=args.reload)
    except (ValueError, FileNotFoundError) as error:  # SettingsError, BundleError and bad component args
        print(f"error: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader stopped early (`check --list | head`): not an error
        sys.stdout = None  # nothing more can be flushed to the closed pipe at exit
        return 0
    except ModuleNotFoundError as error:
        print(f"error: missing Python package {error.name} (run `make install` or "
              f"pip install -r requirements-dev.txt)", file=sys.stderr)
        return 2
    return 1


if __name__ == "__main__":
    sys.exit(main())
