"""The offline engine records what a real engine acts on: resource options, and refuses duplicate URNs."""

import pulumi
import pulumi_aws as aws
import pytest

from local.engine import DuplicateUrnError


def test_every_resource_option_a_deploy_depends_on_is_recorded(run):
    def program():
        keep = aws.cloudwatch.LogGroup("keep", retention_in_days=7)
        aws.cloudwatch.LogGroup(
            "logs", retention_in_days=7,
            opts=pulumi.ResourceOptions(ignore_changes=["retention_in_days"], retain_on_delete=True,
                                        replace_on_changes=["name"], aliases=[pulumi.Alias(name="old-logs")],
                                        deleted_with=keep, additional_secret_outputs=["arn"]))

    rec = run(program)
    logs, keep = rec.named("logs"), rec.named("keep")
    assert logs.ignore_changes == ["retentionInDays"]  # as the provider names it
    assert logs.retain_on_delete is True and keep.retain_on_delete is False
    assert logs.replace_on_changes == ["name"]
    assert [alias.rsplit("::", 1)[-1] for alias in logs.aliases] == ["old-logs"]
    assert logs.deleted_with == keep.urn
    assert logs.additional_secret_outputs == ["arn"]
    assert (keep.ignore_changes, keep.replace_on_changes, keep.aliases, keep.deleted_with) == ([], [], [], "")


def test_two_resources_with_one_urn_fail_the_run_as_a_real_engine_does(run):
    def program():
        aws.cloudwatch.LogGroup("same", retention_in_days=7)
        aws.cloudwatch.LogGroup("same", retention_in_days=14)

    with pytest.raises(DuplicateUrnError, match=r"aws:cloudwatch/logGroup:LogGroup::same.*registered twice"):
        run(program)


def test_the_same_name_under_two_types_or_parents_is_not_a_duplicate(run):
    def program():
        aws.cloudwatch.LogGroup("same", retention_in_days=7)
        aws.sns.Topic("same")

    assert len(run(program).registrations) == 2


def test_each_run_has_its_own_root_stack_and_outputs(run):
    def exporting(name):
        def program():
            aws.sns.Topic(name)
            pulumi.export(name, "value")
        return program

    first, second = run(exporting("first"), stack="one"), run(exporting("second"), stack="two")
    assert (first.outputs, second.outputs) == ({"first": "value"}, {"second": "value"})
    assert second.named("second").parent == "urn:pulumi:two::multitier::pulumi:pulumi:Stack::multitier-two"
