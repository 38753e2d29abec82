"""Function bundling: code archives from file assets and cached dependency layers.

The code archive of a service is built from individual ``FileAsset``s (its folder
plus the shared package), so caches and ``__pycache__`` never enter it and the
same sources always give the same archive. Third-party dependencies go into Lambda
layers, one per group of ``functions/layers/<group>.txt`` (which service needs which
group is declared in ``functions/shared/contract.py``), each built with pip for
Lambda's platform under the pins of ``functions/layers/constraints.txt`` (every
distribution any layer holds, so a build on another day gives the same layer), cached
by the inputs' hash, the platform, the Python version and this recipe, and zipped
reproducibly. A group's layer leaves out what the base layer already carries, so no
distribution is in two layers a function attaches.

The layers leave the AWS SDK to the runtime. Lambda's Python runtime ships boto3 and
botocore (with s3transfer, jmespath, python-dateutil, six and urllib3) as one release
AWS tested together and keeps patched. aws-xray-sdk pulls botocore into the layer, and
a layer with botocore but not boto3 runs the runtime's boto3 on another botocore, a
pair nobody tested; carrying both instead would add 23 MB unzipped (17 MB zipped,
more than all the layers) for APIs every runtime's SDK has (DynamoDB, S3,
Secrets Manager, SigV4 signing). So the SDK's distributions are removed after pip installs, and
a requirements file that names one of them is refused: carrying the SDK would be a
change of this rule (both, pinned together), not a line in a group's file. Tests
and local mode run the functions on the pair pinned in the project's requirements.

What Lambda never loads is left out too: caches, scripts, tests, type stubs, C
sources and the installer's bookkeeping in ``*.dist-info`` (``METADATA``, which
local mode reads for the pins, entry points and licenses stay).
"""

from __future__ import annotations

import ast
import csv
import email.parser
import functools
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pulumi

_PACKAGE_DIR = Path(__file__).resolve().parents[1]
# The app the patterns deploy (functions/ and site/): an installed copy carries it as package data
# (``_app``, put there when the wheel is built); a checkout has it beside the package.
_BUNDLED_APP = _PACKAGE_DIR / "_app"
INSTALLED = _BUNDLED_APP.is_dir()
APP_DIR = _BUNDLED_APP if INSTALLED else _PACKAGE_DIR.parent
FUNCTIONS_DIR = APP_DIR / "functions"
SITE_DIR = APP_DIR / "site"
LAYERS_DIR = FUNCTIONS_DIR / "layers"
CONSTRAINTS = LAYERS_DIR / "constraints.txt"
SHARED_PACKAGE = "shared"
# Built layers are cached in the project that runs the program (Pulumi runs it in its project's folder),
# never inside an installed package.
BUILD_DIR = (Path.cwd() if INSTALLED else APP_DIR) / ".build"

_SKIP_DIRS = {"__pycache__", ".pytest_cache", "tests", ".mypy_cache"}
_SKIP_SUFFIXES = {".pyc", ".pyo"}
# Every timestamp inside the layer zip, so equal contents give an equal hash.
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
# The runtime's AWS SDK: boto3, botocore and what they depend on (canonical names).
RUNTIME_SDK = frozenset({"boto3", "botocore", "s3transfer", "jmespath", "python-dateutil", "six", "urllib3"})
_LAYER_DROP_DIRS = {"__pycache__", "bin", "tests"}
_LAYER_DROP_SUFFIXES = {".pyc", ".pyi", ".c", ".h"}
_LAYER_DROP_FILES = {"py.typed"}
_DIST_INFO_DROP = {"RECORD", "INSTALLER", "REQUESTED", "direct_url.json", "WHEEL", "zip-safe"}


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
    if function not in _top_level_names(path.read_text(), str(path)):
        raise BundleError(f"handler {handler!r}: {shown} defines no top-level {function!r}")


