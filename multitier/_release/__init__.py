"""Safe releases: new function versions and API deployments reach their traffic gradually, judged by alarms.

``shift.py`` (CodeDeploy's Lambda configurations as schedules), ``function_release.py`` (a function's
CodeDeploy application, deployment group, service role and version alarms), ``stage_canary.py`` (a stage
canary promoted or taken back), ``checks.py`` (the hook's request), ``deploy.py`` (the two dynamic resources
``pulumi up`` waits for).
"""
