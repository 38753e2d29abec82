"""ApiGatewayAccount: the region's account-level CloudWatch role, and stages that wait for it.

API Gateway has one CloudWatch role setting per account and region, and refuses a stage
that logs ("CloudWatch Logs role ARN must be set in account settings") until it is set.
Every stack that manages it may create it, so a first deploy in a fresh account needs no
manual step, without two stacks ever fighting over it or one destroy breaking another's
logging:

- the setting is written once, when this stack first creates it, and never re-pointed by
  a later ``up`` (``ignore_changes``): a second stack in the same account sets it once to
  its own, equivalent role;
- destroying the stack neither resets the setting nor deletes the role it points to
  (``retain_on_delete``): whichever role the region uses keeps working. The roles left
  behind are tagged ``retained-after-destroy`` for a cleanup once no stack logs.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from multitier._iam import Statement, assume_role_policy, policy_document

EXECUTION_LOG_ACTIONS = ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogGroups",
                         "logs:DescribeLogStreams", "logs:PutLogEvents", "logs:GetLogEvents", "logs:FilterLogEvents")
RETAINED_TAG = "retained-after-destroy"


@dataclass
class ApiGatewayAccountArgs:
    description: str = "API Gateway pushes execution logs to CloudWatch Logs (shared by the region's stacks)"


class ApiGatewayAccount(pulumi.ComponentResource):
    """The account-level CloudWatch role API Gateway needs for execution logging."""

    def __init__(self, name: str, args: ApiGatewayAccountArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("multitier:logic:ApiGatewayAccount", name, None, opts)
        kept = pulumi.ResourceOptions(parent=self, retain_on_delete=True)
        identity = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self))
        region = aws.get_region_output(opts=pulumi.InvokeOutputOptions(parent=self))
        self.role = aws.iam.Role(f"{name}-role", assume_role_policy=assume_role_policy("apigateway.amazonaws.com"),
                                 description=args.description, tags={RETAINED_TAG: "true"}, opts=kept)
        logs = pulumi.Output.concat("arn:aws:logs:", region.region, ":", identity.account_id, ":*")
        self.policy = aws.iam.RolePolicy(f"{name}-policy", role=self.role.id, policy=policy_document(
            [Statement(EXECUTION_LOG_ACTIONS, [logs], "ExecutionLogs")]), opts=kept)
        self.account = aws.apigateway.Account(
            f"{name}-account", cloudwatch_role_arn=self.role.arn,
            opts=pulumi.ResourceOptions.merge(kept, pulumi.ResourceOptions(
                depends_on=[self.policy], ignore_changes=["cloudwatch_role_arn"])))
        # The role the region's setting named when this stack set it (a refresh shows the current one).
        self.role_arn = self.account.cloudwatch_role_arn
        self.register_outputs({"role_arn": self.role_arn})


def after_account(account: ApiGatewayAccount) -> pulumi.ResourceTransformation:
    """Make every stage and method setting below a component wait for ``account``.

    A transformation, because a component's ``depends_on`` does not reach the
    resources its children create.
    """
    logged = ("aws:apigateway/stage:Stage", "aws:apigateway/methodSettings:MethodSettings")

    def transformation(args: pulumi.ResourceTransformationArgs) -> pulumi.ResourceTransformationResult | None:
        if args.type_ not in logged:
            return None
        return pulumi.ResourceTransformationResult(
            args.props, pulumi.ResourceOptions.merge(args.opts, pulumi.ResourceOptions(depends_on=[account.account])))

    return transformation
