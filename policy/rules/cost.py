"""Cost: the stack's estimated idle monthly cost stays within the stack's budget."""

from __future__ import annotations

from policy.core import Finding, Stack, stack_rule

PREFIX = "MT-COST"


@stack_rule("MT-COST-1", kind="cost", severity="medium",
            description="The estimated idle monthly cost stays within the configured budget",
            remediation="Lower idle cost (interface endpoints per AZ, Aurora minimum ACUs, RDS proxy, WAF ACLs) "
                        "or raise params.monthlyBudgetUsd in policy/config.<stack>.json.",
            params={"monthlyBudgetUsd": 500})
def within_budget(stack: Stack, params):
    from policy.cost import estimate  # the estimator reads the rule helpers, so it loads late

    idle = estimate(stack).idle_monthly()
    if idle > params["monthlyBudgetUsd"]:
        yield Finding(None, f"estimated idle cost ${idle:,.2f}/month exceeds the budget of "
                            f"${params['monthlyBudgetUsd']:,.2f}")
