"""Data that survives local mode: every write an emulator acknowledged, on disk before its answer left.

Each emulator process (moto, and moto for Cognito) keeps one ``Store`` in
``.local/<stack>/data/<emulator>/``:

* ``journal.jsonl``: one line per record, appended (and flushed to the disk) under the
  lock that orders the writes, before the 2xx is sent;
* ``snapshot.json``: the journal folded into what is there now, written when the data
  is loaded at start and when local mode stops cleanly; the journal is then emptied;
* ``blobs/<sha256>``: object bodies, written (and flushed) before the record naming them.

A record is what a write left, not the request: ``{"kind", "in", "id", "value"}`` is one
entry (``value`` null: deleted) and ``{"kind", "in", "all"}`` a container's whole content
(``{}``: dropped). Kinds are moto's names of the services (``dynamodb``: tables' items,
``s3``: buckets' objects, ``secretsmanager``, ``cognitoidp``: user pools' users); ``in``
names the container.
Replaying them needs no ids to repeat and is idempotent, so a crash at any point (even
while compacting) loses nothing that was acknowledged. A record cut short by a crash is
the last line, was never acknowledged, and is dropped.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path
from typing import Any, Iterable

FORMAT = 1
Data = dict[str, dict[str, dict[str, Any]]]  # kind → container → id → value


class StateError(RuntimeError):
    """The data folder cannot be read back (a damaged journal or snapshot)."""


class Store:
    """One emulator's snapshot, journal and blobs in ``folder``."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.journal_path = folder / "journal.jsonl"
        self.snapshot_path = folder / "snapshot.json"
        self.blobs = folder / "blobs"
        self._fd: int | None = None
        self._append = threading.Lock()
        self._sync = threading.Lock()
        self._written = 0  # records appended (sequence numbers handed out)
        self._synced = 0   # ... of which known to be on the disk

    # -- reading ---------------------------------------------------------------------------
    def read(self) -> Data:
        """The snapshot with the journal applied."""
        data: Data = {}
        if self.snapshot_path.is_file():
            try:
                snapshot = json.loads(self.snapshot_path.read_text())
            except ValueError as error:
                raise StateError(f"{self.snapshot_path} is damaged ({error}); move the folder away to start "
                                 f"without its data") from None
            if snapshot.get("format") != FORMAT:
                raise StateError(f"{self.snapshot_path} has format {snapshot.get('format')!r}, not {FORMAT}")
            data = snapshot["data"]
        for record in self._journal():
            apply(data, record)
        return data

    def _journal(self) -> Iterable[dict[str, Any]]:
        if not self.journal_path.is_file():
            return
        lines = self.journal_path.read_bytes().split(b"\n")
        for number, line in enumerate(lines, 1):
            if not line:
                continue
            try:
                yield json.loads(line)
            except ValueError:
                if number == len(lines):  # the last line, cut short by a crash: it was never acknowledged
                    return
                raise StateError(f"{self.journal_path} line {number} is damaged; move the folder away to start "
                                 f"without its data") from None

    def blob(self, digest: str) -> bytes:
        return (self.blobs / digest).read_bytes()

    # -- compacting --------------------------------------------------------------------------
    def compact(self) -> Data:
        """Fold the journal into the snapshot, empty the journal and drop unreferenced blobs.

        Only while nothing appends (before ``open``, or once the emulator has stopped).
        """
        if self._fd is not None:
            raise RuntimeError("compact() while the journal is open")
        data = self.read()
        if not self.snapshot_path.exists() and not self.journal_path.exists():
            return data
        self.folder.mkdir(parents=True, exist_ok=True)
        _write_durably(self.snapshot_path, json.dumps({"format": FORMAT, "data": data}).encode())
        # A crash before this truncation replays the journal onto the new snapshot again: the same result.
        with open(self.journal_path, "wb") as journal:
            os.fsync(journal.fileno())
        referenced = {value["blob"] for containers in data.values() for entries in containers.values()
                      for value in entries.values() if isinstance(value, dict) and "blob" in value}
        if self.blobs.is_dir():
            for path in self.blobs.iterdir():
                if path.name not in referenced:
                    path.unlink()
        return data

    # -- writing -----------------------------------------------------------------------------------
    def open(self) -> None:
        """Start appending (after ``compact``)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(self.journal_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o600)

    @property
    def is_open(self) -> bool:
        return self._fd is not None

    def append(self, records: list[dict[str, Any]]) -> int:
        """Append records (in the order the caller's lock gives the writes); returns what ``sync`` waits for."""
        data = b"".join(json.dumps(record, separators=(",", ":")).encode() + b"\n" for record in records)
        with self._append:
            size = os.fstat(self._fd).st_size
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(self._fd, view):]
            except OSError:
                os.ftruncate(self._fd, size)  # never leave half a record before the next one
                raise
            self._written += 1
            return self._written

    def sync(self, sequence: int) -> None:
        """Return once the records up to ``sequence`` are on the disk: one flush serves every writer waiting."""
        with self._sync:
            if self._synced >= sequence:
                return
            target = self._written
            os.fdatasync(self._fd)
            self._synced = target

    def put_blob(self, body: bytes) -> str:
        """Keep an object body (once per content); its name is its SHA-256."""
        digest = hashlib.sha256(body).hexdigest()
        path = self.blobs / digest
        if not path.exists():
            self.blobs.mkdir(parents=True, exist_ok=True)
            _write_durably(path, body)
        return digest

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def apply(data: Data, record: dict[str, Any]) -> None:
    """One record onto the folded data."""
    containers = data.setdefault(record["kind"], {})
    if "all" in record:
        if record["all"]:
            containers[record["in"]] = dict(record["all"])
        else:
            containers.pop(record["in"], None)
        return
    entries = containers.setdefault(record["in"], {})
    if record["value"] is None:
        entries.pop(record["id"], None)
        if not entries:
            containers.pop(record["in"])
    else:
        entries[record["id"]] = record["value"]


