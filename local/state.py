"""Data that survives a restart of local mode: DynamoDB items and S3 objects.

moto keeps everything in memory, so on shutdown every table's items (DynamoDB
JSON) and every object the program did not upload itself are written under
``.local/<stack>/data/``; on the next start, once the program has created the
tables and buckets again, they are put back. (PostgreSQL keeps its own data
directory.) Objects the program uploads (a site and its runtime config, any
content) always come from the program, so a changed site is never shadowed by an
old copy.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import quote, unquote


def export(ddb: Any, s3: Any, tables: Iterable[str], buckets: Iterable[str], skip: set[tuple[str, str]],
           target: Path) -> dict[str, int]:
    """Write items and objects under ``target`` (replacing what was there)."""
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    (partial / "dynamodb").mkdir(parents=True)
    (partial / "s3").mkdir(parents=True)
    counts = {"items": 0, "objects": 0}
    for table in tables:
        items: list[dict] = []
        for page in ddb.get_paginator("scan").paginate(TableName=table):
            items += page.get("Items", [])
        (partial / "dynamodb" / f"{table}.json").write_text(json.dumps(items))
        counts["items"] += len(items)
    for bucket in buckets:
        folder = partial / "s3" / bucket
        folder.mkdir()
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for obj in page.get("Contents", []):
                if (bucket, obj["Key"]) in skip:
                    continue
                response = s3.get_object(Bucket=bucket, Key=obj["Key"])
                (folder / quote(obj["Key"], safe="")).write_bytes(response["Body"].read())
                meta = {"ContentType": response.get("ContentType") or "application/octet-stream"}
                (folder / (quote(obj["Key"], safe="") + ".meta.json")).write_text(json.dumps(meta))
                counts["objects"] += 1
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)
    return counts


def restore(ddb: Any, s3: Any, tables: Iterable[str], buckets: Iterable[str], skip: set[tuple[str, str]],
            source: Path) -> dict[str, int]:
    """Put back what ``export`` wrote, for the tables and buckets that exist now."""
    counts = {"items": 0, "objects": 0}
    if not source.is_dir():
        return counts
    for table in tables:
        path = source / "dynamodb" / f"{table}.json"
        if not path.is_file():
            continue
        items = json.loads(path.read_text())
        put_items(ddb, table, items)
        counts["items"] += len(items)
    for bucket in buckets:
        folder = source / "s3" / bucket
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if path.name.endswith(".meta.json"):
                continue
            key = unquote(path.name)
            if (bucket, key) in skip:
                continue
            meta_path = path.with_name(path.name + ".meta.json")
            meta = json.loads(meta_path.read_text()) if meta_path.is_file() else {}
            s3.put_object(Bucket=bucket, Key=key, Body=path.read_bytes(),
                          ContentType=meta.get("ContentType", "application/octet-stream"))
            counts["objects"] += 1
    return counts


def put_items(ddb: Any, table: str, items: list[dict]) -> None:
    """Write items (DynamoDB JSON) in batches, retrying what DynamoDB leaves unprocessed."""
    for start in range(0, len(items), 25):
        pending = {table: [{"PutRequest": {"Item": item}} for item in items[start:start + 25]]}
        while pending:
            pending = ddb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
