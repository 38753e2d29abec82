"""The repository run as Pulumi runs a plugin: `python <folder> <engine address>` serves the schema.

GIVEN this folder (PulumiPlugin.yaml at its root) started the way Pulumi's Python language host starts a
plugin WHEN the engine asks for the provider's schema over gRPC THEN __main__.py hosts the patterns
instead of deploying a stack, and serves the schema schema/schema.json holds.
"""

import json
import subprocess
import sys
from pathlib import Path

import grpc
import yaml
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

from multitier._settings.generate import SCHEMA_FILE

ROOT = Path(__file__).resolve().parents[2]


def test_the_plugin_manifest_names_the_python_runtime():
    manifest = yaml.safe_load((ROOT / "PulumiPlugin.yaml").read_text())
    assert manifest["runtime"]["name"] == "python" and (ROOT / "__main__.py").is_file()


def test_run_as_a_plugin_the_folder_serves_the_patterns_schema():
    # The engine address is only dialled when a component is constructed; the schema needs none.
    plugin = subprocess.Popen([sys.executable, str(ROOT), "127.0.0.1:9"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        port = plugin.stdout.readline().strip()  # what a plugin prints first: its gRPC port
        assert port.isdigit(), plugin.stderr.read()[-2000:]
        stub = provider_pb2_grpc.ResourceProviderStub(grpc.insecure_channel(f"127.0.0.1:{port}"))
        served = json.loads(stub.GetSchema(provider_pb2.GetSchemaRequest(version=0), timeout=60).schema)
    finally:
        plugin.terminate()
        plugin.wait(timeout=30)
    assert served == json.loads(SCHEMA_FILE.read_text())
