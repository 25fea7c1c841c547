"""Cited answers: a direct answer taken from the best guidance sentence, then the paragraphs that support it.

Deterministic by default. Search fuses meaning and keywords (assistant.knowledge.search); a learned classifier
decides whether the guidance covers the question at all (assistant.answering.abstention); the lead sentence is
chosen from the cited paragraphs by similarity to the question (extractive: the guidance's own words, never
invented). An optional LLM may rephrase, with every sentence checked against the citations.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

import numpy as np

from assistant.answering.abstention import Abstention
from assistant.config import Settings
from assistant.errors import InvalidInput
from assistant.knowledge.base import Hit, KnowledgeBase, same_council
from assistant.knowledge.models import NO_COUNCIL, Citation, Paragraph, clean_quote

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 4000
MAX_QUOTES = 3
MAX_CACHED_SENTENCES = 50_000
CROSS_COUNCIL_POOL = 12  # how deep to look for each council's best paragraph in a "do all councils…" question
NOT_COVERED = (
    "The councils' social-media guidance I have does not cover this, so I won't guess. "
    "Please ask your Monitoring Officer (or Democratic/Member Services) — they can give you a definitive answer."
)
# Precise, explainable links between capabilities: received abuse -> /report; a draft -> /checkpost.
REPORT_HINT = re.compile(r"\b(abus\w*|threat\w*|harass\w*|troll\w*|stalk\w*|intimidat\w*|bull(y|ied|ying)|"
                         r"death threat|hate mail|pile[- ]on)\b", re.I)
CHECKPOST_HINT = re.compile(r"\b(draft|my post|this post|a post i|before i post|thinking of post\w*|"
                            r"(can|should) i (post|tweet|share|say)|is it ok to (post|tweet|say|share))\b", re.I)
MONITORING_OFFICER_TIP = "If your situation is not clear-cut, ask your Monitoring Officer before you post."
OFFERS = {"/report": "If you are receiving abuse or threats, /report logs it for your Monitoring Officer.",
          "/checkpost": "Want a second pair of eyes? /checkpost checks a draft post before you publish it."}
ALL_COUNCILS = re.compile(r"\b(all|each|every|both|other|different)( of)?( the)? councils?\b|\bcompare\b", re.I)
FOLLOW_UP = re.compile(r"^(and|also|what about|how about|what if|same for|and for|but what about|ok and)\b", re.I)
# A sentence ends at . ! ? or ; before a capital, bracket or quote — not after "e.g." or "i.e." ("(e.g. “Debate…")
_SENTENCE = re.compile(r"(?<=[.!?;])(?<!\be\.g\.)(?<!\bi\.e\.)\s+(?=[A-Z(“\"'])")
_COUNCIL_SUFFIX = re.compile(r"\s+(metropolitan borough|borough|county|city|district|town|parish)?\s*council$", re.I)


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
    offers: tuple[str, ...] = field(default=())  # "/report", "/checkpost": the capabilities that fit next

    def to_json(self, item_id: str | None = None) -> dict:
        """The `ask --json` shape."""
        data = {"question": self.question, "abstained": self.abstained, "answer": self.answer,
                "citations": [c.to_json() for c in self.citations]}
        return {"id": item_id, **data} if item_id is not None else data


def short_council(name: str | None) -> str:
    """"Sandwell Metropolitan Borough Council" -> "Sandwell"; None -> "One council"."""
    return _COUNCIL_SUFFIX.sub("", name).strip() if name else "One council"


def sentences_of(text: str) -> list[str]:
    """The sentences of a paragraph, verbatim; a leading paragraph number or list letter is its own piece, dropped."""
    return [s.strip() for s in _SENTENCE.split(clean_quote(text)) if len(s.strip()) > 15]


def is_follow_up(question: str) -> bool:
    """"what about Instagram?", "and on TikTok?": a question that only makes sense after another."""
    return bool(FOLLOW_UP.match(question.strip())) or len(question.split()) <= 3


def with_context(question: str, history: list[str] | None) -> str:
    """A follow-up searched together with the question it follows: the latest earlier question that was not
    itself a follow-up, so "what about Instagram?" then "and TikTok?" both keep the first question's subject."""
    if not history or not is_follow_up(question):
        return question
    topic = next((q for q in reversed(history) if not is_follow_up(q)), history[-1])
    return f"{topic} {question}"


