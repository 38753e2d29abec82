"""TLS policies by the lowest protocol version they accept, whatever the service calls them."""

from __future__ import annotations

import re

MINIMUM_TLS = (1, 2)
# (form, its lowest version), first match wins. CloudFront viewers: SSLv3, TLSv1, TLSv1_2016, TLSv1.1_2016,
# TLSv1.2_2021, TLSv1.3_2025; CloudFront origins: TLSv1.1; API Gateway: TLS_1_0, TLS_1_2,
# SecurityPolicy_TLS13_1_2_2021_06 (a 1.3 policy that still accepts 1.2), SecurityPolicy_TLS13_1_3_2025_09,
# SecurityPolicy_TLS12_2018_EDGE, SecurityPolicy_TLS13_2025_EDGE.
FORMS = ((re.compile(r"^SSLv(\d)$"), lambda m: (0, int(m[1]))),
         (re.compile(r"TLS1\d_1_(\d)(?:_|$)"), lambda m: (1, int(m[1]))),
         (re.compile(r"TLS1(\d)(?:_|$)"), lambda m: (1, int(m[1]))),
         (re.compile(r"^TLS_1_(\d)$"), lambda m: (1, int(m[1]))),
         (re.compile(r"^TLSv1(?:\.(\d))?(?:_|$)"), lambda m: (1, int(m[1] or 0))))


def lowest_version(policy: str) -> tuple[int, int] | None:
    """The lowest protocol version a TLS policy name accepts; None for a name of no known form."""
    for form, version in FORMS:
        found = form.search(policy)
        if found:
            return version(found)
    return None


def below_minimum(policy: object) -> bool:
    """A policy known to accept a version below TLS 1.2 (a newer form than these is not held against it)."""
    version = lowest_version(str(policy or ""))
    return version is not None and version < MINIMUM_TLS
