"""Edit, save, see: local mode follows the files it was built from while it runs.

What the program registered says which file went where, so nothing here knows the app:

- a file of a function's code archive: the archive is unpacked again into a new folder
  and the function's next invocation runs it (``LambdaRuntime.replace``: one new worker
  starts at once, an invocation already running finishes on the old code, the old folder
  goes once its last worker has stopped); the program's invocations of that function run
  again, as ``pulumi up`` runs an invocation whose trigger hashes the code;
- the source of an uploaded object (a file, or a folder uploaded as a zip): the upload is
  done again, then what depends on it (an Amplify deployment copying it), and the site
  servers read their content again: a site serves the change at once;
- a new file next to files of the same extension that an archive or a site already holds
  joins it (a new module beside ``app.py``, a new script beside ``app.js``); a file deleted
  from one leaves it;
- the program itself (every module of the project this process imported: ``__main__.py``,
  the components, local mode) or the stack's settings (``Pulumi.yaml``,
  ``Pulumi.<stack>.yaml``): local mode ran the program once, at start, and says that a
  restart applies the change (data and ports are kept across restarts).

Why a restart rather than running the program again and applying the difference: a change
there can add, replace or remove any resource (tables, user pools, identities, routes,
ports), and an in-place second provisioning could leave a half-applied stack; Python also
keeps the program's modules loaded, so the same process cannot run changed components.

Files are polled (every ``POLL_SECONDS``: a few hundred ``stat`` calls, no dependency, any
file system); a change is applied once two polls agree, so a file caught half-written by
an editor is not loaded.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import pulumi

from local.engine import PROJECT_ROOT, Recording, Registration
from local.lambda_ import LambdaRuntime, function_name_of
from local.provision.code import unpack_code

POLL_SECONDS = 0.25
FUNCTION = "aws:lambda/function:Function"
OBJECT = "aws:s3/bucketObjectv2:BucketObjectv2"
_NOT_WATCHED = (".venv", ".build", ".local", ".git", "node_modules")

Snapshot = dict[Path, tuple[int, int]]  # file → (mtime ns, size)


def _ignored(path: Path) -> bool:
    """Editors' and interpreters' by-products, never sources."""
    return path.name.startswith(".") or path.name.endswith("~") or "__pycache__" in path.parts \
        or path.suffix in (".pyc", ".pyo", ".swp")


def snapshot(files: Iterable[Path], folders: Iterable[Path], trees: Iterable[Path]) -> Snapshot:
    """The state of ``files``, of every file directly in ``folders`` and of every file under ``trees``."""
    found: Snapshot = {}

    def add(path: Path) -> None:
        try:
            stat = path.stat()
        except OSError:
            return  # gone: reported as removed
        found[path] = (stat.st_mtime_ns, stat.st_size)

    for path in files:
        add(path)
    for folder in folders:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_file() and not _ignored(Path(entry.path)):
                    add(Path(entry.path))
    for tree in trees:
        for root, dirs, names in os.walk(tree):
            dirs[:] = [d for d in dirs if not _ignored(Path(root) / d)]
            for name in names:
                if not _ignored(Path(root) / name):
                    add(Path(root) / name)
    return found


@dataclass(frozen=True)
class Changes:
    added: frozenset[Path] = frozenset()
    modified: frozenset[Path] = frozenset()
    removed: frozenset[Path] = frozenset()

    @staticmethod
    def between(before: Snapshot, after: Snapshot) -> "Changes":
        return Changes(frozenset(after.keys() - before.keys()),
                       frozenset(p for p in after.keys() & before.keys() if after[p] != before[p]),
                       frozenset(before.keys() - after.keys()))

    def __bool__(self) -> bool:
        return bool(self.added or self.modified or self.removed)

    @property
    def all(self) -> frozenset[Path]:
        return self.added | self.modified | self.removed


def _sibling(files: dict[str, Path], path: Path) -> str | None:
    """The name ``path`` takes among ``files`` (name → source) when a file of its folder and extension is there."""
    for name, source in files.items():
        if source.parent == path.parent and source.suffix == path.suffix:
            folder = name.rpartition("/")[0]
            return f"{folder}/{path.name}" if folder else path.name
    return None


@dataclass
class _Archive:
    """A function's code archive as files: archive name → source file."""

    function: str  # the function's physical name
    files: dict[str, Path]
    version: int = 1

    def update(self, changes: Changes) -> bool:
        """Take ``changes`` into the file list; whether the archive changed."""
        before = dict(self.files)
        self.files = {name: path for name, path in self.files.items() if path not in changes.removed}
        for path in sorted(changes.added):
            name = _sibling(self.files, path)
            if name is not None:
                self.files.setdefault(name, path)
        return self.files != before or any(path in changes.modified for path in self.files.values())


