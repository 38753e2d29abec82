"""A function's code and dependencies on this machine: the archive unpacked, the layer's pins installed.

The code archive is the program's own ``AssetArchive`` (or a folder or zip),
copied file by file; the layer is built for Lambda's platform, so its exact pinned
package set is installed once for the local interpreter instead.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any, Callable

from local.engine import PROJECT_ROOT

DEPS_DIR = PROJECT_ROOT / ".build" / "local-deps"


def _pins_of_layer(zip_path: Path) -> list[str]:
    """``name==version`` of every distribution inside a layer zip (its resolved, pinned set)."""
    pins = set()
    with zipfile.ZipFile(zip_path) as archive:
        for name in archive.namelist():
            parts = name.split("/")
            if len(parts) >= 3 and parts[1].endswith(".dist-info") and parts[2] == "METADATA":
                meta = archive.read(name).decode("utf-8", "replace")
                fields = dict(re.findall(r"^(Name|Version): (.+)$", meta, re.M))
                pins.add(f"{fields['Name'].strip()}=={fields['Version'].strip()}")
    return sorted(pins)


def local_dependencies(layer_zip: Path, log: Callable[[str], None] = print) -> Path:
    """The layer's exact package set installed once for this interpreter and platform.

    The layer itself is built for Lambda's platform (manylinux, arm64 by default);
    this installs the same pinned versions for the local Python, keyed by the pin
    list's hash and the Python version, under ``.build/local-deps/<key>``.
    """
    pins = _pins_of_layer(layer_zip)
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    key = hashlib.sha256(("\n".join(pins) + f"|py{version}|{sys.platform}").encode()).hexdigest()[:16]
    target = DEPS_DIR / key
    if (target / ".complete").is_file():
        return target
    log(f"installing the layer's {len(pins)} pinned packages for python{version} into {target} (once)")
    partial = DEPS_DIR / f".{key}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    result = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                             "--no-deps", "--only-binary=:all:", "--target", str(partial), *pins],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"installing the functions' dependencies failed: {result.stderr.strip()[-500:]}")
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)
    (target / ".complete").write_text("\n".join(pins) + "\n")
    return target


def unpack_code(archive: Any, target: Path) -> Path:
    """Copy a function's ``AssetArchive`` (archive path → FileAsset) into ``target``."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    assets = getattr(archive, "assets", None)
    if assets is None:
        path = Path(getattr(archive, "path", ""))
        if path.is_dir():
            shutil.copytree(path, target, dirs_exist_ok=True)
            return target
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as z:
                z.extractall(target)
            return target
        raise ValueError(f"cannot unpack function code {archive!r}")
    for name, asset in assets.items():
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        if hasattr(asset, "path"):
            shutil.copyfile(asset.path, destination)
        elif hasattr(asset, "text"):
            destination.write_text(asset.text)
        else:
            raise ValueError(f"cannot unpack {name}: {asset!r}")
    return target
