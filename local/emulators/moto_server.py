"""The AWS API stand-in: moto's server on 127.0.0.1, as a child process.

It runs as ``python -m local.emulators.moto_patches`` (``moto.server`` with faster
equivalents of its hottest paths, and connections kept open; see that module).

Two moto servers run side by side:

* the *main* emulator (DynamoDB, S3, Secrets Manager, IAM, ...) with moto's IAM
  enforcement switched on once the admin identity exists, so each function's
  worker, signing with its own identity's keys, gets AccessDenied for anything its
  role does not grant;
* a *Cognito* emulator without enforcement. moto lists InitiateAuth among its
  public (unsigned) operations but not RespondToAuthChallenge, so with
  enforcement on the browser's SRP sign-in fails at its second step (moto answers
  500). The functions never call Cognito, so nothing is lost by keeping it apart.

Every emulator binds to 127.0.0.1 only and is a child process (or, for the embedded
Redis fallback, a thread) that ``stop()`` ends; nothing outlives local mode.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from multitier._settings.loader import DEFAULT_REGION
from local.emulators.processes import stop_process, wait_for_port

ADMIN_USER = "multitier-local-admin"
PROJECT_ROOT = Path(__file__).resolve().parents[2]  # where ``local`` is importable from


_clients_lock = threading.Lock()
_boto3_session: Any = None


def _session() -> Any:
    """The process's one boto3 session for emulator clients (call with ``_clients_lock`` held)."""
    global _boto3_session
    if _boto3_session is None:
        import boto3

        _boto3_session = boto3.session.Session()
    return _boto3_session


@dataclass(frozen=True)
class Keys:
    access_key_id: str
    secret_access_key: str


class MotoServer:
    """moto's server (``moto_patches``) on 127.0.0.1:<port> as a child process."""

    def __init__(self, port: int, name: str, log_path: Path, region: str = DEFAULT_REGION):
        self.port = port
        self.name = name
        self.region = region
        self.log_path = log_path
        self.process: subprocess.Popen | None = None
        self.admin: Keys = Keys("testing", "testing")  # before enforcement any key works
        self._clients: dict[tuple[str, Keys], Any] = {}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")
        # Enforcement starts off ("inf"): the admin identity is created unsigned, then
        # set_enforcement(True) turns it on through moto's /moto-api/reset-auth.
        env = {**os.environ, "INITIAL_NO_AUTH_ACTION_COUNT": "inf", "MOTO_PORT": str(self.port),
               "AWS_DEFAULT_REGION": self.region,
               "PYTHONPATH": os.pathsep.join(filter(None, (str(PROJECT_ROOT), os.environ.get("PYTHONPATH"))))}
        self.process = subprocess.Popen([sys.executable, "-m", "local.emulators.moto_patches", "-H", "127.0.0.1",
                                         "-p", str(self.port)],
                                        env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                        start_new_session=True)
        log.close()
        wait_for_port(self.port, 30, self.process, f"moto ({self.name})")

    def client(self, service: str, keys: Keys | None = None) -> Any:
        """A client of this server signing with ``keys`` (the admin's by default); one per service and keys.

        boto3 clients are thread-safe; creating one is not, and costs its service's model: the
        clients come from one session (its loader reads each model once) under a lock.
        """
        keys = keys or self.admin
        with _clients_lock:
            client = self._clients.get((service, keys))
            if client is None:
                from botocore.config import Config

                client = _session().client(
                    service, endpoint_url=self.url, region_name=self.region, aws_access_key_id=keys.access_key_id,
                    aws_secret_access_key=keys.secret_access_key,
                    config=Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=3,
                                  read_timeout=30))
                self._clients[service, keys] = client
            return client

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
        stop_process(self.process)
        self.process = None
