"""The whitepaper's web app from the multitier package, with settings of its own.

The pattern deploys the ticketing app the package carries (its functions and site) on S3 and
CloudFront instead of Amplify, with its own stage name, a lower throttle, self sign-up, and data a
`pulumi destroy` may remove. Every setting left out keeps its default, the secure choice.
"""

import pulumi
import pulumi_aws as aws

from multitier import PatternArgs, PatternSettings, SiteHosting, WebApp

shop = WebApp("shop", PatternArgs(
    stack=pulumi.get_stack(),
    region=aws.config.region,
    settings=PatternSettings(
        site_hosting=SiteHosting.CLOUDFRONT,
        api_stage_name="shop",
        api_throttle_rate=5.0,
        api_throttle_burst=10,
        identity_self_sign_up=True,
        identity_protect=False,
        data_deletion_protection=False,
        data_force_destroy=True,
        lambda_log_retention_days=7,
    )))

pulumi.export("site_url", shop.site_url)
pulumi.export("api_url", shop.api_url)
pulumi.export("user_pool_id", shop.user_pool_id)
