"""Lambda functions as warm worker processes, spoken to over the real Runtime API.

Each function runs in its own process, as Lambda does: ``python -S -m awslambdaric
<handler>`` (AWS's own runtime interface client, the one in Lambda's container
images) with ``AWS_LAMBDA_RUNTIME_API`` pointing at a tiny Runtime API server
(``runtime_api.py``) served on 127.0.0.1 for that worker (``worker.py``):

* ``GET  /2018-06-01/runtime/invocation/next`` blocks until the worker is given an
  event (headers ``Lambda-Runtime-Aws-Request-Id``, ``-Deadline-Ms``,
  ``-Invoked-Function-Arn``, ``-Trace-Id``);
* ``POST /2018-06-01/runtime/invocation/{id}/response`` and ``.../{id}/error``;
* ``POST /2018-06-01/runtime/init/error`` (the handler module failed to import).

So the handler gets awslambdaric's own ``LambdaContext`` (aws_request_id,
function_name, memory_limit_in_mb, invoked_function_arn, log_group_name,
get_remaining_time_in_millis()...), exceptions are reported as Lambda reports them
and the worker survives them, and logging is configured the way Lambda does it.

Isolation (``sandbox.py``)
    The environment is exactly ``fn.environment`` + ``fn.credentials`` + the
    standard Lambda variables (``AWS_EXECUTION_ENV`` names ``fn.runtime``) + PATH,
    HOME, LANG from the parent. The interpreter
    runs with ``-S``: the parent's site-packages are NOT importable. ``PYTHONPATH`` is
    the code directory, then ``fn.dependency_paths`` (the layer), then a private
    "runtime" directory of symlinks holding awslambdaric (and its few dependencies)
    and the AWS SDK (boto3, botocore and their dependencies), which Lambda's Python
    runtime also provides. A dependency missing from the layer fails locally as it
    would in Lambda (``Runtime.ImportModuleError``). ``LambdaRuntime(
    isolate_site_packages=False)`` drops ``-S`` if a caller really needs the
    parent's packages.

Concurrency
    Up to ``max_concurrency`` (default 4) workers per function. An invocation takes
    an idle warm worker, else starts a new one (a cold start) if the function has
    fewer than ``max_concurrency``, else waits for one to become free. Each worker
    handles one invocation at a time, as a Lambda execution environment does.

New code (``replace``)
    As when Lambda publishes a new version behind an alias: the next invocation runs the
    new code (a warm function gets one new worker at once), an invocation already running
    finishes on the old code, and the old workers stop once idle.

Timeout (enforced)
    Init (importing the handler module) has its own 10 s budget, as in Lambda. The
    handler's budget, ``min(fn.timeout_seconds, timeout)``, starts when the worker
    takes the event. Past it the worker's whole process group is SIGKILLed and
    dropped, the result has ``timed_out=True`` and an error ``Sandbox.Timedout``;
    the next invocation is a cold start.

Memory (enforced, approximately)
    ``RLIMIT_AS`` would kill CPython long before the limit (thread stacks and malloc
    arenas reserve far more address space than they use) and ``RLIMIT_DATA`` has
    the same problem to a smaller degree, and both turn into ``MemoryError``
    raised somewhere random rather than into Lambda's behaviour. Instead a watchdog
    thread reads each busy worker's resident set size from ``/proc/<pid>/statm``
    every 20 ms and SIGKILLs a worker whose RSS exceeds ``fn.memory_mb``; the
    invocation ends with ``Runtime.OutOfMemory`` / "Runtime exited: memory limit
    exceeded". What cannot be enforced: an allocation that overshoots and is freed
    again between two samples, memory of child processes the handler starts, and
    untouched (lazily mapped) memory, which does not count as resident (Lambda
    would not count it either). Without /proc (not Linux) there is no memory limit.

What else is not Lambda: no /tmp isolation or size limit, no CPU share scaling
with memory, no freeze between invocations (background threads keep running), no
response size limit, no extensions or Runtime API telemetry, no SnapStart.

Logs: every line a worker writes (stdout and stderr) goes to ``on_log(function,
line)``, with Lambda-style START/END/REPORT lines and ``[cold start] <fn> init N ms``.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable

from local._http import shut_down
from local.emulators.processes import Children
from local.lambda_.invocation import FunctionNotFound, Invocation, InvokeResult, function_name_of
from local.lambda_.sandbox import Sandbox
from local.lambda_.worker import LogSink, Worker
from local.model import ACCOUNT, LocalFunction

INIT_TIMEOUT_SECONDS = 10.0
WATCHDOG_INTERVAL_SECONDS = 0.02
DEFAULT_MAX_CONCURRENCY = 4


def _default_log(function_name: str, line: str) -> None:
    print(f"[{function_name}] {line}", file=sys.stderr, flush=True)


class _Pool:
    """The workers of one function (of one version of its code)."""

    def __init__(self, fn: LocalFunction, spawned: int = 0):
        self.fn = fn
        self.workers: list[Worker] = []
        self.idle: list[Worker] = []
        self.cond = threading.Condition()
        self.spawned = spawned  # workers are numbered across versions: #3 is never two processes
        self.retired = False    # replaced: its busy workers finish, then stop; it takes no new invocation
        self.on_drained: Callable[[], None] | None = None


def _program_default_region() -> str:
    # Imported here, not at the top: worker processes import this package and must start light.
    from multitier._settings.loader import DEFAULT_REGION

    return DEFAULT_REGION


class LambdaRuntime:
    """Runs ``LocalFunction``s as warm worker processes; ``invoke`` is thread-safe."""

    def __init__(self, on_log: LogSink | None = None, *, max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
                 isolate_site_packages: bool = True, region: str | None = None, children: Children | None = None):
        """``children`` starts the worker processes (so they die with local mode); by default its own."""
        self.on_log: LogSink = on_log or _default_log
        self.children = children or Children()
        self._own_children = children is None
        self.max_concurrency = max(1, max_concurrency)
        self.isolate_site_packages = isolate_site_packages
        self.region = region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or \
            _program_default_region()
        self._pools: dict[str, _Pool] = {}
        self._retired: list[_Pool] = []  # replaced versions whose busy workers are finishing
        self._lock = threading.Lock()
        self._stopped = False
        self._sandbox: Sandbox | None = None
        self._watchdog_stop = threading.Event()
        self._watchdog: threading.Thread | None = None
        atexit.register(self.stop)

    # -- public -------------------------------------------------------------------------
    def start(self, fn: LocalFunction, *, prewarm: bool = False) -> None:
        """Register a function (workers start on first use, or now with ``prewarm``)."""
        if not Path(fn.code_dir).is_dir():
            raise FileNotFoundError(f"function {fn.name}: code directory {fn.code_dir} does not exist")
        with self._lock:
            if self._stopped:
                raise RuntimeError("LambdaRuntime is stopped")
            old = self._pools.get(fn.name)
            self._pools[fn.name] = _Pool(fn)
            if self._sandbox is None:
                self._sandbox = Sandbox(self.isolate_site_packages)
            if self._watchdog is None:
                self._watchdog = threading.Thread(target=self._watch_memory, name="lambda-memory-watchdog",
                                                  daemon=True)
                self._watchdog.start()
        if old is not None:
            self._stop_pool(old)
        if prewarm:
            pool = self._pools[fn.name]
            with pool.cond:
                worker = self._spawn(pool)
                pool.idle.append(worker)

    def replace(self, fn: LocalFunction, on_drained: Callable[[], None] | None = None) -> None:
        """Serve ``fn`` (a new version of a running function's code) from the next invocation on.

        A function that was warm gets one worker of the new version at once (its init overlaps
        the wait for the next request; one that was not starts on demand, so a change to code
        many functions share costs only the inits it needs); the old version's idle workers stop
        now, and each busy one finishes its invocation on the old code and then stops.
        ``on_drained`` is called once none of the old workers is left (its code may then go).
        """
        if not Path(fn.code_dir).is_dir():
            raise FileNotFoundError(f"function {fn.name}: code directory {fn.code_dir} does not exist")
        with self._lock:
            old = self._pools.get(fn.name)
            if self._stopped or old is None:
                raise FunctionNotFound(f"Function not found: {fn.name}")
            pool = self._pools[fn.name] = _Pool(fn, old.spawned)
            self._retired.append(old)
        if old.workers:
            with pool.cond:
                pool.idle.append(self._spawn(pool))
        with old.cond:
            old.retired, old.on_drained = True, on_drained
            for worker in list(old.idle):
                self._discard(old, worker)
            old.cond.notify_all()
        self._drained(old)

    @property
    def functions(self) -> list[str]:
        return sorted(self._pools)

    def function(self, name: str) -> LocalFunction:
        """The function as it runs now (its latest code)."""
        return self._pool_of(name).fn

    def invoke(self, name_or_arn: str, event: Any, *, timeout: float | None = None) -> InvokeResult:
        """Invoke synchronously (RequestResponse); never raises for function failures."""
        acquired = None
        while acquired is None:  # a version replaced while this waited for a worker: the new one serves it
            pool = self._pool_of(name_or_arn)
            acquired = self._acquire(pool)
        worker, cold = acquired
        fn = pool.fn
        budget = float(fn.timeout_seconds) if timeout is None else min(float(fn.timeout_seconds), float(timeout))
        arn = fn.arn or f"arn:aws:lambda:{self._region(fn)}:{ACCOUNT}:function:{fn.name}"
        if name_or_arn.startswith("arn:"):
            arn = name_or_arn
        inv = Invocation(event, budget, arn)
        try:
            worker.submit(inv)
            return self._await(worker, inv, cold)
        finally:
            self._release(pool, worker)

    def stop(self) -> None:
        """Kill every worker process this runtime started (idempotent)."""
        with self._lock:
            self._stopped = True
            pools = [*self._pools.values(), *self._retired]
        self._watchdog_stop.set()
        for pool in pools:
            self._stop_pool(pool)
        if self._sandbox is not None:
            self._sandbox.cleanup()
            self._sandbox = None
        if self._own_children:
            self.children.close()

    def worker_pids(self, name: str | None = None) -> list[int]:
        """Process ids of the live workers (of one function, or all), replaced versions' included."""
        pools = [pool for pool in (*self._pools.values(), *self._retired) if name in (None, pool.fn.name)]
        return [w.proc.pid for pool in pools for w in list(pool.workers) if w.alive()]

    def __enter__(self) -> "LambdaRuntime":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # -- internals ----------------------------------------------------------------------
    def _pool_of(self, name_or_arn: str) -> _Pool:
        name = function_name_of(name_or_arn)
        pool = self._pools.get(name)
        if pool is None:
            for candidate in list(self._pools.values()):
                if candidate.fn.arn and function_name_of(candidate.fn.arn) == name:
                    pool = candidate
                    break
        if pool is None or self._stopped:
            raise FunctionNotFound(f"Function not found: {name_or_arn}")
        return pool

    def _drained(self, pool: _Pool) -> None:
        """Forget a replaced version once its last worker is gone (and say so to its owner)."""
        with pool.cond:
            if pool.workers:
                return
            callback, pool.on_drained = pool.on_drained, None
        with self._lock:
            if pool not in self._retired:
                return  # another thread saw it drain first
            self._retired.remove(pool)
        if callback is not None:
            callback()

    def _log(self, function_name: str, line: str) -> None:
        try:
            self.on_log(function_name, line)
        except Exception:  # a broken sink must not break invocations
            pass

    def _region(self, fn: LocalFunction) -> str:
        if fn.environment.get("AWS_REGION"):
            return fn.environment["AWS_REGION"]
        parts = fn.arn.split(":") if fn.arn else []
        if len(parts) > 3 and parts[3]:
            return parts[3]
        return self.region

    def _spawn(self, pool: _Pool) -> Worker:
        pool.spawned += 1
        fn, region = pool.fn, self._region(pool.fn)
        worker = Worker(fn, pool.spawned, self._sandbox.command(fn),
                        lambda port: self._sandbox.environment(fn, region, port), self._log, self.children.popen)
        pool.workers.append(worker)
        return worker

    def _acquire(self, pool: _Pool) -> tuple[Worker, bool] | None:
        """A worker for one invocation (and whether it is cold); None if the pool was replaced meanwhile."""
        with pool.cond:
            while True:
                if self._stopped:
                    raise FunctionNotFound(f"LambdaRuntime stopped; cannot invoke {pool.fn.name}")
                if pool.retired:
                    return None
                while pool.idle:
                    worker = pool.idle.pop()
                    if worker.alive():
                        return worker, not worker.initialized
                    self._discard(pool, worker)
                if len(pool.workers) < self.max_concurrency:
                    return self._spawn(pool), True
                pool.cond.wait(0.5)

    def _release(self, pool: _Pool, worker: Worker) -> None:
        with pool.cond:
            if worker.alive() and not self._stopped and not pool.retired:
                pool.idle.append(worker)
            else:
                self._discard(pool, worker)
            pool.cond.notify()
        if pool.retired:
            self._drained(pool)

    def _discard(self, pool: _Pool, worker: Worker) -> None:
        if worker in pool.workers:
            pool.workers.remove(worker)
        if worker in pool.idle:
            pool.idle.remove(worker)
        if worker.proc.poll() is None or not worker.dead:
            threading.Thread(target=worker.kill, args=("stopped",), daemon=True).start()
        else:
            shut_down(worker.server)

    def _await(self, worker: Worker, inv: Invocation, cold: bool) -> InvokeResult:
        fn = worker.fn
        with inv.cond:
            init_end = time.monotonic() + INIT_TIMEOUT_SECONDS
            while inv.state == "queued" and time.monotonic() < init_end:
                inv.cond.wait(init_end - time.monotonic())
            init_timed_out = inv.state == "queued"
            if not init_timed_out:
                while inv.state == "running":
                    remaining = (inv.started or 0) + inv.budget_s - time.monotonic()
                    if remaining <= 0:
                        break
                    inv.cond.wait(remaining)
            timed_out = inv.state != "done"
        init_ms = worker.init_ms if cold else None
        if timed_out:
            worker.kill("timeout")
            if init_timed_out:
                message = f"RequestId: {inv.request_id} Error: Runtime failed to initialize within " \
                          f"{INIT_TIMEOUT_SECONDS:.0f} seconds"
                inv.finish(error={"errorType": "Runtime.InitTimeout", "errorMessage": message})
            else:
                message = f"Task timed out after {inv.budget_s:.2f} seconds"
                inv.finish(error={"errorType": "Sandbox.Timedout", "errorMessage": message})
                self._log(fn.name, f"{time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())} {inv.request_id} {message}")
        duration = ((inv.finished or time.monotonic()) - inv.started) * 1000 if inv.started else 0.0
        max_mb = inv.max_rss / 1048576 if inv.max_rss else None
        if inv.started:
            self._log(fn.name, f"END RequestId: {inv.request_id}")
            report = (f"REPORT RequestId: {inv.request_id}\tDuration: {duration:.2f} ms\t"
                      f"Billed Duration: {max(1, int(duration + 0.999))} ms\tMemory Size: {fn.memory_mb} MB\t"
                      f"Max Memory Used: {max_mb or 0:.0f} MB")
            if init_ms is not None:
                report += f"\tInit Duration: {init_ms:.2f} ms"
            if timed_out:
                report += "\tStatus: timeout"
            self._log(fn.name, report)
        return InvokeResult(function_name=fn.name, request_id=inv.request_id, payload=inv.payload,
                            error=inv.error, cold_start=cold, duration_ms=round(duration, 3),
                            init_duration_ms=None if init_ms is None else round(init_ms, 3),
                            timed_out=timed_out and not init_timed_out, max_memory_mb=max_mb)

    def _stop_pool(self, pool: _Pool) -> None:
        with pool.cond:
            workers = list(pool.workers)
            pool.workers.clear()
            pool.idle.clear()
            pool.cond.notify_all()
        for worker in workers:
            worker.kill("stopped")

    def _watch_memory(self) -> None:
        while not self._watchdog_stop.wait(WATCHDOG_INTERVAL_SECONDS):
            for pool in [*self._pools.values(), *self._retired]:
                for worker in list(pool.workers):
                    if worker.current is not None or not worker.initialized:
                        worker.sample_memory()
