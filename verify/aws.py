"""Calls to AWS's control planes for the checks that read them, with the target's clients."""

from __future__ import annotations

from typing import Any

from verify.checks import Context, Skipped

# What AWS answers a caller without the permission.
DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnrecognizedClientException"}


def aws_call(ctx: Context, action: str, operation: str, **params: Any) -> dict:
    """One AWS call (``action``: its IAM action, ``logs:FilterLogEvents``); a missing permission becomes
    ``Skipped`` naming the action."""
    from botocore.exceptions import ClientError

    client = ctx.target.client(action.split(":")[0])  # the IAM prefixes called here are boto3's service names
    try:
        return getattr(client, operation)(**params)
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        if code in DENIED:
            raise Skipped(f"the credentials may not call {action} ({code}): grant it to run this check") from None
        raise


def request_id(error: BaseException) -> str | None:
    """The AWS request id a botocore error carries, if any."""
    response = getattr(error, "response", None)
    return (response.get("ResponseMetadata") or {}).get("RequestId") if isinstance(response, dict) else None
