"""Edit, save, see: a function's new code serves its next request, changed site files are uploaded again,
and a change to the program says that a restart applies it (``local/reload.py``)."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

import pulumi
import pulumi_aws as aws
import pytest

from local import engine
from local.emulators.ports import Ports
from local.lambda_ import LambdaRuntime
from local.model import LocalFunction
from local.provision.code import unpack_code
from local.reload import Reloader
from tests.local.test_lambda_runtime import Logs, alive

HANDLER = """import os
import time

import helper


def handler(event, context):
    while event.get("until") and not os.path.exists(event["until"]):  # held until the test lets it go
        time.sleep(0.01)
    return {{"version": {version}, "helper": helper.NAME}}
"""


class Provision:
    """What the reloader asks of the provisioner, recorded."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str]] = []

    def recreate(self, registration: engine.Registration) -> None:
        self.calls.append(("recreate", registration.type, registration.inputs.get("key", registration.name)))

    def delete(self, registration: engine.Registration) -> None:
        self.calls.append(("delete", registration.type, registration.inputs["key"]))


class Site:
    refreshed = 0

    def refresh(self) -> None:
        self.refreshed += 1


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A program's sources: a function's folder, a site's folder."""
    (tmp_path / "fn").mkdir()
    (tmp_path / "fn" / "app.py").write_text(HANDLER.format(version=1))
    (tmp_path / "fn" / "helper.py").write_text('NAME = "first"\n')
    (tmp_path / "fn" / "notes.txt").write_text("not code\n")
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_text("<h1>one</h1>\n")
    (tmp_path / "site" / "app.js").write_text("export const one = 1;\n")
    return tmp_path


def _program(project: Path):
    def program() -> None:
        fn_dir, site_dir = project / "fn", project / "site"
        aws.lambda_.Function("fn", role="arn:aws:iam::123456789012:role/fn", runtime="python3.12",
                             handler="app.handler", code=pulumi.AssetArchive(
                                 {name: pulumi.FileAsset(str(fn_dir / name)) for name in ("app.py", "helper.py")}))
        bucket = aws.s3.Bucket("content")
        for path in sorted(site_dir.iterdir()):
            aws.s3.BucketObjectv2(f"content-{path.name}", bucket=bucket.id, key=path.name,
                                  source=pulumi.FileAsset(str(path)), content_type="text/plain")
        aws.s3.BucketObjectv2("bundle", bucket=bucket.id, key="bundle.zip", source=pulumi.FileArchive(str(site_dir)))
    return program


@pytest.fixture
def running(project: Path, tmp_path: Path):
    """The program's function running from its unpacked archive, and a reloader over the program's files."""
    recording = engine.run(_program(project))
    registration = recording.of_type("aws:lambda/function:Function")[0]
    name = registration.outputs["name"]
    code_dir = unpack_code(registration.inputs["code"], tmp_path / "state" / "functions" / name)
    logs, lines = Logs(), []
    runtime = LambdaRuntime(on_log=logs)
    runtime.start(LocalFunction(name=name, code_dir=code_dir, handler="app.handler", environment={},
                                timeout_seconds=10, memory_mb=256))
    provision, site = Provision(), Site()
    reloader = Reloader(recording, runtime, provision, program={project / "Pulumi.dev.yaml"}, sites=[site],
                        log=lines.append, root=project)
    yield name, runtime, reloader, provision, site, lines
    runtime.stop()


def _write(path: Path, text: str) -> None:
    path.write_text(text)
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))  # a new mtime, however coarse the clock


