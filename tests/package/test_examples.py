"""The examples run from the built wheel, installed in a fresh virtualenv, under the mock engine.

GIVEN the wheel `pip wheel .` builds, installed (without its dependencies) in a new virtualenv whose
dependencies are this project's (a .pth to its virtualenv: no download, and `pip check` holds the
wheel's declared ranges to them) WHEN each example's __main__.py runs there THEN `multitier` is the
installed copy, never this repository's, and the example registers what it says it deploys: the web
app from the app the wheel carries, or an API of its own from its own handler.
"""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
RUNNER = Path(__file__).with_name("run_example.py")


@dataclass(frozen=True)
class Installed:
    root: Path
    wheel: Path
    python: Path
    site: Path  # the fresh virtualenv's site-packages


def run(*command, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run([str(part) for part in command], capture_output=True, text=True, timeout=600, **kwargs)
    assert done.returncode == 0, f"{' '.join(map(str, command))}:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Installed:
    root = tmp_path_factory.mktemp("package")
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]
    run(*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", root / "dist", ROOT)
    [wheel] = (root / "dist").glob("*.whl")
    run(sys.executable, "-m", "venv", "--without-pip", root / "venv")
    python = root / "venv" / "bin" / "python"
    run(*pip, "--python", python, "install", "--no-deps", "--no-index", wheel)
    [site] = (root / "venv" / "lib").glob("python*/site-packages")
    # The mock engine (local/) from this repository, alone: its root, which holds multitier/, stays off the path.
    (root / "engine").mkdir()
    (root / "engine" / "local").symlink_to(ROOT / "local")
    (site / "dependencies.pth").write_text(f"{sysconfig.get_paths()['purelib']}\n{root / 'engine'}\n")
    run(*pip, "--python", python, "check")
    return Installed(root, wheel, python, site)


def run_example(installed: Installed, name: str) -> dict:
    work = installed.root / name
    work.mkdir()
    # Layers are cached in the program's folder (.build): this repository's cache, shared.
    (ROOT / ".build").mkdir(exist_ok=True)
    (work / ".build").symlink_to(ROOT / ".build")
    done = run(installed.python, RUNNER, EXAMPLES / name / "__main__.py", "example", cwd=work)
    result = json.loads(done.stdout.splitlines()[-1])
    assert Path(result["multitier"]).is_relative_to(installed.site), "the example must run the installed copy"
    return result


def of_type(result: dict, type_: str) -> list[dict]:
    return [r for r in result["resources"] if r["type"] == type_]


def test_the_wheel_carries_the_package_the_app_and_its_metadata(installed):
    names = zipfile.ZipFile(installed.wheel).namelist()
    assert "multitier/__init__.py" in names and "multitier/_settings/pattern_settings.py" in names
    assert "multitier/_app/functions/shared/api.py" in names and "multitier/_app/functions/layers/base.txt" in names
    assert "multitier/_app/site/index.html" in names
    # AND nothing of this repository's tooling or caches
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc") or n.endswith("generate.py")]
    metadata = zipfile.ZipFile(installed.wheel).read(next(n for n in names if n.endswith("/METADATA"))).decode()
    assert "Name: pulumi-serverless-multitier" in metadata and "Requires-Dist: pulumi-aws<8,>=7.51" in metadata


@pytest.mark.parametrize("example", ["web-app", "notes-api"])
def test_each_examples_requirements_name_the_wheel(installed, example):
    name, version = installed.wheel.name.split("-")[:2]
    lines = (EXAMPLES / example / "requirements.txt").read_text().splitlines()
    [requirement] = [Requirement(line) for line in lines if line.strip() and not line.startswith(("#", "-"))]
    assert canonicalize_name(requirement.name) == canonicalize_name(name) and requirement.specifier.contains(version)
    assert (EXAMPLES / example / "Pulumi.yaml").is_file()


def test_the_web_app_example_deploys_the_app_the_wheel_carries(installed):
    result = run_example(installed, "web-app")
    assert len(of_type(result, "multitier:patterns:WebApp")) == 1
    # THEN its own settings hold: CloudFront instead of Amplify, its stage and throttle
    assert of_type(result, "aws:cloudfront/distribution:Distribution") and not of_type(result, "aws:amplify/app:App")
    stage = of_type(result, "aws:apigateway/stage:Stage")[0]["inputs"]
    assert stage["stageName"] == "shop"
    settings = [r["inputs"]["settings"] for r in of_type(result, "aws:apigateway/methodSettings:MethodSettings")
                if r["inputs"]["methodPath"] == "*/*"]
    assert settings[0]["throttlingRateLimit"] == 5 and settings[0]["throttlingBurstLimit"] == 10
    # AND the functions and the site come from the installed package
    app = installed.site / "multitier" / "_app"
    functions = of_type(result, "aws:lambda/function:Function")
    assert len(functions) == 4
    for function in functions:
        paths = function["inputs"]["code"].values()
        assert paths and all(Path(path).is_relative_to(app / "functions") for path in paths)
    site_files = [r["inputs"]["source"]["file"] for r in of_type(result, "aws:s3/bucketObjectv2:BucketObjectv2")
                  if isinstance(r["inputs"].get("source"), dict)]
    assert any(Path(path) == app / "site" / "index.html" for path in site_files)
    assert set(result["outputs"]) == {"site_url", "api_url", "user_pool_id"}


def test_the_notes_api_example_builds_its_own_api_from_its_own_handler(installed):
    result = run_example(installed, "notes-api")
    [function] = of_type(result, "aws:lambda/function:Function")
    assert function["inputs"]["code"] == {"app.py": str(EXAMPLES / "notes-api" / "functions" / "notes" / "app.py")}
    assert function["inputs"]["handler"] == "app.handler" and not function["inputs"].get("layers")
    # THEN the table's grant gives the function its name and exactly the table's actions
    [table] = of_type(result, "aws:dynamodb/table:Table")
    assert "NOTES_TABLE" in function["inputs"]["environment"]["variables"]
    policy = json.loads(next(r for r in of_type(result, "aws:iam/rolePolicy:RolePolicy")
                             if r["name"] == "notes-policy")["inputs"]["policy"])
    dynamodb = [s for s in policy["Statement"] if any(a.startswith("dynamodb:") for a in s["Action"])]
    assert dynamodb and all(a.startswith("dynamodb:") for s in dynamodb for a in s["Action"])
    # AND the API signs callers in (SigV4) and validates POST bodies against the operation's schema
    document = json.loads(of_type(result, "aws:apigateway/restApi:RestApi")[0]["inputs"]["body"])
    post = document["paths"]["/notes"]["post"]
    assert post["x-amazon-apigateway-request-validator"] == "all"
    assert post["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/NoteIn"}
    assert document["paths"]["/notes"]["get"]["security"] == [{"sigv4": []}]
    assert set(result["outputs"]) == {"url", "table"} and table
