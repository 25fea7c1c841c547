"""KnowledgeBase: the corpus, its paragraphs, the index, and hybrid council-aware search."""

from __future__ import annotations

import logging
import re
from functools import cached_property
from pathlib import Path

import numpy as np

from assistant.config import Settings
from assistant.errors import IndexMissing, InvalidInput
from assistant.knowledge.corpus import chunk_corpus, load_corpus
from assistant.knowledge.embedder import Adapter, Embedder, NumpyEmbedder, model_id_for, verify_model
from assistant.knowledge.onnx_encoder import OnnxEmbedder, cache_path, export
from assistant.knowledge.models import Document, Paragraph, clean_quote
from assistant.knowledge.search import (Hit, QuestionBank, Retriever, council_key, load_weights,  # noqa: F401
                                        same_council)
from assistant.knowledge.store import BuildReport, ParagraphStore, content_key

log = logging.getLogger(__name__)
MAX_QUERY_CHARS = 2000  # a question longer than this is cut for search (the model reads 256 tokens anyway)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("**", "").lower()).strip()


class _ChromaDense:
    """The Chroma index as a :class:`DenseIndex` over paragraph ids."""

    def __init__(self, kb: "KnowledgeBase") -> None:
        self.kb = kb

    def query(self, vector: np.ndarray, n: int) -> list[tuple[str, float]]:
        by_key = self.kb._by_key
        found = self.kb.store.query(vector, n)
        if found and not any(key in by_key for key, _ in found):
            # Every stored vector is for another model or corpus (an upgrade brought a new adapter): searching
            # them would find nothing and refuse every question, so say what to do instead.
            raise IndexMissing("The search index is out of date: it was built for another version of the model "
                               "or the documents.",
                               hint="Run: assistant index build")
        return [(by_key[key].id, sim) for key, sim in found if key in by_key]


