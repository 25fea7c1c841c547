"""Typed results of a post check: findings, the verdict and the JSON shape of ``check-post``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from assistant.knowledge.models import Citation

Severity = Literal["low", "medium", "high"]
Verdict = Literal["ok", "review", "high_risk"]

SEVERITY_RANK: dict[str, int] = {"low": 1, "medium": 2, "high": 3}
# How a verdict and a severity read in a chat (Slack swaps the emoji for its own codes).
VERDICT_TEXT: dict[str, str] = {"ok": "No problems found", "review": "Review before posting",
                                "high_risk": "High risk — don't post this as it is"}  # the same words in every chat
VERDICT_LABELS: dict[str, str] = {v: f"{mark} {VERDICT_TEXT[v]}"
                                  for v, mark in (("ok", "✅"), ("review", "⚠️"), ("high_risk", "🛑"))}
SEVERITY_LABELS: dict[str, str] = {"high": "🔴 HIGH", "medium": "🟠 MEDIUM", "low": "⚪ LOW"}

CATEGORIES: tuple[str, ...] = (
    "personal_data",
    "confidential",
    "predetermination",
    "defamation",
    "abuse_harassment",
    "discrimination",
    "electioneering",
    "malinformation",
    "copyright",
    "council_branding",
    "incitement",
    "obscene",
    "tone",
    "safeguarding",
    "naming_staff",
)


@dataclass(frozen=True)
class Finding:
    """One risk in a draft: what, how serious, where (Python string offsets), why, the guidance and a fix."""

    category: str
    severity: Severity
    start: int
    end: int
    quote: str  # draft[start:end]
    why: str
    citations: tuple[Citation, ...]
    suggestion: str
    rule: str = ""  # catalogue rule id, "classifier:<category>" or "llm"
    source: str = "rules"  # rules | classifier | llm

    @property
    def rank(self) -> int:
        """Severity as a number (low 1, medium 2, high 3)."""
        return SEVERITY_RANK[self.severity]

    def to_json(self) -> dict:
        """The public JSON shape of a finding."""
        return {
            "category": self.category,
            "severity": self.severity,
            "start": self.start,
            "end": self.end,
            "quote": self.quote,
            "why": self.why,
            "citations": [c.to_json() for c in self.citations],
            "suggestion": self.suggestion,
        }


@dataclass(frozen=True)
class Proposal:
    """A finding proposed by an extra detector (trained classifier, LLM judge), before citations are added."""

    category: str
    severity: Severity
    start: int
    end: int
    why: str | None = None
    rule: str = ""
    source: str = "classifier"


@dataclass(frozen=True)
class CheckResult:
    """The outcome of checking one draft."""

    verdict: Verdict
    findings: tuple[Finding, ...]
    rewrite: str | None  # a safer version of the draft, where one could be made
    council: str | None = None  # the council whose guidance was cited first
    rewrite_notes: tuple[str, ...] = ()  # no safer version could be made, or what it still holds

    @property
    def categories(self) -> set[str]:
        """Every category raised, at any severity."""
        return {f.category for f in self.findings}

    def categories_at_least(self, severity: Severity) -> set[str]:
        """Categories raised at this severity or above."""
        floor = SEVERITY_RANK[severity]
        return {f.category for f in self.findings if f.rank >= floor}

    def to_json(self, id: str | None = None) -> dict:
        """The batch JSON line: ``{"id", "verdict", "findings", "rewrite"}`` (``id`` only when given)."""
        data: dict = {"id": id} if id is not None else {}
        data.update(verdict=self.verdict, findings=[f.to_json() for f in self.findings], rewrite=self.rewrite)
        return data


def verdict_for(findings: tuple[Finding, ...] | list[Finding]) -> Verdict:
    """``high_risk`` if any finding is high, ``review`` if any is medium, else ``ok`` (low findings are advice)."""
    top = max((f.rank for f in findings), default=0)
    return "high_risk" if top >= 3 else "review" if top == 2 else "ok"
