"""PostChecker: checks a draft social-media post against the guidance and explains each risk with citations.

Offline by default: the rule catalogue (rules.yml) with pattern recognisers, plus the trained classifier
(assistant.checking.classifier); the result is their union and each finding keeps its source. An optional LLM
judge may add findings; it never removes the others. The draft is never logged or stored.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import replace
from typing import Any, Protocol

from assistant.checking.catalogue import Catalogue, CiteRef, checker_catalogue, load_catalogue
from assistant.checking.citations import CitationIndex
from assistant.checking.engine import RuleHit, run_rules
from assistant.checking.models import SEVERITY_RANK, CheckResult, Finding, Proposal, verdict_for
from assistant.checking.rewrite import rewrite_notes, safer_rewrite
from assistant.checking.text import Span, scan_text, sentences
from assistant.errors import InvalidInput

log = logging.getLogger(__name__)

MAX_DRAFT_CHARS = 50_000  # far above any platform's post limit; keeps a check of the longest draft well under 1 s
MAX_FINDINGS = 40
# Citation scores: the rule's own paragraphs are its direct authority; the category's are general background.
RULE_CITE_SCORE, CATEGORY_CITE_SCORE, EXTRA_CITE_SCORE = 1.0, 0.9, 0.6
WARM_UP_DRAFT = "Thanks to Jane Smith (7) at 1 Mill Lane, 07700 900000."


class Detector(Protocol):
    """Something that proposes extra findings for a draft (the trained classifier, an LLM judge)."""

    def propose(self, draft: str, scan: str, sents: list[Span], covered: Collection[str]) -> list[Proposal]:
        """Findings for categories not in ``covered``; offsets are into ``draft``."""
        ...


class PostChecker:
    """Checks drafts: ``check(draft, council=...)`` returns a CheckResult with cited findings and a rewrite."""

    def __init__(
        self,
        knowledge: Any,
        *,
        catalogue: Catalogue | None = None,
        council: str | None = None,
        classifier: Detector | None = None,
        judge: Detector | None = None,
    ) -> None:
        self.knowledge = knowledge
        self.catalogue = catalogue or load_catalogue()
        self.council = council
        self.classifier = classifier
        self.judge = judge
        self._citations: CitationIndex | None = None

    def warm_up(self) -> None:
        """Resolve the catalogue's citations and load the classifier (done on first use if not called)."""
        if self._citations is None:
            self._citations = CitationIndex.build(self.catalogue, self.knowledge)
            warm = scan_text(WARM_UP_DRAFT)
            run_rules(self.catalogue, warm, sentences(warm))  # loads the name list and recognisers once
        for detector in (self.classifier, self.judge):
            if detector is not None and hasattr(detector, "warm_up"):
                detector.warm_up()

    def check(self, draft: str, *, council: str | None = None) -> CheckResult:
        """Check one draft post; ``council`` overrides the configured own council for citation order."""
        _validate(draft)
        if self._citations is None:
            self.warm_up()
        council = council or self.council
        scan = scan_text(draft)
        sents = sentences(scan)
        truncated: list[str] = []
        hits = run_rules(self.catalogue, scan, sents, truncated=truncated)
        findings = [self._from_hit(draft, h, council) for h in hits]
        for detector in (self.classifier, self.judge):
            if detector is None:
                continue
            covered = {f.category for f in findings}
            try:
                proposals = detector.propose(draft, scan, sents, covered)
            except Exception as exc:  # an extra detector must never take the deterministic result down with it
                log.warning("%s failed (%s); deterministic findings kept", type(detector).__name__, type(exc).__name__)
                continue
            findings.extend(self._from_proposals(draft, proposals, covered, council))
        findings = _prioritise(findings)
        result = CheckResult(
            verdict=verdict_for(findings),
            findings=tuple(findings),
            # A rewrite must be complete: when a rule had too many matches to list, offer none.
            rewrite=None if truncated else safer_rewrite(
                draft, hits, extra=[f for f in findings if f.source != "rules"],
                recognisers=self.catalogue.recognisers),
            council=council,
        )
        return replace(result, rewrite_notes=tuple(rewrite_notes(result)))

    def _from_hit(self, draft: str, hit: RuleHit, council: str | None) -> Finding:
        spec = self.catalogue.categories[hit.category]
        own_words = hit.category == hit.rule.category
        refs = self.catalogue.cites_for(hit.rule, hit.category)
        rule_refs = set(hit.rule.cites) if own_words else set()
        scores = tuple(RULE_CITE_SCORE if r in rule_refs else CATEGORY_CITE_SCORE for r in refs)
        return Finding(
            category=hit.category,
            severity=hit.rule.severity,  # type: ignore[arg-type]
            start=hit.start,
            end=hit.end,
            quote=draft[hit.start : hit.end],
            why=(hit.rule.why if own_words and hit.rule.why else spec.why),
            citations=self._cite(refs, council, scores),
            suggestion=(hit.rule.suggestion if own_words and hit.rule.suggestion else spec.suggestion),
            rule=hit.rule.id,
            source="rules",
        )

    def _from_proposals(
        self, draft: str, proposals: list[Proposal], covered: Collection[str], council: str | None
    ) -> list[Finding]:
        out: list[Finding] = []
        for p in proposals:
            if p.category not in self.catalogue.categories or p.severity not in SEVERITY_RANK:
                continue
            if not (0 <= p.start < p.end <= len(draft)) or p.category in covered:
                continue  # bad offsets, or a deterministic finding already covers the category
            if any(f.category == p.category for f in out):
                continue
            spec = self.catalogue.categories[p.category]
            out.append(
                Finding(
                    category=p.category,
                    severity=p.severity,
                    start=p.start,
                    end=p.end,
                    quote=draft[p.start : p.end],
                    why=p.why or spec.why,
                    citations=self._cite(spec.cites, council, (EXTRA_CITE_SCORE,) * len(spec.cites)),
                    suggestion=spec.suggestion,
                    rule=p.rule,
                    source=p.source,
                )
            )
        return out

    def _cite(self, refs: tuple[CiteRef, ...], council: str | None, scores: tuple[float, ...]):
        assert self._citations is not None
        return self._citations.cite(refs, council=council, scores=scores)


