"""Hybrid search: dense (meaning), BM25 (words) and question-bank (questions like this one) rankings fused by
reciprocal rank, council-aware.

Reciprocal-rank fusion has one constant, k = 60 from Cormack, Clarke & Büttcher (SIGIR 2009), used as published;
the weight of each ranking is chosen on calibration batches (writers never trained on) by ``assistant train
retrieval``. The question bank is the written training questions, embedded with the shipped encoder: a paragraph
ranks by its closest known question.
The features that the abstention classifier reads are computed here too, from the same rankings, so training and
answering see identical numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Callable, Protocol

import numpy as np

from assistant.knowledge.keyword import BM25, tokenize
from assistant.knowledge.models import Paragraph

RRF_K = 60
POOL = 100  # candidates taken from each ranking before fusion
SEARCH_FILE = "search.json"  # fusion weights chosen by training, shipped beside the adapter
BANK_FILE = "question_bank.npz"  # the training questions embedded with the adapter, shipped beside it


def load_weights(folder) -> tuple[float, float, float]:
    """The (dense, keyword, question bank) fusion weights saved with an adapter, or dense and keyword equal."""
    import json
    from pathlib import Path

    path = Path(folder) / SEARCH_FILE if folder is not None else None
    if path is None or not path.is_file():
        return (1.0, 1.0, 0.0)
    weights = json.loads(path.read_text())["weights"]
    return (float(weights["dense"]), float(weights["keyword"]), float(weights.get("bank", 0.0)))


@dataclass(frozen=True)
class QuestionBank:
    """Written questions with the paragraphs that answer them (none: out of scope), as unit vectors of the encoder
    that queries use. Only the questions' vectors and labels are kept, not their text."""

    ids: tuple[str, ...]
    vectors: np.ndarray  # questions x dims
    paragraphs: tuple[tuple[str, ...], ...]  # the gold paragraphs of each question; () when out of scope

    @classmethod
    def load(cls, folder) -> "QuestionBank | None":
        """The bank saved beside an adapter, or None."""
        from pathlib import Path

        path = Path(folder) / BANK_FILE if folder is not None else None
        if path is None or not path.is_file():
            return None
        with np.load(path, allow_pickle=False) as data:
            return cls(tuple(data["ids"].tolist()), data["vectors"].astype(np.float32),
                       tuple(tuple(p.split(" ")) if p else () for p in data["paragraphs"].tolist()))

    def save(self, folder) -> None:
        """Write the bank (vectors as float16: ranking needs no more precision)."""
        from pathlib import Path

        np.savez_compressed(Path(folder) / BANK_FILE, ids=np.array(self.ids), vectors=self.vectors.astype(np.float16),
                            paragraphs=np.array([" ".join(p) for p in self.paragraphs]))

    @cached_property
    def _answerable(self) -> np.ndarray:
        return np.array([bool(p) for p in self.paragraphs])

    def nearest(self, vector: np.ndarray) -> tuple[list[tuple[str, float]], float, float]:
        """(paragraphs by their closest question, best answerable similarity, best out-of-scope similarity)."""
        sims = self.vectors @ np.asarray(vector, dtype=np.float32)
        best: dict[str, float] = {}
        for i in np.argsort(-sims):
            for pid in self.paragraphs[i]:
                best.setdefault(pid, float(sims[i]))
            if len(best) >= POOL:
                break
        inside, outside = sims[self._answerable], sims[~self._answerable]
        return (sorted(best.items(), key=lambda kv: -kv[1]), float(inside.max(initial=0.0)),
                float(outside.max(initial=0.0)))


_COUNCIL_STOP = {"council", "borough", "county", "city", "district", "metropolitan", "and", "&", "of", "the"}
# A council whose name starts with one of these is recognised only by its whole name ("North Somerset").
_GENERIC_FIRST = {"north", "south", "east", "west", "mid", "central", "greater", "new", "upper", "lower", "great"}
# Words every question and paragraph share: they say nothing about whether the guidance covers a question.
GENERIC_TERMS = frozenset(tokenize(
    "council councils councillor councillors cllr member members elected social media guidance guide guides document "
    "documents say says said post posts posting online allowed ok okay should need know tell want use using able "
    "allow rules rule policy"
))


@dataclass(frozen=True)
class Hit:
    """A paragraph found for a query, with the evidence for it."""

    paragraph: Paragraph
    score: float  # fused reciprocal-rank score, higher is better
    dense: float  # cosine similarity to the query
    keyword: float  # BM25 score
    also_in: tuple[Paragraph, ...] = ()  # near-identical paragraphs in other documents


class DenseIndex(Protocol):
    """Nearest paragraphs to a query vector."""

    def query(self, vector: np.ndarray, n: int) -> list[tuple[str, float]]:
        """(paragraph id, cosine similarity), best first."""
        ...


