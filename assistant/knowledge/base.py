"""KnowledgeBase: the corpus, its paragraphs, the index, and hybrid council-aware search."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from assistant.config import Settings
from assistant.errors import InvalidInput
from assistant.knowledge.corpus import chunk_corpus, load_corpus
from assistant.knowledge.embedder import NumpyEmbedder, SentenceTransformerEmbedder, model_id_for, verify_model
from assistant.knowledge.keyword import BM25, tokenize
from assistant.knowledge.models import Document, Paragraph, clean_quote
from assistant.knowledge.store import BuildReport, ParagraphStore, content_key

log = logging.getLogger(__name__)
MAX_QUERY_CHARS = 2000  # a question longer than this is cut for search (the model reads 256 tokens anyway)
DENSE_POOL = 1000  # paragraphs scored by each retriever; the whole corpus at the seeds' size
KEYWORD_WEIGHT = 0.5  # BM25 (normalised to the best match) added to cosine similarity
NAMED_COUNCIL_BONUS = 0.15
OWN_COUNCIL_BONUS = 0.03
_COUNCIL_STOP = {"council", "borough", "county", "city", "district", "metropolitan", "and", "&", "of", "the"}


@dataclass(frozen=True)
class Hit:
    """A paragraph found for a query, with the evidence for it."""

    paragraph: Paragraph
    score: float  # cosine + weighted normalised BM25 (+ council bonus), higher is better
    dense: float  # cosine similarity to the query
    keyword: float  # BM25 score
    also_in: tuple[Paragraph, ...] = ()  # near-identical paragraphs in other documents


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("**", "").lower()).strip()


def council_key(name: str | None) -> str:
    """A council's distinctive words ("Basingstoke & Deane Borough Council" -> "basingstoke deane")."""
    words = re.findall(r"[a-z]+", (name or "").lower())
    return " ".join(w for w in words if w not in _COUNCIL_STOP)


def same_council(a: str | None, b: str | None) -> bool:
    """True when two council names refer to the same council (case and suffixes ignored)."""
    ka, kb = council_key(a), council_key(b)
    return bool(ka and kb) and (ka in kb or kb in ka)


