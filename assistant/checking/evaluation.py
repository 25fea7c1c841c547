"""Scores the post checker on a labelled set (the format of checkpost_dev.jsonl).

Definitions (also printed by ``assistant eval checkpost``):
* recall of category C: share of items expecting C where some finding has category C, at any severity;
  recall@medium counts only medium/high findings (what changes the verdict);
* precision of C: over (item, C) pairs raised at medium or high, the share where C was expected;
* clean false-positive rate: share of items expecting no category that get any medium/high finding;
* risky drafts warned: share of items expecting some category that get any finding at all (any category, any
  severity), and at medium/high (the verdict is not "ok"), whichever category it is: what the councillor sees;
* must_not violations: (item, C) pairs where C is in the item's ``must_not`` and was raised at medium/high
  (each is also a false positive for C's precision).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.checking.models import CATEGORIES
from assistant.errors import InvalidInput, UserError

HIGH_SEVERITY = ("personal_data", "confidential", "predetermination", "defamation", "abuse_harassment",
                 "discrimination", "incitement", "safeguarding")
TARGETS = {"macro_recall": 0.9, "high_severity_recall": 0.9, "clean_fp_rate": 0.05}


@dataclass(frozen=True)
class Item:
    """One labelled post."""

    id: str
    text: str
    expect: frozenset[str]
    must_not: frozenset[str]


@dataclass
class Report:
    """Per-category counts and the headline numbers."""

    items: int = 0
    support: Counter = field(default_factory=Counter)
    hits: Counter = field(default_factory=Counter)
    hits_medium: Counter = field(default_factory=Counter)
    raised: Counter = field(default_factory=Counter)
    true_raised: Counter = field(default_factory=Counter)
    clean: int = 0
    clean_flagged: list[str] = field(default_factory=list)
    risky: int = 0
    risky_any: int = 0  # risky items with any finding (any category, any severity)
    risky_flagged: int = 0  # risky items with a medium/high finding (any category)
    must_not_violations: list[tuple[str, str]] = field(default_factory=list)
    misses: list[tuple[str, str]] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)

    def recall(self, c: str) -> float | None:
        """Share of items expecting c where c was raised at any severity."""
        return self.hits[c] / self.support[c] if self.support[c] else None

    def precision(self, c: str) -> float | None:
        """Share of medium/high raisings of c that were expected."""
        return self.true_raised[c] / self.raised[c] if self.raised[c] else None

    @property
    def macro_recall(self) -> float:
        """Mean recall over categories present in the set."""
        values = [self.recall(c) for c in CATEGORIES if self.support[c]]
        return sum(values) / len(values) if values else 0.0

    @property
    def clean_fp_rate(self) -> float:
        """Share of clean items with any medium/high finding."""
        return len(self.clean_flagged) / self.clean if self.clean else 0.0

    def targets_met(self) -> dict[str, bool]:
        """The issue's dev-set targets, each met or not."""
        high = [self.recall(c) for c in HIGH_SEVERITY if self.support[c]]
        return {
            "macro_recall>=0.9": self.macro_recall >= TARGETS["macro_recall"],
            "high_severity_recall>=0.9": all(r >= TARGETS["high_severity_recall"] for r in high),
            "clean_fp_rate<=0.05": self.clean_fp_rate <= TARGETS["clean_fp_rate"],
        }

    def to_json(self) -> dict[str, Any]:
        """Everything, as JSON-friendly data."""
        per = {}
        for c in CATEGORIES:
            if self.support[c] or self.raised[c]:
                per[c] = {
                    "support": self.support[c], "hits": self.hits[c], "recall": _r(self.recall(c)),
                    "recall_medium_high": _r(self.hits_medium[c] / self.support[c]) if self.support[c] else None,
                    "raised_medium_high": self.raised[c], "precision": _r(self.precision(c)),
                }
        return {
            "items": self.items, "per_category": per, "macro_recall": _r(self.macro_recall),
            "clean_items": self.clean, "clean_fp_rate": _r(self.clean_fp_rate), "clean_flagged": self.clean_flagged,
            "risky_items": self.risky, "risky_warned_any": _r(self.risky_any / self.risky if self.risky else None),
            "risky_warned_medium_high": _r(self.risky_flagged / self.risky if self.risky else None),
            "must_not_violations": [{"id": i, "category": c} for i, c in self.must_not_violations],
            "misses": [{"id": i, "category": c} for i, c in self.misses],
            "errors": [{"id": i, "error": e} for i, e in self.errors], "targets_met": self.targets_met(),
        }


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


def load_items(path: Path) -> list[Item]:
    """Items of a labelled JSONL set; a bad line stops with its number."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        raise InvalidInput(f"Could not read {path} as UTF-8 text.") from None
    items = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            expect = raw.get("expect", raw.get("labels"))  # dev sets say "expect", datasets/ say "labels"
            item = Item(str(raw["id"]), str(raw["text"]), frozenset(expect or ()),
                        frozenset(raw.get("must_not") or ()))
        except (json.JSONDecodeError, KeyError, TypeError):
            raise InvalidInput(f"Line {n} of {path} needs JSON with at least \"id\" and \"text\".") from None
        unknown = (item.expect | item.must_not) - set(CATEGORIES)
        if unknown:
            raise InvalidInput(f"Line {n} of {path} names unknown categories: {', '.join(sorted(unknown))}.")
        items.append(item)
    return items


def evaluate(checker: Any, items: list[Item], *, council: str | None = None) -> Report:
    """Run the checker over the items and count hits, misses and false positives."""
    report = Report(items=len(items))
    for item in items:
        try:
            result = checker.check(item.text, council=council)
        except UserError as exc:
            report.errors.append((item.id, exc.user_message))
            found, found_medium = set(), set()
        else:
            found, found_medium = result.categories, result.categories_at_least("medium")
        for c in item.expect:
            report.support[c] += 1
            report.hits[c] += c in found
            report.hits_medium[c] += c in found_medium
            if c not in found:
                report.misses.append((item.id, c))
        for c in found_medium:
            report.raised[c] += 1
            report.true_raised[c] += c in item.expect
        report.must_not_violations.extend((item.id, c) for c in sorted(item.must_not & found_medium))
        if not item.expect:
            report.clean += 1
            if found_medium:
                report.clean_flagged.append(item.id)
        else:
            report.risky += 1
            report.risky_any += bool(found)
            report.risky_flagged += bool(found_medium)
    return report
