"""``python -m local up --stack dev``: the whole stack on this machine, from the real program.

Start-up order (each step reads only what the program registered):

1. the emulators: moto (IAM enforcement off until step 6), moto for Cognito,
   PostgreSQL, a Redis-protocol server; an admin identity in moto; all while
2. ``__main__.py`` for the stack runs under ``LocalMocks``: tables, buckets, objects,
   secrets, databases, user pools and ports are created as it registers them (each
   waiting for the emulators to be up);
3. the registrations become ``LocalFunction``s, ``LocalApi``s, ``CognitoPool``s
   and sites (``local/provision``), each function's environment with the local
   values of the contract its archive carries;
4. data of the previous run is restored (unless ``--fresh``); the users and items
   the services' contracts declare are seeded (``provision/seeding.py``), while
5. each function, and each role an API's service integration assumes, gets an IAM
   identity with exactly its role's statements;
6. IAM enforcement on; workers, the program's Lambda invocations, one gateway
   per API (with ``--throttle``'s limits instead of the stack's, if given) and
   one server per site (CloudFront distribution or Amplify app) start;
   ``endpoints.json`` (``endpoints.py``) says what runs.

Ctrl-C (SIGINT) or SIGTERM exports the data and stops every process it started.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import os
import shutil
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable

from multitier.settings.loader import region_of
from local import endpoints, engine, provision, state
from local.amplify import AmplifyServer
from local.cloudwatch import Clock, LocalCloudWatch
from local.apigateway import Gateway
from local.apigateway.gateway import DOCUMENT_PATH
from local.cloudfront import SiteServer
from local.emulators.cognito_sign_in import CognitoFront
from local.emulators.moto_server import Keys, MotoServer
from local.emulators.ports import Ports
from local.emulators.postgres import Postgres
from local.emulators.processes import ServiceError, run_parallel
from local.emulators.redis_server import Redis
from local.lambda_ import LambdaRuntime
from local.model import LocalFunction
from local.provision.apis import with_throttle
from local.provision.identities import function_identity
from local.provision.seeding import seed_tables, seed_users, users_of

STATE_ROOT = Path(os.environ.get("MULTITIER_LOCAL_DIR") or engine.PROJECT_ROOT / ".local")


class LocalMode:
    """One stack running locally; ``start()`` then ``stop()`` (or use as a context manager)."""

    def __init__(self, stack: str, *, fresh: bool = False, port_base: int | None = None,
                 state_root: Path = STATE_ROOT, log: Callable[[str], None] | None = None,
                 on_function_log: Callable[[str, str], None] | None = None,
                 throttle: tuple[float, int] | None = None, time_scale: float = 1.0):
        self.stack = stack
        self.clock = Clock(time_scale)  # the local alarms' and dashboards' time (60: a minute lasts a second)
        self.fresh = fresh
        self.throttle = throttle  # (rate, burst) on every method instead of the stack's; negative: none
        self.state_dir = state_root / stack
        self.ports = Ports(port_base)
        self.log = log or (lambda line: print(line, file=sys.stderr, flush=True))
        self.on_function_log = on_function_log
        self.moto: MotoServer | None = None
        self.cognito: MotoServer | None = None
        self.sign_in: CognitoFront | None = None
        self.postgres: Postgres | None = None
        self.redis: Redis | None = None
        self.mocks: provision.LocalMocks | None = None
        self.recording: engine.Recording | None = None
        self.local: provision.LocalStack | None = None
        self.runtime: LambdaRuntime | None = None
        self.cloudwatch: LocalCloudWatch | None = None
        self.gateways: list[Gateway] = []
        self.sites: list[SiteServer] = []
        self.users: list[dict[str, Any]] = []
        self.invocations: list[dict[str, Any]] = []  # what the program's aws:lambda/invocation returned
        self.service_keys: dict[str, Keys] = {}  # integration role ARN → the keys of its identity
        self.ready_seconds: float | None = None
        self._emulators: threading.Thread | None = None
        self._emulators_error: BaseException | None = None
        self._stopped = False

    # -- lifecycle ----------------------------------------------------------------------
    def start(self) -> "LocalMode":
        started = time.perf_counter()
        try:
            self._start()
        except BaseException:
            self.stop(export=False)
            raise
        self.ready_seconds = time.perf_counter() - started
        endpoints.write(self.state_dir, self.endpoints())
        return self

    def __enter__(self) -> "LocalMode":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def _phase(self, name: str) -> None:
        now = time.perf_counter()
        if getattr(self, "_phase_started", None) is not None:
            self.timings[self._phase_name] = round(now - self._phase_started, 2)
        self._phase_name, self._phase_started = name, now

    def _start(self) -> None:
        self.timings: dict[str, float] = {"emulators": 0.0}
        self._phase("program")
        engine.stack_config(self.stack)  # a missing stack fails here, before anything starts
        if self.fresh and self.state_dir.exists():
            shutil.rmtree(self.state_dir)
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self._check_dependencies()

        region = self._region()
        self.moto = MotoServer(self.ports.take("moto"), "main", self.state_dir / "logs" / "moto.log", region)
        self.cognito = MotoServer(self.ports.take("moto (Cognito)"), "cognito", self.state_dir / "logs" / "cognito.log",
                                  region)
        self.postgres = Postgres(self.ports.take("PostgreSQL"), self.state_dir / "postgres",
                                 os.environ.get("MULTITIER_DATABASE_URL") or None)
        self.redis = Redis(self.ports.take("Redis"), self.state_dir)
        self.sign_in = CognitoFront(self.ports.take("Cognito sign-in"), self.cognito, self.log)
        # The emulators start while the program runs: its imports and components need none of them,
        # and each resource that does waits for them (``LocalMocks``' ``ready``).
        self._emulators = threading.Thread(target=self._start_emulators, name="emulators", daemon=True)
        self._emulators.start()
        self.mocks = provision.LocalMocks(provision.Emulators(self.moto, self.cognito, self.postgres, self.redis,
                                                             self.ports, self.sign_in.url, region),
                                          ready=self._emulators_started)
        try:
            self.recording = engine.run_stack(self.stack, mocks=self.mocks)
        except BaseException:
            self._emulators_started()  # an emulator's failure explains the program's: it is raised first
            raise
        self._emulators_started()
        self._phase("build")
        self.local = provision.build(self.recording, self.mocks, self.state_dir, self.stack, self.log)
        self.cloudwatch = LocalCloudWatch.from_recording(self.recording, self.local.apis, self.state_dir / "metrics",
                                                         self.clock, self.log)
        self.sign_in.serve_pools(self.local.pools)
        if self.throttle is not None:
            self.local.apis = [with_throttle(api, *self.throttle) for api in self.local.apis]
        for provider, kind in sorted(set(self.mocks.federated)):
            self.log(f"identity provider {provider} ({kind}) is registered in the local user pools, but signing in "
                     f"through it (the hosted UI and the provider's redirect) is not emulated: use the local users")

        self._phase("data, identities")  # independent: seeding signs as the admin, identities only create
        functions = self.local.functions
        done = run_parallel({"data": lambda: self._seed(functions), "identities": lambda: self._identities(functions)})
        self.local.functions = functions = done["identities"]
        self.moto.set_enforcement(True)

        self._phase("workers")
        self.runtime = LambdaRuntime(on_log=self._function_log, region=region)
        for fn in functions:
            self.runtime.start(fn)
        invoke = self.cloudwatch.observe(lambda name, event: self.runtime.invoke(name, event))
        for function_name, event in self.local.invocations:
            result = invoke(function_name, event)
            if not result.ok:
                raise ServiceError(f"the program's invocation of {function_name} failed: "
                                   f"{(result.error or {}).get('errorMessage', 'timed out')}")
            self.invocations.append({"function": function_name, "result": result.payload})

        self._phase("gateways")
        for api in self.local.apis:
            gateway = Gateway(api, invoke, self.local.pools, self.cloudwatch.access_log(api, self._gateway_log),
                              self._service_client)
            gateway.start()
            self.gateways.append(gateway)

        for site in self.local.sites:
            self.sites.append(SiteServer(site, self.moto.client("s3"), [self.sign_in.url]).start())
        for app in self.local.amplify_apps:
            self.sites.append(AmplifyServer(app, self.moto.client("s3"), [self.sign_in.url]).start())
        self.cloudwatch.start(self.ports.take("CloudWatch dashboards"))
        self._phase("done")

    def _seed(self, functions: list[LocalFunction]) -> None:
        """The last run's data (unless ``--fresh``), then the users and items the contracts declare."""
        if not self.fresh:
            counts = state.restore(self.moto.client("dynamodb"), self.moto.client("s3"), self._tables(),
                                   self._buckets(), self.mocks.uploads, self.state_dir / "data")
            if counts["items"] or counts["objects"]:
                self.log(f"restored {counts['items']} items and {counts['objects']} objects from the last run")
        self.users = seed_users(self.cognito.client("cognito-idp"), self.local.pools,
                                users_of(self.local.contracts.values()), self.state_dir / "users.json",
                                self.cognito.seed_random)
        seed_tables(self.moto.client("dynamodb"), functions, self.local.contracts, self._tables())

    def _identities(self, functions: list[LocalFunction]) -> list[LocalFunction]:
        """An IAM identity per function and per integration role, with exactly its role's statements;
        the functions with their identities' keys."""
        iam = self.moto.client("iam")
        keys = run_parallel({fn.name: (lambda fn=fn: function_identity(
            self.moto, fn.name, self.local.policies[fn.name], iam)) for fn in functions})
        for arn, policy in self.local.service_roles.items():
            role_keys = function_identity(self.moto, arn.rsplit("/", 1)[-1], policy, iam)
            self.service_keys[arn] = Keys(role_keys["AWS_ACCESS_KEY_ID"], role_keys["AWS_SECRET_ACCESS_KEY"])
        return [dataclasses.replace(fn, credentials=keys[fn.name]) for fn in functions]

    def _start_emulators(self) -> None:
        """moto (twice), PostgreSQL and Redis in parallel, then the sign-in front and moto's admin identity."""
        started = time.perf_counter()
        try:
            run_parallel({"moto": self.moto.start, "cognito": self.cognito.start,
                          "postgres": self.postgres.start, "redis": self.redis.start})
            if self.redis.embedded:
                self.log("local mode: no valkey-server or redis-server on PATH (`make system-deps` installs "
                         "Debian's); the cache is the embedded fakeredis stand-in")
            self.sign_in.start()
            self.moto.bootstrap_admin()
        except BaseException as error:  # noqa: BLE001 (raised in the starting thread by _emulators_started)
            self._emulators_error = error
        self.timings["emulators"] = round(time.perf_counter() - started, 2)

    def _emulators_started(self) -> None:
        """Wait until the emulators run (or raise why they do not)."""
        if self._emulators is not None:
            self._emulators.join()
        if self._emulators_error is not None:
            raise self._emulators_error

    def stop(self, export: bool = True) -> None:
        if self._stopped:
            return
        self._stopped = True
        if self._emulators is not None:
            self._emulators.join()  # nothing may start after this stops it
        (self.state_dir / endpoints.FILE).unlink(missing_ok=True)
        for step in (*(g.stop for g in self.gateways), *(s.stop for s in self.sites),
                     *((self.sign_in.stop,) if self.sign_in else ()), *((self.cloudwatch.stop,) if self.cloudwatch else ())):
            _quietly(step)
        if self.runtime is not None:
            _quietly(self.runtime.stop)
        if export and self.local is not None and self.moto is not None and self.moto.process is not None:
            _quietly(self.export)
        for server in (self.moto, self.cognito, self.postgres, self.redis):
            if server is not None:
                _quietly(server.stop)

    def export(self) -> dict[str, int]:
        return state.export(self.moto.client("dynamodb"), self.moto.client("s3"), self._tables(), self._buckets(),
                            self.mocks.uploads, self.state_dir / "data")

    # -- helpers -----------------------------------------------------------------------------
    def _check_dependencies(self) -> None:
        missing = [name for name in ("moto", "flask", "flask_cors", "boto3", "psycopg", "awslambdaric")
                   if _missing(name)]
        if missing:
            raise ServiceError(f"missing Python packages: {', '.join(missing)} "
                               f"(run `make install` or pip install -r requirements-dev.txt)")

    def _region(self) -> str:
        return region_of(engine.stack_config(self.stack))

    def _tables(self) -> list[str]:
        return [name for typ, name in self.mocks.created if typ == "aws:dynamodb/table:Table"]

    def _buckets(self) -> list[str]:
        return [name for typ, name in self.mocks.created if typ == "aws:s3/bucket:Bucket"]

    def _service_client(self, role_arn: str, service: str) -> Any:
        """A client for an API's service integration, signing as the identity of its role."""
        return self.moto.client(service, self.service_keys[role_arn])

    def _function_log(self, function: str, line: str) -> None:
        if self.cloudwatch is not None:
            self.cloudwatch.function_log(function, line)
        if self.on_function_log is not None:
            self.on_function_log(function, line)
        else:
            print(f"[{function}] {line}", flush=True)

    def _gateway_log(self, *parts: Any) -> None:
        line = " ".join(str(p) for p in parts)
        if self.on_function_log is not None:
            self.on_function_log("gateway", line)
        else:
            print(f"[gateway] {line}", flush=True)

    # -- what is running ----------------------------------------------------------------------
    def api_urls(self) -> dict[str, str]:
        """API name → local base URL (with the stage)."""
        return {api.name: api.url for api in self.local.apis}

    def endpoints(self) -> dict[str, Any]:
        return endpoints.document(self)

    def summary(self) -> str:
        local = self.local
        rows: list[tuple[str, str, str]] = []
        for site in (*local.sites, *local.amplify_apps):
            rows.append(("site", site.name, site.url))
        for api in local.apis:
            pattern = local.patterns.get(api.name, "")
            rows.append(("api", f"{api.name}" + (f" ({pattern})" if pattern else ""), api.url))
            if api.published_openapi:
                rows.append(("openapi", api.name, f"{api.url}{DOCUMENT_PATH}"))
        for user in self.users:
            groups = f" [{', '.join(user['groups'])}]" if user["groups"] else ""
            rows.append(("user", user["email"] + groups, user["password"]))
        for pool in local.pools:
            rows.append(("user pool", pool.pool_id, f"clients {', '.join(pool.client_ids)}"))
        for provider, kind in sorted(set(self.mocks.federated)):
            rows.append(("federation", f"{provider} ({kind})", "registered; sign-in through it not emulated"))
        if self.cloudwatch and self.cloudwatch.url:
            rows.append(("dashboards", f"{len(self.cloudwatch.dashboards)} CloudWatch dashboards, "
                                       f"{len(self.cloudwatch.evaluator.alarms)} alarms", self.cloudwatch.url))
        rows.append(("emulator", "moto (IAM enforced)", self.moto.url))
        rows.append(("emulator", "moto (Cognito)", self.cognito.url))
        rows.append(("sign-in", "Cognito SRP endpoint", self.sign_in.url))
        if self.postgres and self.postgres.info:
            rows.append(("database", "PostgreSQL", self.postgres.info.description))
        if self.redis and self.redis.kind:
            rows.append(("cache", "Redis protocol", self.redis.kind))
        if self.throttle is not None:
            rows.append(("throttle", "every method and API key",
                         "off" if self.throttle[0] < 0 else f"{self.throttle[0]:g}/s, burst {self.throttle[1]}"))
        rows.append(("functions", f"{len(local.functions)} workers", f"code in {self.state_dir / 'functions'}"))
        for invocation in self.invocations:
            rows.append(("invocation", invocation["function"], json.dumps(invocation["result"])[:80]))
        width = [max(len(r[i]) for r in rows) for i in range(2)]
        lines = [f"multitier local mode: stack {self.stack!r} ready in {self.ready_seconds or 0:.1f} s "
                 f"(data in {self.state_dir}; Ctrl-C stops everything)", ""]
        lines += [f"  {kind.ljust(width[0])}  {name.ljust(width[1])}  {value}" for kind, name, value in rows]
        return "\n".join(lines)


