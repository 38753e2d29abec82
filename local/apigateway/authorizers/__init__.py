"""The three ways a REST API method is authorized: Cognito user pools, a Lambda authorizer, IAM (SigV4)."""

from local.apigateway.authorizers.cognito import CognitoAuthorizer
from local.apigateway.authorizers.iam import check_sigv4
from local.apigateway.authorizers.lambda_authorizer import LambdaAuthorizer, policy_allows

__all__ = ["CognitoAuthorizer", "LambdaAuthorizer", "check_sigv4", "policy_allows"]