@dataclass
class _Upload:
    """An object the program uploads from a file, or from a folder (zipped), and what depends on it."""

    registration: Registration
    dependents: list[Registration] = field(default_factory=list)

    @property
    def source(self) -> Path:
        return Path(self.registration.inputs["source"].path).resolve()

    def changed_by(self, changes: Changes) -> bool:
        return any(path == self.source or path.is_relative_to(self.source) for path in changes.all)

    def sibling(self, path: Path) -> "_Upload | None":
        """The upload of a new file beside this one's (a file of the same folder and extension)."""
        key = _sibling({self.registration.inputs["key"]: self.source}, path) if self.source.is_file() else None
        if key is None:
            return None
        inputs = {**self.registration.inputs, "key": key, "source": pulumi.FileAsset(str(path))}
        return _Upload(dataclasses.replace(self.registration, name=f"{self.registration.name}+{path.name}",
                                           urn="", inputs=inputs))


def program_files(stack: str, root: Path = PROJECT_ROOT) -> set[Path]:
    """The program's sources this process ran (its modules under ``root``) and the stack's settings files."""
    files = {root / "Pulumi.yaml", root / f"Pulumi.{stack}.yaml"}
    for module in list(sys.modules.values()):
        path = Path(getattr(module, "__file__", None) or "/").resolve()
        if path.is_relative_to(root) and not set(path.relative_to(root).parts) & set(_NOT_WATCHED):
            files.add(path)
    return files


