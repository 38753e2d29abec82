"""Edit, save, see: the time from saving a file to the first answer that shows the change, in local mode.

    .venv/bin/python -m bench.reload [--stack dev] [--rounds 5] [--json]

Local mode runs as a person runs it (``python -m local up``, reload on) from a copy of the
project in a temporary folder (its ``.build`` linked, so nothing is installed), so the edits
never touch this working tree. Each round saves a changed ``functions/shows/shows_logic.py``
(the title every show is answered with) and asks the mobile backend's ``GET /shows/{id}``
every 20 ms until the answer carries it; then saves a changed ``site/index.html`` and asks
the single-page app's site until it serves it. Measured from the moment the file is written
(the poll interval of ``local/reload.py``, the unpacking, the new worker's start and the
request itself), median and range of the rounds.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import boto3

from bench.machine import describe, table
from local.engine import PROJECT_ROOT

COPIED = ("__main__.py", "Pulumi.yaml", "multitier", "functions", "site", "local", "policy")
LOGIC = Path("functions/shows/shows_logic.py")
PAGE = Path("site/index.html")


def _get(url: str, token: str | None = None) -> str:
    request = urllib.request.Request(url, headers={"Authorization": token} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.read().decode()
    except urllib.error.HTTPError as error:
        return error.read().decode()


def _until(seen, timeout: float = 60.0) -> float:
    """Seconds until ``seen()`` is true (polled every 20 ms)."""
    started = time.perf_counter()
    while not seen():
        if time.perf_counter() - started > timeout:
            raise TimeoutError("the change was not served within a minute")
        time.sleep(0.02)
    return time.perf_counter() - started


def _copy(stack: str) -> Path:
    root = Path(tempfile.mkdtemp(prefix="mt-bench-reload-"))
    for name in COPIED:
        source = PROJECT_ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
        else:
            shutil.copy2(source, root / name)
    shutil.copy2(PROJECT_ROOT / f"Pulumi.{stack}.yaml", root / f"Pulumi.{stack}.yaml")
    (PROJECT_ROOT / ".build").mkdir(exist_ok=True)
    (root / ".build").symlink_to(PROJECT_ROOT / ".build")  # the layers and their local installs: built once
    return root


def measure(stack: str, rounds: int) -> dict:
    root = _copy(stack)
    env = {**os.environ, "MULTITIER_LOCAL_DIR": str(root / ".local"), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen([sys.executable, "-m", "local", "up", "--stack", stack, "--json"], cwd=root, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, start_new_session=True)
    try:
        doc = json.loads(process.stdout.readline())
        mobile, spa = doc["patterns"]["mobile_backend"], doc["patterns"]["single_page_app"]
        pool, user = mobile["user_pools"][0], doc["users"][0]
        cognito = boto3.client("cognito-idp", endpoint_url=doc["emulators"]["cognito"], region_name="us-east-1",
                               aws_access_key_id="bench", aws_secret_access_key="bench")
        token = cognito.admin_initiate_auth(
            UserPoolId=pool["id"], ClientId=pool["client_ids"][0], AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": user["email"], "PASSWORD": user["password"]})["AuthenticationResult"]["IdToken"]
        api = next(a["url"] for a in mobile["apis"] if "/shows/{id}" in a["paths"])
        show = json.loads(_get(api + "/shows", token))["items"][0]["id"]
        site = spa["sites"][0]
        logic, page = (root / LOGIC).read_text(), (root / PAGE).read_text()
        functions, sites = [], []
        for n in range(rounds):
            marker = f"reloaded-{n}"
            (root / LOGIC).write_text(logic.replace(
                "show = _to_show(item)\n", f'show = _to_show(item).model_copy(update={{"title": "{marker}"}})\n', 1))
            functions.append(_until(lambda: marker in _get(f"{api}/shows/{show}", token)))
            (root / PAGE).write_text(page.replace("</body>", f"<!-- {marker} --></body>"))
            sites.append(_until(lambda: marker in _get(site)))
            time.sleep(1)  # the next round starts from a quiet machine
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        shutil.rmtree(root, ignore_errors=True)

    def summary(values: list[float]) -> dict:
        return {"median_s": round(statistics.median(values), 2), "min_s": round(min(values), 2),
                "max_s": round(max(values), 2)}

    return {"machine": describe(), "stack": stack, "rounds": rounds, "ready_s": doc["ready_seconds"],
            "function": summary(functions), "site": summary(sites)}


def render(report: dict) -> str:
    rows = [(what, f"{report[key]['median_s']} s", f"{report[key]['min_s']}-{report[key]['max_s']} s")
            for what, key in (("`functions/` file saved → the API answers the new code", "function"),
                              ("`site/` file saved → the site serves it", "site"))]
    return "\n".join([report["machine"], "", f"stack {report['stack']}, {report['rounds']} rounds", "",
                      table(("change", "median", "range"), rows)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reload", description=__doc__.split("\n\n")[0])
    parser.add_argument("--stack", default="dev")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    report = measure(args.stack, args.rounds)
    print(json.dumps(report, indent=1) if args.json else render(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
