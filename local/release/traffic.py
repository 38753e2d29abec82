"""Traffic for a rehearsal: a signed-in user's requests to the routes of the functions being released.

A release is judged by what its traffic does, so a rehearsal with no one using the stack can bring
its own: the release check's requests (a ``GET`` of each released function's own route), sent
through the stage's gateway as the stack's demo user (signed in at the emulator's Cognito, as a
client would) at ``rate`` requests per second, until the rehearsal ends.
"""

from __future__ import annotations

import itertools
import threading
import time
import urllib.error
import urllib.request
from typing import Any, Callable, Sequence


def send(url: str, token: str) -> int:
    """One GET; its status (a refused connection or a timeout counts as 599)."""
    request = urllib.request.Request(url, headers={"Authorization": token, "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 599


def traffic(targets: Sequence[tuple[str, str]], rate: float, clients: int = 2) -> Callable[[threading.Event], None]:
    """What ``Releases.release_service`` runs until its event is set: ``targets`` (url, token) in turn."""
    def run(done: threading.Event) -> None:
        turns = itertools.cycle(targets)
        lock = threading.Lock()
        interval = clients / rate

        def client() -> None:
            while not done.is_set():
                started = time.monotonic()
                with lock:
                    url, token = next(turns)
                send(url, token)
                done.wait(max(0.0, interval - (time.monotonic() - started)))

        threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    return run


def id_token(cognito: Any, pool_id: str, client_id: str, email: str, password: str) -> str:
    """An ID token of a local user (the emulator's admin sign-in, with the password local mode seeded)."""
    result = cognito.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                         AuthParameters={"USERNAME": email, "PASSWORD": password})
    return result["AuthenticationResult"]["IdToken"]
