"""Ticket documents on the mounted file system: the only module of this service that touches files.

One JSON file per ticket, ``<root>/<ticket id>.json``, written atomically (a temporary
file renamed into place), so a reader never sees half a document.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path

from shared.models import TicketDocument

_TICKET_ID = re.compile(r"^[A-Za-z0-9-]{1,64}$")


class TicketDocuments:
    def __init__(self, root: str):
        self.root = Path(root)

    def _path(self, ticket_id: str) -> Path:
        if not _TICKET_ID.match(ticket_id):  # ids name files: nothing that could leave the folder
            raise ValueError(f"not a ticket id: {ticket_id!r}")
        return self.root / f"{ticket_id}.json"

    def write(self, document: TicketDocument) -> None:
        path = self._path(document.ticket_id)
        handle, temporary = tempfile.mkstemp(dir=self.root, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(handle, "w") as file:
                file.write(document.model_dump_json())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def read(self, ticket_id: str) -> TicketDocument | None:
        try:
            return TicketDocument.model_validate(json.loads(self._path(ticket_id).read_text()))
        except FileNotFoundError:
            return None