@functools.cache
def _top_level_names(source: str, filename: str) -> frozenset[str]:
    # Cached by the source text: a stack bundles the same handler for several functions.
    tree = ast.parse(source, filename=filename)
    names = {node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
    names |= {target.id for node in tree.body if isinstance(node, ast.Assign)
              for target in node.targets if isinstance(target, ast.Name)}
    return frozenset(names)


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


def layer_requirements(group: str) -> Path:
    """``functions/layers/<group>.txt``, or a clear error naming the groups there are."""
    path = LAYERS_DIR / f"{group}.txt"
    if not path.is_file():
        groups = sorted(p.stem for p in LAYERS_DIR.glob("*.txt") if p != CONSTRAINTS)
        raise BundleError(f"no dependency group {group!r}: {path} does not exist (groups: {', '.join(groups)})")
    return path


def layer_key(requirements: Path, architecture: str, python_version: str,
              constraints: Path | None = None, provided: frozenset[str] = frozenset()) -> str:
    digest = hashlib.sha256(requirements.read_bytes())
    if constraints is not None:
        digest.update(constraints.read_bytes())
    digest.update(f"|{architecture}|{python_version}|{','.join(sorted(provided))}|".encode())
    digest.update(Path(__file__).read_bytes())  # the recipe: a changed build rule rebuilds
    return digest.hexdigest()[:24]


def canonical_name(name: str) -> str:
    """A distribution's name as pip compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def layer_distributions(zip_path: Path) -> dict[str, str]:
    """Canonical name → version of every distribution in a built layer, read from its ``METADATA``."""
    return dict(_distributions(zip_path, *_version(zip_path)))


@functools.cache
def _distributions(zip_path: Path, mtime_ns: int, size: int) -> tuple[tuple[str, str], ...]:
    parser = email.parser.HeaderParser()
    with zipfile.ZipFile(zip_path) as archive:
        metadata = [parser.parsestr(archive.read(name).decode("utf-8", "replace"))
                    for name in archive.namelist() if re.fullmatch(r"python/[^/]+\.dist-info/METADATA", name)]
    return tuple((canonical_name(meta["Name"]), meta["Version"]) for meta in metadata)


def _check_no_sdk(requirements: Path) -> None:
    requested = {canonical_name(match.group(1)) for line in requirements.read_text().splitlines()
                 if (match := re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", line.split("#", 1)[0]))}
    if named := sorted(requested & RUNTIME_SDK):
        raise BundleError(f"{requirements} names {', '.join(named)}: the layer leaves the AWS SDK "
                          f"({', '.join(sorted(RUNTIME_SDK))}) to the Lambda runtime; see multitier/_logic/bundle.py")


def build_layer(requirements: Path, architecture: str, python_version: str, *, constraints: Path | None = None,
                provided: frozenset[str] = frozenset(), cache_dir: Path = BUILD_DIR / "layers") -> LayerBuild:
    """Install ``requirements`` (pinned by ``constraints``) for Lambda's platform into ``python/`` and zip it.

    ``provided`` names distributions another layer of the same functions carries: they
    are left out, like the runtime's SDK. A second call with the same inputs reuses the
    cached zip and installs nothing.
    """
    if architecture not in PIP_PLATFORMS:
        raise BundleError(f"unknown architecture {architecture!r}; expected one of {sorted(PIP_PLATFORMS)}")
    _check_no_sdk(requirements)
    key = layer_key(requirements, architecture, python_version, constraints, provided)
    zip_path = cache_dir / f"layer-{key}.zip"
    if zip_path.is_file():
        return LayerBuild(zip_path, _sha256(zip_path), installed=False)
    cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache_dir) as tmp:
        target = Path(tmp) / "python"
        install_for_lambda(requirements, architecture, python_version, target, constraints)
        _drop_distributions(target, RUNTIME_SDK | provided)
        _strip(target)
        partial = Path(tmp) / "layer.zip"
        zip_layer(target, partial)
        os.replace(partial, zip_path)  # atomic: a cached zip is always complete
    return LayerBuild(zip_path, _sha256(zip_path), installed=True)


def install_for_lambda(requirements: Path, architecture: str, python_version: str, target: Path,
                       constraints: Path | None = None) -> None:
    """``pip install`` the requirements' wheels for Lambda's platform into ``target`` (as pip leaves them)."""
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--no-compile",
               "--disable-pip-version-check", "--only-binary=:all:", "--implementation", "cp",
               "--python-version", python_version, "--target", str(target),
               "--requirement", str(requirements)]
    if constraints is not None:
        command += ["--constraint", str(constraints)]
    for platform in PIP_PLATFORMS[architecture]:
        command += ["--platform", platform]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise BundleError(f"building the layer from {requirements.name} for {architecture}/"
                          f"python{python_version} failed:\n{result.stderr.strip()[-2000:]}")


def _drop_distributions(target: Path, names: frozenset[str]) -> None:
    """Delete the files of every named distribution pip installed (as listed in its ``RECORD``)."""
    for dist_info in target.glob("*.dist-info"):
        meta = email.parser.HeaderParser().parsestr((dist_info / "METADATA").read_text())
        if canonical_name(meta["Name"]) not in names:
            continue
        for row in csv.reader((dist_info / "RECORD").read_text().splitlines()):
            path = (target / row[0]).resolve()
            if path.is_relative_to(target.resolve()) and path.is_file():
                path.unlink()
        shutil.rmtree(dist_info, ignore_errors=True)


def _strip(target: Path) -> None:
    for root, dirs, names in os.walk(target, topdown=True):
        for d in [d for d in dirs if d in _LAYER_DROP_DIRS or d.endswith("-stubs")]:
            shutil.rmtree(Path(root) / d)
            dirs.remove(d)
        in_dist_info = root.endswith(".dist-info")
        for n in names:
            if (Path(n).suffix in _LAYER_DROP_SUFFIXES or n in _LAYER_DROP_FILES
                    or (in_dist_info and n in _DIST_INFO_DROP)):
                (Path(root) / n).unlink()


def zip_layer(target: Path, out: Path) -> None:
    """Zip ``target`` as the layer's ``python/`` folder, reproducibly (sorted, fixed times and modes)."""
    files = sorted(p for p in target.rglob("*") if p.is_file())
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in files:
            info = zipfile.ZipInfo(f"python/{path.relative_to(target).as_posix()}", date_time=_ZIP_EPOCH)
            info.external_attr = (0o755 if os.access(path, os.X_OK) else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())


def _sha256(path: Path) -> str:
    return _file_sha256(path, *_version(path))


@functools.cache
def _file_sha256(path: Path, mtime_ns: int, size: int) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _version(path: Path) -> tuple[int, int]:
    """What the caches of a built layer are keyed by besides its path: a rebuilt file is read again."""
    stat = path.stat()
    return stat.st_mtime_ns, stat.st_size
