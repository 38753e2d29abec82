"""The package's public API: what `multitier` exports, and the patterns used the ways a program can.

GIVEN only `from multitier import ...` THEN every name a program needs is there and everything else is
private by name; a pattern stands alone (its own network and layers), takes its args as Pulumi's
component provider hands them over (a dict of schema values), and says which setting is wrong.
"""

import base64
import pickle
import pkgutil

import pulumi
import pytest
from pulumi.provider.experimental.component import ComponentProvider

import multitier
from multitier import MobileBackend, Pattern, PatternArgs, PatternSettings, SettingsError, StackShared, WebApp
from multitier._patterns import base
from multitier._plugin import COMPONENTS, PACKAGE


def test_every_module_but_the_package_itself_is_private():
    assert [m.name for m in pkgutil.iter_modules(multitier.__path__) if not m.name.startswith("_")] == []
    public = [name for name in vars(multitier) if not name.startswith("_") and name not in multitier.__all__]
    assert public == []


def test_the_public_api_names_what_a_program_needs():
    exported = set(multitier.__all__)
    assert {"MobileBackend", "SinglePageApp", "WebApp", "Microservices", "PatternArgs", "PatternSettings",
            "Link", "Pattern", "StackShared", "Function", "FunctionArgs", "RestApi", "RestApiArgs", "Route",
            "Table", "TableArgs", "Bucket", "UserPool", "Network", "StaticSite", "tier_args"} <= exported
    # AND each tier component comes with its Args
    components = [n for n in exported if isinstance(getattr(multitier, n), type)
                  and issubclass(getattr(multitier, n), pulumi.ComponentResource) and n != "Pattern"]
    patterns = {c.__name__ for c in COMPONENTS}
    assert [n for n in components if n not in patterns and f"{n}Args" not in exported] == []
    # AND everything exported is defined in a private module
    assert [n for n in exported if not getattr(getattr(multitier, n), "__module__", "multitier._").startswith(
        "multitier._")] == []


def test_a_pattern_stands_alone_with_its_own_network_and_layers(run):
    # GIVEN a program with one pattern and nothing shared
    rec = run(lambda: MobileBackend("shop", PatternArgs(stack="demo")), stack="demo")
    pattern = rec.one("multitier:patterns:MobileBackend")
    # THEN it made its own VPC and dependency layers, named for its stack
    network = rec.one("multitier:network:Network")
    assert network.parent == pattern.urn and network.name == "shop-network"
    layers = sorted(r.inputs["layerName"] for r in rec.of_type("aws:lambda/layerVersion:LayerVersion"))
    assert layers == ["shop-demo-deps-base", "shop-demo-deps-postgres", "shop-demo-deps-redis"]
    # AND it registered the outputs it declares
    assert set(pattern.outputs) == set(MobileBackend.output_names()) == {"api_url", "user_pool_id", "client_id",
                                                                         "region", "apis"}


def test_a_shared_network_is_used_not_made(run):
    def program():
        network = multitier.Network("network", multitier.NetworkArgs(region="us-east-1"))
        MobileBackend("shop", PatternArgs(stack="demo"), shared=StackShared(network=network))
    rec = run(program, stack="demo")
    assert [n.name for n in rec.of_type("multitier:network:Network")] == ["network"]


def test_the_component_providers_inputs_build_the_pattern(run, monkeypatch):
    # GIVEN what a YAML or TypeScript program sends (schema names, an enum's value), mapped by the provider
    provider = ComponentProvider(COMPONENTS, PACKAGE, None, "0.0.0")
    args = provider.map_inputs({"stack": "yaml", "settings": {"siteHosting": "cloudfront", "apiThrottleRate": 5}},
                               provider._component_defs["WebApp"])
    monkeypatch.setattr(base, "_hosted", True)
    # WHEN the provider constructs the pattern THEN it registers under the schema's token with those settings
    rec = run(lambda: WebApp("web", args), stack="yaml")
    assert rec.one(f"{PACKAGE}:index:WebApp")
    assert rec.of_type("aws:amplify/app:App") == [] and rec.of_type("aws:cloudfront/distribution:Distribution")
    stage = rec.one("aws:apigateway/methodSettings:MethodSettings", "all-methods").inputs
    assert stage["settings"]["throttlingRateLimit"] == 5


