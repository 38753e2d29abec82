"""One end-to-end suite for a running stack: local mode or a deployed one (``python -m verify``).

It reads what runs from one place per target (``target.py``), runs named checks per pattern
(``checks/``) with a dedicated user it creates and deletes (``cognito.py``), and reports
each check's verdict, reason and timing as a table, JSON, JUnit XML or Markdown (``report.py``).

As a library (e.g. a deployment hook checking one pattern)::

    from verify import aws_target, run_pattern
    results = run_pattern(aws_target("prod"), "web_app")
"""

from verify.checks import CHECKS, Check, Context, Failed, Skipped
from verify.runner import Report, Result, run, run_pattern, select
from verify.target import Api, Pattern, Target, TargetError, aws_target, local_target

__all__ = ["CHECKS", "Api", "Check", "Context", "Failed", "Pattern", "Report", "Result", "Skipped", "Target",
           "TargetError", "aws_target", "local_target", "run", "run_pattern", "select"]
