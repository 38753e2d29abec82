"""The AWS API stand-in: moto's server on 127.0.0.1, as a child process.

It runs as ``python -m local.emulators.moto_app``: moto's server handling one request
at a time per kept service, keeping every acknowledged write in its data folder
(``load()`` puts the earlier runs' data back and starts keeping), with faster
equivalents of moto's hottest paths (``moto_patches``).

Two moto servers run side by side:

* the *main* emulator (DynamoDB, S3, Secrets Manager, IAM, ...) with moto's IAM
  enforcement switched on once the admin identity exists, so each function's
  worker, signing with its own identity's keys, gets AccessDenied for anything its
  role does not grant;
* a *Cognito* emulator without enforcement. moto lists InitiateAuth among its
  public (unsigned) operations but not RespondToAuthChallenge, so with
  enforcement on the browser's SRP sign-in fails at its second step (moto answers
  500). The functions never call Cognito, so nothing is lost by keeping it apart.

Every emulator binds to 127.0.0.1 only and is a child process (``processes.Children``:
it dies with local mode) or, for the embedded Redis fallback, a thread.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from local.emulators.processes import Children, stop_process, wait_for_port

ADMIN_USER = "multitier-local-admin"
TOKEN_HEADER = "X-Local-Token"  # what local mode's own requests to the emulator (/_local/) carry
PROJECT_ROOT = Path(__file__).resolve().parents[2]  # where ``local`` is importable from


@dataclass(frozen=True)
class Keys:
    access_key_id: str
    secret_access_key: str


_clients_lock = threading.Lock()
_clients: dict[tuple[str, str, str, Keys], Any] = {}
_boto3_session: Any = None


def client(url: str, region: str, service: str, keys: Keys) -> Any:
    """A client of the emulator at ``url`` signing with ``keys``; one per emulator, service and keys.

    boto3 clients are thread-safe; creating one is not, and costs its service's model: the
    clients come from one session (its loader reads each model once) under a lock.
    """
    global _boto3_session
    with _clients_lock:
        made = _clients.get((url, region, service, keys))
        if made is None:
            import boto3
            from botocore.config import Config

            _boto3_session = _boto3_session or boto3.session.Session()
            made = _boto3_session.client(
                service, endpoint_url=url, region_name=region, aws_access_key_id=keys.access_key_id,
                aws_secret_access_key=keys.secret_access_key,
                config=Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=3, read_timeout=30))
            _clients[url, region, service, keys] = made
        return made


class MotoServer:
    """moto's server (``moto_app``) on 127.0.0.1:<port> as a child process, keeping its data in ``data``."""

    def __init__(self, port: int, name: str, log_path: Path, region: str, data: Path | None = None,
                 children: Children | None = None):
        self.port = port
        self.name = name
        self.region = region
        self.log_path = log_path
        self.data = data
        self.children = children or Children()
        self._own_children = children is None
        self.process: subprocess.Popen | None = None
        self._token = secrets.token_urlsafe(16)
        self.admin: Keys = Keys("testing", "testing")  # before enforcement any key works

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")
        # Enforcement starts off ("inf"): the admin identity is created unsigned, then
        # set_enforcement(True) turns it on through moto's /moto-api/reset-auth.
        # Pool and client ids from what defines them (moto's HASH strategy), so they are the same every run.
        env = {**os.environ, "INITIAL_NO_AUTH_ACTION_COUNT": "inf", "MOTO_PORT": str(self.port),
               "AWS_DEFAULT_REGION": self.region, "MULTITIER_EMULATOR_TOKEN": self._token,
               "MOTO_COGNITO_IDP_USER_POOL_ID_STRATEGY": "HASH",
               "MOTO_COGNITO_IDP_USER_POOL_CLIENT_ID_STRATEGY": "HASH",
               "PYTHONPATH": os.pathsep.join(filter(None, (str(PROJECT_ROOT), os.environ.get("PYTHONPATH"))))}
        command = [sys.executable, "-m", "local.emulators.moto_app", "--port", str(self.port),
                   *(("--data", str(self.data)) if self.data else ())]
        try:
            self.process = self.children.popen(command, env=env, stdout=log, stderr=subprocess.STDOUT,
                                               stdin=subprocess.DEVNULL)
        finally:
            log.close()
        wait_for_port(self.port, 30, self.process, f"moto ({self.name})")

    def client(self, service: str, keys: Keys | None = None) -> Any:
        """A client of this server signing with ``keys`` (the admin's by default)."""
        return client(self.url, self.region, service, keys or self.admin)

    def bootstrap_admin(self) -> Keys:
        """Create the provisioning identity (all actions) while enforcement is still off."""
        iam = self.client("iam")
        iam.create_user(UserName=ADMIN_USER)
        iam.put_user_policy(UserName=ADMIN_USER, PolicyName="everything", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
        key = iam.create_access_key(UserName=ADMIN_USER)["AccessKey"]
        self.admin = Keys(key["AccessKeyId"], key["SecretAccessKey"])
        return self.admin

    def set_enforcement(self, on: bool) -> None:
        request = urllib.request.Request(f"{self.url}/moto-api/reset-auth", data=b"0" if on else b"inf",
                                         method="POST", headers={"Content-Type": "text/plain"})
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()

    def load(self) -> dict[str, dict[str, int]]:
        """Put the data of earlier runs back into what exists now, and keep every write from now on
        (before IAM enforcement: see ``moto_app``)."""
        request = urllib.request.Request(f"{self.url}/_local/load", data=b"", method="POST",
                                         headers={TOKEN_HEADER: self._token})
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.load(response)

    def records(self, service: str, model: str) -> list[dict[str, Any]]:
        """moto's records of one model (its ``/moto-api/data.json``), oldest first, deleted ones included."""
        with urllib.request.urlopen(f"{self.url}/moto-api/data.json", timeout=10) as response:
            return json.load(response).get(service, {}).get(model, [])

    def seed_random(self, value: int) -> None:
        """Seed moto's random generator (``/moto-api/seed``): the ids it makes next follow from ``value``."""
        request = urllib.request.Request(f"{self.url}/moto-api/seed?a={int(value)}", data=b"", method="POST")
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()

    def stop(self) -> None:
        # SIGKILL: every acknowledged write is on the disk already, and its interpreter's orderly exit
        # took a second or two of CPU for nothing.
        stop_process(self.process, sig=signal.SIGKILL)
        self.process = None
        if self._own_children:
            self.children.close()
