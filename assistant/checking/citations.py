"""Turns the catalogue's ``{doc, contains}`` references into cited guidance paragraphs, own council first."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from assistant.checking.catalogue import Catalogue, CiteRef
from assistant.knowledge.models import Citation, Paragraph

log = logging.getLogger(__name__)

MAX_CITATIONS = 3
_GENERIC = re.compile(r"\b(?:the|of|council|borough|county|city|district|metropolitan|and|&|royal|london)\b")


def _council_key(name: str) -> str:
    return " ".join(_GENERIC.sub(" ", name.lower().replace("&", " and ")).split())


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


@dataclass
class CitationIndex:
    """Resolved paragraphs for every catalogue citation, with their embeddings when the knowledge base has them."""

    paragraphs: dict[CiteRef, Paragraph]
    vectors: dict[CiteRef, np.ndarray]

    @classmethod
    def build(cls, catalogue: Catalogue, knowledge: Any, *, strict: bool = False) -> "CitationIndex":
        """Resolve every citation; unresolved ones are logged (or raised when ``strict``) and left out."""
        paragraphs: dict[CiteRef, Paragraph] = {}
        for ref in sorted(catalogue.all_cites(), key=lambda r: (r.doc, r.contains)):
            para = knowledge.find_paragraph(ref.doc, ref.contains)
            if para is None:
                if strict:
                    raise MissingCitation(f"No paragraph of document {ref.doc} contains {ref.contains!r}.")
                log.warning("Rule catalogue citation not found: document %s, %r", ref.doc, ref.contains)
                continue
            paragraphs[ref] = para
        vectors: dict[CiteRef, np.ndarray] = {}
        embed = getattr(knowledge, "embed", None)
        if embed is not None and paragraphs:
            refs = list(paragraphs)
            try:
                matrix = np.asarray(embed([paragraphs[r].text for r in refs]), dtype=np.float32)
                vectors = {r: matrix[i] for i, r in enumerate(refs)}
            except Exception:  # the catalogue still cites without scores if embedding fails
                log.warning("Could not embed cited paragraphs; citation scores default to 1.0", exc_info=True)
        return cls(paragraphs, vectors)

    def cite(self, refs: tuple[CiteRef, ...], *, council: str | None, query: np.ndarray | None) -> tuple[Citation, ...]:
        """Citations for these references: own council's first, then by similarity to ``query``; at most three."""
        scored: list[tuple[bool, float, int, Paragraph]] = []
        seen: set[str] = set()
        for order, ref in enumerate(refs):
            para = self.paragraphs.get(ref)
            if para is None or para.id in seen:
                continue
            seen.add(para.id)
            vec = self.vectors.get(ref)
            score = float(np.dot(vec, query)) if vec is not None and query is not None else 1.0
            scored.append((council_matches(para.council, council), score, order, para))
        # Own council first; within each group the closest to the draft's words (or catalogue order).
        ranked = sorted(scored, key=lambda t: (not t[0], -t[1] if query is not None else t[2]))
        return tuple(Citation.from_paragraph(p, s) for _, s, _, p in ranked[:MAX_CITATIONS])
