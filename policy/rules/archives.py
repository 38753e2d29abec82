"""How large the archives a function and its layers are deployed from are once unzipped."""

from __future__ import annotations

import os
import tarfile
import zipfile
from pathlib import Path

import pulumi


def unzipped_bytes(archive: object) -> int | None:
    """The unzipped size of a Pulumi asset or archive, or None where it cannot be known here (remote)."""
    if isinstance(archive, pulumi.StringAsset):
        return len(archive.text.encode())
    if isinstance(archive, pulumi.FileAsset):
        return os.path.getsize(archive.path)
    if isinstance(archive, pulumi.AssetArchive):
        sizes = [unzipped_bytes(item) for item in archive.assets.values()]
        return None if None in sizes else sum(sizes)
    if isinstance(archive, pulumi.FileArchive):
        return _file_archive(Path(archive.path))
    return None


def _file_archive(path: Path) -> int | None:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            return sum(info.file_size for info in archive.infolist())
    if tarfile.is_tarfile(path):
        with tarfile.open(path) as archive:
            return sum(member.size for member in archive.getmembers() if member.isfile())
    return None
