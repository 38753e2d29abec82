"""Bundling: archives from file assets, handler checks, reproducible cached layers."""

import subprocess
import zipfile
from pathlib import Path

import pytest

from multitier._logic import bundle


def test_archive_holds_the_service_and_shared_package_without_caches(functions_dir):
    files = bundle.code_files("hello", "app.handler", functions_dir)
    assert set(files) == {"app.py", "shared/__init__.py"}
    archive = bundle.code_archive("hello", "app.handler", functions_dir)
    assert set(archive.assets) == {"app.py", "shared/__init__.py"}


def test_code_hash_changes_with_the_code_only(functions_dir):
    before = bundle.code_hash("hello", "app.handler", functions_dir)
    assert bundle.code_hash("hello", "app.handler", functions_dir) == before
    (functions_dir / "hello" / "__pycache__" / "other.pyc").write_bytes(b"x")
    assert bundle.code_hash("hello", "app.handler", functions_dir) == before
    (functions_dir / "hello" / "app.py").write_text("def handler(e, c):\n    return 1\n")
    assert bundle.code_hash("hello", "app.handler", functions_dir) != before


@pytest.mark.parametrize("handler, message", [
    ("handler", "must look like 'module.function'"),
    ("missing.handler", "module file .*missing.py does not exist"),
    ("app.main", "defines no top-level 'main'"),
])
def test_a_missing_handler_is_a_clear_error(functions_dir, handler, message):
    with pytest.raises(bundle.BundleError, match=message):
        bundle.code_files("hello", handler, functions_dir)


def test_a_missing_service_folder_is_a_clear_error(functions_dir):
    with pytest.raises(bundle.BundleError, match="does not exist"):
        bundle.code_files("nope", "app.handler", functions_dir)


def test_every_real_service_bundles(tmp_path):
    services = [p.name for p in bundle.FUNCTIONS_DIR.iterdir() if (p / "app.py").is_file()]
    assert {"shows", "tickets", "info", "authorizer", "migrate"} <= set(services)
    for service in services:
        files = bundle.code_files(service, "app.handler")
        assert "app.py" in files and "shared/__init__.py" in files
        assert not any("__pycache__" in name or name.endswith(".pyc") for name in files)


def test_layer_is_cached_and_reproducible(tmp_path, monkeypatch):
    # A tiny pure-Python wheel keeps this fast; the mechanism is the one the real layer uses.
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("annotated-types==0.8.0\n")
    first = bundle.build_layer(requirements, "arm64", "3.14", cache_dir=tmp_path / "cache-a")
    assert first.installed
    names = zipfile.ZipFile(first.zip_path).namelist()
    assert "python/annotated_types/__init__.py" in names
    assert "python/annotated_types-0.8.0.dist-info/METADATA" in names
    assert not any("__pycache__" in n or n.endswith(("/RECORD", "/WHEEL", "/py.typed")) for n in names)
    assert bundle.layer_distributions(first.zip_path) == {"annotated-types": "0.8.0"}

    calls = []
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: calls.append(a) or pytest.fail("pip ran again"))
    second = bundle.build_layer(requirements, "arm64", "3.14", cache_dir=tmp_path / "cache-a")
    assert (second.installed, second.sha256, calls) == (False, first.sha256, [])
    monkeypatch.undo()

    # A fresh cache builds the same bytes: the archive is reproducible.
    third = bundle.build_layer(requirements, "arm64", "3.14", cache_dir=tmp_path / "cache-b")
    assert third.installed and third.sha256 == first.sha256


def test_layer_key_depends_on_requirements_constraints_platform_python_and_provided(tmp_path):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("annotated-types==0.8.0\n")
    key = bundle.layer_key(requirements, "arm64", "3.14")
    assert bundle.layer_key(requirements, "x86_64", "3.14") != key
    assert bundle.layer_key(requirements, "arm64", "3.13") != key
    requirements.write_text("annotated-types==0.7.0\n")
    assert bundle.layer_key(requirements, "arm64", "3.14") != key
    constraints = tmp_path / "constraints.txt"
    constraints.write_text("annotated-types==0.7.0\n")
    key = bundle.layer_key(requirements, "arm64", "3.14")
    assert bundle.layer_key(requirements, "arm64", "3.14", constraints) != key
    assert bundle.layer_key(requirements, "arm64", "3.14", provided=frozenset({"annotated-types"})) != key


@pytest.mark.parametrize("line", ["boto3==1.44.5", "Botocore>=1.44", "python_dateutil", "  s3transfer  # pinned"])
def test_requirements_naming_the_sdk_are_refused(tmp_path, line):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(f"# boto3 stays the runtime's\npydantic==2.14.3\n{line}\n")
    with pytest.raises(bundle.BundleError, match="names .* the layer leaves the AWS SDK .* to the Lambda runtime"):
        bundle.build_layer(requirements, "arm64", "3.14", cache_dir=tmp_path / "cache")
    assert not (tmp_path / "cache").exists(), "refused before pip ran"


def test_distributions_another_layer_provides_are_left_out(tmp_path):
    # GIVEN a requirement pulling in a dependency the base layer already carries
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("typing-inspection==0.4.5\n")
    constraints = tmp_path / "constraints.txt"
    constraints.write_text("typing-extensions==4.16.0\n")
    build = bundle.build_layer(requirements, "arm64", "3.14", constraints=constraints,
                               provided=frozenset({"typing-extensions"}), cache_dir=tmp_path / "cache")
    # THEN only what the other layer lacks is in this one
    assert bundle.layer_distributions(build.zip_path) == {"typing-inspection": "0.4.5"}
    assert not [n for n in zipfile.ZipFile(build.zip_path).namelist() if "typing_extensions" in n]


def test_layer_build_failure_names_the_problem(tmp_path):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("this-package-does-not-exist-multitier==0.0.1\n")
    with pytest.raises(bundle.BundleError, match="building the layer .* failed"):
        bundle.build_layer(requirements, "arm64", "3.14", cache_dir=tmp_path / "cache")
    assert not list((tmp_path / "cache").glob("*.zip")), "a failed build must leave no cached zip"


def test_unknown_architecture_is_refused(tmp_path):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("annotated-types==0.8.0\n")
    with pytest.raises(bundle.BundleError, match="unknown architecture 'sparc'"):
        bundle.build_layer(requirements, "sparc", "3.14", cache_dir=Path(tmp_path))