def _write_durably(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data``: all or nothing, on the disk when this returns."""
    partial = path.with_name(path.name + ".partial")
    with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    partial.replace(path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def import_export(ddb: Any, s3: Any, tables: Iterable[str], buckets: Iterable[str], skip: set[tuple[str, str]],
                  data: Path) -> int:
    """Put back, through the emulator (which keeps it from then on), what a local mode before the journal
    exported at its last clean stop (``data/dynamodb/<table>.json``, ``data/s3/<bucket>/<quoted key>``) into
    the tables and buckets that exist, removing what it put back; returns how many items and objects."""
    from urllib.parse import unquote

    count = 0
    tables, buckets = set(tables), set(buckets)
    for path in sorted((data / "dynamodb").glob("*.json")):
        if path.stem in tables:
            items = json.loads(path.read_text())
            put_items(ddb, path.stem, items)
            count += len(items)
            path.unlink()
    for folder in sorted(p for p in (data / "s3").glob("*") if p.name in buckets):
        for path in sorted(p for p in folder.iterdir() if not p.name.endswith(".meta.json")):
            meta_path = path.with_name(path.name + ".meta.json")
            if (folder.name, unquote(path.name)) not in skip:
                meta = json.loads(meta_path.read_text()) if meta_path.is_file() else {}
                s3.put_object(Bucket=folder.name, Key=unquote(path.name), Body=path.read_bytes(),
                              ContentType=meta.get("ContentType", "application/octet-stream"))
                count += 1
            path.unlink()
            meta_path.unlink(missing_ok=True)
    for folder in (*(data / "s3").glob("*"), data / "s3", data / "dynamodb"):
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
    return count


def put_items(ddb: Any, table: str, items: list[dict]) -> None:
    """Write items (DynamoDB JSON) in batches, retrying what DynamoDB leaves unprocessed."""
    for start in range(0, len(items), 25):
        pending = {table: [{"PutRequest": {"Item": item}} for item in items[start:start + 25]]}
        while pending:
            pending = ddb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
