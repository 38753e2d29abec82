"""Run an example program under the mock engine and print what it registered, as JSON.

Run by tests/package/test_examples.py with the interpreter of a fresh virtualenv that has the
package's wheel installed: ``multitier`` comes from that virtualenv, never from this repository
(whose root is not on the path; the engine is imported from a folder holding ``local`` alone).
"""

import json
import runpy
import sys

import pulumi

from local import engine


def describe(value):
    """Assets and archives by their files' paths, anything else as JSON can hold it."""
    if isinstance(value, pulumi.FileAsset):
        return {"file": value.path}
    if isinstance(value, pulumi.AssetArchive):
        return {name: getattr(asset, "path", None) for name, asset in value.assets.items()}
    if isinstance(value, dict):
        return {key: describe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [describe(item) for item in value]
    return value if isinstance(value, (str, int, float, bool, type(None))) else repr(value)


def main(program: str, stack: str) -> None:
    import multitier

    recording = engine.run(lambda: runpy.run_path(program, run_name="__main__"), stack=stack)
    print(json.dumps({
        "multitier": multitier.__file__,
        "resources": [{"type": r.type, "name": r.name, "inputs": describe(r.inputs)} for r in recording.registrations],
        "outputs": recording.outputs,
    }))


if __name__ == "__main__":
    main(*sys.argv[1:])
