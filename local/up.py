"""``python -m local up --stack dev``: the whole stack on this machine, from the real program.

Start-up order (each step reads only what the program registered):

0. the data folder is locked for the run (``instance.py``): a second ``up`` of it is
   refused before anything is touched, and what a dead earlier run left running is stopped;
1. the emulators (``emulators/group.py``): moto (IAM enforcement off until step 6),
   moto for Cognito, PostgreSQL, a Redis-protocol server; an admin identity in moto;
   all while
2. ``__main__.py`` for the stack runs under ``LocalMocks``: tables, buckets, objects,
   secrets, databases, user pools and ports are created as it registers them (each
   waiting for the emulators to be up);
3. the registrations become ``LocalFunction``s, ``LocalApi``s, ``CognitoPool``s
   and sites (``local/provision``), each function's environment with the local
   values of the contract its archive carries;
4. the data of earlier runs is put back (unless ``--fresh``) and from then on every
   write the emulators acknowledge is kept (``state.py``); the users and items the
   services' contracts declare are seeded (``provision/seeding.py``), while
5. each function, and each role an API's service integration assumes, gets an IAM
   identity with exactly its role's statements;
6. IAM enforcement on; workers, the program's Lambda invocations, one gateway
   per API (with ``--throttle``'s limits instead of the stack's, if given) and
   one server per site (CloudFront distribution or Amplify app) start;
   ``start()`` returns what runs (``running.Running``), and ``endpoints.json`` says it.

Every child process dies with local mode (``emulators/processes.py``). Ctrl-C (SIGINT)
or SIGTERM stops everything, during start-up too.
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

from multitier._settings.loader import region_of, settings_from_config
from local import endpoints, engine, provision, state
from local.amplify import AmplifyServer
from local.apigateway import Gateway
from local.cloudwatch import Clock, LocalCloudWatch
from local.cloudfront import SiteServer
from local.emulators.group import EmulatorGroup
from local.emulators.moto_server import Keys
from local.emulators.ports import FILE as PORTS_FILE, Ports
from local.emulators.processes import Children, ServiceError, run_parallel
from local.instance import LOCK, RECORD, Instance
from local.lambda_ import LambdaRuntime
from local.model import LocalApi, LocalFunction
from local.provision.apis import with_throttle
from local.provision.identities import function_identity
from local.provision.seeding import seed_tables, seed_users, users_of
from local.release import ControlServer, Releases, rehearse
from local.reload import Reloader, program_files
from local.running import EmulatorUrls, Endpoint, LocalUser, Running

STATE_ROOT = Path(os.environ.get("MULTITIER_LOCAL_DIR") or engine.PROJECT_ROOT / ".local")


class LocalMode:
    """One stack running locally: ``start()`` returns what runs, ``stop()`` ends it (or use it as a context
    manager)."""

    def __init__(self, stack: str, *, fresh: bool = False, port_base: int | None = None,
                 state_root: Path = STATE_ROOT, log: Callable[[str], None] | None = None,
                 on_function_log: Callable[[str, str], None] | None = None,
                 throttle: tuple[float, int] | None = None, time_scale: float = 1.0, reload: bool = False):
        """``reload``: follow edits of the files the stack was built from while it runs (``local/reload.py``)."""
        self.stack = stack
        self.clock = Clock(time_scale)  # the local alarms' and dashboards' time (60: a minute lasts a second)
        self.fresh = fresh
        self.throttle = throttle  # (rate, burst) on every method instead of the stack's; negative: none
        self.state_dir = state_root / stack
        self.log = log or (lambda line: print(line, file=sys.stderr, flush=True))
        self.ports = Ports(port_base, remember=self.state_dir / PORTS_FILE, log=self.log)
        self.reload = reload
        self.on_function_log = on_function_log or (lambda function, line: print(f"[{function}] {line}", flush=True))
        self._instance = Instance(self.state_dir, stack)
        self._children: Children | None = None
        self._emulators: EmulatorGroup | None = None
        self._runtime: LambdaRuntime | None = None
        self._runtime_functions: list[LocalFunction] = []
        self._servers: list[Any] = []  # the local CloudWatch, gateways, site servers and releases
        self._reloader: Reloader | None = None
        self._timings: dict[str, float] = {}
        self._phase_name, self._phase_started = "", 0.0
        self._locked = False
        self._stopped = False

    def __enter__(self) -> Running:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # -- start ---------------------------------------------------------------------------------
    def start(self) -> Running:
        started = time.perf_counter()
        # A missing stack, a stack file that is not YAML or a bad setting fails here, before anything starts.
        settings_from_config(engine.stack_config(self.stack))
        left = self._instance.acquire()  # another local mode on this folder: refused, nothing touched
        self._locked = True
        try:
            self.log(f"local mode: starting stack {self.stack!r} (data in {self.state_dir})")
            if left:
                self.log(f"local mode: stopped what an earlier run on {self.state_dir} left running: "
                         + ", ".join(f"{child.command.split()[0].rsplit('/', 1)[-1]} (pid {child.pid})"
                                     for child in left))
            running = self._start()
            running = dataclasses.replace(running, ready_seconds=round(time.perf_counter() - started, 2))
            endpoints.write(self.state_dir, endpoints.document(running))
        except BaseException:
            self.stop()
            raise
        return running

    def _start(self) -> Running:
        phase = self._phase
        phase("program")
        if self.fresh:
            _forget(self.state_dir)
        _check_dependencies()
        region = region_of(engine.stack_config(self.stack))
        self._children = Children(self._instance.record)
        emulators = self._emulators = EmulatorGroup(self.state_dir, region, self.ports, self._children, self.log)
        # The emulators start while the program runs: its imports and components need none of them,
        # and each resource that does waits for them (``LocalMocks``' ``ready``).
        emulators.start()
        mocks = provision.LocalMocks(provision.Emulators(emulators.moto, emulators.cognito, emulators.postgres,
                                                         emulators.redis, self.ports, emulators.sign_in_url, region),
                                     ready=emulators.ready)
        try:
            recording = engine.run_stack(self.stack, mocks=mocks)
        except BaseException:
            emulators.ready()  # an emulator's failure explains the program's: it is raised first
            raise
        emulators.ready()

        phase("build")
        local = provision.build(recording, mocks, self.state_dir, self.stack, self.log)
        cloudwatch = LocalCloudWatch.from_recording(recording, local.apis, self.state_dir / "metrics", self.clock,
                                                    self.log)
        self._servers.append(cloudwatch)
        emulators.sign_in.serve_pools(local.pools)
        apis = [with_throttle(api, *self.throttle) for api in local.apis] if self.throttle else list(local.apis)
        federated = tuple(sorted(set(mocks.federated)))
        for provider, kind in federated:
            self.log(f"identity provider {provider} ({kind}) is registered in the local user pools, but signing in "
                     f"through it (the hosted UI and the provider's redirect) is not emulated: use the local users")

        phase("data, identities")  # independent: seeding signs as the admin, identities only create
        created = {typ: [name for t, name in mocks.created if t == typ]
                   for typ in ("aws:dynamodb/table:Table", "aws:s3/bucket:Bucket")}
        done = run_parallel({"data": lambda: self._data(emulators, local, mocks.uploads, *created.values()),
                             "identities": lambda: self._identities(emulators, local)})
        (users, restored), (functions, service_keys) = done["data"], done["identities"]
        emulators.moto.set_enforcement(True)

        phase("workers")
        def function_log(function: str, line: str) -> None:
            cloudwatch.function_log(function, line)
            self.on_function_log(function, line)

        runtime = self._runtime = LambdaRuntime(on_log=function_log, region=region, children=self._children)
        self._runtime_functions = functions
        for fn in functions:
            runtime.start(fn)
        # versions, aliases, stage canaries and rehearsals: every invocation goes through an alias's weights
        releases = Releases(recording, functions, local.apis, runtime, cloudwatch, self.state_dir)
        self._servers.append(releases)
        invoke = cloudwatch.observe(releases.invoke)
        invocations = []
        for function_name, event in local.invocations:
            result = invoke(function_name, event)
            if not result.ok:
                raise ServiceError(f"the program's invocation of {function_name} failed: "
                                   f"{(result.error or {}).get('errorMessage', 'timed out')}")
            invocations.append({"function": function_name, "result": result.payload})

        phase("gateways")
        moto = emulators.moto

        def gateway(api: LocalApi, canary: bool = False) -> Gateway:  # canary: the stage's canary deployment
            return Gateway(api, invoke, local.pools, cloudwatch.access_log(api, self._gateway_log, canary),
                           lambda role, service: moto.client(service, service_keys[role]))

        for api in apis:
            self._servers.append(gateway(api))
            self._servers[-1].start()
            releases.serve(self._servers[-1], gateway)
        s3 = moto.client("s3")
        sites = [SiteServer(site, s3, [emulators.sign_in_url]).start() for site in local.sites]
        sites += [AmplifyServer(app, s3, [emulators.sign_in_url]).start() for app in local.amplify_apps]
        self._servers += sites
        cloudwatch.start(self.ports.take("CloudWatch dashboards"))
        if self.reload:
            # through the aliases: a reload changes the code of the version a function's alias serves
            self._reloader = Reloader(recording, releases.aliases, mocks, program=program_files(self.stack), sites=sites,
                                      invocations=local.invocations, log=self.log).start()
        phase("")
        self._timings["emulators"] = emulators.seconds

        running = Running(
            stack=self.stack, pid=os.getpid(), data_dir=self.state_dir, ready_seconds=0.0,
            timings=dict(self._timings), throttle=self.throttle,
            emulators=EmulatorUrls(aws=Endpoint(moto.url, region, moto.admin),
                                   cognito=Endpoint(emulators.cognito.url, region, emulators.cognito.admin),
                                   sign_in=emulators.sign_in_url, postgres=emulators.postgres.info,
                                   cache=emulators.redis.kind),
            apis=tuple(apis), sites=tuple(local.sites), amplify_apps=tuple(local.amplify_apps),
            pools=tuple(local.pools), users=users, functions=tuple(functions), patterns=dict(local.patterns),
            outputs=dict(local.outputs), policies=dict(local.policies), service_roles=dict(local.service_roles),
            invocations=tuple(invocations), federated=federated, restored=restored, recording=recording,
            cloudwatch=cloudwatch, releases=releases)
        releases.control = ControlServer(self.ports.take("release"),
                                         lambda request, out: rehearse(releases, running, request, out))
        return running

    def _phase(self, name: str) -> None:
        now = time.perf_counter()
        if self._phase_name:
            self._timings[self._phase_name] = round(now - self._phase_started, 2)
        self._phase_name, self._phase_started = name, now

    def _data(self, emulators: EmulatorGroup, local: provision.LocalStack, uploads: set[tuple[str, str]],
              tables: list[str], buckets: list[str]) -> tuple[tuple[LocalUser, ...], dict[str, int]]:
        """The earlier runs' data (kept from now on), then the users and items the contracts declare."""
        restored = emulators.load()
        legacy = state.import_export(emulators.moto.client("dynamodb"), emulators.moto.client("s3"), tables,
                                     buckets, uploads, self.state_dir / "data")
        if restored["restored"] or legacy:
            self.log(f"local mode: put back {restored['restored'] + legacy} items, objects, secrets and users "
                     f"from earlier runs")
        if restored["kept"]:
            self.log(f"local mode: {restored['kept']} entries of earlier runs wait in {self.state_dir / 'data'} "
                     f"for a table, bucket or user pool the program no longer makes")
        users = seed_users(emulators.cognito.client("cognito-idp"), local.pools, users_of(local.declarations.values()),
                           self.state_dir / "users.json", emulators.cognito.seed_random)
        seed_tables(emulators.moto.client("dynamodb"), local.functions, local.declarations, tables)
        return (tuple(LocalUser(u["email"], u["password"], tuple(u["groups"]), u["subs"]) for u in users),
                restored)

    def _identities(self, emulators: EmulatorGroup, local: provision.LocalStack
                    ) -> tuple[list[LocalFunction], dict[str, Keys]]:
        """An IAM identity per function and per integration role, with exactly its role's statements;
        the functions with their identities' keys, and the roles' keys."""
        moto = emulators.moto
        iam = moto.client("iam")
        keys = run_parallel({fn.name: (lambda fn=fn: function_identity(moto, fn.name, local.policies[fn.name], iam))
                             for fn in local.functions})
        service_keys = {}
        for arn, policy in local.service_roles.items():
            role_keys = function_identity(moto, arn.rsplit("/", 1)[-1], policy, iam)
            service_keys[arn] = Keys(role_keys["AWS_ACCESS_KEY_ID"], role_keys["AWS_SECRET_ACCESS_KEY"])
        return [dataclasses.replace(fn, credentials=keys[fn.name]) for fn in local.functions], service_keys

    def interrupt(self) -> None:
        """Stop waiting for what is starting (a signal during start-up: ``stop()`` follows)."""
        if self._emulators is not None:
            self._emulators.cancel()

    def recycle(self, function: str) -> None:
        """Stop a function's warm workers, as Lambda recycles execution environments: its next call is cold."""
        self._runtime.start(next(fn for fn in self._runtime_functions if fn.name == function))

    def _gateway_log(self, *parts: Any) -> None:
        self.on_function_log("gateway", " ".join(str(p) for p in parts))

    # -- stop ----------------------------------------------------------------------------------
    def stop(self) -> None:
        """Stop everything this started (servers, workers, emulators, any other child) and keep the data."""
        if self._stopped or not self._locked:
            return
        self._stopped = True
        (self.state_dir / endpoints.FILE).unlink(missing_ok=True)
        if self._reloader is not None:
            _quietly(self._reloader.stop)
        for server in self._servers:
            _quietly(server.stop)
        if self._runtime is not None:
            _quietly(self._runtime.stop)
        if self._emulators is not None:
            self._emulators.stop()
        if self._children is not None:
            self._children.close()  # whatever is left, and nothing starts after this
        if self._emulators is not None:
            self._emulators.close()
        self._instance.release()


