"""The Chroma index: one vector per paragraph, keyed by a hash of the model and the text it embeds."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

import numpy as np

from assistant.errors import IndexMissing, Misconfigured, ServiceUnavailable, UserError
from assistant.knowledge.models import Paragraph

log = logging.getLogger(__name__)
COLLECTION = "guidance_paragraphs"
SYNC_STAMP = "synced.json"  # what the last sync left in an embedded index, so an unchanged re-run need not open it
HEARTBEAT_PATH = "/api/v2/heartbeat"  # a Chroma server's liveness endpoint (API v2: Chroma 1.x)


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
    """The paragraph index: an embedded Chroma (PersistentClient) under the index folder, or a Chroma server
    (HttpClient) when ``url`` is set, so several app processes share one index. Telemetry is off either way,
    and vectors always come from our own model, never Chroma's."""

    def __init__(self, index_dir: Path, model_id: str, embed: Callable[[list[str]], np.ndarray], *,
                 url: str | None = None, timeout_s: float = 30.0) -> None:
        if timeout_s <= 0:
            raise Misconfigured(f"ASSISTANT_CHROMA_TIMEOUT_S must be greater than 0. Currently, it is {timeout_s}.")
        self.index_dir = Path(index_dir)
        self.model_id = model_id
        self.url = url.strip().rstrip("/") if url and url.strip() else None
        self.timeout_s = timeout_s
        self._address = server_address(self.url) if self.url else None
        self._embed = embed
        self._collection = None

    @property
    def where(self) -> str:
        """The index's location, for messages: the server URL or the folder."""
        return self.url or str(self.index_dir)

    def _unavailable(self) -> ServiceUnavailable:
        if self.url:
            return ServiceUnavailable(
                f"The search index (a Chroma server at {self.url}) cannot be reached right now.",
                hint="Please try again in a few minutes. IT team: check that the Chroma server is running and "
                "that ASSISTANT_CHROMA_URL points at it.",
            )
        return ServiceUnavailable(
            f"The search index in {self.index_dir} could not be opened.",
            hint="Rebuild it: delete the folder and run 'assistant index build'.",
        )

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Chroma and its HTTP client raise many types; to the person they all mean the same two things."""
        try:
            yield
        except UserError:
            raise
        except Exception as exc:  # noqa: BLE001 - translated at the boundary, logged without the text
            if _is_not_found(exc):
                raise IndexMissing("The search index is empty.", hint="Run: assistant index build") from exc
            log.warning("paragraph index at %s unavailable (%s)", self.where, type(exc).__name__)
            raise self._unavailable() from exc

    def _client(self, *, create: bool):
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        if self._address is not None:
            host, port, ssl = self._address
            self._heartbeat()
            with self._errors():
                client = chromadb.HttpClient(host=host, port=port, ssl=ssl, settings=settings)
            _limit_wait(client, self.timeout_s)
            return client
        if not create and not (self.index_dir / "chroma.sqlite3").exists():
            raise IndexMissing(
                f"The search index has not been built yet (looked in {self.index_dir}).",
                hint="Run: assistant index build",
            )
        with self._errors():
            self.index_dir.mkdir(parents=True, exist_ok=True)
            return chromadb.PersistentClient(path=str(self.index_dir), settings=settings)

    def _heartbeat(self) -> None:
        """Ask the server for its heartbeat, with a timeout: Chroma's own client would wait for ever."""
        import httpx

        try:
            httpx.get(f"{self.url}{HEARTBEAT_PATH}", timeout=self.timeout_s).raise_for_status()
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            log.warning("Chroma server at %s did not answer its heartbeat (%s)", self.url, type(exc).__name__)
            raise self._unavailable() from exc

    def _open(self, *, create: bool):
        if self._collection is not None:
            return self._collection
        client = self._client(create=create)
        ef = _embedding_function(self.model_id, self._embed)
        with self._errors():
            if create:
                collection = client.get_or_create_collection(
                    COLLECTION, embedding_function=ef, metadata={"hnsw:space": "cosine"}
                )
            else:
                collection = client.get_collection(COLLECTION, embedding_function=ef)
        self._collection = collection
        return collection

    def check(self) -> int:
        """How many vectors the index holds; raises IndexMissing, or ServiceUnavailable when it cannot be read."""
        collection = self._open(create=False)
        with self._errors():
            return collection.count()

    def keys(self) -> set[str]:
        """Keys of everything in the index."""
        collection = self._open(create=False)
        with self._errors():
            return _all_ids(collection)

    def sync(self, paragraphs: list[Paragraph], embed_batch: Callable[[list[str]], np.ndarray]) -> BuildReport:
        """Make the index hold exactly these paragraphs: embed only new text, delete what is gone. An embedded
        index that a previous sync left holding exactly these keys is not even opened."""
        wanted = {content_key(self.model_id, p): p for p in paragraphs}
        stamp = self._stamp(wanted)
        if stamp is not None and stamp == self._read_stamp():
            return BuildReport(len(wanted), 0, 0, len(wanted))
        collection = self._open(create=True)
        with self._errors():
            existing = _all_ids(collection)
        to_add = [k for k in wanted if k not in existing]
        to_remove = [k for k in existing if k not in wanted]
        if to_remove:
            with self._errors():
                collection.delete(ids=to_remove)
        if to_add:
            vectors = embed_batch([embedding_text(wanted[k]) for k in to_add])  # model errors are the model's
            with self._errors():
                for start in range(0, len(to_add), 256):
                    batch = to_add[start : start + 256]
                    collection.add(
                        ids=batch,
                        embeddings=vectors[start : start + len(batch)],
                        metadatas=[{"doc_id": wanted[k].doc_id, "paragraph_id": wanted[k].id,
                                    "council": wanted[k].council or ""} for k in batch],
                    )
        self._write_stamp(wanted)
        return BuildReport(len(wanted), len(to_add), len(to_remove), len(wanted) - len(to_add))

    def _stamp(self, keys) -> dict | None:
        """What an embedded index holding exactly these keys looks like on disk (None for a server's index,
        which other processes may change)."""
        database = self.index_dir / "chroma.sqlite3"
        if self.url or not database.is_file():
            return None
        stat = database.stat()
        return {"keys": hashlib.sha256("\n".join(sorted(keys)).encode()).hexdigest(),
                "database": [stat.st_size, stat.st_mtime_ns]}

    def _read_stamp(self) -> dict | None:
        try:
            return json.loads((self.index_dir / SYNC_STAMP).read_text())
        except (OSError, ValueError):
            return None

    def _write_stamp(self, keys) -> None:
        stamp = self._stamp(keys)
        if stamp is not None:
            (self.index_dir / SYNC_STAMP).write_text(json.dumps(stamp))

    def query(self, vector: np.ndarray, n: int) -> list[tuple[str, float]]:
        """(key, cosine similarity) of the nearest paragraphs."""
        collection = self._open(create=False)
        with self._errors():
            count = collection.count()
            if count == 0:
                raise IndexMissing("The search index is empty.", hint="Run: assistant index build")
            result = collection.query(query_embeddings=[vector], n_results=min(n, count), include=["distances"])
        return [(key, 1.0 - float(d)) for key, d in zip(result["ids"][0], result["distances"][0])]