class MatrixIndex:
    """Exact cosine search over an in-memory matrix (training, evaluation and tests)."""

    def __init__(self, ids: list[str], vectors: np.ndarray) -> None:
        self.ids = list(ids)
        self.vectors = np.asarray(vectors, dtype=np.float32)

    def query(self, vector: np.ndarray, n: int) -> list[tuple[str, float]]:
        sims = self.vectors @ np.asarray(vector, dtype=np.float32)
        order = np.argsort(-sims)[:n]
        return [(self.ids[i], float(sims[i])) for i in order]


def council_key(name: str | None) -> str:
    """A council's distinctive words ("Basingstoke & Deane Borough Council" -> "basingstoke deane")."""
    words = re.findall(r"[a-z]+", (name or "").lower())
    return " ".join(w for w in words if w not in _COUNCIL_STOP)


def same_council(a: str | None, b: str | None) -> bool:
    """True when two council names refer to the same council (case and suffixes ignored)."""
    ka, kb = council_key(a), council_key(b)
    return bool(ka and kb) and (ka in kb or kb in ka)


def council_patterns(councils: list[str]) -> dict[str, re.Pattern[str]]:
    """For each council, how a question names it: the whole distinctive name, or its first word when that word
    is distinctive on its own ("Powys", "Basingstoke"; never "North" alone)."""
    out = {}
    for council in councils:
        words = council_key(council).split()
        if not words:
            continue
        names = [r"\s+(?:&\s+|and\s+)?".join(map(re.escape, words))]
        if words[0] not in _GENERIC_FIRST and len(words[0]) > 3:
            names.append(re.escape(words[0]))
        out[council] = re.compile(rf"\b(?:{'|'.join(names)})\b", re.I)
    return out