def _forget(state_dir: Path) -> None:
    """``--fresh``: everything in the data folder but the run's own lock and record."""
    for path in state_dir.iterdir():
        if path.name in (LOCK, RECORD):
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()


def _check_dependencies() -> None:
    missing = [name for name in ("moto", "flask", "flask_cors", "boto3", "psycopg", "awslambdaric")
               if importlib.util.find_spec(name) is None]
    if missing:
        raise ServiceError(f"missing Python packages: {', '.join(missing)} "
                           f"(run `make install` or pip install -r requirements-dev.txt)")


def _quietly(step: Callable[[], Any]) -> None:
    try:
        step()
    except Exception as error:  # noqa: BLE001 (shutdown continues whatever fails)
        print(f"local mode: while stopping: {error}", file=sys.stderr)


def run(stack: str, fresh: bool = False, port_base: int | None = None, as_json: bool = False,
        throttle: tuple[float, int] | None = None, time_scale: float = 1.0, reload: bool = True) -> int:
    """The CLI: start, print the table (or, ``as_json``, the endpoints as one line of JSON, logs going to
    stderr), apply changed code and content (``reload``), stream logs until SIGINT/SIGTERM, stop. A signal
    during start-up stops it at once."""
    def to_stderr(function: str, line: str) -> None:
        print(f"[{function}] {line}", file=sys.stderr, flush=True)

    mode = LocalMode(stack, fresh=fresh, port_base=port_base, throttle=throttle, time_scale=time_scale,
                     reload=reload, on_function_log=to_stderr if as_json else None)

    def interrupt(signum: int, frame: Any) -> None:
        interrupted.set()
        mode.interrupt()
        raise KeyboardInterrupt

    stop, interrupted = threading.Event(), threading.Event()
    previous = {sig: signal.signal(sig, interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        try:
            running = mode.start()
        except (KeyboardInterrupt, ServiceError, ValueError, FileNotFoundError, engine.UnknownTokenError) as error:
            if not interrupted.is_set():
                if isinstance(error, KeyboardInterrupt):
                    raise
                print(f"error: {error}", file=sys.stderr)
                return 2
        # Interrupted: whatever the interruption made fail on its way out, or a step that swallowed it and
        # finished (the signal is spent: waiting for another would hang).
        if interrupted.is_set():
            print("\nlocal mode: interrupted while starting; stopped", file=sys.stderr, flush=True)
            return 130
        for sig in previous:
            signal.signal(sig, lambda signum, frame: stop.set())
        print(json.dumps(endpoints.document(running)) if as_json else endpoints.table(running), flush=True)
        while not stop.wait(0.5):
            pass
        print("\nstopping local mode...", file=sys.stderr, flush=True)
        return 0
    finally:
        for sig in previous:  # a second Ctrl-C while stopping must not leave half of it running
            signal.signal(sig, signal.SIG_IGN)
        mode.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
