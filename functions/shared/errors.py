"""Domain errors. Logic raises these; ``shared.http`` maps them to HTTP in one place."""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    """An error whose message is safe to show to the API caller."""

    status_code = 400
    headers: dict[str, str] = {}

    def __init__(self, message: str, errors: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors


class BadRequestError(AppError):
    status_code = 400


class UnauthorizedError(AppError):
    status_code = 401


class ForbiddenError(AppError):
    status_code = 403


class NotFoundError(AppError):
    status_code = 404


class ConflictError(AppError):
    status_code = 409


class UnprocessableError(AppError):
    status_code = 422


class UnsupportedMediaTypeError(AppError):
    status_code = 415


class ServiceUnavailableError(AppError):
    """Retry later: contention, or something the request needs is not ready yet (a paused database)."""

    status_code = 503

    def __init__(self, message: str, retry_after_seconds: int | None = None):
        super().__init__(message)
        if retry_after_seconds is not None:
            self.headers = {"Retry-After": str(retry_after_seconds)}