class Answerer:
    """Answers questions from the knowledge base."""

    def __init__(self, knowledge: KnowledgeBase, *, council: str | None = None, chat_model=None,
                 abstention: Abstention | None = None, top_k: int = 5) -> None:
        self.knowledge = knowledge
        self.council = council
        self.chat_model = chat_model
        self.abstention = abstention
        self.top_k = top_k
        self._sentence_vectors: dict[str, np.ndarray] = {}  # guidance sentences are few and cited again and again

    def answer(self, question: str, *, council: str | None = None, history: list[str] | None = None) -> Answer:
        """Answer a question with cited paragraphs, or say the guidance does not cover it."""
        question = (question or "").strip()
        if not question:
            raise InvalidInput("Please type a question — for example: 'Can I block a resident who trolls me?'")
        if len(question) > MAX_QUESTION_CHARS:
            raise InvalidInput(
                f"That question is {len(question):,} characters long; please keep it under {MAX_QUESTION_CHARS:,}.",
                hint="Ask about one thing at a time, or use /checkpost to check a long draft post.",
            )
        council = council or self.council
        query = with_context(question, history)
        # k as in training: the abstention features must be computed exactly as they were when it was fitted.
        hits, features, vector = self.knowledge.search_with_features(query, k=self.top_k)
        offers = self._offers(question)
        covered, confidence = (bool(hits), 1.0 if hits else 0.0)
        if hits and self.abstention is not None:
            covered, confidence = self.abstention.covers(features, vector)
        if not covered:
            return self._abstain(question, confidence, hits, offers)
        cross = self._cross_council(query)
        if cross:
            hits = self.knowledge.search(query, k=CROSS_COUNCIL_POOL, vector=vector)
        chosen, notes = self._choose(hits, council, cross)
        # Each chosen paragraph first, then the near-identical wording other councils use.
        citations = tuple(self._cite(h.paragraph, h.score) for h in chosen) + tuple(
            self._cite(p, h.score) for h in chosen for p in h.also_in)
        lead = self._lead(vector, chosen)
        groups = _groups(citations)
        text = self._render(lead, citations, notes, offers)
        answer = Answer(question, False, text, lead, citations, groups, round(confidence, 3), "extractive",
                        tuple(notes), offers)
        if self.chat_model is not None:
            from assistant.answering.llm import synthesise

            return synthesise(self.chat_model, answer) or answer
        return answer

    # --- pieces -----------------------------------------------------------------------------------------------
    def _cite(self, p: Paragraph, score: float) -> Citation:
        doc = self.knowledge.documents.get(p.doc_id)
        return Citation.from_paragraph(p, score, date=doc.date if doc else None)

    def _cross_council(self, question: str) -> list[str | None] | None:
        """The councils a comparative question asks about (all of them for "do all the councils…")."""
        named = self.knowledge.retriever.councils_named_in(question)
        if len(named) >= 2:
            return list(named)
        if ALL_COUNCILS.search(question):
            return [d.council for d in self.knowledge.documents.values()]
        return None

    def _choose(self, hits: list[Hit], council: str | None,
                cross: list[str | None] | None) -> tuple[list[Hit], list[str]]:
        notes: list[str] = []
        if cross:  # the best paragraph from each council asked about; say which are silent
            chosen, silent = [], []
            for c in dict.fromkeys(cross):
                best = next((h for h in hits if same_council(h.paragraph.council, c) or
                             (c is None and h.paragraph.council is None) or
                             any(same_council(p.council, c) for p in h.also_in)), None)
                if best is None:
                    silent.append(short_council(c) if c else "a document that names no council")
                elif best not in chosen:
                    chosen.append(best)
            if silent:
                notes.append(f"I found nothing on this in the guidance of: {', '.join(silent)}.")
            return chosen or hits[:MAX_QUOTES], notes
        chosen = hits[:MAX_QUOTES]
        if council:  # own council first among equals: its best paragraph among the hits comes straight after
            ranked = [_own_first(h, council) for h in hits]
            own = next((h for h in ranked[1:] if same_council(h.paragraph.council, council)), None)
            chosen = ranked[:1] + ([own] if own else [])
            chosen += [h for h in ranked[1:] if h is not own][: MAX_QUOTES - len(chosen)]
            if not any(same_council(p.council, council) for h in chosen for p in (h.paragraph, *h.also_in)):
                notes.append(f"Your council ({council}) has no guidance in my library that covers this; "
                             "the paragraphs below are other councils' — check with your Monitoring Officer.")
        return chosen, notes

    def _lead(self, vector: np.ndarray, chosen: list[Hit]) -> str:
        """The sentence of the two best paragraphs closest in meaning to the question, quoted and attributed."""
        candidates = [(s, h.paragraph) for h in chosen[:2] for s in sentences_of(h.paragraph.text)]
        if not candidates:
            p = chosen[0].paragraph
            candidates = [(clean_quote(p.text), p)]
        sims = self._embed_sentences([s for s, _ in candidates]) @ vector
        # The best paragraph's sentences are preferred unless another's is clearly closer.
        best = max(range(len(candidates)),
                   key=lambda i: sims[i] + (0.05 if candidates[i][1] is chosen[0].paragraph else 0.0))
        sentence, p = candidates[best]
        doc = self.knowledge.documents.get(p.doc_id)
        who = f"{short_council(p.council)}'s guidance" if p.council else f"The guidance “{p.document}”"
        return f"{who} says: “{sentence}” ({short_council(p.council) if p.council else p.document}, {p.label}" + (
            f"; {doc.date})" if doc and doc.date else ")")

    def _embed_sentences(self, sentences: list[str]) -> np.ndarray:
        """Vectors of guidance sentences, each embedded once per process (bounded: the corpus is finite)."""
        missing = [s for s in dict.fromkeys(sentences) if s not in self._sentence_vectors]
        if missing:
            if len(self._sentence_vectors) > MAX_CACHED_SENTENCES:
                self._sentence_vectors.clear()
            self._sentence_vectors.update(zip(missing, self.knowledge.embed(missing)))
        return np.stack([self._sentence_vectors[s] for s in sentences])

    @staticmethod
    def _offers(question: str) -> tuple[str, ...]:
        offers = []
        if REPORT_HINT.search(question):
            offers.append("/report")
        if CHECKPOST_HINT.search(question):
            offers.append("/checkpost")
        return tuple(offers)

    def _abstain(self, question: str, confidence: float, hits: list[Hit], offers: tuple[str, ...]) -> Answer:
        looked = "; ".join(dict.fromkeys(
            f"{short_council(h.paragraph.council)} — {h.paragraph.section.split(' > ')[-1]}" for h in hits[:3]))
        notes = (f"Closest guidance I looked at: {looked}.",) if looked else ()
        text = "\n".join([NOT_COVERED, *notes, *(OFFERS[o] for o in offers)])
        return Answer(question, True, text, NOT_COVERED, (), (), round(confidence, 3), notes=notes, offers=offers)

    @staticmethod
    def _render(lead: str, citations: tuple[Citation, ...], notes: list[str], offers: tuple[str, ...]) -> str:
        lines = [lead, *notes, ""]
        for c in citations:
            when = f" ({c.date})" if c.date else ""
            lines.append(f"  • {c.council or NO_COUNCIL} — {c.document}{when}, "
                         f"{c.section}, {c.paragraph}:")
            lines.append(f"    “{clean_quote(c.text)}”")
        lines.append("")
        lines.extend(OFFERS[o] for o in offers)
        lines.append(MONITORING_OFFICER_TIP)
        return "\n".join(lines)


