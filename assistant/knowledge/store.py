"""The Chroma index: one vector per paragraph, keyed by a hash of the model and the text it embeds."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from assistant.errors import IndexMissing, ServiceUnavailable
from assistant.knowledge.models import Paragraph

log = logging.getLogger(__name__)
COLLECTION = "guidance_paragraphs"


def embedding_text(p: Paragraph) -> str:
    """What is embedded for a paragraph: its nearest headings give context the paragraph itself may lack."""
    context = " > ".join(p.section.split(" > ")[-2:])
    return f"{context}: {p.text.replace('**', '')}"


def content_key(model_id: str, p: Paragraph) -> str:
    """The index key: unchanged paragraphs keep their key, so they are never embedded twice."""
    return hashlib.sha256(f"{model_id}\x00{p.doc_id}\x00{embedding_text(p)}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class BuildReport:
    """What an index build did."""

    paragraphs: int
    added: int
    removed: int
    unchanged: int


_EF_CLASS = None


def _embedding_function(model_id: str, embed: Callable[[list[str]], np.ndarray] | None):
    """Chroma's hook to our own packaged model (Chroma's default would download one)."""
    global _EF_CLASS
    if _EF_CLASS is None:
        from chromadb.api.types import EmbeddingFunction
        from chromadb.utils.embedding_functions import register_embedding_function

        @register_embedding_function
        class GuidanceEmbeddingFunction(EmbeddingFunction):
            """Embeds with the assistant's packaged model; reopened from config it has no model to use."""

            def __init__(self, model_id: str = "", embed=None) -> None:
                self.model_id = model_id
                self._embed = embed

            def __call__(self, input):  # noqa: A002 - Chroma's parameter name
                if self._embed is None:
                    raise IndexMissing("This index must be opened through the assistant, which supplies the model.")
                return list(self._embed(list(input)))

            @staticmethod
            def name() -> str:
                return "councillor-assistant-packaged-minilm"

            def get_config(self) -> dict:
                return {"model_id": self.model_id}

            @staticmethod
            def build_from_config(config: dict):
                return GuidanceEmbeddingFunction(config.get("model_id", ""))

            def default_space(self) -> str:
                return "cosine"

            def is_legacy(self) -> bool:
                return False

        _EF_CLASS = GuidanceEmbeddingFunction
    return _EF_CLASS(model_id, embed)


class ParagraphStore:
    """A Chroma PersistentClient collection under the index folder (telemetry off, no network)."""

    def __init__(self, index_dir: Path, model_id: str, embed: Callable[[list[str]], np.ndarray]) -> None:
        self.index_dir = Path(index_dir)
        self.model_id = model_id
        self._embed = embed
        self._collection = None

    def _open(self, *, create: bool):
        if self._collection is not None:
            return self._collection
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        if not create and not (self.index_dir / "chroma.sqlite3").exists():
            raise IndexMissing(
                f"The search index has not been built yet (looked in {self.index_dir}).",
                hint="Run: assistant index build",
            )
        try:
            self.index_dir.mkdir(parents=True, exist_ok=True)
            client = chromadb.PersistentClient(
                path=str(self.index_dir), settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False)
            )
            ef = _embedding_function(self.model_id, self._embed)
            if create:
                collection = client.get_or_create_collection(
                    COLLECTION, embedding_function=ef, metadata={"hnsw:space": "cosine"}
                )
            else:
                collection = client.get_collection(COLLECTION, embedding_function=ef)
        except IndexMissing:
            raise
        except Exception as exc:  # chromadb raises many types; all mean the same to the person
            if not create and "does not exist" in str(exc):
                raise IndexMissing("The search index is empty.", hint="Run: assistant index build") from exc
            raise ServiceUnavailable(
                f"The search index in {self.index_dir} could not be opened.",
                hint="Rebuild it: delete the folder and run 'assistant index build'.",
            ) from exc
        self._collection = collection
        return collection

    def keys(self) -> set[str]:
        """Keys of everything in the index."""
        return set(self._open(create=False).get(include=[])["ids"])

    def sync(self, paragraphs: list[Paragraph], embed_batch: Callable[[list[str]], np.ndarray]) -> BuildReport:
        """Make the index hold exactly these paragraphs: embed only new text, delete what is gone."""
        collection = self._open(create=True)
        wanted = {content_key(self.model_id, p): p for p in paragraphs}
        existing = set(collection.get(include=[])["ids"])
        to_add = [k for k in wanted if k not in existing]
        to_remove = [k for k in existing if k not in wanted]
        if to_remove:
            collection.delete(ids=to_remove)
        if to_add:
            vectors = embed_batch([embedding_text(wanted[k]) for k in to_add])
            for start in range(0, len(to_add), 256):
                batch = to_add[start : start + 256]
                collection.add(
                    ids=batch,
                    embeddings=vectors[start : start + len(batch)],
                    metadatas=[{"doc_id": wanted[k].doc_id, "paragraph_id": wanted[k].id,
                                "council": wanted[k].council or ""} for k in batch],
                )
        return BuildReport(len(wanted), len(to_add), len(to_remove), len(wanted) - len(to_add))

    def query(self, vector: np.ndarray, n: int) -> list[tuple[str, float]]:
        """(key, cosine similarity) of the nearest paragraphs."""
        collection = self._open(create=False)
        count = collection.count()
        if count == 0:
            raise IndexMissing("The search index is empty.", hint="Run: assistant index build")
        result = collection.query(query_embeddings=[vector], n_results=min(n, count), include=["distances"])
        return [(key, 1.0 - float(d)) for key, d in zip(result["ids"][0], result["distances"][0])]