class Reloader:
    """Applies changes of the files a running local mode was built from (see the module's docstring).

    ``provision`` re-does or undoes what local mode did when a resource was registered (``LocalMocks``:
    ``recreate``, ``delete``); ``sites`` are the site servers, told to read their content again.
    """

    def __init__(self, recording: Recording, runtime: LambdaRuntime, provision: Any, *, program: set[Path],
                 sites: Sequence[Any] = (), invocations: Sequence[tuple[str, dict]] = (),
                 log: Callable[[str], None] = print, root: Path = PROJECT_ROOT):
        self.runtime = runtime
        self.provision = provision
        self.sites = sites
        self.invocations = invocations
        self.log = log
        self.root = root
        self.program = program
        self.archives = [_Archive(fn.outputs["name"], {name: Path(asset.path).resolve()
                                                       for name, asset in fn.inputs["code"].assets.items()})
                         for fn in recording.of_type(FUNCTION) if hasattr(fn.inputs.get("code"), "assets")]
        self.uploads = [_Upload(obj, [r for r in recording.registrations if obj.urn in r.dependencies])
                        for obj in recording.of_type(OBJECT) if hasattr(obj.inputs.get("source"), "path")]
        for archive in self.archives:
            for stale in Path(self._code_dir(archive.function)).parent.glob(f"{archive.function}@*"):
                shutil.rmtree(stale, ignore_errors=True)  # versions a run that was killed left behind
        self._state = self._snapshot()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- lifecycle ----------------------------------------------------------------------------
    def start(self) -> "Reloader":
        self._thread = threading.Thread(target=self._run, name="reload", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            try:
                self.poll()
            except Exception as error:  # noqa: BLE001 (a failed reload is reported; the next save retries)
                self.log(f"reload failed: {error}")

    # -- what is watched ----------------------------------------------------------------------
    def _snapshot(self) -> Snapshot:
        files = {p for archive in self.archives for p in archive.files.values()}
        files |= {u.source for u in self.uploads if not u.source.is_dir()}
        trees = {u.source for u in self.uploads if u.source.is_dir()}
        return snapshot(self.program | files, {p.parent for p in files if p.parent.is_dir()}, trees)

    def poll(self) -> Changes:
        """Apply what changed since the last poll (once the files are the same twice in a row)."""
        current = self._snapshot()
        changes = Changes.between(self._state, current)
        if not changes:
            return changes
        time.sleep(POLL_SECONDS / 2)  # an editor may still be writing: wait for the files to settle
        if self._snapshot() != current:
            return Changes()  # the next poll sees them settled
        self._state = current
        self.apply(changes)
        return changes

    # -- applying ---------------------------------------------------------------------------------
    def apply(self, changes: Changes) -> None:
        started = time.perf_counter()
        reloaded = [archive for archive in self.archives if archive.update(changes)]
        for archive in reloaded:
            self._reload(archive)
        uploaded = self._upload(changes)
        took = f"in {(time.perf_counter() - started) * 1000:.0f} ms"
        if reloaded:
            self.log(f"reloaded {', '.join(a.function for a in reloaded)} {took} "
                     f"({', '.join(self._shown(changes.all))}): the next request runs the new code")
        if uploaded:
            self.log(f"uploaded {', '.join(uploaded)} again {took}: served at once")
        self._invoke_again(reloaded)
        if program := sorted(changes.all & self.program):
            self.log(f"{', '.join(self._shown(program))} changed: local mode ran the program and its settings "
                     f"once, at start; restart it to apply this (data and ports are kept)")
        taken = {p for archive in self.archives for p in archive.files.values()}
        if strays := sorted(p for p in changes.added - taken if not any(u.changed_by(Changes(added=frozenset({p})))
                                                                            for u in self.uploads)):
            self.log(f"new {', '.join(self._shown(strays))}: in no function's code or site yet (none holds a file "
                     f"of its folder and extension); restart local mode if the program takes it")

    def _reload(self, archive: _Archive) -> None:
        current = self.runtime.function(archive.function)
        archive.version += 1
        code_dir = Path(current.code_dir).with_name(f"{archive.function}@{archive.version}")
        unpack_code(pulumi.AssetArchive({name: pulumi.FileAsset(str(path))
                                         for name, path in sorted(archive.files.items())}), code_dir)
        old_dir = Path(current.code_dir)
        self.runtime.replace(dataclasses.replace(current, code_dir=code_dir),
                             on_drained=lambda: shutil.rmtree(old_dir, ignore_errors=True))

    def _invoke_again(self, reloaded: Sequence[_Archive]) -> None:
        """The program's invocations of reloaded functions (e.g. migrations) run again."""
        names = {archive.function for archive in reloaded}
        for function, event in self.invocations:
            if function_name_of(function) in names:
                result = self.runtime.invoke(function, event)
                self.log(f"invoked {function_name_of(function)} again, as the program does: "
                         f"{'ok' if result.ok else (result.error or {}).get('errorMessage', 'failed')}")

    def _upload(self, changes: Changes) -> list[str]:
        """Upload again what changed (and what depends on it), upload new files, remove deleted ones."""
        done: list[str] = []
        for upload in [u for u in self.uploads if u.source in changes.removed]:
            self.provision.delete(upload.registration)
            self.uploads.remove(upload)
            done.append(f"{self._shown([upload.source])[0]} (deleted)")
        for path in sorted(changes.added):
            new = next((found for u in self.uploads if (found := u.sibling(path)) is not None), None)
            if new is not None:
                self.uploads.append(new)
        for upload in [u for u in self.uploads if u.changed_by(changes)]:
            for registration in (upload.registration, *upload.dependents):
                self.provision.recreate(registration)
            done.append(self._shown([upload.source])[0])
        if done:
            for site in self.sites:
                site.refresh()
        return done

    def _code_dir(self, function: str) -> str:
        return str(self.runtime.function(function).code_dir)

    def _shown(self, paths: Iterable[Path]) -> list[str]:
        return [str(p.relative_to(self.root)) if p.is_relative_to(self.root) else str(p) for p in paths]