class KnowledgeBase:
    """The knowledge base: load once per process, then search many times."""

    def __init__(self, settings: Settings, documents: list[Document], texts: dict[str, str]) -> None:
        self.settings = settings
        self.documents = {d.doc_id: d for d in documents}
        self.texts = texts
        self.paragraphs: list[Paragraph] = chunk_corpus(documents, texts)
        self._by_id = {p.id: p for p in self.paragraphs}
        self._bm25 = BM25([tokenize(f"{p.section} {p.text}") for p in self.paragraphs])

    @classmethod
    def from_settings(cls, settings: Settings) -> "KnowledgeBase":
        """Load the corpus named by the settings (no model is loaded until it is needed)."""
        documents, texts = load_corpus(settings.corpus_dir)
        return cls(settings, documents, texts)

    # --- models and index -------------------------------------------------------------------------------------
    @cached_property
    def model_dir(self) -> Path:
        """The verified model folder."""
        return verify_model(self.settings.resolved_model_path, self.settings.model_sha256)

    @cached_property
    def model_id(self) -> str:
        """Model identity recorded in the index keys."""
        return model_id_for(self.model_dir, self.settings.model_sha256)

    @cached_property
    def query_embedder(self) -> NumpyEmbedder:
        """Fast NumPy embedder for questions and drafts."""
        return NumpyEmbedder(self.model_dir, sha256="")  # already verified by model_dir

    @cached_property
    def _by_key(self) -> dict[str, Paragraph]:
        return {content_key(self.model_id, p): p for p in self.paragraphs}

    @cached_property
    def store(self) -> ParagraphStore:
        """The Chroma paragraph index."""
        return ParagraphStore(self.settings.index_dir, self.model_id, self.embed)

    def embed(self, texts: list[str]) -> np.ndarray:
        """L2-normalised vectors for texts (NumPy path: no torch import)."""
        return self.query_embedder.encode(list(texts))

    def build_index(self, *, progress: bool = False) -> BuildReport:
        """Bring the index up to date with the corpus; only new or changed paragraphs are embedded."""
        batch_embedder: SentenceTransformerEmbedder | None = None

        def embed_batch(texts: list[str]) -> np.ndarray:
            nonlocal batch_embedder
            if batch_embedder is None:  # sentence-transformers is imported only when there is work to do
                batch_embedder = SentenceTransformerEmbedder(self.model_dir, sha256="")
            return batch_embedder.encode(texts, progress=progress)

        return self.store.sync(self.paragraphs, embed_batch)

    def stats(self) -> dict:
        """Counts for `assistant index stats`."""
        try:
            keys = self.store.keys()
        except Exception:  # noqa: BLE001 - stats should report a missing index, not fail
            keys = set()
        wanted = {content_key(self.model_id, p) for p in self.paragraphs}
        return {
            "documents": [
                {"doc_id": d.doc_id, "title": d.title, "council": d.council, "date": d.date, "source": d.source,
                 "paragraphs": sum(p.doc_id == d.doc_id for p in self.paragraphs)}
                for d in self.documents.values()
            ],
            "paragraphs": len(self.paragraphs),
            "indexed": len(keys & wanted),
            "stale": len(keys - wanted),
            "missing": len(wanted - keys),
            "index_dir": str(self.settings.index_dir),
            "model": self.model_id,
        }

    @property
    def idf(self) -> dict[str, float]:
        """Inverse document frequency of each keyword term over the paragraphs."""
        return self._bm25.idf

    def keyword_ranking(self, query: str, k: int) -> list[tuple[Paragraph, float]]:
        """BM25 alone: the k best paragraphs with a positive score."""
        scores = self._bm25.scores(tokenize(query))
        ranked = sorted(zip(self.paragraphs, scores), key=lambda x: -x[1])
        return [(p, s) for p, s in ranked[:k] if s > 0]

    # --- lookup -----------------------------------------------------------------------------------------------
    def paragraph(self, paragraph_id: str) -> Paragraph | None:
        """A paragraph by id."""
        return self._by_id.get(paragraph_id)

    def find_paragraph(self, doc_id: str, contains: str) -> Paragraph | None:
        """The paragraph of a document whose text contains the phrase (case, ** and spacing ignored)."""
        needle = _norm(contains)
        return next((p for p in self.paragraphs if p.doc_id == doc_id and needle in _norm(p.text)), None)

    def councils(self) -> list[str]:
        """Councils named by the corpus documents."""
        return sorted({d.council for d in self.documents.values() if d.council})

    def council_named_in(self, text: str) -> str | None:
        """A corpus council named in the text ("under the Powys guide…"), if any."""
        low = text.lower()
        for council in self.councils():
            first = council_key(council).split()[0]
            if first and re.search(rf"\b{re.escape(first)}\b", low):
                return council
        return None

    # --- search -----------------------------------------------------------------------------------------------
    def search(self, query: str, *, council: str | None = None, k: int = 5) -> list[Hit]:
        """Hybrid search: cosine similarity (Chroma) plus normalised BM25, council-aware, near-duplicates grouped.

        Every paragraph gets both scores (the corpus is small enough to score in full), so a paragraph that
        only the keywords find, or only the meaning finds, can still win. A council named in the question is
        preferred strongly; the councillor's own council (``council``) first among near-equals.
        """
        query = (query or "").strip()
        if not query:
            raise InvalidInput("Please type a question.")
        query = query[:MAX_QUERY_CHARS]
        vector = self.embed([query])[0]
        dense = {self._by_key[key].id: sim for key, sim in self.store.query(vector, DENSE_POOL) if key in self._by_key}
        keyword = {p.id: s for p, s in self.keyword_ranking(query, DENSE_POOL)}
        top_keyword = max(keyword.values(), default=0.0) or 1.0
        named = self.council_named_in(query)
        fused: dict[str, float] = {}
        for pid in set(dense) | set(keyword):
            p = self._by_id[pid]
            score = dense.get(pid, 0.0) + KEYWORD_WEIGHT * keyword.get(pid, 0.0) / top_keyword
            if named and same_council(p.council, named):
                score += NAMED_COUNCIL_BONUS
            elif council and same_council(p.council, council):
                score += OWN_COUNCIL_BONUS
            fused[pid] = score
        ranked = sorted(fused, key=lambda pid: -fused[pid])
        return self._group(ranked, fused, dense, keyword, k)

    def _group(self, ranked, fused, dense_by_id, kw_by_id, k: int) -> list[Hit]:
        """Fold near-identical paragraphs from other documents into the best one, so they don't crowd it out."""
        hits: list[Hit] = []
        used: set[str] = set()
        candidates = ranked[: max(k * 4, 20)]
        token_sets = {pid: set(tokenize(self._by_id[pid].text)) for pid in candidates}
        for pid in candidates:
            if pid in used:
                continue
            used.add(pid)
            twins = []
            for other in candidates:
                if other in used or self._by_id[other].doc_id == self._by_id[pid].doc_id:
                    continue
                a, b = token_sets[pid], token_sets[other]
                if a and b and len(a & b) / len(a | b) >= 0.6:
                    twins.append(self._by_id[other])
                    used.add(other)
            hits.append(Hit(self._by_id[pid], fused[pid], dense_by_id.get(pid, 0.0), kw_by_id.get(pid, 0.0),
                            tuple(twins)))
            if len(hits) == k:
                break
        return hits

    def quote(self, paragraph: Paragraph) -> str:
        """A paragraph's display text."""
        return clean_quote(paragraph.text)
