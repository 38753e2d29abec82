"""Amplify Hosting's stand-in: each app's branch served on 127.0.0.1 from the zip its deployment published."""

from local.amplify.app_server import AmplifyServer

__all__ = ["AmplifyServer"]
