"""PostChecker: checks a draft social-media post against the guidance and explains each risk with citations.

Deterministic and offline by default: the rule catalogue (rules.yml) with pattern recognisers, plus an
embedding classifier trained on the package's own examples. An optional LLM judge may add findings; it never
removes the deterministic ones. The draft is never logged or stored.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

import numpy as np

from assistant.checking.catalogue import Catalogue, load_catalogue
from assistant.checking.citations import CitationIndex
from assistant.checking.engine import RuleHit, run_rules
from assistant.checking.models import SEVERITY_RANK, CheckResult, Finding, Proposal, verdict_for
from assistant.checking.rewrite import safer_rewrite
from assistant.checking.text import Span, has_words, scan_text, sentences
from assistant.errors import InvalidInput

log = logging.getLogger(__name__)

MAX_DRAFT_CHARS = 50_000  # far above any platform's post limit (Facebook's is 63,206 bytes); keeps checks fast
MAX_FINDINGS = 40


class Detector(Protocol):
    """Something that proposes findings for a draft, given its sentences (semantic classifier, LLM judge)."""

    def propose(self, draft: str, sents: list[Span], vectors: np.ndarray | None) -> list[Proposal]:
        """Findings for this draft (offsets into the draft)."""
        ...


class PostChecker:
    """Checks drafts: ``check(draft, council=...)`` returns a CheckResult with cited findings and a rewrite."""

    def __init__(
        self,
        knowledge: Any,
        *,
        catalogue: Catalogue | None = None,
        council: str | None = None,
        semantic: Detector | None = None,
        judge: Detector | None = None,
    ) -> None:
        self.knowledge = knowledge
        self.catalogue = catalogue or load_catalogue()
        self.council = council
        self.semantic = semantic
        self.judge = judge
        self._citations: CitationIndex | None = None

    def warm_up(self) -> None:
        """Resolve the catalogue's citations and embed them (done once, on first use if not called)."""
        if self._citations is None:
            self._citations = CitationIndex.build(self.catalogue, self.knowledge)
            if self.semantic is not None and hasattr(self.semantic, "warm_up"):
                self.semantic.warm_up()

    def check(self, draft: str, *, council: str | None = None) -> CheckResult:
        """Check one draft post; ``council`` overrides the configured own council for citation order."""
        _validate(draft)
        self.warm_up()
        council = council or self.council
        scan = scan_text(draft)
        sents = sentences(scan)
        hits = run_rules(self.catalogue, scan, sents)
        vectors = self._embed_sentences(draft, sents) if self._needs_vectors() else None
        findings = [self._from_hit(draft, h, sents, vectors, council) for h in hits]
        for detector in (self.semantic, self.judge):
            if detector is None:
                continue
            try:
                proposals = detector.propose(draft, sents, vectors)
            except Exception:  # an extra detector must never take the deterministic result down with it
                log.warning("%s failed; deterministic findings kept", type(detector).__name__, exc_info=False)
                continue
            findings.extend(self._from_proposals(draft, proposals, findings, sents, vectors, council))
        findings = _prioritise(findings)
        return CheckResult(
            verdict=verdict_for(findings),
            findings=tuple(findings),
            rewrite=safer_rewrite(draft, hits),
            council=council,
        )

    # -- helpers -------------------------------------------------------------------------------------------

    def _needs_vectors(self) -> bool:
        return self.semantic is not None or bool(self._citations and self._citations.vectors)

    def _embed_sentences(self, draft: str, sents: list[Span]) -> np.ndarray | None:
        embed = getattr(self.knowledge, "embed", None)
        if embed is None or not sents:
            return None
        try:
            return np.asarray(embed([draft[s.start : s.end] for s in sents]), dtype=np.float32)
        except Exception:
            log.warning("Embedding failed; checking with rules only", exc_info=False)
            return None

    def _from_hit(self, draft: str, hit: RuleHit, sents: list[Span], vectors: np.ndarray | None, council: str | None) -> Finding:
        spec = self.catalogue.categories[hit.category]
        own_words = hit.category == hit.rule.category
        query = _vector_for(hit.start, sents, vectors)
        return Finding(
            category=hit.category,
            severity=hit.rule.severity,  # type: ignore[arg-type]
            start=hit.start,
            end=hit.end,
            quote=draft[hit.start : hit.end],
            why=(hit.rule.why if own_words and hit.rule.why else spec.why),
            citations=self._cite(self.catalogue.cites_for(hit.rule, hit.category), council, query),
            suggestion=(hit.rule.suggestion if own_words and hit.rule.suggestion else spec.suggestion),
            rule=hit.rule.id,
            source="rules",
        )

    def _from_proposals(
        self, draft: str, proposals: list[Proposal], existing: list[Finding], sents: list[Span],
        vectors: np.ndarray | None, council: str | None,
    ) -> list[Finding]:
        out: list[Finding] = []
        for p in proposals:
            if p.category not in self.catalogue.categories or p.severity not in SEVERITY_RANK:
                continue
            if not (0 <= p.start < p.end <= len(draft)):
                continue
            if any(f.category == p.category for f in existing + out):
                continue  # the deterministic finding already covers this category
            spec = self.catalogue.categories[p.category]
            out.append(
                Finding(
                    category=p.category,
                    severity=p.severity,  # type: ignore[arg-type]
                    start=p.start,
                    end=p.end,
                    quote=draft[p.start : p.end],
                    why=p.why or spec.why,
                    citations=self._cite(spec.cites, council, _vector_for(p.start, sents, vectors)),
                    suggestion=spec.suggestion,
                    rule=p.rule,
                    source=p.source,
                )
            )
        return out

    def _cite(self, refs, council, query):
        assert self._citations is not None
        return self._citations.cite(refs, council=council, query=query)


def _vector_for(pos: int, sents: list[Span], vectors: np.ndarray | None) -> np.ndarray | None:
    if vectors is None:
        return None
    for i, s in enumerate(sents):
        if s.start <= pos < s.end:
            return vectors[i]
    return None


def _prioritise(findings: list[Finding]) -> list[Finding]:
    # Most serious first, then in reading order; very long drafts keep only the most serious findings.
    ordered = sorted(findings, key=lambda f: (-f.rank, f.start, f.category))
    return sorted(ordered[:MAX_FINDINGS], key=lambda f: (-f.rank, f.start))


def _validate(draft: str) -> None:
    if not isinstance(draft, str):
        raise InvalidInput("The draft must be text.")
    if not draft.strip():
        raise InvalidInput("The draft is empty.", hint="Paste the text of the post you want checked.")
    if len(draft) > MAX_DRAFT_CHARS:
        raise InvalidInput(
            f"The draft is {len(draft):,} characters; the checker takes up to {MAX_DRAFT_CHARS:,}.",
            hint="Check it in parts, e.g. one section of a long blog post at a time.",
        )


def build_checker(settings: Any, knowledge: Any) -> PostChecker:
    """The post checker for these settings: own council, the semantic classifier and, if configured, an LLM judge."""
    from assistant.checking.judge import build_judge
    from assistant.checking.semantic import SemanticClassifier

    semantic = SemanticClassifier(knowledge) if getattr(knowledge, "embed", None) is not None else None
    return PostChecker(
        knowledge,
        council=getattr(settings, "council", None),
        semantic=semantic,
        judge=build_judge(settings),
    )


def words_present(draft: str) -> bool:
    """Whether the draft has any letters or digits (an emoji-only post has nothing the rules can read)."""
    return has_words(draft)
