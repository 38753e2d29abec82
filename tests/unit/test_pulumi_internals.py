"""The Pulumi SDK internals the offline engine relies on (local/engine/pulumi_internals.py), named one by one: an SDK
upgrade that moves one fails here, with the name, before anything else breaks."""

from __future__ import annotations

import pytest

from local.engine import pulumi_internals as sdk
from local.engine.pulumi_internals import RELIED_ON


@pytest.mark.parametrize(("what", "target", "names"), RELIED_ON, ids=[what for what, _, _ in RELIED_ON])
def test_the_sdk_has_what_the_engine_uses(what, target, names):
    assert sdk.missing(target, names) == []


def test_a_missing_internal_is_named(monkeypatch):
    monkeypatch.setattr(sdk, "RELIED_ON", (("pulumi.runtime.settings", sdk.settings, ("SETTINGS", "gone")),
                                           ("pulumi.runtime.stack.run_pulumi_func", sdk.stack.run_pulumi_func,
                                            ("func",))))
    with pytest.raises(RuntimeError, match=r"pulumi.runtime.settings has no gone .*pulumi_internals.py"):
        sdk.check()


def test_the_engine_runs_a_program_twice_in_one_process():
    import pulumi

    from local.engine import run

    def program():
        pulumi.export("answer", pulumi.Output.from_input(41).apply(lambda v: v + 1))

    assert run(program).outputs == {"answer": 42}
    assert run(program, stack="other").outputs == {"answer": 42}  # reset() left nothing of the first run behind