def test_a_changed_function_file_serves_the_next_request_while_a_running_one_finishes_on_the_old_code(
        running, project):
    name, runtime, reloader, provision, _, lines = running
    assert runtime.invoke(name, {}).payload == {"version": 1, "helper": "first"}
    old_pid = runtime.worker_pids(name)[0]
    # GIVEN an invocation running on the old code (held until the test lets it go)
    release = project / "release"
    slow: dict = {}
    caller = threading.Thread(target=lambda: slow.update(result=runtime.invoke(name, {"until": str(release)})))
    caller.start()
    while sum(line.startswith("START RequestId") for line in runtime.on_log.of(name)) < 2:
        time.sleep(0.01)
    # WHEN the handler changes and the change is picked up
    _write(project / "fn" / "app.py", HANDLER.format(version=2))
    changes = reloader.poll()
    assert changes.modified == {project / "fn" / "app.py"}
    # THEN a worker of the new version starts at once (the function was warm), beside the busy old one
    assert len(runtime.worker_pids(name)) == 2
    # AND the next request runs the new code, while the running one ends on the old code
    assert runtime.invoke(name, {}).payload == {"version": 2, "helper": "first"}
    release.touch()
    caller.join()
    assert slow["result"].payload == {"version": 1, "helper": "first"}
    assert any(line.startswith(f"reloaded {name} in ") and "fn/app.py" in line for line in lines), lines
    # AND the old version's worker stops (it is killed in the background), and its folder is gone
    deadline = time.monotonic() + 30
    while alive(old_pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not alive(old_pid)
    assert [d.name for d in (project / "state" / "functions").iterdir()] == [f"{name}@2"]
    assert provision.calls == []  # no site file changed


def test_a_new_module_beside_the_code_joins_the_archive_and_a_deleted_one_leaves_it(running, project):
    name, runtime, reloader, _, _, lines = running
    # WHEN a new module appears beside app.py, and app.py imports it
    (project / "fn" / "extra.py").write_text('NAME = "extra"\n')
    _write(project / "fn" / "app.py", HANDLER.format(version=3).replace("import helper", "import extra as helper"))
    reloader.poll()
    # THEN it is in the function's code; a file of another extension there is not
    assert runtime.invoke(name, {}).payload == {"version": 3, "helper": "extra"}
    code = Path(runtime.function(name).code_dir)
    assert sorted(p.name for p in code.iterdir()) == ["app.py", "extra.py", "helper.py"]
    # WHEN it is deleted THEN it leaves the archive (and the import fails as it would on Lambda)
    (project / "fn" / "extra.py").unlink()
    reloader.poll()
    assert sorted(p.name for p in Path(runtime.function(name).code_dir).iterdir()) == ["app.py", "helper.py"]
    assert runtime.invoke(name, {}).error["errorType"] == "Runtime.ImportModuleError"


def test_changed_new_and_deleted_site_files_are_uploaded_again_and_the_sites_told(running, project):
    _, _, reloader, provision, site, lines = running
    obj = "aws:s3/bucketObjectv2:BucketObjectv2"
    # WHEN a site file changes THEN its object and the zip of its folder are uploaded again
    _write(project / "site" / "index.html", "<h1>two, longer</h1>\n")
    reloader.poll()
    assert sorted(provision.calls) == [("recreate", obj, "bundle.zip"), ("recreate", obj, "index.html")]
    assert site.refreshed == 1
    # WHEN a new script appears beside app.js THEN it is uploaded under its name, as the program uploads its siblings
    provision.calls.clear()
    (project / "site" / "new.js").write_text("export const two = 2;\n")
    reloader.poll()
    assert sorted(provision.calls) == [("recreate", obj, "bundle.zip"), ("recreate", obj, "new.js")]
    # WHEN a file is deleted THEN its object is deleted
    provision.calls.clear()
    (project / "site" / "app.js").unlink()
    reloader.poll()
    assert sorted(provision.calls) == [("delete", obj, "app.js"), ("recreate", obj, "bundle.zip")]
    assert any(line.startswith("uploaded ") and "served at once" in line for line in lines)


def test_a_change_to_the_settings_says_a_restart_applies_it(running, project):
    _, runtime, reloader, provision, _, lines = running
    (project / "Pulumi.dev.yaml").write_text("config: {}\n")
    reloader.poll()
    assert provision.calls == []
    assert any(line.startswith("Pulumi.dev.yaml changed: ") and "restart" in line for line in lines), lines


def test_ports_are_the_same_on_every_run_unless_taken(tmp_path: Path):
    import socket

    remembered = tmp_path / "ports.json"
    first = Ports(remember=remembered)
    ports = {what: first.take(what) for what in ("moto", "site web", "REST API shows")}
    assert json.loads(remembered.read_text()) == ports
    # WHEN local mode starts again, taking its ports in another order THEN it gets the same ones
    again = Ports(remember=remembered)
    assert {what: again.take(what) for what in reversed(list(ports))} == ports
    # WHEN one is taken by something else THEN another is used (and said), and remembered from then on
    said: list[str] = []
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", ports["site web"]))
        busy.listen()
        third = Ports(remember=remembered, log=said.append)
        moved = third.take("site web")
        assert moved != ports["site web"] and moved not in ports.values()
        assert third.take("moto") == ports["moto"]
    assert said == [f"port {ports['site web']} (for site web) is in use on 127.0.0.1: its URL changes this time"]
    assert json.loads(remembered.read_text())["site web"] == moved
