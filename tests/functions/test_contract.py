"""Each service's settings model reads exactly what its contract (shared/contract.py) declares.

The infrastructure fills the contract's variables (multitier/_declarations.py reads the same
file), so a variable read here but missing from the contract, or a default that differs,
is a function that works in tests and fails when deployed.
"""

import pytest
from pydantic import BaseModel

import fn_support  # noqa: F401  (functions/ on sys.path, test environment set)
from shared import contract

# Read by Powertools itself, not by a settings model.
POWERTOOLS = {v.name for v in contract.COMMON}
# Set by Lambda in every function; no infrastructure fills it.
LAMBDA_RUNTIME = {"AWS_REGION"}


def models_of(service: str) -> list[type[BaseModel]]:
    from authorizer_settings import AuthorizerSettings
    from info_settings import InfoSettings
    from shows_settings import ShowsSettings
    from tickets_settings import TicketsSettings

    from shared.db import DatabaseSettings

    return {"shows": [ShowsSettings], "tickets": [TicketsSettings], "info": [InfoSettings, DatabaseSettings],
            "migrate": [DatabaseSettings], "authorizer": [AuthorizerSettings]}[service]


def fields_of(service: str) -> dict:
    return {field.alias: field for model in models_of(service) for field in model.model_fields.values()}


@pytest.mark.parametrize("service", sorted(contract.CONTRACTS))
def test_settings_read_exactly_the_contract(service):
    declared = set(contract.CONTRACTS[service].names) - POWERTOOLS
    assert set(fields_of(service)) - LAMBDA_RUNTIME == declared


@pytest.mark.parametrize("service", sorted(contract.CONTRACTS))
def test_required_variables_and_defaults_agree_with_the_contract(service):
    fields = fields_of(service)
    for var in contract.CONTRACTS[service].variables:
        if var.name in POWERTOOLS:
            continue
        field = fields[var.name]
        assert field.is_required() == var.required, var.name
        if not var.required:
            # "" in the environment means unset (shared.config.load_settings), so "" and None agree.
            default = "" if field.default is None else str(field.default).lower()
            assert default == var.default.lower(), var.name

