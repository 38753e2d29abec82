"""What a worker process sees: its interpreter, its import path and Lambda's environment variables.

The interpreter runs with ``-S`` (the parent's site-packages are not importable);
``PYTHONPATH`` is the code directory, then the layer's packages, then a private
runtime directory of symlinks to awslambdaric (and its few dependencies) and the
AWS SDK, which Lambda's Python runtime also provides. The environment is exactly
the function's variables and credentials plus the ones Lambda sets.
"""

from __future__ import annotations

import importlib.util
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

from local.model import LocalFunction

# What the Runtime API client needs, and the AWS SDK that Lambda's Python runtime ships.
_RUNTIME_MODULES = ("awslambdaric", "runtime_client", "simplejson", "snapshot_restore_py")
_SDK_MODULES = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six", "urllib3")


class Sandbox:
    """The runtime directory the workers share, and each worker's command and environment."""

    def __init__(self, isolate_site_packages: bool = True):
        self.isolate_site_packages = isolate_site_packages
        self._tmp = tempfile.TemporaryDirectory(prefix="lambda-runtime-")
        self.runtime_dir = Path(self._tmp.name)
        for module in _RUNTIME_MODULES + _SDK_MODULES:
            spec = importlib.util.find_spec(module)
            if spec is None:
                if module in _RUNTIME_MODULES[:2]:
                    self.cleanup()
                    raise RuntimeError("awslambdaric is not installed (pip install awslambdaric==4.2.2)")
                continue
            if spec.submodule_search_locations:
                source = Path(list(spec.submodule_search_locations)[0])
            else:
                source = Path(spec.origin or "")
            (self.runtime_dir / source.name).symlink_to(source)

    def command(self, fn: LocalFunction) -> list[str]:
        flags = ["-S"] if self.isolate_site_packages else []
        return [sys.executable, *flags, "-u", "-m", "awslambdaric", fn.handler]

    def environment(self, fn: LocalFunction, region: str, api_port: int) -> dict[str, str]:
        env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
        env.setdefault("LANG", "en_US.UTF-8")
        env.update({str(k): str(v) for k, v in fn.environment.items()})
        env.update({str(k): str(v) for k, v in fn.credentials.items()})
        stream = time.strftime("%Y/%m/%d", time.gmtime()) + f"/[$LATEST]{secrets.token_hex(16)}"
        code_dir = str(Path(fn.code_dir).resolve())
        python_path = [code_dir, *(str(Path(p).resolve()) for p in fn.dependency_paths), str(self.runtime_dir)]
        if fn.runtime:  # Lambda names the managed runtime here (a custom runtime has none)
            env["AWS_EXECUTION_ENV"] = f"AWS_Lambda_{fn.runtime}"
        env.update({
            "AWS_LAMBDA_FUNCTION_NAME": fn.name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(fn.memory_mb),
            "AWS_LAMBDA_FUNCTION_VERSION": fn.version,
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{fn.name}",
            "AWS_LAMBDA_LOG_STREAM_NAME": stream,
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{api_port}",
            "LAMBDA_TASK_ROOT": code_dir,
            "LAMBDA_RUNTIME_DIR": str(self.runtime_dir),
            "_HANDLER": fn.handler,
            "TZ": ":UTC",
            "PYTHONPATH": os.pathsep.join(python_path),
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONUNBUFFERED": "1",
        })
        return env

    def cleanup(self) -> None:
        self._tmp.cleanup()
