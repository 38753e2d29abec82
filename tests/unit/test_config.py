"""Stack settings: one model, clear errors naming key, value and what is allowed."""

import pytest
import yaml

from multitier._declarations import contract
from multitier._settings.generate import (between_markers, render_environment_table, render_project_file,
                                          render_settings_table)
from multitier._settings.loader import SettingsError, settings_from_config
from multitier._settings.model import PATTERNS, Settings, config_keys
from local.engine import PROJECT_ROOT, run_stack, stack_config


def test_pulumi_yaml_declares_exactly_the_model_settings():
    # Pulumi.yaml is generated from the model; regenerate with `python -m multitier._settings.generate`.
    assert (PROJECT_ROOT / "Pulumi.yaml").read_text() == render_project_file()
    declared = yaml.safe_load(render_project_file())["config"]
    assert set(declared) == set(config_keys())
    assert all({"type", "description", "default"} <= set(entry) for entry in declared.values())


def test_project_file_runtime():
    project = yaml.safe_load((PROJECT_ROOT / "Pulumi.yaml").read_text())
    assert project["name"] == "multitier"
    assert project["runtime"] == {"name": "python", "options": {"toolchain": "pip", "virtualenv": ".venv"}}


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_stack_files_are_valid_settings(stack):
    settings = settings_from_config(stack_config(stack))
    assert settings.patterns == list(PATTERNS)


def test_defaults_are_the_secure_choice():
    s = Settings()
    assert (s.lambda_.architecture, s.lambda_.tracing) == ("arm64", True)
    assert s.data.point_in_time_recovery and s.data.deletion_protection and s.data.bucket_versioning
    assert not s.data.force_destroy
    assert s.api.logging_level == "INFO" and s.identity.protect and s.identity.mfa != "off"


FEDERATED_OIDC = {
    "multitier:federationProvider": "oidc", "multitier:federationName": "Corp",
    "multitier:federationIssuer": "https://idp.example.com", "multitier:federationClientId": "cognito-client",
    "multitier:federationClientSecretArn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:idp-client-AbCdEf",
    "multitier:federationAttributeMapping": '["email=email", "name=name"]',
    "multitier:identityDomainPrefix": "tickets", "multitier:identityCallbackUrls": '["https://www.example.com/"]'}


def test_federation_settings_give_the_user_pools_their_provider():
    s = settings_from_config(FEDERATED_OIDC)
    assert (s.federation.provider, s.federation.mapping()) == ("oidc", {"email": "email", "name": "name"})
    assert Settings().federation.provider == "none"  # off unless a stack turns it on


