"""The SRP sign-in front's own bookkeeping, without the emulators (its moto client is a fake)."""

from __future__ import annotations

import secrets

import pytest

from local.emulators import cognito_sign_in
from local.emulators.cognito_sign_in import CognitoFront

POOL, CLIENT, USER = "us-east-1_Pool1", "client-abc", "demo@example.com"


class FakeIdp:
    def admin_get_user(self, UserPoolId: str, Username: str) -> dict:  # noqa: N803 - boto3's names
        return {"Username": "user-" + Username.split("@")[0]}


@pytest.fixture
def front() -> CognitoFront:
    front = CognitoFront(0, cognito=None)
    front._client = FakeIdp()
    front.client_pools = {CLIENT: POOL}
    front.set_password(POOL, USER, "Local-secret-9!")
    return front


def initiate(front: CognitoFront) -> dict:
    status, answer = front.initiate({"ClientId": CLIENT, "AuthParameters": {
        "USERNAME": USER, "SRP_A": secrets.token_hex(64)}})
    assert status == 200 and answer["ChallengeName"] == "PASSWORD_VERIFIER"
    return answer


def test_unanswered_challenges_expire_instead_of_accumulating(front: CognitoFront, monkeypatch) -> None:
    # GIVEN sign-ins that were started and never answered
    clock = [1000.0]
    monkeypatch.setattr(cognito_sign_in.time, "monotonic", lambda: clock[0])
    for _ in range(50):
        initiate(front)
    assert len(front.sessions) == 50
    # WHEN their challenges are past answering and another sign-in starts
    clock[0] += 301  # a challenge can be answered for 300 s
    latest = initiate(front)
    # THEN only the live challenge is kept
    assert list(front.sessions) == [latest["Session"]]
