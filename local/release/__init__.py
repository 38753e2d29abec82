"""Releases, locally: function versions and weighted aliases, stage canaries, and release rehearsals.

``aliases.py`` (versions and aliases over the Lambda runtime), ``stage.py`` (a stage's deployment and its
canary's), ``plan.py`` (a release as the program registered it), ``rehearsal.py`` (CodeDeploy's schedule and a
canary's bake over local metrics, as a timeline), ``releases.py`` (what local mode holds), ``traffic.py`` (a
rehearsal's own requests), ``control.py`` (``python -m local release`` talking to a running local mode).
"""

from local.release.control import ControlServer, rehearse, run_cli
from local.release.releases import Outcome, ReleaseError, Releases

__all__ = ["ControlServer", "Outcome", "ReleaseError", "Releases", "rehearse", "run_cli"]