def test_a_wrong_setting_names_its_key():
    with pytest.raises(SettingsError, match="multitier:lambdaMemoryMb = 64: Input should be greater than or equal"):
        PatternSettings(lambda_memory_mb=64).validated()


def test_a_pattern_of_your_own_names_its_type_token(run):
    class Nameless(Pattern):
        """No token."""

        def compose(self, name: str) -> None:
            pass

    with pytest.raises(TypeError, match="names no type token"):
        run(lambda: Nameless("x", PatternArgs(stack="t")))


def test_a_pattern_of_your_own_composes_its_resources(run):
    class Empty(Pattern, token="acme:patterns:Empty"):
        """No compose."""

    with pytest.raises(TypeError, match="abstract class Empty with abstract method compose"):
        run(lambda: Empty("x", PatternArgs(stack="t")))


def test_pattern_settings_round_trip_the_stacks_settings():
    settings = multitier.Settings.model_validate({"api": {"throttle_rate": 7.5}, "lambda": {"architecture": "x86_64"}})
    flat = PatternSettings.of(settings)
    assert flat.api_throttle_rate == 7.5 and flat.lambda_architecture.value == "x86_64"
    assert flat.validated() == settings.model_copy(update={"patterns": flat.validated().patterns})


class Inventory(Pattern, token="acme:patterns:Inventory"):
    """A pattern of a program's own: one table."""

    table_name: pulumi.Output[str]
    """The table's name."""

    def compose(self, name: str) -> None:
        args = multitier.tier_args.table(self.settings, hash_key=multitier.Key("sku"))
        table = multitier.Table(f"{name}-items", args, opts=pulumi.ResourceOptions(parent=self))
        self.table_name = table.name


def test_a_pattern_of_your_own_composes_from_the_tiers_and_registers_its_outputs(run):
    rec = run(lambda: Inventory("stock", PatternArgs(stack="t", settings=PatternSettings(
        data_deletion_protection=False))))
    pattern = rec.one("acme:patterns:Inventory")
    table = rec.one("aws:dynamodb/table:Table")
    assert rec.one("multitier:data:Table").parent == pattern.urn and table.inputs["deletionProtectionEnabled"] is False
    assert Inventory.output_names() == ["table_name"] and pattern.outputs == {"table_name": table.outputs["name"]}


def test_the_amplify_deployments_provider_is_pickled_where_the_package_keeps_it(dev_stack):
    # The state keeps the provider pickled by reference; a later update or destroy unpickles it, so its path
    # must survive any move of the private modules.
    deployment = dev_stack.one("pulumi-python:dynamic/amplify:Deployment")
    pickled = base64.b64decode(deployment.inputs["__provider"]["value"])
    assert b"\x8c\tmultitier\x94\x8c\x1a_AmplifyDeploymentProvider" in pickled
    assert type(pickle.loads(pickled)).__name__ == "_DeploymentProvider"
    layout = base64.b64decode(dev_stack.one("pulumi-python:dynamic/network:Layout").inputs["__provider"]["value"])
    assert b"_NetworkLayoutProvider" in layout and type(pickle.loads(layout)).__name__ == "_LayoutProvider"


def test_the_release_providers_are_pickled_where_the_package_keeps_them(prod_stack):
    for token, name in (("pulumi-python:dynamic/release:LambdaDeployment", b"_LambdaDeploymentProvider"),
                        ("pulumi-python:dynamic/release:StageCanary", b"_StageCanaryProvider")):
        pickled = base64.b64decode(prod_stack.of_type(token)[0].inputs["__provider"]["value"])
        assert b"\x8c\tmultitier\x94" in pickled and name in pickled
        assert type(pickle.loads(pickled)).__name__ == name.decode()
