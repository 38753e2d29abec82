"""CloudFront distribution registrations → ``LocalSite``s: origin bucket, root object, error pages, headers."""

from __future__ import annotations

import re
from typing import Any, Mapping

from local.engine import Recording
from local.model import LocalSite


def response_headers(config: Mapping[str, Any]) -> dict[str, str]:
    """HTTP headers of a CloudFront ResponseHeadersPolicy's ``securityHeadersConfig``."""
    headers: dict[str, str] = {}
    for key, value in (config or {}).items():
        if key == "contentTypeOptions":
            headers["X-Content-Type-Options"] = "nosniff"
        elif key == "frameOptions":
            headers["X-Frame-Options"] = value.get("frameOption", "DENY")
        elif key == "referrerPolicy":
            headers["Referrer-Policy"] = value.get("referrerPolicy", "same-origin")
        elif key == "strictTransportSecurity":
            hsts = f"max-age={int(value.get('accessControlMaxAgeSec', 0))}"
            if value.get("includeSubdomains"):
                hsts += "; includeSubDomains"
            if value.get("preload"):
                hsts += "; preload"
            headers["Strict-Transport-Security"] = hsts
        elif key == "contentSecurityPolicy":
            headers["Content-Security-Policy"] = value.get("contentSecurityPolicy", "")
    return headers


def read_sites(recording: Recording, site_ports: Mapping[str, int]) -> list[LocalSite]:
    """Every distribution, served from its (first) origin's bucket on its local port."""
    policies = {p.id: p for p in recording.of_type("aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy")}
    sites = []
    for dist in recording.of_type("aws:cloudfront/distribution:Distribution"):
        origin = ((dist.inputs.get("origins") or [{}])[0]).get("domainName", "")
        bucket = re.sub(r"\.s3(\.[a-z0-9-]+)?\.amazonaws\.com$", "", origin)
        behavior = dist.inputs.get("defaultCacheBehavior") or {}
        policy = policies.get(behavior.get("responseHeadersPolicyId"))
        headers = response_headers(policy.inputs.get("securityHeadersConfig") if policy else {})
        fallback = {int(e["errorCode"]): (int(e.get("responseCode") or e["errorCode"]), e.get("responsePagePath", ""))
                    for e in dist.inputs.get("customErrorResponses") or []}
        sites.append(LocalSite(name=dist.name, bucket=bucket, port=site_ports[dist.name],
                               root_object=dist.inputs.get("defaultRootObject") or "index.html",
                               fallback=fallback, headers=headers))
    return sites
