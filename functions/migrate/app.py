"""Deploy-time migration handler: ``{"action": "migrate"}`` → ``{"applied": [...], "current": "NNN"}``.

Invoked by ``aws.lambda_.Invocation`` on every deploy and by local mode; applying is
idempotent, so re-running applies nothing new.
"""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.config import load_settings
from shared.db import Database, DatabaseSettings, seconds_left
from shared.observability import logger

ACTIONS = ("migrate", "status")


@logger.inject_lambda_context(log_event=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    action = event.get("action") if isinstance(event, dict) else None
    if action not in ACTIONS:
        # Raising fails the Invocation resource, so a bad call is visible at deploy time.
        raise ValueError(f"unsupported action {action!r}; expected one of {', '.join(ACTIONS)}")
    import migrator

    migrations = migrator.discover()
    # Run once per deploy against the cluster's writer, which may still be starting:
    # connecting is retried while this invocation has time, and the connection closed after.
    database = Database(load_settings(DatabaseSettings), "multitier-migrate", time_left=lambda: seconds_left(context))
    try:
        if action == "status":
            return database.run(lambda conn: migrator.status(conn, migrations))
        result = database.run(lambda conn: migrator.migrate(conn, migrations))
    finally:
        database.close()
    logger.info("Migrations done", extra=result)
    return result
