"""SNS topics: encrypted, TLS only; subscriptions to code keep what they cannot deliver."""

from __future__ import annotations

from policy.core import Finding, Resource, Stack, resource_rule, stack_rule
from policy.rules.documents import denies_insecure_transport

PREFIX = "MT-SNS"

TOPIC = "aws:sns/topic:Topic"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
CODE_PROTOCOLS = ("lambda", "sqs", "http", "https", "firehose", "application")


@resource_rule("MT-SNS-1", TOPIC, severity="medium", description="Topics are encrypted with KMS",
               remediation="Set kms_master_key_id (a key whose policy lets the publishers use it).")
def encrypted(topic: Resource):
    if not topic.get("kmsMasterKeyId"):
        yield "not encrypted"


@stack_rule("MT-SNS-2", severity="low", description="Topic policies deny publishing without TLS",
            remediation="Add a topic policy statement denying sns:Publish when aws:SecureTransport is false.")
def tls_only(stack: Stack):
    policies = stack.of_type("aws:sns/topicPolicy:TopicPolicy")
    for topic in stack.of_type(TOPIC):
        documents = [topic.get("policy")] + [p.get("policy") for p in policies if topic.urn in p.dependencies]
        if not any(denies_insecure_transport(d) for d in documents if d):
            yield Finding(topic, "no policy denying publishing without TLS")


@resource_rule("MT-SNS-3", SUBSCRIPTION, severity="medium",
               description="Subscriptions that deliver to code keep undeliverable messages (redrive policy)",
               remediation="Set redrive_policy to a dead-letter queue on lambda, sqs, http(s) and firehose "
                           "subscriptions (e-mail and SMS deliveries are retried by SNS and read by people).")
def redrive(subscription: Resource):
    if subscription.get("protocol") in CODE_PROTOCOLS and not subscription.get("redrivePolicy"):
        yield f"a {subscription.get('protocol')} subscription without a dead-letter queue loses what it cannot deliver"
