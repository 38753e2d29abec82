"""Code shared by every ticketing service; copied next to each service's files.

Only light modules are imported here, so ``from shared import ...`` stays cheap.
"""

from shared.config import ConfigError, load_settings
from shared.errors import (
    AppError,
    BadRequestError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    UnauthorizedError,
)
from shared.identity import Identity, identity_from_event, parse_groups

__all__ = [
    "AppError",
    "BadRequestError",
    "ConfigError",
    "ConflictError",
    "ForbiddenError",
    "Identity",
    "NotFoundError",
    "UnauthorizedError",
    "identity_from_event",
    "load_settings",
    "parse_groups",
]