def _missing(module: str) -> bool:
    return importlib.util.find_spec(module) is None


def _quietly(step: Callable[[], Any]) -> None:
    try:
        step()
    except Exception as error:  # noqa: BLE001 (shutdown continues whatever fails)
        print(f"local mode: while stopping: {error}", file=sys.stderr)


def run(stack: str, fresh: bool = False, port_base: int | None = None, as_json: bool = False,
        throttle: tuple[float, int] | None = None, time_scale: float = 1.0) -> int:
    """The CLI: start, print the table (or, ``as_json``, the endpoints as one line of JSON, logs going to
    stderr), stream logs until SIGINT/SIGTERM, stop."""
    stop = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()

    def to_stderr(function: str, line: str) -> None:
        print(f"[{function}] {line}", file=sys.stderr, flush=True)

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    mode = LocalMode(stack, fresh=fresh, port_base=port_base, throttle=throttle, time_scale=time_scale,
                     on_function_log=to_stderr if as_json else None)
    try:
        try:
            mode.start()
        except (ServiceError, ValueError, FileNotFoundError, engine.UnknownTokenError) as error:
            print(f"error: {str(error).splitlines()[0]}", file=sys.stderr)
            return 2
        print(json.dumps(mode.endpoints()) if as_json else mode.summary(), flush=True)
        while not stop.wait(0.5):
            pass
        print("\nstopping local mode...", file=sys.stderr, flush=True)
        return 0
    finally:
        mode.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
