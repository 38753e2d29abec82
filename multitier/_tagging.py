"""Tags on every taggable resource: project and stack through the providers' default tags,
pattern and component through a transformation on each pattern."""

from __future__ import annotations

from typing import Any, Mapping

import pulumi


def with_default_tags(provider_settings: Mapping[str, Any], project: str, stack: str) -> dict[str, Any]:
    """The stack's provider arguments with project and stack added to its own default tags.

    Every provider the program creates takes these, so they tag whatever they create.
    """
    theirs = dict(provider_settings.get("default_tags") or {})
    tags = {**(theirs.get("tags") or {}), "project": project, "stack": stack, "managed-by": "pulumi"}
    return {**provider_settings, "default_tags": {**theirs, "tags": tags}}


def tag_with(pattern: str, project: str, stack: str) -> pulumi.ResourceTransformation:
    """Add ``pattern`` and ``component`` (the owning component's type/name) to taggable resources.

    Project and stack are repeated here so the recording (offline preview, local mode),
    which never sees a provider's default tags applied, shows every tag AWS will hold.

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
