"""The offline engine's run: everything a program starts settles, and every failure still surfaces."""

import pulumi
import pytest

from local.engine import UnknownTokenError

LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"


def test_outputs_chained_on_registrations_all_resolve(run):
    # GIVEN a chain of resources, each reading the previous one's output (waves of registrations)
    def program():
        previous = pulumi.CustomResource(LOG_GROUP, "g0", {"name": "g0"})
        for index in range(1, 30):
            previous = pulumi.CustomResource(LOG_GROUP, f"g{index}",
                                             {"name": previous.urn.apply(lambda _, i=index: f"g{i}")})
        pulumi.export("last", previous.urn)

    recording = run(program)
    # THEN every registration happened and the export resolved
    assert len(recording.of_type(LOG_GROUP)) == 30
    assert recording.outputs["last"].endswith("::g29")


def test_an_unknown_type_token_fails_the_run_naming_it(run):
    def program():
        unknown = pulumi.CustomResource("aws:nothing/nothing:Nothing", "x", {})
        pulumi.CustomResource(LOG_GROUP, "after", {"name": unknown.id})  # waits on the failed one

    with pytest.raises(UnknownTokenError, match="aws:nothing/nothing:Nothing"):
        run(program)


def test_an_apply_that_raises_fails_the_run(run):
    def program():
        group = pulumi.CustomResource(LOG_GROUP, "g", {"name": "g"})
        group.urn.apply(lambda _: 1 / 0)

    with pytest.raises(ZeroDivisionError):
        run(program)
