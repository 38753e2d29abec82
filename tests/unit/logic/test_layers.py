"""The real dependency layers: one per group, consistent, disjoint, pinned, and small enough per function."""

import re
import zipfile

import pytest

from multitier._declarations import contract
from multitier._logic import bundle
from multitier._logic.layer import BASE_GROUP, build_group

GROUPS = sorted(p.stem for p in bundle.LAYERS_DIR.glob("*.txt") if p != bundle.CONSTRAINTS)
# Issue 14's goal: what one function attaches stays under 30 MB unzipped (Lambda allows 250).
FUNCTION_LAYERS_MB = 30


@pytest.fixture(scope="module")
def layers():
    # Cached under .build/layers after the first build, as the stacks build them.
    return {group: build_group(group, "arm64") for group in GROUPS}


def unzipped_mb(build: bundle.LayerBuild) -> float:
    return sum(info.file_size for info in zipfile.ZipFile(build.zip_path).infolist()) / 1_000_000


@pytest.mark.parametrize("group", GROUPS)
def test_every_layer_leaves_the_whole_sdk_to_the_runtime(layers, group):
    distributions = bundle.layer_distributions(layers[group].zip_path)
    names = zipfile.ZipFile(layers[group].zip_path).namelist()
    # THEN boto3 and botocore are never one without the other: neither is there, nor what they need
    assert ("boto3" in distributions) == ("botocore" in distributions)
    assert not bundle.RUNTIME_SDK & set(distributions), "the runtime's SDK must not be shadowed by a layer's"
    assert not any(n.startswith(("python/boto3/", "python/botocore/", "python/s3transfer/")) for n in names)
    # AND what Lambda never loads is gone, while METADATA (local mode's pins) stays for each distribution
    assert not [n for n in names if n.endswith((".pyi", "/py.typed", "/RECORD", ".c", ".h")) or "-stubs/" in n]
    assert len([n for n in names if n.endswith(".dist-info/METADATA")]) == len(distributions) >= 1


def test_the_base_layer_runs_x_ray_on_the_runtimes_botocore(layers):
    assert "aws-xray-sdk" in bundle.layer_distributions(layers[BASE_GROUP].zip_path)


def test_no_distribution_is_in_two_layers(layers):
    seen: dict[str, str] = {}
    for group, build in layers.items():
        for name in bundle.layer_distributions(build.zip_path):
            assert name not in seen, f"{name} is in the {seen.get(name)} and the {group} layer"
            seen[name] = group


def test_every_distribution_of_every_layer_is_pinned_by_the_constraints(layers):
    pins = dict(re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", bundle.CONSTRAINTS.read_text(), re.M))
    pins = {bundle.canonical_name(name): version for name, version in pins.items()}
    for group, build in layers.items():
        for name, version in bundle.layer_distributions(build.zip_path).items():
            assert pins.get(name) == version, f"{name} {version} of the {group} layer is not pinned in constraints.txt"


def test_each_service_declares_existing_groups_base_first():
    for service in contract.CONTRACTS.values():
        assert service.layers[0] == BASE_GROUP and set(service.layers) <= set(GROUPS), service.service


def test_what_each_function_attaches_stays_under_30_mb_unzipped(layers):
    sizes = {name: sum(unzipped_mb(layers[group]) for group in service.layers)
             for name, service in contract.CONTRACTS.items()}
    assert all(size <= FUNCTION_LAYERS_MB for size in sizes.values()), sizes
    # AND the heavy native libraries go only where they are imported
    assert "jwt" in contract.AUTHORIZER.layers and "postgres" in contract.MIGRATE.layers
    assert not {"jwt", "postgres"} & set(contract.SHOWS.layers + contract.TICKETS.layers)


def test_an_undeclared_group_is_a_clear_error():
    with pytest.raises(bundle.BundleError, match="no dependency group 'gpu'.*groups: base, jwt, postgres, redis"):
        bundle.layer_requirements("gpu")


def test_the_development_requirements_install_every_group():
    included = re.findall(r"^-r layers/(\S+)\.txt$", (bundle.FUNCTIONS_DIR / "requirements.txt").read_text(), re.M)
    assert sorted(included) == GROUPS
