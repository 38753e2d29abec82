"""Lambda functions as warm worker processes, spoken to over the real Runtime API.

Each function runs in its own process, as Lambda does: ``python -S -m awslambdaric
<handler>`` (AWS's own runtime interface client, the one in Lambda's container
images) with ``AWS_LAMBDA_RUNTIME_API`` pointing at a tiny Runtime API server this
module serves on 127.0.0.1 for that worker:

* ``GET  /2018-06-01/runtime/invocation/next`` blocks until the worker is given an
  event (headers ``Lambda-Runtime-Aws-Request-Id``, ``-Deadline-Ms``,
  ``-Invoked-Function-Arn``, ``-Trace-Id``);
* ``POST /2018-06-01/runtime/invocation/{id}/response`` and ``.../{id}/error``;
* ``POST /2018-06-01/runtime/init/error`` (the handler module failed to import).

So the handler gets awslambdaric's own ``LambdaContext`` (aws_request_id,
function_name, memory_limit_in_mb, invoked_function_arn, log_group_name,
get_remaining_time_in_millis()...), exceptions are reported as Lambda reports them
and the worker survives them, and logging is configured the way Lambda does it.

Isolation
    The environment is exactly ``fn.environment`` + ``fn.credentials`` + the
    standard Lambda variables (+ PATH, HOME, LANG from the parent). The interpreter
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
import importlib.util
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from local._http import LoopbackServer, QuietHandler, serve
from local.model import LocalFunction

INIT_TIMEOUT_SECONDS = 10.0
WATCHDOG_INTERVAL_SECONDS = 0.02
DEFAULT_MAX_CONCURRENCY = 4
RUNTIME_API_PREFIX = "/2018-06-01/runtime"

# What the Runtime API client needs, and the AWS SDK that Lambda's Python runtime ships.
_RUNTIME_MODULES = ("awslambdaric", "runtime_client", "simplejson", "snapshot_restore_py")
_SDK_MODULES = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six", "urllib3")
_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096

LogSink = Callable[[str, str], None]


class FunctionNotFound(KeyError):
    """No function of that name or ARN was started (Lambda's ResourceNotFoundException)."""


@dataclass
class InvokeResult:
    """The outcome of one invocation."""

    function_name: str
    request_id: str
    payload: Any = None              # the handler's JSON result (None on error)
    error: dict | None = None        # {"errorType", "errorMessage", ...} when the invocation failed
    cold_start: bool = False
    duration_ms: float = 0.0         # handler time, as Lambda's "Duration"
    init_duration_ms: float | None = None  # on a cold start: process start to first /next
    timed_out: bool = False
    max_memory_mb: float | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and not self.timed_out


def function_name_of(name_or_arn: str) -> str:
    """``arn:aws:lambda:r:a:function:name[:qualifier]`` or ``name[:qualifier]`` → name."""
    if name_or_arn.startswith("arn:"):
        parts = name_or_arn.split(":")
        if len(parts) >= 7 and parts[5] == "function":
            return parts[6]
        raise FunctionNotFound(name_or_arn)
    return name_or_arn.split(":", 1)[0]


def _default_log(function_name: str, line: str) -> None:
    print(f"[{function_name}] {line}", file=sys.stderr, flush=True)


def _rss_bytes(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/statm", "rb") as f:
            return int(f.read().split()[1]) * _PAGE_SIZE
    except (OSError, ValueError, IndexError):
        return None


class _Invocation:
    """One event handed to one worker; the worker's Runtime API server completes it."""

    def __init__(self, event: Any, budget_s: float, arn: str):
        self.request_id = str(uuid.uuid4())
        self.body = json.dumps(event).encode()
        self.budget_s = budget_s
        self.arn = arn
        self.cond = threading.Condition()
        self.state = "queued"            # queued → running → done
        self.started: float | None = None
        self.finished: float | None = None
        self.deadline_ms = 0
        self.payload: Any = None
        self.error: dict | None = None
        self.max_rss = 0

    def start(self) -> None:
        with self.cond:
            self.started = time.monotonic()
            self.deadline_ms = int(time.time() * 1000 + self.budget_s * 1000)
            self.state = "running"
            self.cond.notify_all()

    def finish(self, payload: Any = None, error: dict | None = None) -> bool:
        with self.cond:
            if self.state == "done":
                return False
            self.payload, self.error = payload, error
            self.finished = time.monotonic()
            self.state = "done"
            self.cond.notify_all()
            return True


class _RuntimeApiHandler(QuietHandler):
    server: "_RuntimeApiServer"

    def _reply(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self._headers_buffer.append(b"\r\n" + body)  # headers and body in one write
        self.flush_headers()

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_GET(self) -> None:  # noqa: N802
        if self.path != f"{RUNTIME_API_PREFIX}/invocation/next":
            self._reply(404, b'{"errorMessage": "not found"}')
            return
        inv = self.server.worker.next_invocation()
        if inv is None:  # the worker is being stopped
            self._reply(410, b'{"errorMessage": "worker stopped"}')
            return
        now_ms = int(time.time() * 1000)
        trace = f"Root=1-{now_ms // 1000:08x}-{secrets.token_hex(12)};Parent={secrets.token_hex(8)};Sampled=0"
        self._reply(200, inv.body, {
            "Lambda-Runtime-Aws-Request-Id": inv.request_id,
            "Lambda-Runtime-Deadline-Ms": str(inv.deadline_ms),
            "Lambda-Runtime-Invoked-Function-Arn": inv.arn,
            "Lambda-Runtime-Trace-Id": trace,
        })

    def do_POST(self) -> None:  # noqa: N802
        body = self._body()
        path = self.path
        worker = self.server.worker
        if path == f"{RUNTIME_API_PREFIX}/init/error":
            worker.init_failed(_error_body(body, self.headers.get("Lambda-Runtime-Function-Error-Type")))
            self._reply(202, b'{"status": "OK"}')
            return
        prefix = f"{RUNTIME_API_PREFIX}/invocation/"
        if path.startswith(prefix) and path.count("/") == 5:
            request_id, kind = path[len(prefix):].split("/", 1)
            if kind == "response":
                try:
                    payload = json.loads(body) if body else None
                except ValueError:
                    payload = body.decode(errors="replace")
                accepted = worker.complete(request_id, payload=payload)
            elif kind == "error":
                accepted = worker.complete(
                    request_id, error=_error_body(body, self.headers.get("Lambda-Runtime-Function-Error-Type")))
            else:
                accepted = None
            if accepted is not None:
                self._reply(202 if accepted else 400,
                            b'{"status": "OK"}' if accepted else b'{"errorMessage": "InvalidRequestID"}')
                return
        self._reply(404, b'{"errorMessage": "not found"}')


def _error_body(body: bytes, error_type: str | None) -> dict:
    try:
        error = json.loads(body) if body else {}
    except ValueError:
        error = {"errorMessage": body.decode(errors="replace")}
    if not isinstance(error, dict):
        error = {"errorMessage": str(error)}
    error.setdefault("errorType", error_type or "Runtime.Unknown")
    error.setdefault("errorMessage", "")
    return error


class _RuntimeApiServer(LoopbackServer):
    def __init__(self, worker: "_Worker"):
        self.worker = worker
        super().__init__(("127.0.0.1", 0), _RuntimeApiHandler)


class _Worker:
    """One execution environment: a process and its Runtime API server."""

    def __init__(self, runtime: "LambdaRuntime", fn: LocalFunction, index: int):
        self.runtime = runtime
        self.fn = fn
        self.index = index
        self.lock = threading.Lock()
        self.pending: list[_Invocation] = []
        self.current: _Invocation | None = None
        self.has_work = threading.Condition(self.lock)
        self.stopping = False
        self.dead = False
        self.exit_reason: str | None = None  # "timeout", "memory", "init", "stopped"
        self.oom_detail = ""
        self.initialized = False
        self.spawned_at = time.monotonic()
        self.init_ms: float | None = None
        self.server = _RuntimeApiServer(self)
        serve(self.server, f"runtime-api-{fn.name}-{index}")
        self.proc = subprocess.Popen(
            runtime._command(fn), cwd=str(fn.code_dir), env=runtime._environment(fn, self.server.server_address[1]),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            start_new_session=True, close_fds=True)
        threading.Thread(target=self._pump_logs, name=f"lambda-logs-{fn.name}-{index}", daemon=True).start()

    # -- called by the Runtime API server -------------------------------------------------
    def next_invocation(self) -> _Invocation | None:
        with self.lock:
            if not self.initialized:
                self.initialized = True
                self.init_ms = (time.monotonic() - self.spawned_at) * 1000
                self.runtime._log(self.fn.name, f"[cold start] {self.fn.name} init {self.init_ms:.0f} ms")
            while not self.pending and not self.stopping:
                self.has_work.wait()
            if self.stopping:
                return None
            inv = self.pending.pop(0)
            self.current = inv
        inv.start()
        self.runtime._log(self.fn.name, f"START RequestId: {inv.request_id} Version: $LATEST")
        return inv

    def complete(self, request_id: str, payload: Any = None, error: dict | None = None) -> bool:
        with self.lock:
            inv = self.current
            if inv is None or inv.request_id != request_id:
                return False
            self.current = None
        rss = _rss_bytes(self.proc.pid)  # a short invocation may finish between two watchdog samples
        if rss:
            inv.max_rss = max(inv.max_rss, rss)
        return inv.finish(payload=payload, error=error)

    def init_failed(self, error: dict) -> None:
        with self.lock:
            self.exit_reason = "init"
            self.dead = True
            waiting = list(self.pending) + ([self.current] if self.current else [])
            self.pending.clear()
            self.current = None
        for inv in waiting:
            inv.finish(error=error)

    # -- called by the runtime ------------------------------------------------------------
    def submit(self, inv: _Invocation) -> None:
        with self.lock:
            self.pending.append(inv)
            self.has_work.notify_all()

    def alive(self) -> bool:
        return not self.dead and self.proc.poll() is None

    def kill(self, reason: str) -> None:
        with self.lock:
            if self.exit_reason is None:
                self.exit_reason = reason
            self.dead = True
            self.stopping = True
            self.has_work.notify_all()
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL does not fail
            pass
        self.server.shutdown()
        self.server.server_close()

    def _pump_logs(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            line = raw.decode(errors="replace").rstrip("\r\n")
            # awslambdaric separates the lines of one multi-line record with \r.
            for part in line.split("\r"):
                self.runtime._log(self.fn.name, part)
        code = self.proc.wait()
        with self.lock:
            self.dead = True
            reason = self.exit_reason
            waiting = list(self.pending) + ([self.current] if self.current else [])
            self.pending.clear()
            self.current = None
        if reason in ("timeout", "stopped"):
            return
        for inv in waiting:
            if reason == "memory":
                error = {"errorType": "Runtime.OutOfMemory",
                         "errorMessage": f"RequestId: {inv.request_id} Error: Runtime exited: memory limit exceeded"
                                         f" ({self.oom_detail})"}
            else:
                status = f"signal: {signal.Signals(-code).name}" if code < 0 else f"exit status {code}"
                error = {"errorType": "Runtime.ExitError",
                         "errorMessage": f"RequestId: {inv.request_id} Error: Runtime exited with error: {status}"}
            inv.finish(error=error)
        if reason not in ("init",):
            self.runtime._log(self.fn.name, f"[worker exited] {self.fn.name} #{self.index}: "
                                            f"{reason or f'exit code {code}'}")

    def sample_memory(self) -> None:
        inv = self.current
        if self.dead:
            return
        rss = _rss_bytes(self.proc.pid)
        if rss is None:
            return
        if inv is not None:
            inv.max_rss = max(inv.max_rss, rss)
        limit = self.fn.memory_mb * 1024 * 1024
        if rss > limit:
            self.oom_detail = f"{rss / 1048576:.0f} MB > {self.fn.memory_mb} MB"
            self.runtime._log(self.fn.name, f"[memory limit] {self.fn.name} #{self.index} uses {self.oom_detail}: killed")
            with self.lock:
                if self.exit_reason is None:
                    self.exit_reason = "memory"
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass


class _Pool:
    """The workers of one function."""

    def __init__(self, fn: LocalFunction):
        self.fn = fn
        self.workers: list[_Worker] = []
        self.idle: list[_Worker] = []
        self.cond = threading.Condition()
        self.spawned = 0


class LambdaRuntime:
    """Runs ``LocalFunction``s as warm worker processes; ``invoke`` is thread-safe."""

    def __init__(self, on_log: LogSink | None = None, *, max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
                 isolate_site_packages: bool = True, region: str | None = None):
        self.on_log: LogSink = on_log or _default_log
        self.max_concurrency = max(1, max_concurrency)
        self.isolate_site_packages = isolate_site_packages
        self.region = region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
        self._pools: dict[str, _Pool] = {}
        self._lock = threading.Lock()
        self._stopped = False
        self._runtime_dir: Path | None = None
        self._tmp: tempfile.TemporaryDirectory | None = None
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
            self._ensure_runtime_dir()
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

    @property
    def functions(self) -> list[str]:
        return sorted(self._pools)

    def invoke(self, name_or_arn: str, event: Any, *, timeout: float | None = None) -> InvokeResult:
        """Invoke synchronously (RequestResponse); never raises for function failures."""
        name = function_name_of(name_or_arn)
        pool = self._pools.get(name)
        if pool is None:
            for candidate in list(self._pools.values()):
                if candidate.fn.arn and function_name_of(candidate.fn.arn) == name:
                    pool = candidate
                    break
        if pool is None or self._stopped:
            raise FunctionNotFound(f"Function not found: {name_or_arn}")
        fn = pool.fn
        budget = float(fn.timeout_seconds) if timeout is None else min(float(fn.timeout_seconds), float(timeout))
        arn = fn.arn or f"arn:aws:lambda:{self._region(fn)}:000000000000:function:{fn.name}"
        if name_or_arn.startswith("arn:"):
            arn = name_or_arn
        worker, cold = self._acquire(pool)
        inv = _Invocation(event, budget, arn)
        try:
            worker.submit(inv)
            return self._await(worker, inv, cold)
        finally:
            self._release(pool, worker)

    def stop(self) -> None:
        """Kill every worker process this runtime started (idempotent)."""
        with self._lock:
            self._stopped = True
            pools = list(self._pools.values())
        self._watchdog_stop.set()
        for pool in pools:
            self._stop_pool(pool)
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def worker_pids(self, name: str | None = None) -> list[int]:
        """Process ids of the live workers (of one function, or all)."""
        pools = [self._pools[name]] if name else list(self._pools.values())
        return [w.proc.pid for pool in pools for w in list(pool.workers) if w.alive()]

    def __enter__(self) -> "LambdaRuntime":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # -- internals ----------------------------------------------------------------------
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

    def _ensure_runtime_dir(self) -> None:
        if self._runtime_dir is not None:
            return
        self._tmp = tempfile.TemporaryDirectory(prefix="lambda-runtime-")
        root = Path(self._tmp.name)
        for module in _RUNTIME_MODULES + _SDK_MODULES:
            spec = importlib.util.find_spec(module)
            if spec is None:
                if module in _RUNTIME_MODULES[:2]:
                    raise RuntimeError("awslambdaric is not installed (pip install awslambdaric==4.2.2)")
                continue
            if spec.submodule_search_locations:
                source = Path(list(spec.submodule_search_locations)[0])
            else:
                source = Path(spec.origin or "")
            (root / source.name).symlink_to(source)
        self._runtime_dir = root

    def _command(self, fn: LocalFunction) -> list[str]:
        flags = ["-S"] if self.isolate_site_packages else []
        return [sys.executable, *flags, "-u", "-m", "awslambdaric", fn.handler]

    def _environment(self, fn: LocalFunction, api_port: int) -> dict[str, str]:
        env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
        env.setdefault("LANG", "en_US.UTF-8")
        env.update({str(k): str(v) for k, v in fn.environment.items()})
        env.update({str(k): str(v) for k, v in fn.credentials.items()})
        region = self._region(fn)
        stream = time.strftime("%Y/%m/%d", time.gmtime()) + f"/[$LATEST]{secrets.token_hex(16)}"
        code_dir = str(Path(fn.code_dir).resolve())
        python_path = [code_dir, *(str(Path(p).resolve()) for p in fn.dependency_paths), str(self._runtime_dir)]
        env.update({
            "AWS_LAMBDA_FUNCTION_NAME": fn.name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(fn.memory_mb),
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{fn.name}",
            "AWS_LAMBDA_LOG_STREAM_NAME": stream,
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_EXECUTION_ENV": "AWS_Lambda_python3.11",
            "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{api_port}",
            "LAMBDA_TASK_ROOT": code_dir,
            "LAMBDA_RUNTIME_DIR": str(self._runtime_dir),
            "_HANDLER": fn.handler,
            "TZ": ":UTC",
            "PYTHONPATH": os.pathsep.join(python_path),
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONUNBUFFERED": "1",
        })
        return env

    def _spawn(self, pool: _Pool) -> _Worker:
        pool.spawned += 1
        worker = _Worker(self, pool.fn, pool.spawned)
        pool.workers.append(worker)
        return worker

    def _acquire(self, pool: _Pool) -> tuple[_Worker, bool]:
        with pool.cond:
            while True:
                if self._stopped:
                    raise FunctionNotFound(f"LambdaRuntime stopped; cannot invoke {pool.fn.name}")
                while pool.idle:
                    worker = pool.idle.pop()
                    if worker.alive():
                        return worker, not worker.initialized
                    self._discard(pool, worker)
                if len(pool.workers) < self.max_concurrency:
                    return self._spawn(pool), True
                pool.cond.wait(0.5)

    def _release(self, pool: _Pool, worker: _Worker) -> None:
        with pool.cond:
            if worker.alive() and not self._stopped:
                pool.idle.append(worker)
            else:
                self._discard(pool, worker)
            pool.cond.notify()

    def _discard(self, pool: _Pool, worker: _Worker) -> None:
        if worker in pool.workers:
            pool.workers.remove(worker)
        if worker in pool.idle:
            pool.idle.remove(worker)
        if worker.proc.poll() is None or not worker.dead:
            threading.Thread(target=worker.kill, args=("stopped",), daemon=True).start()
        else:
            worker.server.shutdown()
            worker.server.server_close()

    def _await(self, worker: _Worker, inv: _Invocation, cold: bool) -> InvokeResult:
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
            for pool in list(self._pools.values()):
                for worker in list(pool.workers):
                    if worker.current is not None or not worker.initialized:
                        worker.sample_memory()