class Retriever:
    """Dense, keyword and question-bank search over a fixed list of paragraphs.

    ``weights`` scale each ranking's reciprocal-rank contribution (dense, keyword, question bank); the shipped
    values are chosen on the calibration batches by ``assistant train retrieval`` and read from the adapter folder's
    ``search.json``. The ``bank`` must hold vectors of the encoder behind ``embed``.
    """

    def __init__(self, paragraphs: list[Paragraph], dense: DenseIndex, embed: Callable[[list[str]], np.ndarray],
                 councils: list[str], *, weights: tuple[float, float, float] = (1.0, 1.0, 0.0),
                 bank: QuestionBank | None = None) -> None:
        self.weights = weights
        self.bank = bank
        self.paragraphs = paragraphs
        self.by_id = {p.id: p for p in paragraphs}
        # Documents the bank's questions were written about; any other (a council's own policy, added later) has
        # no questions in the bank, so its paragraphs take their dense rank in the bank's place (see rank()).
        self._bank_docs = {self.by_id[pid].doc_id for labels in (bank.paragraphs if bank else ())
                           for pid in labels if pid in self.by_id}
        self.dense_index = dense
        self.embed = embed
        self.bm25 = BM25([tokenize(f"{p.section} {p.text}") for p in paragraphs])
        self.council_res = council_patterns(councils)
        self._council_terms = {t for c in councils for t in tokenize(council_key(c))}

    def councils_named_in(self, text: str) -> list[str]:
        """Corpus councils named in the text, in the order they appear."""
        found = [(m.start(), c) for c, rx in self.council_res.items() if (m := rx.search(text))]
        return [c for _, c in sorted(found)]

    def keyword_ranking(self, query: str, k: int) -> list[tuple[Paragraph, float]]:
        """BM25 alone: the k best paragraphs with a positive score."""
        scores = np.asarray(self.bm25.scores(tokenize(query)))
        order = np.argsort(-scores, kind="stable")[:k]
        return [(self.paragraphs[i], float(scores[i])) for i in order if scores[i] > 0]

    def bank_evidence(self, vector: np.ndarray) -> tuple[list[tuple[str, float]], float, float]:
        """(paragraphs by their closest bank question, best answerable and best out-of-scope similarity)."""
        if self.bank is None:
            return [], 0.0, 0.0
        ranked, inside, outside = self.bank.nearest(vector)
        return [(pid, s) for pid, s in ranked if pid in self.by_id], inside, outside

    def rank(self, query: str, vector: np.ndarray, bank_ranked: list[tuple[str, float]] = ()
             ) -> tuple[list[str], dict[str, float], dict[str, float], dict[str, float]]:
        """All candidates by fused score: (ids best first, fused, dense, keyword)."""
        dense_ranked = [(pid, s) for pid, s in self.dense_index.query(vector, POOL) if pid in self.by_id]
        keyword_ranked = [(p.id, s) for p, s in self.keyword_ranking(query, POOL)]
        fused: dict[str, float] = {}
        unknown = [] if self.bank is None or not self.weights[2] else [  # dense ranks the bank cannot know
            (rank, pid) for rank, (pid, _) in enumerate(dense_ranked) if self.by_id[pid].doc_id not in self._bank_docs]
        for weight, ranking in zip(self.weights, (dense_ranked, keyword_ranked, bank_ranked)):
            if not weight:
                continue
            for rank, (pid, _) in enumerate(ranking):
                fused[pid] = fused.get(pid, 0.0) + weight / (RRF_K + rank + 1)
        for rank, pid in unknown:
            fused[pid] = fused.get(pid, 0.0) + self.weights[2] / (RRF_K + rank + 1)
        named = self.councils_named_in(query)
        ranked = sorted(fused, key=lambda pid: -fused[pid])
        if named:  # a council named in the question: its best candidates lead, in fused order
            ranked.sort(key=lambda pid: not any(same_council(self.by_id[pid].council, c) for c in named))
        return ranked, fused, dict(dense_ranked), dict(keyword_ranked)

    def search(self, query: str, *, k: int = 5, vector: np.ndarray | None = None) -> list[Hit]:
        """The k best paragraphs, near-identical paragraphs from other documents folded into the best one."""
        return self.search_with_features(query, k=k, vector=vector)[0]

    def search_with_features(self, query: str, *, k: int = 5,
                             vector: np.ndarray | None = None) -> tuple[list[Hit], np.ndarray]:
        """The hits and the features the abstention classifier reads, from one pass over the rankings."""
        if vector is None:
            vector = self.embed([query])[0]
        bank_ranked, bank_in, bank_out = self.bank_evidence(vector)
        ranked, fused, dense, keyword = self.rank(query, vector, bank_ranked)
        hits = self._group(ranked, fused, dense, keyword, k)
        return hits, self.features(query, sorted(dense.values(), reverse=True)[:5], hits, (bank_in, bank_out))

    def _group(self, ranked, fused, dense_by_id, kw_by_id, k: int) -> list[Hit]:
        hits: list[Hit] = []
        used: set[str] = set()
        candidates = ranked[: max(k * 4, 20)]
        token_sets = {pid: set(tokenize(self.by_id[pid].text)) for pid in candidates}
        for pid in candidates:
            if pid in used:
                continue
            used.add(pid)
            twins = []
            for other in candidates:
                if other in used or self.by_id[other].doc_id == self.by_id[pid].doc_id:
                    continue
                a, b = token_sets[pid], token_sets[other]
                if a and b and len(a & b) / len(a | b) >= 0.6:
                    twins.append(self.by_id[other])
                    used.add(other)
            hits.append(Hit(self.by_id[pid], fused[pid], dense_by_id.get(pid, 0.0), kw_by_id.get(pid, 0.0),
                            tuple(twins)))
            if len(hits) == k:
                break
        return hits

    # --- what the abstention classifier reads ----------------------------------------------------------------
    def specific_terms(self, query: str) -> list[str]:
        """The question's own terms: no generic words, no council names."""
        return [t for t in dict.fromkeys(tokenize(query)) if t not in GENERIC_TERMS and t not in self._council_terms]

    def features(self, query: str, top_similarities: list[float], hits: list[Hit],
                 bank: tuple[float, float] = (0.0, 0.0)) -> np.ndarray:
        """Retrieval evidence for one question: similarities, margins, keyword coverage and agreement, and the
        similarity of the closest answerable and out-of-scope bank questions (0 without a bank)."""
        sims = list(top_similarities) + [0.0] * 5
        terms = self.specific_terms(query)
        known = [t for t in terms if t in self.bm25.idf]
        weights = {t: self.bm25.idf[t] for t in known}
        coverage = 0.0
        for hit in hits[:3]:
            found = set(tokenize(f"{hit.paragraph.section} {hit.paragraph.text}"))
            if weights:
                coverage = max(coverage, sum(w for t, w in weights.items() if t in found) / sum(weights.values()))
        top_kw = max((h.keyword for h in hits[:5]), default=0.0)
        agree = float(bool(hits) and bool(top_similarities) and hits[0].dense >= top_similarities[0] - 1e-6)
        return np.array([
            sims[0], sims[1], sims[0] - sims[1], float(np.mean(sims[:3])), sims[0] - sims[4],
            coverage, len(known) / max(len(terms), 1), float(np.log1p(len(terms))),
            float(np.log1p(top_kw)), agree, bank[0], bank[1],
        ], dtype=np.float32)


FEATURE_NAMES = ("dense_1", "dense_2", "margin_12", "dense_mean_3", "margin_15", "keyword_coverage",
                 "known_term_share", "log_terms", "log_bm25_top", "dense_keyword_agree", "bank_answerable_1",
                 "bank_out_of_scope_1")
