"""Turns the catalogue's references into cited guidance paragraphs, own council first.

Two ways in. Named references resolve through the knowledge base by document id (or council and document title)
and a paragraph number or a phrase the paragraph contains: the seed documents' pinned paragraphs. And for every
guidance document the catalogue does not name (a council's own policy added with ``assistant index add``), each
category cites the paragraph that best matches its definition: among the paragraphs that use one of the
category's ``terms``, the closest in meaning to the definition (the knowledge base's embedder) or, without one,
the best keyword match. A councillor whose council added its policy sees that council's paragraphs first.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from assistant.checking.catalogue import Catalogue, CategorySpec, CiteRef
from assistant.knowledge.keyword import BM25, tokenize
from assistant.knowledge.models import Citation, Paragraph

log = logging.getLogger(__name__)

MAX_CITATIONS = 3
MATCHES_PER_DOCUMENT = 1  # per category: the one paragraph of an added document that best fits the definition
_GENERIC = {"the", "of", "council", "borough", "county", "city", "district", "metropolitan", "and", "royal"}
_WS = re.compile(r"\s+")


def _council_key(name: str) -> str:
    return " ".join(w for w in re.findall(r"[a-z]+", name.lower().replace("&", " and ")) if w not in _GENERIC)


def council_matches(paragraph_council: str | None, own: str | None) -> bool:
    """Whether a paragraph's council is the councillor's own (case-insensitive, substring either way)."""
    if not paragraph_council or not own:
        return False
    a, b = paragraph_council.lower(), own.lower()
    if a in b or b in a:
        return True
    ka, kb = _council_key(paragraph_council), _council_key(own)
    return bool(ka and kb) and (ka in kb or kb in ka)


class MissingCitation(LookupError):
    """A catalogue citation names no paragraph of its document."""


def _norm(text: str) -> str:
    return _WS.sub(" ", text.replace("**", "").lower()).strip()


def resolve(ref: CiteRef, paragraphs: Iterable[Paragraph]) -> Paragraph | None:
    """The paragraph a named reference points at: its document (by id, or council and title), then its number
    (as the document prints it: "4.5", "7(a)") or a phrase it contains."""
    needle = _norm(ref.contains) if ref.contains else None
    for p in paragraphs:
        if ref.doc is not None and p.doc_id != ref.doc:
            continue
        if ref.council is not None and not council_matches(p.council, ref.council):
            continue
        if ref.document is not None and _norm(ref.document) not in _norm(p.document):
            continue
        if ref.paragraph is not None and ref.paragraph not in (p.number, p.label, p.label.removeprefix("para ")):
            continue
        if needle is not None and needle not in _norm(p.text):
            continue
        return p
    return None


@dataclass
class CitationIndex:
    """The paragraph behind every named citation, and each category's matches in added guidance, resolved once."""

    paragraphs: dict[CiteRef, Paragraph]
    matched: dict[str, tuple[Paragraph, ...]] = field(default_factory=dict)  # category -> added guidance

    @classmethod
    def build(cls, catalogue: Catalogue, knowledge: Any, *, strict: bool = False) -> CitationIndex:
        """Resolve every citation; unresolved ones are logged (or raised when ``strict``) and left out."""
        paragraphs: dict[CiteRef, Paragraph] = {}
        for ref in sorted(catalogue.all_cites(), key=lambda r: (r.doc or "", r.council or "", r.contains or "", r.paragraph or "")):
            para = _find(ref, knowledge)
            if para is None:
                if strict:
                    raise MissingCitation(f"No paragraph for the citation {ref.describe()}.")
                log.warning("Rule catalogue citation not found: %s", ref.describe())
                continue
            paragraphs[ref] = para
        named_docs = {p.doc_id for p in paragraphs.values()} | {r.doc for r in catalogue.all_cites() if r.doc}
        return cls(paragraphs, match_guidance(catalogue.categories.values(), knowledge, exclude_docs=named_docs))

    def cite(self, refs: tuple[CiteRef, ...], *, council: str | None, scores: tuple[float, ...]) -> tuple[Citation, ...]:
        """Citations for these references (each with its score): own council's first (its added guidance before
        the seeds), then catalogue order."""
        ranked: list[tuple[tuple, float, Paragraph]] = []
        seen: set[str] = set()
        order = 0
        for ref, score in zip(refs, scores, strict=True):
            found = self.matched.get(ref.match, ()) if ref.match else (self.paragraphs.get(ref),)
            for para in found:
                if para is None or para.id in seen:
                    continue
                seen.add(para.id)
                own = council_matches(para.council, council)
                added = ref.match is not None
                # Own council first, its added guidance before its seeds; others keep the catalogue's order.
                ranked.append(((not own, not added if own else False, order), score, para))
                order += 1
        ranked.sort(key=lambda t: t[0])
        return tuple(Citation.from_paragraph(p, s) for _, s, p in ranked[:MAX_CITATIONS])

    def for_category(self, catalogue: Catalogue, category: str, council: str | None = None) -> tuple[Citation, ...]:
        """Every citation of a category (named and matched), own council first: what the rule book lists."""
        refs = catalogue.categories[category].cites
        ranked = []
        for n, ref in enumerate(refs):
            for para in self.matched.get(ref.match, ()) if ref.match else (self.paragraphs.get(ref),):
                if para is not None:
                    ranked.append((not council_matches(para.council, council), n, para))
        ranked.sort(key=lambda t: t[:2])
        return tuple(Citation.from_paragraph(p, 1.0) for *_, p in ranked)


