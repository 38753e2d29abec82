"""A function's environment in local mode: its registered variables, with the contract's local values.

Two rules, nothing else:

* ``AWS_ENDPOINT_URL`` is the main moto server, so every SDK call goes to the emulator;
* every contract variable with a ``local`` value replaces what the function would
  read (the registered value, else the variable's default; a required variable the
  program leaves unset stays unset). A ``{fact}`` in the local value is something
  only local mode knows: ``{postgres_port}``, ``{redis_port}``,
  ``{cognito_jwks_url}``, the emulator's JWKS URL of the user pool whose
  regional JWKS URL the variable held, and ``{mounted_path}``, the folder standing
  in for the function's file system mount the variable's path lies under. A fact
  local mode does not have (no
  PostgreSQL running, keys of an issuer that is not Cognito) leaves the variable as
  registered; a fact it does not know by name is an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Mapping

from local.provision.declarations import Declarations

_FACT = re.compile(r"\{(\w+)\}")
_COGNITO_JWKS = re.compile(r"^https://cognito-idp\.[a-z0-9-]+\.amazonaws\.com/([^/]+)/\.well-known/jwks\.json$")


@dataclass(frozen=True)
class Facts:
    """What local mode knows that a contract's local values may name."""

    endpoint_url: str            # the main moto server
    cognito_url: str             # the Cognito moto server
    postgres_port: int | None = None
    redis_port: int | None = None
    mounts: Mapping[str, str] = field(default_factory=dict)  # the function's mount path → its local folder

    def resolve(self, template: str, current: str) -> str | None:
        """``template`` with its facts filled in for a variable that held ``current``; None if one is missing."""
        facts: dict[str, Callable[[], str | None]] = {
            "postgres_port": lambda: None if self.postgres_port is None else str(self.postgres_port),
            "redis_port": lambda: None if self.redis_port is None else str(self.redis_port),
            "cognito_jwks_url": lambda: self._cognito_jwks_url(current),
            "mounted_path": lambda: self._mounted_path(current),
        }
        values: dict[str, str] = {}
        for name in _FACT.findall(template):
            if name not in facts:
                raise ValueError(f"contract local value {template!r} names {{{name}}}, which local mode does not "
                                 f"know (known: {', '.join('{' + f + '}' for f in facts)})")
            value = facts[name]()
            if value is None:
                return None
            values[name] = value
        return _FACT.sub(lambda m: values[m.group(1)], template)

    def _mounted_path(self, current: str) -> str | None:
        for mount, folder in self.mounts.items():
            if current == mount or current.startswith(mount.rstrip("/") + "/"):
                return folder + current[len(mount):]
        return None

    def _cognito_jwks_url(self, current: str) -> str | None:
        match = _COGNITO_JWKS.match(current)
        return f"{self.cognito_url}/{match.group(1)}/.well-known/jwks.json" if match else None


def local_environment(env: Mapping[str, str], declared: Declarations | None, facts: Facts) -> dict[str, str]:
    """The function's own variables with the contract's local values and the emulator's endpoint."""
    out = {k: str(v) for k, v in env.items()}
    out["AWS_ENDPOINT_URL"] = facts.endpoint_url
    for var in (declared.variables.values() if declared else ()):
        current = out.get(var.name, var.default)
        if var.local is None or current is None:
            continue
        value = facts.resolve(var.local, current)
        if value is not None:
            out[var.name] = value
    return out
