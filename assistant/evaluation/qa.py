"""`assistant eval qa`: retrieval and abstention scores on a QA set, beside two baselines in the same run.

A citation is a hit when its text contains a gold phrase after lower-casing, removing ``**`` and collapsing
white space. Systems: this assistant (hybrid search + abstention), BM25 alone over the same paragraphs, and a
naive LangChain pipeline (RecursiveCharacterTextSplitter 1000/200, the same embeddings, Chroma top-4).
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from assistant.errors import InvalidInput

_WS = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Lower-case, drop ``**``, collapse white space."""
    return _WS.sub(" ", text.replace("**", "").lower()).strip()


@dataclass(frozen=True)
class QAItem:
    """One question of a QA set."""

    id: str
    question: str
    answerable: bool
    gold: tuple[str, ...]


@dataclass
class QAScores:
    """Scores of one system on a QA set."""

    name: str
    answerable: int = 0
    unanswerable: int = 0
    hits_at: dict[int, int] = field(default_factory=lambda: {1: 0, 3: 0, 5: 0})
    reciprocal_ranks: float = 0.0
    abstained_unanswerable: int = 0
    false_abstentions: int = 0
    misses: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        """Rounded figures for printing or JSON."""
        n = max(self.answerable, 1)
        out = {f"recall@{k}": round(v / n, 3) for k, v in self.hits_at.items()}
        out["mrr"] = round(self.reciprocal_ranks / n, 3)
        out["abstained_unanswerable"] = (
            round(self.abstained_unanswerable / self.unanswerable, 3) if self.unanswerable else None
        )
        out["false_abstention_rate"] = round(self.false_abstentions / n, 3)
        return out


def load_items(path: Path, paragraph_text: Callable[[str], str | None] | None = None) -> list[QAItem]:
    """Read a JSONL QA set, with a clear error for a bad line. Gold is ``gold: [{"contains"}]`` (dev sets) or
    ``paragraphs: [ids]`` (datasets/, resolved to the paragraphs' text by ``paragraph_text``)."""
    items = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InvalidInput(f"Could not read the QA set {path}.") from exc
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            gold = [g["contains"] for g in d.get("gold", [])]
            if paragraph_text is not None:
                gold += [t for t in map(paragraph_text, d.get("paragraphs", [])) if t]
            items.append(QAItem(str(d["id"]), d["question"], bool(d.get("answerable", True)), tuple(gold)))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise InvalidInput(f"Line {number} of {path} is not a QA item: {type(exc).__name__}.") from exc
    return items


# A system takes a question and returns (abstained, ranked citation texts).
System = Callable[[str], tuple[bool, list[str]]]


def score(name: str, system: System, items: list[QAItem]) -> QAScores:
    """Run one system over the items."""
    s = QAScores(name)
    for item in items:
        abstained, texts = system(item.question)
        if not item.answerable:
            s.unanswerable += 1
            s.abstained_unanswerable += abstained
            continue
        s.answerable += 1
        if abstained:
            s.false_abstentions += 1
            s.misses.append(item.id)
            continue
        gold = [normalise(g) for g in item.gold]
        rank = next((i for i, t in enumerate(texts) if any(g in normalise(t) for g in gold)), None)
        if rank is None:
            s.misses.append(item.id)
            continue
        s.reciprocal_ranks += 1.0 / (rank + 1)
        for k in s.hits_at:
            s.hits_at[k] += rank < k
    return s


def assistant_system(answerer) -> System:
    """The product: hybrid search, grouping and abstention, as `ask --json` returns it."""

    def run(question: str) -> tuple[bool, list[str]]:
        answer = answerer.answer(question)
        return answer.abstained, [c.text for c in answer.citations]

    return run


def bm25_system(knowledge, k: int = 5) -> System:
    """BM25 alone over the same paragraphs (never abstains)."""

    def run(question: str) -> tuple[bool, list[str]]:
        return False, [p.text for p, _ in knowledge.keyword_ranking(question, k)]

    return run


def langchain_baseline(knowledge) -> System:
    """Naive LangChain RAG retrieval: 1000/200 character chunks, the same embeddings, Chroma top-4."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from langchain_chroma import Chroma
    from langchain_core.embeddings import Embeddings
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    class PackagedEmbeddings(Embeddings):
        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return knowledge.embed(texts).tolist()

        def embed_query(self, text: str) -> list[float]:
            return knowledge.embed([text])[0].tolist()

    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    chunks = [c for text in knowledge.texts.values() for c in splitter.split_text(text)]
    client = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
    store = Chroma(client=client, collection_name=f"naive-{uuid.uuid4().hex}",
                   embedding_function=PackagedEmbeddings())
    store.add_texts(chunks)

    def run(question: str) -> tuple[bool, list[str]]:
        return False, [d.page_content for d in store.similarity_search(question, k=4)]

    return run
