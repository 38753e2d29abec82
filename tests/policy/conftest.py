"""The two stacks as the rules see them, recorded once per test session."""

from __future__ import annotations

import pytest

from local import engine
from policy import recorded
from policy.core import Stack


@pytest.fixture(scope="session")
def dev(dev_stack) -> Stack:
    return recorded.to_stack(dev_stack, "dev", engine.stack_config("dev"))


@pytest.fixture(scope="session")
def prod(prod_stack) -> Stack:
    return recorded.to_stack(prod_stack, "prod", engine.stack_config("prod"))
