"""README's totals, generated: ``python -m local.totals`` rewrites what each stack holds from its offline preview.

A tool, like ``python -m multitier._settings.generate`` for the settings tables; a test fails when the
README's table is not what the previews count (tests/unit/test_preview.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

from local import engine
from multitier._settings.model import Settings

MARKER = "totals"
SHARED = "shared"


def by_pattern(recording: engine.Recording) -> dict[str, int]:
    """Resources per pattern (the pattern component each is under; ``shared`` for the rest), components included."""
    by_urn = {r.urn: r for r in recording.registrations}
    counts: dict[str, int] = {}
    for registration in recording.registrations:
        node, pattern = registration, SHARED
        while node is not None:
            if node.type.startswith("multitier:patterns:"):
                pattern = node.name.replace("-", "_")  # as the `patterns` setting names it
                break
            node = by_urn.get(node.parent)
        counts[pattern] = counts.get(pattern, 0) + 1
    return counts


def render(recordings: Mapping[str, engine.Recording]) -> str:
    """The table: each stack's resources in all and per pattern (what ``preview`` prints, summed)."""
    counts = {stack: by_pattern(recording) for stack, recording in recordings.items()}
    order = {name: i for i, name in enumerate(Settings().patterns)}  # the whitepaper's order
    patterns = sorted({p for c in counts.values() for p in c} - {SHARED}, key=lambda p: (order.get(p, len(order)), p))
    rows = ["| stack | resources | " + " | ".join(f"`{p}`" if p != SHARED else p for p in (SHARED, *patterns)) + " |",
            "|---|---|" + "---|" * (len(patterns) + 1)]
    for stack, count in counts.items():
        cells = [str(count.get(p, 0)) if p in count else "-" for p in (SHARED, *patterns)]
        rows.append(f"| {stack} | {sum(count.values())} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def stacks(root: Path = engine.PROJECT_ROOT) -> list[str]:
    return sorted(p.name.split(".")[1] for p in root.glob("Pulumi.*.yaml"))


def main(root: Path = engine.PROJECT_ROOT) -> None:
    from multitier._settings.generate import between_markers

    readme = root / "README.md"
    table = render({stack: engine.run_stack(stack) for stack in stacks(root)})
    readme.write_text(between_markers(readme.read_text(), MARKER, table))
    print(table)


if __name__ == "__main__":
    main()
