"""Tags on every taggable resource: project and stack through the provider's
default tags, pattern and component through a transformation on each pattern."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws


def stack_provider(region: str, project: str, stack: str) -> aws.Provider:
    """The stack's AWS provider; its default tags reach every taggable resource."""
    return aws.Provider("aws", region=region,
                        default_tags={"tags": {"project": project, "stack": stack, "managed-by": "pulumi"}})


def tag_with(pattern: str, project: str, stack: str) -> pulumi.ResourceTransformation:
    """Add ``pattern`` and ``component`` (the owning component's type/name) to taggable resources.

    Project and stack are repeated here for resources created through a second
    provider (CloudFront's us-east-1 certificate and WAF), which has no default tags.

    A legacy transformation rather than a transform: it runs in the program, so the
    mock engine, the offline preview and local mode see the same tags as AWS.
    """

    def transformation(args: pulumi.ResourceTransformationArgs) -> pulumi.ResourceTransformationResult | None:
        if not isinstance(args.resource, pulumi.CustomResource) or "tags" not in args.props:
            return None
        parent = args.opts.parent
        component = (f"{parent.pulumi_resource_type}/{parent.pulumi_resource_name}"
                     if isinstance(parent, pulumi.ComponentResource) else pattern)
        tags = {"project": project, "stack": stack, "pattern": pattern, "component": component,
                **(args.props.get("tags") or {})}
        return pulumi.ResourceTransformationResult({**args.props, "tags": tags}, args.opts)

    return transformation
