"""Environment of the Lambda authorizer (names and defaults: ``shared.contract.AUTHORIZER``)."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

from pydantic import Field, field_validator

from shared import contract
from shared.config import EnvSettings, load_settings


class AuthorizerSettings(EnvSettings):
    issuer: str = Field(alias=contract.OIDC_ISSUER.name, min_length=1)
    audience: str = Field(
        alias=contract.OIDC_AUDIENCE.name,
        min_length=1,
        description="One audience, or several comma-separated",
    )
    jwks_url: str = Field(alias=contract.OIDC_JWKS_URL.name, pattern=r"^https?://")
    token_use: str = Field(
        default="id",
        alias=contract.OIDC_ACCEPTS.name,
        description="id, access, both comma-separated, or any (the issuer sets no token_use)",
    )
    required_group: str | None = Field(
        default=None,
        alias=contract.AUTHZ_REQUIRED_GROUP.name,
        description="If set, valid tokens without this group get a Deny policy (403)",
    )
    jwks_cache_seconds: int = Field(default=300, alias=contract.OIDC_JWKS_CACHE_SECONDS.name, ge=0, le=86_400)
    jwks_cooldown_seconds: int = Field(
        default=30,
        alias=contract.OIDC_JWKS_COOLDOWN_SECONDS.name,
        ge=0,
        le=3600,
        description="Minimum time between JWKS refetches triggered by an unknown kid",
    )
    leeway_seconds: int = Field(default=30, alias=contract.OIDC_LEEWAY_SECONDS.name, ge=0, le=300)

    @field_validator("jwks_url")
    @classmethod
    def _https_unless_loopback(cls, value: str) -> str:
        # Plain HTTP is only acceptable for a JWKS served on this machine (tests, local mode).
        # Compare the parsed host, not a prefix: "http://localhost.evil.example" is not loopback.
        parsed = urlsplit(value)
        if parsed.scheme == "http" and parsed.hostname not in ("127.0.0.1", "localhost"):
            raise ValueError("must be https:// (http:// is only allowed for 127.0.0.1/localhost)")
        return value

    @field_validator("token_use")
    @classmethod
    def _known_token_uses(cls, value: str) -> str:
        uses = [item.strip() for item in value.split(",") if item.strip()]
        if uses != ["any"] and (not uses or not set(uses) <= {"id", "access"}):
            raise ValueError("must be id, access, 'id,access' or any")
        return value

    @property
    def token_uses(self) -> frozenset[str]:
        """The token_use values accepted; empty when the issuer sets none (``any``)."""
        uses = {item.strip() for item in self.token_use.split(",") if item.strip()}
        return frozenset() if uses == {"any"} else frozenset(uses)

    @property
    def audiences(self) -> list[str]:
        return [item.strip() for item in self.audience.split(",") if item.strip()]


@lru_cache(maxsize=1)
def get_settings() -> AuthorizerSettings:
    return load_settings(AuthorizerSettings)
