"""An API of your own from the multitier package's tier components: a table, a function with your own
handler (functions/notes/app.py), and a REST API whose callers sign their requests (SigV4).

The table grants the function exactly what it needs and hands it the table's name (NOTES_TABLE);
the API validates POST bodies against the operation's schema before the function runs.
"""

from pathlib import Path

import pulumi

from multitier import (Function, FunctionArgs, FunctionRuntime, IamAuth, Key, OpenApiOperation, RestApi, RestApiArgs,
                       Route, Table, TableArgs)

NOTE_IN = {"type": "object", "required": ["text"], "additionalProperties": False,
           "properties": {"text": {"type": "string", "minLength": 1, "maxLength": 1000}}}

notes = Table("notes", TableArgs(hash_key=Key("id"), point_in_time_recovery=False, deletion_protection=False))
function = Function("notes", FunctionArgs(
    service="notes", functions_dir=Path(__file__).parent / "functions", handler="app.handler",
    runtime=FunctionRuntime(memory_mb=128, log_retention_days=7),
    links=[notes.grant("readwrite", env="NOTES_TABLE")]))
api = RestApi("notes-api", RestApiArgs(
    default_auth=IamAuth(),
    description="Notes: list them, add one",
    routes=[
        Route("/notes", "GET", function),
        Route("/notes", "POST", function, operation=OpenApiOperation(
            "addNote", summary="Add a note", request_body="NoteIn", schemas={"NoteIn": NOTE_IN},
            responses={"201": {"description": "The note, with its id"},
                       "400": {"description": "Not a note"}})),
    ]))

pulumi.export("url", api.url)
pulumi.export("table", notes.name)
