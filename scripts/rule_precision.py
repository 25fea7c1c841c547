"""How precise each rule is on our written drafts: the drafts it fires on (medium/high severity), split into those
labelled with the rule's category, other risky ones, and clean ones.

    python scripts/rule_precision.py [--split train --split calibration]

Rules are not learned, so the training and calibration batches are fair ground for checking them; validation is
left out by default (it is scored once, by `assistant eval checkpost`). Prints counts only, never draft text.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> int:
    """Print, per rule, how many drafts it flags and how many of them are labelled with its category or clean."""
    from assistant.training.checker import rule_hits
    from assistant.training.data import load_drafts, split_files

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--split", action="append", choices=["train", "calibration", "validation"])
    splits = parser.parse_args().split or ["train", "calibration"]
    drafts = load_drafts([f for split in splits for f in split_files("checkpost", split)])
    print(f"{len(drafts)} drafts ({sum(not d.labels for d in drafts)} clean) from {', '.join(splits)}")
    print(f"{'rule':<40}{'fires':>7}{'labelled':>10}{'other risky':>13}{'clean':>7}")
    for rule, row in rule_hits(drafts).items():
        print(f"{rule:<40}{sum(row.values()):>7}{row['labelled']:>10}{row['other_risky']:>13}{row['clean']:>7}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
