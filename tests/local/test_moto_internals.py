"""The moto and werkzeug internals local mode's emulator relies on (local/emulators/moto_internals.py), named one by
one: a moto upgrade that moves one fails here, with the name, and the emulator refuses to start with the same."""

from __future__ import annotations

import pytest

from local.emulators import moto_internals
from local.emulators.moto_internals import RELIED_ON


@pytest.mark.parametrize(("what", "target", "names"), RELIED_ON, ids=[what for what, _, _ in RELIED_ON])
def test_moto_has_what_the_emulator_uses(what, target, names):
    assert moto_internals.missing(target, names) == []


def test_the_backends_kept_and_the_user_moto_makes_are_as_relied_on():
    moto_internals.check()


def test_a_missing_internal_is_named(monkeypatch):
    monkeypatch.setattr(moto_internals, "RELIED_ON", (("moto's S3 object", moto_internals.FakeKey, ("value", "gone")),))
    with pytest.raises(RuntimeError, match=r"moto's S3 object has no gone .*moto_internals.py"):
        moto_internals.check()
