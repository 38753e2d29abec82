"""The local Lambda runtime: real worker processes behind the Lambda Runtime API."""

from __future__ import annotations

import dataclasses
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from local.lambda_ import FunctionNotFound, LambdaRuntime, function_name_of
from local.model import LocalFunction

FIXTURES = Path(__file__).parent / "fixtures"
ARN = "arn:aws:lambda:eu-west-1:123456789012:function:{}"


def fn(name: str, *, env: dict | None = None, timeout: int = 5, memory: int = 128, folder: str | None = None,
       credentials: dict | None = None, deps: tuple = ()) -> LocalFunction:
    return LocalFunction(name=name, code_dir=FIXTURES / (folder or name), handler="app.handler",
                         environment=env or {}, timeout_seconds=timeout, memory_mb=memory,
                         dependency_paths=deps, credentials=credentials or {}, arn=ARN.format(name))


class Logs:
    def __init__(self) -> None:
        self.lines: list[tuple[str, str]] = []
        self.lock = threading.Lock()

    def __call__(self, name: str, line: str) -> None:
        with self.lock:
            self.lines.append((name, line))

    def of(self, name: str) -> list[str]:
        with self.lock:
            return [line for n, line in self.lines if n == name]

    def settled(self, name: str, *needles: str, timeout: float = 5.0) -> list[str]:
        """The lines of ``name`` once each needle is in one, or at the timeout: a worker's output
        arrives through pipes and may trail the result of its invocation."""
        deadline = time.monotonic() + timeout
        while True:
            lines = self.of(name)
            if all(any(n in line for line in lines) for n in needles) or time.monotonic() > deadline:
                return lines
            time.sleep(0.02)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is not alive
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


@pytest.fixture
def logs() -> Logs:
    return Logs()


@pytest.fixture
def runtime(logs: Logs):
    rt = LambdaRuntime(on_log=logs)
    yield rt
    rt.stop()


