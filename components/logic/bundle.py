"""Function bundling: code archives from file assets and a cached dependency layer.

The code archive of a service is built from individual ``FileAsset``s (its folder
plus the shared package), so caches and ``__pycache__`` never enter it and the
same sources always give the same archive. Third-party dependencies go into one
Lambda layer built with pip for Lambda's platform, cached by the requirements'
hash, the platform and the Python version, and zipped reproducibly.
"""

from __future__ import annotations

import ast
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pulumi

PROJECT_ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS_DIR = PROJECT_ROOT / "functions"
SHARED_PACKAGE = "shared"
BUILD_DIR = PROJECT_ROOT / ".build"

_SKIP_DIRS = {"__pycache__", ".pytest_cache", "tests", ".mypy_cache"}
_SKIP_SUFFIXES = {".pyc", ".pyo"}
# Every timestamp inside the layer zip, so equal contents give an equal hash.
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
_LAYER_DROP_DIRS = {"__pycache__", "bin"}


class BundleError(ValueError):
    """A function's code or handler cannot be bundled."""


def _source_files(folder: Path) -> list[Path]:
    files = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
        files += [Path(root) / n for n in sorted(names)
                  if Path(n).suffix not in _SKIP_SUFFIXES and not n.startswith(".")]
    return files


def check_handler(service_dir: Path, handler: str) -> None:
    """Fail at program time if ``module.function`` does not exist in the service."""
    module, _, function = handler.rpartition(".")
    if not module or not function:
        raise BundleError(f"handler {handler!r} must look like 'module.function'")
    path = service_dir / (module.replace(".", "/") + ".py")
    shown = f"{service_dir.name}/{path.relative_to(service_dir)}"
    if not path.is_file():
        raise BundleError(f"handler {handler!r}: module file {shown} does not exist")
    tree = ast.parse(path.read_text(), filename=str(path))
    names = {node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
    names |= {target.id for node in tree.body if isinstance(node, ast.Assign)
              for target in node.targets if isinstance(target, ast.Name)}
    if function not in names:
        raise BundleError(f"handler {handler!r}: {shown} defines no top-level {function!r}")


def code_files(service: str, handler: str, functions_dir: Path = FUNCTIONS_DIR) -> dict[str, Path]:
    """Archive path → source file for one service (its folder plus the shared package)."""
    service_dir = functions_dir / service
    if not service_dir.is_dir():
        raise BundleError(f"function code folder {service_dir} does not exist")
    check_handler(service_dir, handler)
    files = {str(p.relative_to(service_dir)): p for p in _source_files(service_dir)}
    shared = functions_dir / SHARED_PACKAGE
    if shared.is_dir() and service != SHARED_PACKAGE:
        files.update({str(Path(SHARED_PACKAGE) / p.relative_to(shared)): p for p in _source_files(shared)})
    return files


def code_archive(service: str, handler: str, functions_dir: Path = FUNCTIONS_DIR) -> pulumi.AssetArchive:
    """The service's code as an archive of file assets."""
    files = code_files(service, handler, functions_dir)
    return pulumi.AssetArchive({name: pulumi.FileAsset(str(path)) for name, path in sorted(files.items())})


def code_hash(service: str, handler: str, functions_dir: Path = FUNCTIONS_DIR) -> str:
    """Content hash of a service's archive (names and bytes), e.g. to re-run a migration."""
    digest = hashlib.sha256()
    for name, path in sorted(code_files(service, handler, functions_dir).items()):
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@dataclass(frozen=True)
class LayerBuild:
    """A built layer: the reproducible zip and whether this run had to install."""

    zip_path: Path
    sha256: str
    installed: bool


PIP_PLATFORMS = {
    # Lambda's Python 3.12+ runtimes run on Amazon Linux 2023 (glibc 2.34).
    "arm64": ["manylinux2014_aarch64", "manylinux_2_28_aarch64", "manylinux_2_34_aarch64"],
    "x86_64": ["manylinux2014_x86_64", "manylinux_2_28_x86_64", "manylinux_2_34_x86_64"],
}


def layer_key(requirements: Path, architecture: str, python_version: str) -> str:
    digest = hashlib.sha256(requirements.read_bytes())
    digest.update(f"|{architecture}|{python_version}".encode())
    return digest.hexdigest()[:24]


def build_layer(requirements: Path, architecture: str, python_version: str,
                cache_dir: Path = BUILD_DIR / "layers") -> LayerBuild:
    """Install ``requirements`` for Lambda's platform into ``python/`` and zip it.

    A second call with the same inputs reuses the cached zip and installs nothing.
    """
    if architecture not in PIP_PLATFORMS:
        raise BundleError(f"unknown architecture {architecture!r}; expected one of {sorted(PIP_PLATFORMS)}")
    key = layer_key(requirements, architecture, python_version)
    zip_path = cache_dir / f"layer-{key}.zip"
    if zip_path.is_file():
        return LayerBuild(zip_path, _sha256(zip_path), installed=False)
    cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache_dir) as tmp:
        target = Path(tmp) / "python"
        command = [sys.executable, "-m", "pip", "install", "--quiet", "--no-compile",
                   "--disable-pip-version-check", "--only-binary=:all:", "--implementation", "cp",
                   "--python-version", python_version, "--target", str(target),
                   "--requirement", str(requirements)]
        for platform in PIP_PLATFORMS[architecture]:
            command += ["--platform", platform]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            raise BundleError(f"building the layer from {requirements.name} for {architecture}/"
                              f"python{python_version} failed:\n{result.stderr.strip()[-2000:]}")
        _strip(target)
        partial = Path(tmp) / "layer.zip"
        _reproducible_zip(Path(tmp), partial)
        os.replace(partial, zip_path)  # atomic: a cached zip is always complete
    return LayerBuild(zip_path, _sha256(zip_path), installed=True)


def _strip(target: Path) -> None:
    for root, dirs, names in os.walk(target, topdown=True):
        for d in [d for d in dirs if d in _LAYER_DROP_DIRS]:
            shutil.rmtree(Path(root) / d)
            dirs.remove(d)
        for n in names:
            if n == "RECORD" or n == "INSTALLER" or n == "direct_url.json" or n.endswith(".pyc"):
                (Path(root) / n).unlink()


def _reproducible_zip(root: Path, out: Path) -> None:
    files = sorted(p for p in (root / "python").rglob("*") if p.is_file())
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in files:
            info = zipfile.ZipInfo(str(path.relative_to(root)), date_time=_ZIP_EPOCH)
            info.external_attr = (0o755 if os.access(path, os.X_OK) else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