def server_address(url: str) -> tuple[str, int, bool]:
    """(host, port, https) of a Chroma server URL such as http://chroma:8000; Misconfigured if it is not one."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = -1
    if (parts.scheme not in ("http", "https") or not parts.hostname or port == -1 or parts.username
            or parts.password or parts.path not in ("", "/") or parts.query or parts.fragment):
        raise Misconfigured(
            "ASSISTANT_CHROMA_URL is not the address of a Chroma server.",
            hint="Give the scheme, host and port only, e.g. http://chroma:8000 or https://chroma.example.org, "
            "or unset it to use the index folder.",
        )
    https = parts.scheme == "https"
    return parts.hostname, port or (443 if https else 8000), https


def _is_not_found(exc: Exception) -> bool:
    from chromadb.errors import NotFoundError

    return isinstance(exc, NotFoundError) or "does not exist" in str(exc)


def _all_ids(collection, page: int = 5000) -> set[str]:
    """Every id in the collection, a page at a time (a server may cap the size of one answer)."""
    ids: set[str] = set()
    offset = 0
    while True:
        batch = collection.get(include=[], limit=page, offset=offset)["ids"]
        ids.update(batch)
        if len(batch) < page:
            return ids
        offset += page


def _limit_wait(client, timeout_s: float) -> None:
    """Give the client's HTTP session a timeout: Chroma's has none, so a hung server would hang every request."""
    import httpx

    session = getattr(getattr(client, "_server", None), "_session", None)
    if isinstance(session, httpx.Client):
        session.timeout = httpx.Timeout(timeout_s)
    else:  # a chromadb upgrade moved it; requests then wait as long as the server takes
        log.warning("could not set a timeout on the Chroma client; requests may wait indefinitely")