@pytest.mark.parametrize("config, message", [
    ({"multitier:lambdaMemoryMb": 12}, "multitier:lambdaMemoryMb = 12: Input should be greater than or equal to 128"),
    ({"multitier:lambdaTimeoutSeconds": 29}, "multitier:lambdaTimeoutSeconds = 29: Input should be less than or equal to 28"),
    ({"multitier:patterns": ["mobile_backend", "blog"]}, "multitier:patterns = ['mobile_backend', 'blog']: Input should be 'mobile_backend', 'single_page_app', 'web_app' or 'microservices'"),
    ({"multitier:apiThrotleRate": 5}, "multitier:apiThrotleRate = 5: unknown setting; did you mean apiThrottleBurst, apiThrottleRate?"),
    ({"multitier:domainName": "Not A Domain"}, "multitier:domainName = 'Not A Domain': must be a lower-case DNS name"),
    ({"multitier:domainName": "example.com"}, "domainName 'example.com' needs domainHostedZoneId"),
    ({"multitier:lambdaArchitecture": "x86"}, "multitier:lambdaArchitecture = 'x86': Input should be 'arm64' or 'x86_64'"),
    ({"multitier:lambdaLogRetentionDays": 8}, "multitier:lambdaLogRetentionDays = 8: must be one of CloudWatch's retention periods"),
    ({"multitier:dataForceDestroy": "maybe"}, "multitier:dataForceDestroy = 'maybe': Input should be a valid boolean"),
    ({"multitier:oidcIssuer": "https://id.example.com"}, "missing: oidcAudience, oidcJwksUrl"),
    ({"multitier:databaseMinCapacity": "4", "multitier:databaseMaxCapacity": "2"}, "databaseMinCapacity (4.0) must not exceed databaseMaxCapacity (2.0)"),
    ({"multitier:apiEndpointType": "PRIVATE"}, "apiEndpointType PRIVATE needs apiPrivateVpcEndpointIds"),
    ({"multitier:patterns": ["web_app", "web_app"]}, "lists a pattern twice"),
    ({"multitier:identityDomainPrefix": "tickets"}, "identityDomainPrefix 'tickets' (the hosted UI) needs identityCallbackUrls"),
    ({"multitier:efsTransitionToIaDays": 10}, "multitier:efsTransitionToIaDays = 10: must be one of EFS's lifecycle periods"),
    ({"multitier:federationProvider": "oidc"}, "federationProvider oidc needs federationName, federationIssuer, federationClientId, federationClientSecretArn"),
    ({**FEDERATED_OIDC, "multitier:federationClientSecretArn": "s3cr3t"}, "federationClientSecretArn 's3cr3t' must be a Secrets Manager secret ARN"),
    ({**FEDERATED_OIDC, "multitier:federationMetadataUrl": "https://idp.example.com/saml"}, "federationMetadataUrl is not used with federationProvider oidc"),
    ({**FEDERATED_OIDC, "multitier:federationIssuer": "http://idp.example.com"}, "federationIssuer 'http://idp.example.com' must be an https:// URL"),
    ({**FEDERATED_OIDC, "multitier:federationName": "Google"}, "federationName 'Google' must be 1-32 letters"),
    ({**FEDERATED_OIDC, "multitier:federationAttributeMapping": '["name=name"]'}, "federationAttributeMapping must map email"),
    ({**FEDERATED_OIDC, "multitier:federationAttributeMapping": '["email"]'}, "must list poolAttribute=providerAttribute"),
    ({**FEDERATED_OIDC, "multitier:identityDomainPrefix": ""}, "federationProvider oidc signs users in through the hosted UI"),
    ({"multitier:federationProvider": "saml", "multitier:federationName": "Corp"}, "federationProvider saml needs federationMetadataUrl"),
    ({"multitier:federationName": "Corp"}, "federationName is not used with federationProvider none"),
])
def test_bad_values_name_the_key_the_value_and_what_is_allowed(config, message):
    with pytest.raises(SettingsError) as error:
        settings_from_config(config)
    assert message in str(error.value)


def test_engine_strings_are_converted_to_the_field_types():
    # The Pulumi engine hands every value over as text; arrays as JSON.
    s = settings_from_config({"multitier:apiThrottleRate": "12.5", "multitier:apiWaf": "true",
                              "multitier:patterns": '["web_app"]', "multitier:apiStageName": "123"})
    assert (s.api.throttle_rate, s.api.waf, s.patterns, s.api.stage_name) == (12.5, True, ["web_app"], "123")


def test_other_namespaces_are_left_to_their_providers():
    assert settings_from_config({"aws:region": "eu-west-1"}) == Settings()


def test_a_bad_setting_stops_the_program_before_any_resource():
    with pytest.raises(SettingsError, match="multitier:apiThrottleBurst = '-1': Input should be greater than 0"):
        run_stack("dev", overrides={"multitier:apiThrottleBurst": -1})


def test_readme_settings_table_is_current():
    # Regenerate with `python -m multitier._settings.generate` after changing a setting or a stack file.
    readme = (PROJECT_ROOT / "README.md").read_text()
    table = render_settings_table({"dev": stack_config("dev"), "prod": stack_config("prod")})
    assert readme == between_markers(readme, "settings", table)


def test_functions_readme_environment_table_is_the_contract():
    # Regenerate with `python -m multitier._settings.generate` after changing functions/shared/contract.py.
    readme = (PROJECT_ROOT / "functions" / "README.md").read_text()
    assert readme == between_markers(readme, "environment", render_environment_table(contract))
    for name in contract.VARIABLES:
        assert f"| `{name}` |" in readme


def test_generated_sections_need_their_markers():
    with pytest.raises(ValueError, match="<!-- settings:start -->"):
        between_markers("# a README without markers", "settings", "| table |")


def test_the_program_never_imports_the_generator():
    # A tool, run by hand: nothing the program imports may import it.
    from tests.unit.test_layering import imported_modules

    for path in [PROJECT_ROOT / "__main__.py", *(PROJECT_ROOT / "multitier").rglob("*.py")]:
        if path.name != "generate.py":
            assert "multitier._settings.generate" not in imported_modules(path), path
