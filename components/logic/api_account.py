"""ApiGatewayAccount: the region's account-level CloudWatch role, and stages that wait for it."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.iam import Statement, assume_role_policy, policy_document

EXECUTION_LOG_ACTIONS = ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogGroups",
                         "logs:DescribeLogStreams", "logs:PutLogEvents", "logs:GetLogEvents", "logs:FilterLogEvents")


@dataclass
class ApiGatewayAccountArgs:
    """Only one stack per account and region should manage this (apiManageAccountRole)."""

    description: str = "API Gateway pushes execution logs to CloudWatch Logs"


class ApiGatewayAccount(pulumi.ComponentResource):
    """The account-level CloudWatch role API Gateway needs for execution logging."""

    def __init__(self, name: str, args: ApiGatewayAccountArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("multitier:logic:ApiGatewayAccount", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        identity = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self))
        region = aws.get_region_output(opts=pulumi.InvokeOutputOptions(parent=self))
        self.role = aws.iam.Role(f"{name}-role", assume_role_policy=assume_role_policy("apigateway.amazonaws.com"),
                                 description=args.description, opts=child)
        logs = pulumi.Output.concat("arn:aws:logs:", region.region, ":", identity.account_id, ":*")
        self.policy = aws.iam.RolePolicy(f"{name}-policy", role=self.role.id, policy=policy_document(
            [Statement(EXECUTION_LOG_ACTIONS, [logs], "ExecutionLogs")]), opts=child)
        self.account = aws.apigateway.Account(f"{name}-account", cloudwatch_role_arn=self.role.arn,
                                              opts=pulumi.ResourceOptions(parent=self, depends_on=[self.policy]))
        self.register_outputs({"role_arn": self.role.arn})


def after_account(account: ApiGatewayAccount) -> pulumi.ResourceTransformation:
    """Make every stage and method setting below a component wait for ``account``.

    API Gateway rejects access logging on a stage and execution logging in method
    settings ("CloudWatch Logs role ARN must be set in account settings") until
    the region's account-level role is set, so a stack that manages the role must
    set it first. A transformation, because a component's ``depends_on`` does not
    reach the resources its children create.
    """
    logged = ("aws:apigateway/stage:Stage", "aws:apigateway/methodSettings:MethodSettings")

    def transformation(args: pulumi.ResourceTransformationArgs) -> pulumi.ResourceTransformationResult | None:
        if args.type_ not in logged:
            return None
        return pulumi.ResourceTransformationResult(
            args.props, pulumi.ResourceOptions.merge(args.opts, pulumi.ResourceOptions(depends_on=[account.account])))

    return transformation
