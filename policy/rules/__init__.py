"""Every rule module, imported once so each rule registers in ``policy.core.RULES``."""

from policy.rules import (  # noqa: F401
    apigateway, cloudfront, cognito, cost, deploy, deploy_openapi, dynamodb, efs, elasticache, iam, kms, lambda_,
    limits, logs, ops, rds, replacement, s3, secrets, sns, vpc, waf,
)
