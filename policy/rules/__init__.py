"""The pack's rules, one module per id prefix: ``MT-APIGW-*`` in ``apigateway.py``, ``MT-S3-*`` in ``s3.py``, ….

``RULES`` is built here from the modules listed, not by importing them for their side
effects: a new rule module is one more line in ``MODULES``.
"""

from policy.core import Rule, collect
from policy.rules import (acm, apigateway, cloudfront, cognito, cost, deploy, dynamodb, efs, elasticache, iam, kms,
                          lambda_, limits, logs, openapi, ops, rds, release, replacement, s3, secrets, sns, vpc, waf)

MODULES = (acm, apigateway, cloudfront, cognito, cost, deploy, dynamodb, efs, elasticache, iam, kms, lambda_, limits,
           logs, openapi, ops, rds, release, replacement, s3, secrets, sns, vpc, waf)
RULES: dict[str, Rule] = collect(MODULES)
