"""Cited answers: extractive and deterministic by default, optional LLM synthesis with checked citations.

An answer is a short lead line plus the best paragraphs, quoted verbatim and grouped by council (the
councillor's own council first). When the best evidence is weak the answer abstains: it says the guidance
does not cover the question and points to the Monitoring Officer, rather than stretching a paragraph.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from assistant.config import Settings
from assistant.errors import InvalidInput
from assistant.knowledge.base import Hit, KnowledgeBase, same_council
from assistant.knowledge.keyword import tokenize
from assistant.knowledge.models import Citation

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 4000
# Words that every guidance paragraph shares with every question: they say nothing about coverage.
GENERIC_TERMS = frozenset(tokenize(
    "council councils councillor councillors member members elected social media guidance guide guides document "
    "documents say says said post posts posting online allowed ok okay should need know tell want use using able "
    "allow rules rule policy"
))
# Abstain when dense similarity plus half the query-term coverage of the top paragraphs falls below this.
# Chosen from the spread of answerable and unanswerable dev questions (see README, "Evaluation").
ABSTAIN_BELOW = 0.668
NOT_COVERED = (
    "The councils' social-media guidance I have does not cover this, so I won't guess. "
    "Please ask your Monitoring Officer (or Democratic/Member Services) — they can give you a definitive answer."
)


@dataclass(frozen=True)
class CouncilGroup:
    """The citations from one council (or from documents that name no council)."""

    council: str | None
    citations: tuple[Citation, ...]


@dataclass(frozen=True)
class Answer:
    """An answer with its citations, best first."""

    question: str
    abstained: bool
    answer: str
    lead: str
    citations: tuple[Citation, ...]
    groups: tuple[CouncilGroup, ...] = ()
    confidence: float = 0.0
    mode: str = "extractive"  # extractive | llm
    notes: tuple[str, ...] = field(default=())

    def to_json(self, item_id: str | None = None) -> dict:
        """The `ask --json` shape."""
        data = {"question": self.question, "abstained": self.abstained, "answer": self.answer,
                "citations": [c.to_json() for c in self.citations]}
        return {"id": item_id, **data} if item_id is not None else data


def coverage(question: str, hits: list[Hit], idf: dict[str, float]) -> float:
    """IDF-weighted share of the question's specific terms found in the best-covering top paragraph."""
    terms = [t for t in dict.fromkeys(tokenize(question)) if t not in GENERIC_TERMS]
    if not terms:
        return 1.0
    weight = {t: idf.get(t, 8.0) for t in terms}  # a term the corpus never uses weighs most
    best = 0.0
    for hit in hits[:3]:  # one paragraph must hold the terms: scattered matches are not coverage
        found = set(tokenize(f"{hit.paragraph.section} {hit.paragraph.text}"))
        best = max(best, sum(w for t, w in weight.items() if t in found) / sum(weight.values()))
    return best


class Answerer:
    """Answers questions from the knowledge base."""

    def __init__(self, knowledge: KnowledgeBase, *, council: str | None = None, chat_model=None,
                 top_k: int = 5) -> None:
        self.knowledge = knowledge
        self.council = council
        self.chat_model = chat_model
        self.top_k = top_k

    def answer(self, question: str, *, council: str | None = None) -> Answer:
        """Answer a question with cited paragraphs, or abstain."""
        question = (question or "").strip()
        if not question:
            raise InvalidInput("Please type a question — for example: 'Can I block a resident who trolls me?'")
        if len(question) > MAX_QUESTION_CHARS:
            raise InvalidInput(
                f"That question is {len(question):,} characters long; please keep it under {MAX_QUESTION_CHARS:,}.",
                hint="Ask about one thing at a time, or use /checkpost to check a long draft post.",
            )
        council = council or self.council
        hits = self.knowledge.search(question, council=council, k=self.top_k)
        if not hits:
            return self._abstain(question, 0.0)
        confidence = max(h.dense for h in hits) + 0.5 * coverage(question, hits, self.knowledge.idf)
        if confidence < ABSTAIN_BELOW:
            return self._abstain(question, confidence)
        citations = tuple(Citation.from_paragraph(h.paragraph, h.score) for h in hits)
        groups = self._groups(hits, council)
        lead, notes = self._lead(hits, council)
        text = self._render(lead, groups, notes)
        answer = Answer(question, False, text, lead, citations, groups, round(confidence, 3), "extractive", notes)
        if self.chat_model is not None:
            from assistant.answering.llm import synthesise

            return synthesise(self.chat_model, answer) or answer
        return answer

    def _abstain(self, question: str, confidence: float) -> Answer:
        return Answer(question, True, NOT_COVERED, NOT_COVERED, (), (), round(confidence, 3))

    def _groups(self, hits: list[Hit], council: str | None) -> tuple[CouncilGroup, ...]:
        order: list[str | None] = []
        by_council: dict[str | None, list[Citation]] = {}
        for hit in hits:
            for p in (hit.paragraph, *hit.also_in):
                key = p.council
                if key not in by_council:
                    by_council[key] = []
                    order.append(key)
                if all(c.paragraph_id != p.id for c in by_council[key]):
                    by_council[key].append(Citation.from_paragraph(p, hit.score))
        # Own council first, then councils in order of their best paragraph, unnamed documents last.
        order.sort(key=lambda c: (not same_council(c, council), c is None))
        return tuple(CouncilGroup(c, tuple(by_council[c])) for c in order)

    def _lead(self, hits: list[Hit], council: str | None) -> tuple[str, tuple[str, ...]]:
        docs = {p.doc_id for h in hits for p in (h.paragraph, *h.also_in)}
        councils = sorted({p.council or "a council that is not named" for h in hits for p in (h.paragraph, *h.also_in)})
        notes: list[str] = []
        lead = f"Here is what the guidance says, from {len(docs)} document{'s' if len(docs) != 1 else ''}"
        lead += f" ({', '.join(councils)})." if councils else "."
        if council and not any(same_council(h.paragraph.council, council) for h in hits):
            notes.append(f"Your council ({council}) has no guidance in my library that covers this; "
                         "the paragraphs below are other councils' — check with your Monitoring Officer.")
        twins = [h for h in hits if h.also_in]
        if twins:
            notes.append("Several councils use near-identical wording here; repeated paragraphs are shown once "
                         "with the other councils listed.")
        elif len({h.paragraph.council for h in hits}) > 1:
            notes.append("The councils word this differently — read your own council's paragraph first.")
        return lead, tuple(notes)

    @staticmethod
    def _render(lead: str, groups: tuple[CouncilGroup, ...], notes: tuple[str, ...]) -> str:
        lines = [lead, *notes, ""]
        for group in groups:
            lines.append(f"{group.council or 'Council not named in the document'}:")
            for c in group.citations:
                lines.append(f"  • {c.document}, {c.section}, {c.paragraph}:")
                lines.append(f"    “{_quote(c.text)}”")
        lines.append("")
        lines.append("If your situation is not clear-cut, ask your Monitoring Officer before you post.")
        return "\n".join(lines)


def _quote(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("**", "")).strip()


def build_answerer(settings: Settings, knowledge: KnowledgeBase) -> Answerer:
    """The answerer for these settings (with an LLM when one is configured)."""
    chat_model = None
    if settings.llm_provider != "none":
        from assistant.answering.llm import chat_model_from_settings

        chat_model = chat_model_from_settings(settings)
    return Answerer(knowledge, council=settings.council, chat_model=chat_model)