def _groups(citations: tuple[Citation, ...]) -> tuple[CouncilGroup, ...]:
    """The citations (dated, in answer order) grouped by council, councils in the order they first appear."""
    by_council: dict[str | None, list[Citation]] = {}
    for c in citations:
        by_council.setdefault(c.council, []).append(c)
    return tuple(CouncilGroup(council, tuple(cs)) for council, cs in by_council.items())


def _own_first(hit: Hit, council: str) -> Hit:
    """When the councillor's own council says the same thing in near-identical words, quote its paragraph."""
    own = next((p for p in hit.also_in if same_council(p.council, council)), None)
    if own is None or same_council(hit.paragraph.council, council):
        return hit
    rest = tuple(p for p in (hit.paragraph, *hit.also_in) if p is not own)
    return Hit(own, hit.score, hit.dense, hit.keyword, rest)




def build_answerer(settings: Settings, knowledge: KnowledgeBase) -> Answerer:
    """The answerer for these settings: the trained abstention (when the trained adapter is in use), an LLM."""
    chat_model = None
    if settings.llm_provider != "none":
        from assistant.answering.llm import chat_model_from_settings

        chat_model = chat_model_from_settings(settings)
    folder = settings.resolved_retrieval_adapter
    abstention = Abstention.load(folder) if folder is not None else None
    return Answerer(knowledge, council=settings.council, chat_model=chat_model, abstention=abstention)
