"""Vendor Pulumi's package metaschema, which tests/package/test_schema.py validates schema.json against.

    python schema/update_metaschema.py <pulumi/pulumi commit> [<its pkg/codegen/schema/pulumi.json>]

Without a file, the metaschema is downloaded from that commit of github.com/pulumi/pulumi. Its
regular expressions use named groups as Go and ECMAScript write them, ``(?<name>``; Python's ``re``
(what the jsonschema package checks ``pattern`` with) writes ``(?P<name>``, so they are rewritten:
the only change, recorded with the source in the file's ``$comment``.
"""

from __future__ import annotations

import json
import sys
import urllib.request
from pathlib import Path

SOURCE = "https://github.com/pulumi/pulumi/blob/{commit}/pkg/codegen/schema/pulumi.json"
RAW = "https://raw.githubusercontent.com/pulumi/pulumi/{commit}/pkg/codegen/schema/pulumi.json"
TARGET = Path(__file__).with_name("pulumi-package-metaschema.json")


def vendored(text: str, commit: str) -> dict:
    metaschema = json.loads(text.replace("(?<", "(?P<"))
    comment = (f"Pulumi's package metaschema, vendored from {SOURCE.format(commit=commit)} (Apache-2.0) by "
               f"schema/update_metaschema.py; its named groups (?<name> are written (?P<name> for Python's re.")
    return {"$comment": comment, **metaschema}


def main(argv: list[str]) -> None:
    if not 1 <= len(argv) <= 2:
        raise SystemExit(__doc__)
    commit = argv[0]
    if len(argv) == 2:
        text = Path(argv[1]).read_text()
    else:
        with urllib.request.urlopen(RAW.format(commit=commit), timeout=30) as response:
            text = response.read().decode()
    TARGET.write_text(json.dumps(vendored(text, commit), indent=4) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
