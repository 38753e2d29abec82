"""IAM authorization (``awsSigv4``): only the presence and format of a SigV4 header, never the signature."""

from __future__ import annotations

import re

from local.apigateway.request import Request
from local.apigateway.responses import GatewayError

_SIGV4 = re.compile(r"^AWS4-HMAC-SHA256 Credential=(?P<akid>[A-Z0-9]{4,128})/(?P<date>\d{8})/(?P<region>[a-z0-9-]+)/"
                    r"execute-api/aws4_request, ?SignedHeaders=(?P<signed>[a-z0-9;-]+), ?"
                    r"Signature=(?P<signature>[0-9a-f]{64})$")


def check_sigv4(req: Request) -> None:
    """Accept a well-formed ``Authorization: AWS4-HMAC-SHA256 ...`` with a date; remember its key id."""
    header = req.header("Authorization")
    if not header:
        raise GatewayError("MISSING_AUTHENTICATION_TOKEN")
    m = _SIGV4.match(header.strip())
    if not m:
        raise GatewayError("INVALID_SIGNATURE", "Authorization header requires 'Credential', 'SignedHeaders' "
                                                "and 'Signature' parameters (AWS4-HMAC-SHA256)")
    if not (req.header("X-Amz-Date") or req.header("Date")):
        raise GatewayError("INVALID_SIGNATURE", "Authorization header requires existence of either a "
                                                "'X-Amz-Date' or a 'Date' header.")
    req.iam_key = m.group("akid")
