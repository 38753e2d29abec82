"""ApiDomain: one custom domain name in front of REST APIs (joined by base-path mappings)."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws


@dataclass
class ApiDomainArgs:
    """A regional custom domain: ``domain_name`` in the Route 53 zone ``hosted_zone_id``.

    ``certificate_arn`` empty: a regional ACM certificate is requested and
    DNS-validated. ``mtls_truststore_uri`` (s3://) requires mutual TLS.
    """

    domain_name: str
    hosted_zone_id: str
    certificate_arn: str = ""
    mtls_truststore_uri: str = ""


class ApiDomain(pulumi.ComponentResource):
    """Regional custom domain with TLS 1.2, an ACM certificate and a Route 53 alias."""

    def __init__(self, name: str, args: ApiDomainArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("multitier:logic:ApiDomain", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        certificate_arn = args.certificate_arn or self._validated_certificate(name, args, child)
        self.domain_name = aws.apigateway.DomainName(
            name, domain_name=args.domain_name, regional_certificate_arn=certificate_arn,
            endpoint_configuration={"types": "REGIONAL"}, security_policy="TLS_1_2",
            mutual_tls_authentication={"truststore_uri": args.mtls_truststore_uri}
            if args.mtls_truststore_uri else None,
            opts=child)
        self.record = aws.route53.Record(
            f"{name}-alias", zone_id=args.hosted_zone_id, name=args.domain_name, type="A",
            aliases=[{"name": self.domain_name.regional_domain_name, "zone_id": self.domain_name.regional_zone_id,
                      "evaluate_target_health": False}], opts=child)
        self.name = args.domain_name
        self.register_outputs({"domain_name": args.domain_name})

    @staticmethod
    def _validated_certificate(name: str, args: ApiDomainArgs, child: pulumi.ResourceOptions) -> pulumi.Output[str]:
        certificate = aws.acm.Certificate(f"{name}-certificate", domain_name=args.domain_name,
                                          validation_method="DNS", opts=child)
        option = certificate.domain_validation_options[0]
        record = aws.route53.Record(f"{name}-validation", zone_id=args.hosted_zone_id,
                                    name=option.resource_record_name, type=option.resource_record_type,
                                    records=[option.resource_record_value], ttl=300, allow_overwrite=True,
                                    opts=child)
        validation = aws.acm.CertificateValidation(f"{name}-certificate-validation", certificate_arn=certificate.arn,
                                                   validation_record_fqdns=[record.fqdn], opts=child)
        return validation.certificate_arn