class KnowledgeBase:
    """The knowledge base: load once per process, then search many times."""

    def __init__(self, settings: Settings, documents: list[Document], texts: dict[str, str], *,
                 embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.documents = {d.doc_id: d for d in documents}
        self.texts = texts
        self.paragraphs: list[Paragraph] = chunk_corpus(documents, texts)
        self._by_id = {p.id: p for p in self.paragraphs}
        self._adapters: dict[Path, Adapter] = {}
        self._supplied_embedder = embedder is not None
        if embedder is not None:
            self.__dict__["query_embedder"] = embedder  # a supplied embedder (a fake in tests) replaces the model

    @cached_property
    def retriever(self) -> Retriever:
        """Dense, keyword and question-bank search fused (built on first use: building the index needs none).
        The bank holds the trained encoder's vectors, so a supplied embedder (a fake) searches without it."""
        folder = self.settings.resolved_retrieval_adapter
        bank = None if self._supplied_embedder else QuestionBank.load(folder)
        return Retriever(self.paragraphs, _ChromaDense(self), self.embed, self.councils(),
                         weights=load_weights(folder), bank=bank)

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
        """Model (and adapter) identity recorded in the index keys: known without loading the model, so an
        unchanged index is checked without it."""
        if self._supplied_embedder:
            return self.query_embedder.model_id
        return model_id_for(self.model_dir, self.settings.model_sha256, self._adapter(self.retrieval_adapter))

    @property
    def retrieval_adapter(self) -> Path | None:
        """The folder of the trained retrieval adapter (None: the base model alone)."""
        return self.settings.resolved_retrieval_adapter

    @property
    def encoder_dir(self) -> Path:
        """Where the exported (onnxruntime) encoders are cached, next to the index."""
        return Path(self.settings.index_dir) / "encoders"

    def _adapter(self, folder: Path | None) -> Adapter | None:
        """The adapter in this folder, read once per knowledge base (its digest names the index and the export)."""
        if folder is None:
            return None
        if folder not in self._adapters:
            self._adapters[folder] = Adapter(folder)
        return self._adapters[folder]

    def encoder(self, adapter_folder: Path | None, *, int8: bool = False) -> Embedder:
        """The packaged MiniLM with a trained adapter, on onnxruntime when `index build` has exported it, else the
        same forward pass on NumPy (slower, same vectors). The 8-bit encoder (``int8``: the checker's, whose
        thresholds were calibrated on it) has no NumPy twin, so a missing export is made now, once; only when that
        fails does it fall back to full precision on NumPy."""
        adapter = self._adapter(adapter_folder)
        model_dir = self.model_dir
        model_id = model_id_for(model_dir, self.settings.model_sha256, adapter)
        path = cache_path(self.encoder_dir, model_id, int8=int8)
        if int8 and not path.is_file():
            log.info("Exporting the 8-bit encoder for %s (once; assistant index build does it ahead).", model_id)
            try:
                export(model_dir, adapter, path, int8=True)
            except OSError as exc:  # e.g. a read-only index folder
                log.warning("The 8-bit encoder could not be exported (%s); using the NumPy encoder.",
                            type(exc).__name__)
        if path.is_file():
            try:
                return OnnxEmbedder(path, model_dir, model_id=model_id)
            except Exception as exc:  # noqa: BLE001 - a damaged cache file must not stop answers
                log.warning("The exported encoder %s could not be loaded (%s); using the NumPy encoder.",
                            path.name, type(exc).__name__)
        else:
            log.info("No exported encoder for %s yet (run: assistant index build); using the NumPy encoder.",
                     model_id)
        embedder = NumpyEmbedder(model_dir, sha256="", adapter=adapter)  # digest already checked by model_dir
        embedder.model_id = model_id
        return embedder

    def export_encoders(self) -> list[Path]:
        """Export the retrieval encoder and, when one is trained, the checker's (8-bit), for onnxruntime (once each)."""
        wanted = [(self.retrieval_adapter, False)]
        checker = self.settings.checker_model_dir
        if checker is not None and (Path(checker) / Adapter.CONFIG).is_file():
            wanted.append((checker, True))
        done = []
        for folder, int8 in wanted:
            adapter = self._adapter(folder)
            model_id = model_id_for(self.model_dir, self.settings.model_sha256, adapter)
            path = cache_path(self.encoder_dir, model_id, int8=int8)
            if not path.is_file():
                export(self.model_dir, adapter, path, int8=int8)
            done.append(path)
        return done

    @cached_property
    def query_embedder(self) -> Embedder:
        """The encoder for questions and paragraphs: the retrieval adapter on the packaged MiniLM."""
        return self.encoder(self.retrieval_adapter)

    @cached_property
    def _by_key(self) -> dict[str, Paragraph]:
        return {content_key(self.model_id, p): p for p in self.paragraphs}

    @cached_property
    def store(self) -> ParagraphStore:
        """The Chroma paragraph index."""
        return ParagraphStore(self.settings.index_dir, self.model_id, self.embed,
                              url=self.settings.chroma_url, timeout_s=self.settings.chroma_timeout_s)

    def embed(self, texts: list[str]) -> np.ndarray:
        """L2-normalised vectors for texts (no torch import)."""
        return self.query_embedder.encode(list(texts))

    def build_index(self, *, progress: bool = False) -> BuildReport:
        """Bring the index up to date with the corpus (only new or changed paragraphs are embedded), after
        exporting the encoders for onnxruntime if they are not exported yet."""
        if "query_embedder" not in self.__dict__:
            self.export_encoders()
        return self.store.sync(self.paragraphs, lambda texts: self.query_embedder.encode(texts, progress=progress))

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
        return self.retriever.bm25.idf

    def keyword_ranking(self, query: str, k: int) -> list[tuple[Paragraph, float]]:
        """BM25 alone: the k best paragraphs with a positive score."""
        return self.retriever.keyword_ranking(query, k)

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
        return next(iter(self.retriever.councils_named_in(text)), None)

    # --- search -----------------------------------------------------------------------------------------------
    def search(self, query: str, *, council: str | None = None, k: int = 5,
               vector: np.ndarray | None = None) -> list[Hit]:
        """Hybrid search (dense + BM25 by reciprocal rank), a council named in the question first. ``council`` is
        accepted for callers' convenience; the answerer orders the councillor's own council itself."""
        return self.search_with_features(query, k=k, vector=vector)[0]

    def search_with_features(self, query: str, *, k: int = 5,
                             vector: np.ndarray | None = None) -> tuple[list[Hit], np.ndarray, np.ndarray]:
        """Hits, the retrieval features the abstention classifier reads, and the query vector (embedded here
        unless the caller already has it)."""
        query = (query or "").strip()
        if not query:
            raise InvalidInput("Please type a question.")
        query = query[:MAX_QUERY_CHARS]
        if vector is None:
            vector = self.embed([query])[0]
        hits, features = self.retriever.search_with_features(query, k=k, vector=vector)
        return hits, features, vector

    def quote(self, paragraph: Paragraph) -> str:
        """A paragraph's display text."""
        return clean_quote(paragraph.text)
