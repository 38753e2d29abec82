"""Offline preview next to the bare SDK registering the same resources, in fresh interpreters.

    .venv/bin/python -m bench.preview [--stacks dev prod] [--runs 7] [--json]

One untimed run per stack records what the program registers (type, name, inputs, parent,
provider) and which ``pulumi``/``pulumi_aws``/``pulumi_awsx`` modules it loads. Then, round
after round, fresh interpreters time (from their first statement to the end):
* preview: ``local.engine.run_stack(stack)``, the run behind ``python -m local preview``;
* bare: import the same SDK modules, then register the recorded resources under the same
  ``Mocks`` (pulumi's own mock monitor, no recording): each custom resource through its
  real class with the recorded inputs, each component as a plain ``ComponentResource``.
Probes run interleaved, so load on the machine hits both; the first round only warms the
.pyc caches and is dropped. The ratio preview/bare is what the program and the engine add
to what the SDK itself costs for the same resource mix; it is given for wall time and for
CPU time (user + system of the probe's process, interpreter start included), which a busy
machine disturbs less.
"""

from __future__ import annotations

import argparse
import json
import pickle
import re
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.machine import describe, table

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SDK_PACKAGES = ("pulumi", "pulumi_aws", "pulumi_awsx")
GOAL_RATIO = 1.3
PREVIEW = ("import sys, time; t = time.perf_counter(); from local import engine; engine.run_stack(sys.argv[1]); "
           "print(time.perf_counter() - t)")
BARE = ("import sys, time; t = time.perf_counter(); import importlib; "
        "[importlib.import_module(m) for m in open(sys.argv[2]).read().split()]; "
        "from bench.preview import replay; replay(sys.argv[1], t)")


def record(stack: str, into: Path) -> tuple[Path, Path, int]:
    """Run the program once in a child; write its registrations and SDK modules; return the files and the count."""
    plan, modules = into / f"{stack}.plan", into / f"{stack}.modules"
    code = ("import sys, pickle; from local import engine; r = engine.run_stack(sys.argv[1]); "
            "plan = [(g.urn, g.type, g.name, g.custom, g.parent, g.provider, g.inputs) for g in r.registrations]; "
            "open(sys.argv[2], 'wb').write(pickle.dumps((sys.argv[1], plan))); "
            f"open(sys.argv[3], 'w').write(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in {SDK_PACKAGES})))"
            "; print(len(plan))")
    out, _ = _run([code, stack, str(plan), str(modules)])
    return plan, modules, int(out)


def replay(plan_path: str, started: float) -> None:
    """Register the recorded resources under the engine's Mocks; print seconds since ``started`` (unpickling excluded)."""
    import asyncio
    import time

    import pulumi
    from pulumi.runtime import mocks as pulumi_mocks
    from pulumi.runtime.stack import run_pulumi_func

    from local.engine.mocks import Mocks
    from local.engine.runner import PROJECT

    paused = time.perf_counter()
    stack, plan = pickle.loads(Path(plan_path).read_bytes())
    started += time.perf_counter() - paused
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    pulumi_mocks.set_mocks(Mocks(), project=PROJECT, stack=stack, preview=False)

    def program() -> None:
        made: dict[str, pulumi.Resource] = {}
        providers: dict[str, pulumi.ProviderResource] = {}
        for urn, type_, name, custom, parent, provider, inputs in plan:
            opts = pulumi.ResourceOptions(parent=made.get(parent), provider=providers.get(provider.rsplit("::", 1)[0]))
            made[urn] = resource = _register(type_, name, custom, inputs, opts)
            if isinstance(resource, pulumi.ProviderResource):
                providers[urn] = resource

    loop.run_until_complete(run_pulumi_func(program))
    print(time.perf_counter() - started)


def _register(type_: str, name: str, custom: bool, inputs: dict, opts):
    import pulumi

    cls = _resource_class(type_)
    if cls is not None:
        try:
            return cls(name, opts=opts, **{_snake(key): value for key, value in inputs.items()})
        except TypeError:  # an input the class names otherwise: register it as the engine sees it
            pass
    if not custom:  # the program's own components
        return pulumi.ComponentResource(type_, name, None, opts)
    return pulumi.CustomResource(type_, name, inputs, opts)


