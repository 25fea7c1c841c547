"""Turns the catalogue's ``{doc, contains}`` references into cited guidance paragraphs, own council first."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from assistant.checking.catalogue import Catalogue, CiteRef
from assistant.knowledge.models import Citation, Paragraph

log = logging.getLogger(__name__)

MAX_CITATIONS = 3
_GENERIC = {"the", "of", "council", "borough", "county", "city", "district", "metropolitan", "and", "royal"}


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


@dataclass
class CitationIndex:
    """The paragraph behind every catalogue citation, resolved once."""

    paragraphs: dict[CiteRef, Paragraph]

    @classmethod
    def build(cls, catalogue: Catalogue, knowledge: Any, *, strict: bool = False) -> CitationIndex:
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
        return cls(paragraphs)

    def cite(self, refs: tuple[CiteRef, ...], *, council: str | None, scores: tuple[float, ...]) -> tuple[Citation, ...]:
        """Citations for these references (each with its score): own council's first, then catalogue order."""
        ranked: list[tuple[bool, int, float, Paragraph]] = []
        seen: set[str] = set()
        for order, (ref, score) in enumerate(zip(refs, scores, strict=True)):
            para = self.paragraphs.get(ref)
            if para is None or para.id in seen:
                continue
            seen.add(para.id)
            ranked.append((council_matches(para.council, council), order, score, para))
        ranked.sort(key=lambda t: (not t[0], t[1]))
        return tuple(Citation.from_paragraph(p, s) for _, _, s, p in ranked[:MAX_CITATIONS])
