"""ACM certificates: one name each, with certificate-transparency logging kept on."""

from __future__ import annotations

from policy.core import Resource, items, resource_rule

PREFIX = "MT-ACM"

CERTIFICATE = "aws:acm/certificate:Certificate"


@resource_rule("MT-ACM-1", CERTIFICATE, severity="medium",
               description="Certificates name exact domains (no wildcard) and stay in certificate-transparency logs",
               remediation="Request a certificate per name (the site's, the API's) instead of *.domain, and leave "
                           "options.certificate_transparency_logging_preference ENABLED.")
def exact_names(certificate: Resource):
    names = [certificate.get("domainName"), *items(certificate.get("subjectAlternativeNames"))]
    wild = [n for n in names if "*" in str(n or "")]
    if wild:
        yield f"wildcard names {wild}: one leaked key serves every subdomain"
    if certificate.get("options", "certificateTransparencyLoggingPreference") == "DISABLED":
        yield "certificate-transparency logging is off: a mis-issued certificate goes unnoticed"
