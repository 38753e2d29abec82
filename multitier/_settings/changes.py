"""One change of every setting, valid on its own: what ``python -m local plan --sweep`` tries on a stack.

A change sets one key to a value the stack does not have: a boolean flipped, the next choice,
the next allowed number, or (for free-form text) the example below. Where the setting only
means something next to others (a federation's name, a PRIVATE API's endpoints), ``base``
sets those in both runs; where the change needs others to be valid (federation needs the
hosted UI), ``also`` sets them in the changed run only.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass, field
from typing import Any, Mapping

from multitier._settings.model import EFS_TRANSITION_DAYS, RETENTION_DAYS, Settings, config_keys, value_of

SECRET_ARN = "arn:aws:secretsmanager:us-east-1:111122223333:secret:idp-client-AbCdEf"
HOSTED_UI = {"identityDomainPrefix": "tickets", "identityCallbackUrls": ["https://www.tickets.example.com/"]}
OIDC = {"federationProvider": "oidc", "federationName": "Corp", "federationIssuer": "https://idp.example.com",
        "federationClientId": "tickets", "federationClientSecretArn": SECRET_ARN, **HOSTED_UI}
SAML = {"federationProvider": "saml", "federationName": "Corp",
        "federationMetadataUrl": "https://idp.example.com/saml/metadata", **HOSTED_UI}
THIRD_PARTY_OIDC = {"oidcIssuer": "https://login.example.com", "oidcAudience": "tickets-spa",
                    "oidcJwksUrl": "https://login.example.com/.well-known/jwks.json"}
DOMAIN = {"domainName": "tickets.example.com", "domainHostedZoneId": "Z0000000000EXAMPLE"}


@dataclass(frozen=True)
class Change:
    """``key`` set to ``value``, on top of ``base`` (both runs), with ``also`` (the changed run)."""

    key: str
    value: Any
    base: Mapping[str, Any] = field(default_factory=dict)
    also: Mapping[str, Any] = field(default_factory=dict)


# Free-form settings: the value to try, and what it needs.
EXAMPLES: dict[str, Change] = {change.key: change for change in (
    Change("apiStageName", "v2"),
    Change("apiPrivateVpcEndpointIds", ["vpce-0a1b2c3d4e5f60718", "vpce-0f1e2d3c4b5a69788"],
           base={"apiEndpointType": "PRIVATE", "apiPrivateVpcEndpointIds": ["vpce-0a1b2c3d4e5f60718"]}),
    Change("apiCorsOrigins", ["https://www.tickets.example.com"]),
    Change("databaseEngineVersion", "16.6"),
    Change("cacheNodeType", "cache.t4g.small", base={"cacheMode": "cluster"}),
    Change("networkCidr", "10.30.0.0/16"),
    Change("identityDomainPrefix", "tickets-v2", base=HOSTED_UI),
    Change("identityCallbackUrls", ["https://app.tickets.example.com/"], base=HOSTED_UI),
    Change("federationName", "Partner", base=OIDC),
    Change("federationIssuer", "https://sso.example.com", base=OIDC),
    Change("federationClientId", "tickets-web", base=OIDC),
    Change("federationClientSecretArn", SECRET_ARN.replace("AbCdEf", "GhIjKl"), base=OIDC),
    Change("federationScopes", "openid email", base=OIDC),
    Change("federationMetadataUrl", "https://idp.example.com/saml/metadata-v2", base=SAML),
    Change("federationAttributeMapping", ["email=email", "name=name"], base=OIDC),
    Change("oidcIssuer", "https://login2.example.com", base=THIRD_PARTY_OIDC),
    Change("oidcAudience", "tickets-mobile", base=THIRD_PARTY_OIDC),
    Change("oidcJwksUrl", "https://login.example.com/keys.json", base=THIRD_PARTY_OIDC),
    Change("domainName", "shop.example.com", base=DOMAIN),
    Change("domainHostedZoneId", "Z0000000000OTHER", base=DOMAIN),
    Change("domainApiCertificateArn", "arn:aws:acm:us-east-1:111122223333:certificate/"
                                      "0a1b2c3d-0000-4000-8000-0a1b2c3d4e5f", base=DOMAIN),
    Change("domainMtlsTruststoreUri", "s3://tickets-truststore/truststore.pem", base=DOMAIN),
    Change("alarmsEmail", "oncall@example.com"),
    Change("releaseServices", ["tickets=Linear10PercentEvery1Minute"]),
)}
# Choices that are valid only with others.
NEEDS = {("federationProvider", "oidc"): {key: value for key, value in OIDC.items() if key != "federationProvider"},
         ("federationProvider", "saml"): {key: value for key, value in SAML.items() if key != "federationProvider"}}


def changes(settings: Settings) -> list[Change]:
    """One change for every setting of a stack whose settings are ``settings``."""
    out = []
    for key, (section, name, info) in config_keys().items():
        if key in EXAMPLES:
            out.append(EXAMPLES[key])
            continue
        value = _next(key, value_of(settings, section, name), info)
        out.append(Change(key, value, also=NEEDS.get((key, str(value)), {})))
    return out


def _next(key: str, value: Any, info: Any) -> Any:
    annotation = info.annotation
    if annotation is bool:
        return not value
    choices = typing.get_args(annotation)
    if typing.get_origin(annotation) is typing.Literal:
        return next(choice for choice in choices if choice != value)
    if typing.get_origin(annotation) is list and typing.get_origin(choices[0]) is typing.Literal:
        return list(value)[:-1]  # one pattern fewer
    if annotation in (int, float):
        validators = {getattr(getattr(m, "func", None), "__name__", "") for m in info.metadata}
        for validator, values in (("_retention", RETENTION_DAYS), ("_efs_transition", EFS_TRANSITION_DAYS)):
            if validator in validators:  # only these periods are allowed
                return next(v for v in values if v > value) if value != values[-1] else values[-2]
        step = 0.5 if annotation is float else 1
        high = next((m.le for m in info.metadata if hasattr(m, "le")), float("inf"))
        return value + step if value + step <= high else value - step
    raise LookupError(f"setting {key}: no change to try; add an example to multitier/_settings/changes.py EXAMPLES")