def _resource_class(type_: str):
    """``aws:lambda/function:Function`` → ``pulumi_aws.lambda_.Function``; ``pulumi:providers:aws`` → ``pulumi_aws.Provider``."""
    import importlib
    import keyword

    package, module, cls = type_.split(":")
    if package == "pulumi":
        package, module, cls = cls, "index", "Provider"
    module = module.split("/")[0]
    module = module + "_" if keyword.iskeyword(module) else module
    name = f"pulumi_{package}" if module == "index" else f"pulumi_{package}.{module}"
    try:
        return getattr(importlib.import_module(name), cls, None)
    except ImportError:
        return None


def _snake(key: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()


def _run(argv: list[str]) -> tuple[str, float]:
    """The probe's last line of output and the CPU seconds its process used."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run([sys.executable, "-c", *argv], cwd=PROJECT_ROOT, capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode != 0:
        raise RuntimeError(f"probe failed:\n{out.stderr.strip()[-2000:]}")
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return out.stdout.strip().splitlines()[-1], cpu


def measure(stacks: list[str], runs: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="preview-bench-") as tmp:
        recorded = {stack: record(stack, Path(tmp)) for stack in stacks}
        probes = {(stack, "preview"): [PREVIEW, stack] for stack in stacks}
        probes |= {(stack, "bare"): [BARE, str(plan), str(modules)] for stack, (plan, modules, _) in recorded.items()}
        times: dict[tuple[str, str], list[float]] = {key: [] for key in probes}
        cpu: dict[tuple[str, str], list[float]] = {key: [] for key in probes}
        for round_ in range(runs + 1):
            for key, argv in probes.items():
                elapsed, used = _run(argv)
                if round_:  # round 0 compiles the .pyc files
                    times[key].append(float(elapsed))
                    cpu[key].append(used)
    results = {}
    for stack in stacks:
        preview, bare = times[(stack, "preview")], times[(stack, "bare")]
        preview_cpu, bare_cpu = statistics.median(cpu[(stack, "preview")]), statistics.median(cpu[(stack, "bare")])
        results[stack] = {"resources": recorded[stack][2],
                          "preview_s": round(statistics.median(preview), 2), "bare_s": round(statistics.median(bare), 2),
                          "ratio": round(statistics.median(preview) / statistics.median(bare), 2),
                          "min_ratio": round(min(preview) / min(bare), 2),
                          "preview_cpu_s": round(preview_cpu, 2), "bare_cpu_s": round(bare_cpu, 2),
                          "cpu_ratio": round(preview_cpu / bare_cpu, 2)}
    return {"machine": describe(), "runs": runs, "goal_ratio": GOAL_RATIO, "results": results}


def render(report: dict) -> str:
    rows = [(stack, r["resources"], f"{r['preview_s']:.2f} s", f"{r['bare_s']:.2f} s", f"{r['ratio']:.2f}x",
             f"{r['min_ratio']:.2f}x", f"{r['preview_cpu_s']:.2f} s / {r['bare_cpu_s']:.2f} s = {r['cpu_ratio']:.2f}x")
            for stack, r in report["results"].items()]
    return "\n".join([
        f"offline preview vs the bare SDK, fresh interpreters, median of {report['runs']} runs; {report['machine']}",
        table(["stack", "resources", "preview", "bare SDK", "ratio", "ratio of minimums", "CPU: preview / bare"],
              rows),
        f"goal: ratio <= {report['goal_ratio']}x"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.preview", description=__doc__.splitlines()[0])
    parser.add_argument("--stacks", nargs="+", default=["dev", "prod"])
    parser.add_argument("--runs", type=int, default=7, help="measured rounds (one warm-up round is added)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    report = measure(args.stacks, args.runs)
    print(json.dumps(report, indent=2) if args.json else render(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
