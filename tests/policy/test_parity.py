"""The parity table in policy/README.md: complete rows, real pack rules, counts that add up."""

from __future__ import annotations

import re

from policy import parity
from policy.rules import RULES


def test_every_row_names_existing_rules_or_says_why_none():
    rows = parity.table_ids()
    assert len(rows) >= 250
    for anchor_id, mapping in rows.items():
        named = re.findall(r"MT-[A-Z0-9]+-\d+", mapping)
        assert set(named) <= set(RULES), f"{anchor_id} names rules the pack lacks: {set(named) - set(RULES)}"
        assert named or re.match(r"(n/a|not adopted): \w+", mapping), f"{anchor_id}: {mapping!r}"


def test_the_counts_table_matches_the_rows():
    rows = parity.table_ids()
    text = parity.README.read_text()
    for anchor, pattern in (("cdk-nag AwsSolutions + Serverless", r"(AwsSolutions|Serverless)-"), ("Checkov", r"CKV")):
        mine = [m for i, m in rows.items() if re.match(pattern, i)]
        counts = (len(mine), sum(not m.startswith(("n/a", "not adopted")) for m in mine),
                  sum(m.startswith("n/a") for m in mine), sum(m.startswith("not adopted") for m in mine))
        row = re.search(rf"^\| {re.escape(anchor)}[^|]* \| (\d+) \| (\d+) \| (\d+) \| (\d+) \|$", text, re.M)
        assert row and tuple(map(int, row.groups())) == counts, (anchor, counts)