def _prioritise(findings: list[Finding]) -> list[Finding]:
    # Most serious first, then in reading order; very long drafts keep only the most serious findings.
    return sorted(findings, key=lambda f: (-f.rank, f.start, f.category))[:MAX_FINDINGS]


def _validate(draft: str) -> None:
    if not isinstance(draft, str):
        raise InvalidInput("The draft must be text.")
    if not draft.strip():
        raise InvalidInput("The draft is empty.", hint="Paste the text of the post you want checked.")
    if len(draft) > MAX_DRAFT_CHARS:
        raise InvalidInput(
            f"The draft is {len(draft):,} characters long; the checker takes up to {MAX_DRAFT_CHARS:,}.",
            hint="Check a long blog post a section at a time.",
        )


def build_checker(settings: Any, knowledge: Any) -> PostChecker:
    """The post checker for these settings: rules and recognisers, the trained classifier, an optional LLM judge."""
    from assistant.checking.judge import build_judge

    catalogue = checker_catalogue(settings)
    return PostChecker(
        knowledge,
        catalogue=catalogue,
        council=getattr(settings, "council", None),
        classifier=build_classifier(settings, knowledge, catalogue),
        judge=build_judge(settings, catalogue),
    )


def build_classifier(settings: Any, knowledge: Any, catalogue: Catalogue) -> Detector | None:
    """The trained classifier shipped in the package (None when it has not been trained or is switched off)."""
    from assistant.checking.classifier import HEAD_FILE, TrainedClassifier

    folder = getattr(settings, "checker_model_dir", None)
    if folder is None or not (folder / HEAD_FILE).is_file() or not hasattr(knowledge, "encoder"):
        return None
    severities = {c: spec.severity for c, spec in catalogue.categories.items()}
    return TrainedClassifier(folder, lambda: knowledge.encoder(folder, int8=True), severities)
