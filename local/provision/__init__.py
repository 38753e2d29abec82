"""Local mode's provisioner: the program's registrations become real local things.

``mocks.py`` creates resources in the emulators as the program registers them
(create-on-register); ``stack.py`` reads the recording back into what local mode
runs (``apis.py``, ``sites.py``; ``code.py`` unpacks archives and installs layers);
``declarations.py`` and ``environment.py`` give each function its environment from the
contract its archive carries; ``identities.py`` gives each function an IAM identity
with its role's statements; ``seeding.py`` puts the services' declared users and
items in.
"""

from local.provision.mocks import Emulators, LocalMocks
from local.provision.stack import LocalStack, build

__all__ = ["Emulators", "LocalMocks", "LocalStack", "build"]