def test_cold_then_warm(runtime: LambdaRuntime, logs: Logs) -> None:
    runtime.start(fn("echo"))
    t0 = time.perf_counter()
    first = runtime.invoke("echo", {"n": 1})
    cold_ms = (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    second = runtime.invoke("echo", {"n": 2})
    warm_ms = (time.perf_counter() - t0) * 1000
    assert first.ok and second.ok
    assert first.cold_start and first.init_duration_ms and first.init_duration_ms > 0
    assert not second.cold_start and second.init_duration_ms is None
    assert first.payload["pid"] == second.payload["pid"], "kept warm: the same process serves both"
    assert warm_ms < cold_ms
    assert second.payload["event"] == {"n": 2}
    assert any(line.startswith("[cold start] echo init ") and line.endswith(" ms") for line in logs.of("echo"))
    assert sum("[cold start]" in line for line in logs.of("echo")) == 1
    assert any(line.startswith("REPORT RequestId: " + first.request_id) and "Init Duration" in line
               for line in logs.of("echo"))


def test_context_and_identity_by_arn(runtime: LambdaRuntime) -> None:
    runtime.start(fn("echo", memory=256, timeout=7))
    result = runtime.invoke(ARN.format("echo") + ":live", {})
    ctx = result.payload["context"]
    assert ctx["aws_request_id"] == result.request_id
    assert ctx["function_name"] == "echo"
    assert ctx["memory_limit_in_mb"] == "256"
    assert ctx["invoked_function_arn"] == ARN.format("echo") + ":live"
    assert ctx["log_group_name"] == "/aws/lambda/echo"
    assert 5000 < ctx["remaining_ms"] <= 7000
    assert Path(result.payload["cwd"]).resolve() == (FIXTURES / "echo").resolve()
    assert runtime.invoke("echo:live", {}).ok
    with pytest.raises(FunctionNotFound):
        runtime.invoke("nope", {})
    assert function_name_of("arn:aws:lambda:us-east-1:1:function:shows:live") == "shows"


def test_environment_is_isolated(runtime: LambdaRuntime, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRET_PARENT", "1")
    monkeypatch.setenv("AWS_PROFILE", "parent-profile")
    runtime.start(fn("echo", env={"TABLE_NAME": "shows-table"},
                     credentials={"AWS_ACCESS_KEY_ID": "AKIDLOCAL", "AWS_SECRET_ACCESS_KEY": "s3cret"}))
    names = ["SECRET_PARENT", "AWS_PROFILE", "TABLE_NAME", "AWS_ACCESS_KEY_ID", "AWS_LAMBDA_FUNCTION_NAME",
             "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION", "AWS_REGION", "AWS_DEFAULT_REGION",
             "_HANDLER", "TZ", "LAMBDA_TASK_ROOT", "AWS_LAMBDA_LOG_GROUP_NAME", "VIRTUAL_ENV"]
    env = runtime.invoke("echo", {"env": names}).payload["env"]
    assert env["SECRET_PARENT"] is None and env["AWS_PROFILE"] is None and env["VIRTUAL_ENV"] is None
    assert env["TABLE_NAME"] == "shows-table"
    assert env["AWS_ACCESS_KEY_ID"] == "AKIDLOCAL"
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "echo"
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "128"
    assert env["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "eu-west-1"  # from the function's ARN
    assert env["_HANDLER"] == "app.handler" and env["TZ"] == ":UTC"
    assert Path(env["LAMBDA_TASK_ROOT"]) == (FIXTURES / "echo").resolve()
    assert env["AWS_LAMBDA_LOG_GROUP_NAME"] == "/aws/lambda/echo"


def test_execution_env_names_the_declared_runtime(runtime: LambdaRuntime) -> None:
    # GIVEN one function declaring python3.14 and one declaring no managed runtime
    runtime.start(dataclasses.replace(fn("echo"), runtime="python3.14"))
    runtime.start(dataclasses.replace(fn("echo", folder="echo"), name="custom", arn=ARN.format("custom")))
    # WHEN each reads AWS_EXECUTION_ENV
    declared = runtime.invoke("echo", {"env": ["AWS_EXECUTION_ENV"]}).payload["env"]
    custom = runtime.invoke("custom", {"env": ["AWS_EXECUTION_ENV"]}).payload["env"]
    # THEN it names the declared runtime as Lambda does, and is unset without one
    assert declared["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.14"
    assert custom["AWS_EXECUTION_ENV"] is None


def test_site_packages_not_importable_but_dependency_paths_are(runtime: LambdaRuntime, tmp_path: Path) -> None:
    layer = tmp_path / "layer"
    layer.mkdir()
    (layer / "layer_helper.py").write_text("VALUE = 'from the layer'\n")
    code = tmp_path / "code"
    code.mkdir()
    (code / "app.py").write_text(
        "import importlib.util\nimport layer_helper\n"
        "def handler(event, context):\n"
        "    return {'layer': layer_helper.VALUE,\n"
        "            'pulumi': importlib.util.find_spec('pulumi') is not None,\n"
        "            'boto3': importlib.util.find_spec('boto3') is not None}\n")
    runtime.start(LocalFunction("deps", code, "app.handler", {}, 5, 128, dependency_paths=(layer,)))
    result = runtime.invoke("deps", {})
    assert result.payload == {"layer": "from the layer", "pulumi": False, "boto3": True}


def test_handler_exception_is_an_error_and_the_worker_survives(runtime: LambdaRuntime) -> None:
    runtime.start(fn("raises"))
    ok = runtime.invoke("raises", {})
    failed = runtime.invoke("raises", {"fail": True})
    again = runtime.invoke("raises", {})
    assert failed.error is not None and failed.payload is None and not failed.timed_out
    assert failed.error["errorType"] == "TicketError"
    assert failed.error["errorMessage"] == "sold out"
    assert again.ok and not again.cold_start
    assert again.payload["pid"] == ok.payload["pid"]
    assert again.payload["calls"] == 3, "the same interpreter kept its module state"


def test_import_error_is_an_init_error(runtime: LambdaRuntime) -> None:
    runtime.start(fn("broken"))
    result = runtime.invoke("broken", {})
    assert result.error["errorType"] == "Runtime.ImportModuleError"
    assert "not_a_real_module" in result.error["errorMessage"]
    assert runtime.worker_pids("broken") == [] or not any(alive(p) for p in runtime.worker_pids("broken"))


def test_timeout_kills_the_worker_and_the_next_call_is_cold(runtime: LambdaRuntime, logs: Logs) -> None:
    runtime.start(fn("sleepy", timeout=1))
    warm = runtime.invoke("sleepy", {"sleep": 0})
    t0 = time.perf_counter()
    result = runtime.invoke("sleepy", {"sleep": 30})
    elapsed = time.perf_counter() - t0
    assert result.timed_out and not result.ok
    assert result.error["errorType"] == "Sandbox.Timedout"
    assert "Task timed out after 1.00 seconds" in result.error["errorMessage"]
    assert 0.9 < elapsed < 3
    assert not alive(warm.payload["pid"]), "the timed-out worker was killed"
    after = runtime.invoke("sleepy", {"sleep": 0})
    assert after.ok and after.cold_start and after.payload["pid"] != warm.payload["pid"]
    assert any("Task timed out after 1.00 seconds" in line for line in logs.of("sleepy"))


def test_per_call_timeout_is_an_upper_bound(runtime: LambdaRuntime) -> None:
    runtime.start(fn("sleepy", timeout=10))
    runtime.invoke("sleepy", {"sleep": 0})
    result = runtime.invoke("sleepy", {"sleep": 5}, timeout=0.5)
    assert result.timed_out and result.duration_ms < 2000


def test_memory_limit_kills_the_worker(runtime: LambdaRuntime, logs: Logs) -> None:
    runtime.start(fn("hog", memory=128))
    small = runtime.invoke("hog", {"mb": 16})
    assert small.ok and small.max_memory_mb and small.max_memory_mb < 128
    result = runtime.invoke("hog", {"mb": 1024})
    assert result.error is not None and not result.timed_out
    assert result.error["errorType"] == "Runtime.OutOfMemory"
    assert "Runtime exited: memory limit exceeded" in result.error["errorMessage"]
    assert not alive(small.payload["pid"])
    assert any("[memory limit]" in line for line in logs.of("hog"))
    after = runtime.invoke("hog", {"mb": 0})
    assert after.ok and after.cold_start


def test_logs_are_forwarded(runtime: LambdaRuntime, logs: Logs) -> None:
    runtime.start(fn("chatty"))
    result = runtime.invoke("chatty", {})
    assert result.ok
    lines = logs.settled("chatty", "hello from print", "to stderr", "via logging", f"END RequestId: {result.request_id}")
    assert any('"message": "hello from print"' in line and result.request_id in line for line in lines)
    assert "to stderr" in lines
    assert any("via logging" in line and result.request_id in line for line in lines)
    assert any(line.startswith(f"START RequestId: {result.request_id}") for line in lines)
    assert any(line.startswith(f"END RequestId: {result.request_id}") for line in lines)


def test_concurrent_invokes_spread_over_workers(logs: Logs) -> None:
    with LambdaRuntime(on_log=logs, max_concurrency=3) as runtime:
        runtime.start(fn("sleepy"))
        t0 = time.perf_counter()
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(lambda i: runtime.invoke("sleepy", {"sleep": 0.3}), range(6)))
        elapsed = time.perf_counter() - t0
        assert all(r.ok for r in results)
        pids = {r.payload["pid"] for r in results}
        assert len(pids) == 3, "at most max_concurrency workers, all of them used"
        assert sum(r.cold_start for r in results) == 3
        assert elapsed < 6 * 0.3, "ran in parallel"
        assert len(runtime.worker_pids("sleepy")) == 3


def test_stop_leaves_no_child_process(logs: Logs) -> None:
    runtime = LambdaRuntime(on_log=logs)
    runtime.start(fn("echo"))
    runtime.start(fn("sleepy"))
    runtime.start(fn("raises"), prewarm=True)
    pids = {runtime.invoke("echo", {}).payload["pid"]}
    with ThreadPoolExecutor(2) as pool:
        pids |= {r.payload["pid"] for r in pool.map(lambda _: runtime.invoke("sleepy", {"sleep": 0.2}), range(2))}
    pids |= set(runtime.worker_pids())
    assert len(pids) >= 4 and all(alive(p) for p in pids)
    runtime.stop()
    runtime.stop()  # idempotent
    assert not any(alive(p) for p in pids)
    with pytest.raises(FunctionNotFound):
        runtime.invoke("echo", {})
