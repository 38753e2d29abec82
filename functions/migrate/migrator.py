"""Apply ``migrations/NNN_name.sql`` once each, in order, each in its own transaction."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shared.observability import logger

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_FILE = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")
# Serialises concurrent runs (two deploys, or deploy + local mode) on one database.
_ADVISORY_LOCK_ID = 7_305_446_327_301_222

_BOOKKEEPING = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    text        PRIMARY KEY,
    name       text        NOT NULL,
    checksum   text        NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)
"""


@dataclass(frozen=True)
class Migration:
    version: str
    name: str
    sql: str

    @property
    def label(self) -> str:
        return f"{self.version}_{self.name}"

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def discover(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Every migration file, sorted; rejects stray names and duplicate versions."""
    found: dict[str, Migration] = {}
    for path in sorted(directory.iterdir()):
        if path.suffix != ".sql":
            continue
        match = _FILE.match(path.name)
        if not match:
            raise ValueError(f"migration file name must look like NNN_name.sql: {path.name}")
        version, name = match.groups()
        if version in found:
            raise ValueError(f"two migrations with version {version}: {found[version].label}, {path.name}")
        found[version] = Migration(version, name, path.read_text(encoding="utf-8"))
    return [found[version] for version in sorted(found)]


def _applied(conn: Any) -> dict[str, str]:
    rows = conn.execute("SELECT version, checksum FROM schema_migrations").fetchall()
    return {version: checksum for version, checksum in rows}


def migrate(conn: Any, migrations: list[Migration]) -> dict[str, Any]:
    """Apply pending migrations on an autocommit connection. Safe to run again and concurrently."""
    conn.execute("SELECT pg_advisory_lock(%s)", (_ADVISORY_LOCK_ID,))
    try:
        conn.execute(_BOOKKEEPING)
        done = _applied(conn)
        applied: list[str] = []
        for migration in migrations:
            if migration.version in done:
                if done[migration.version] != migration.checksum:
                    logger.warning("Applied migration has changed since; not re-applied", extra={"migration": migration.label})
                continue
            with conn.transaction():
                conn.execute(migration.sql)
                conn.execute(
                    "INSERT INTO schema_migrations (version, name, checksum) VALUES (%s, %s, %s)",
                    (migration.version, migration.name, migration.checksum),
                )
            logger.info("Applied migration", extra={"migration": migration.label})
            applied.append(migration.label)
        return {"applied": applied, "current": _current(conn)}
    finally:
        conn.execute("SELECT pg_advisory_unlock(%s)", (_ADVISORY_LOCK_ID,))


def status(conn: Any, migrations: list[Migration]) -> dict[str, Any]:
    conn.execute(_BOOKKEEPING)
    done = _applied(conn)
    return {
        "applied": [],
        "current": _current(conn),
        "pending": [migration.label for migration in migrations if migration.version not in done],
    }


def _current(conn: Any) -> str | None:
    row = conn.execute("SELECT max(version) FROM schema_migrations").fetchone()
    return row[0] if row else None
