"""Ticket documents on EFS (the mobile backend): one receipt per purchase, read back by the buyer.

The tickets function mounts the file system's access point at ``MOUNT_PATH``; it writes
``<ticket id>.json`` when a purchase commits and ``GET /tickets/{id}/document``
(``api.GET_TICKET_DOCUMENT``) reads it. The route is served only where a pattern grants the
file system (an ``api.OPT_IN`` operation).
"""

from __future__ import annotations

import pulumi

from multitier._declarations import api, contract
from multitier._data.file_system import FileSystem
from multitier._logic.function import Function
from multitier._logic.link import Link
from multitier._logic.routes import Route
from multitier._network.network import Network
from multitier._patterns import services, tier_args
from multitier._settings.model import Settings

MOUNT_PATH = "/mnt/tickets"
ROOT_DIRECTORY = "/tickets"


def file_system(name: str, settings: Settings, network: Network, parent: pulumi.Resource) -> FileSystem:
    return FileSystem(name, tier_args.file_system(settings, network, ROOT_DIRECTORY),
                      opts=pulumi.ResourceOptions(parent=parent))


def link(documents: FileSystem) -> Link:
    return documents.grant(contract.TICKET_DOCUMENTS_PATH.name, MOUNT_PATH)


def route(function: Function) -> Route:
    return services.route(api.GET_TICKET_DOCUMENT, function)