def _find(ref: CiteRef, knowledge: Any) -> Paragraph | None:
    if ref.doc is not None and ref.contains is not None and ref.paragraph is None and hasattr(knowledge, "find_paragraph"):
        return knowledge.find_paragraph(ref.doc, ref.contains)
    return resolve(ref, knowledge.paragraphs)


def match_guidance(
    categories: Iterable[CategorySpec], knowledge: Any, *, exclude_docs: set[str]
) -> dict[str, tuple[Paragraph, ...]]:
    """For each category, the paragraph of each guidance document not in ``exclude_docs`` that best fits its
    definition, among those using one of its terms (nothing when no document is left to match)."""
    candidates = [p for p in knowledge.paragraphs if p.doc_id not in exclude_docs]
    if not candidates:
        return {}
    tokens = [set(tokenize(f"{p.section} {p.text}")) for p in candidates]
    eligible: dict[str, list[int]] = {}
    for spec in categories:
        terms = [set(tokenize(t)) for t in spec.terms]
        eligible[spec.id] = [i for i, toks in enumerate(tokens) if any(t and t <= toks for t in terms)]
    wanted = sorted({i for idx in eligible.values() for i in idx})
    similarity = _similarity(categories, candidates, wanted, knowledge)
    out: dict[str, tuple[Paragraph, ...]] = {}
    for spec in categories:
        best: dict[str, list[tuple[float, int]]] = {}
        for i in eligible[spec.id]:
            best.setdefault(candidates[i].doc_id, []).append((-similarity[spec.id][i], i))
        chosen = []
        for doc_id in best:  # documents in corpus order; within one, the closest match (earlier on a tie)
            chosen += [candidates[i] for _, i in sorted(best[doc_id])[:MATCHES_PER_DOCUMENT]]
        if chosen:
            out[spec.id] = tuple(chosen)
    return out


def _similarity(categories: Iterable[CategorySpec], candidates: list[Paragraph], wanted: list[int], knowledge: Any):
    """category -> {paragraph index: score}: cosine to the definition where the knowledge base can embed, else BM25."""
    specs = list(categories)
    queries = [f"{s.title}. {s.definition} {' '.join(s.terms)}" for s in specs]
    embed = getattr(knowledge, "embed", None)
    if embed is not None and wanted:
        try:
            vectors = np.asarray(embed([candidates[i].text for i in wanted] + queries), dtype=np.float32)
            paras, defs = vectors[: len(wanted)], vectors[len(wanted) :]
            sims = defs @ paras.T
            return {s.id: {i: float(sims[k, j]) for j, i in enumerate(wanted)} for k, s in enumerate(specs)}
        except Exception as exc:  # noqa: BLE001 - keyword ranking still gives a sound citation
            log.warning("Could not embed added guidance for citations (%s); using keyword match", type(exc).__name__)
    bm25 = BM25([tokenize(f"{p.section} {p.text}") for p in candidates])
    out = {}
    for spec, query in zip(specs, queries):
        scores = np.asarray(bm25.scores(tokenize(query)))
        out[spec.id] = {i: float(scores[i]) for i in wanted}
    return out
