"""The paragraph index on a real Chroma server (`chroma run`, started here): build, re-run, query, outages.

No embedding model is needed: the vectors come from HashingEmbedder, a real (deterministic) Embedder.
"""

from __future__ import annotations

import dataclasses
import signal

import numpy as np
import pytest

from assistant.config import Settings
from assistant.errors import IndexMissing, Misconfigured, ServiceUnavailable
from assistant.knowledge.base import KnowledgeBase
from assistant.knowledge.corpus import chunk_corpus, load_corpus
from assistant.knowledge.embedder import HashingEmbedder
from assistant.knowledge.store import ParagraphStore, content_key, embedding_text
from tests.conftest import SEEDS_CORPUS, run_cli
from tests.knowledge.chroma_server import ChromaServer, free_port

pytestmark = pytest.mark.real


@pytest.fixture
def chroma_server(tmp_path):
    """A server of the test's own: a build makes the collection hold exactly its paragraphs."""
    server = ChromaServer(tmp_path / "chroma").start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def paragraphs():
    documents, texts = load_corpus(SEEDS_CORPUS)
    return chunk_corpus(documents, texts)


class CountingEmbedder(HashingEmbedder):
    """HashingEmbedder that remembers how many texts it was asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.embedded = 0

    def encode(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        self.embedded += len(texts)
        return super().encode(texts, progress=progress)


def test_build_rerun_and_query_on_a_chroma_server(chroma_server, paragraphs, tmp_path):
    embedder = CountingEmbedder()
    local_dir = tmp_path / "index-not-used"

    def store() -> ParagraphStore:
        return ParagraphStore(local_dir, embedder.model_id, embedder.encode, url=chroma_server.url)

    with pytest.raises(IndexMissing):
        store().query(embedder.encode(["anything"])[0], 3)
    embedder.embedded = 0

    first = store().sync(paragraphs, embedder.encode)
    assert (first.paragraphs, first.added, first.removed) == (len(paragraphs), len(paragraphs), 0)
    assert embedder.embedded == len(paragraphs)
    assert not local_dir.exists()  # everything went to the server
    assert (chroma_server.path / "chroma.sqlite3").is_file()

    again = store().sync(paragraphs, embedder.encode)
    assert (again.added, again.removed, again.unchanged) == (0, 0, len(paragraphs))
    assert embedder.embedded == len(paragraphs)  # nothing re-embedded

    edited = dataclasses.replace(paragraphs[10], text=paragraphs[10].text + " (amended)")
    changed = [*paragraphs[:10], edited, *paragraphs[11:-1]]  # one edited, the last one dropped
    report = store().sync(changed, embedder.encode)
    assert (report.added, report.removed, report.unchanged) == (1, 2, len(paragraphs) - 2)
    assert embedder.embedded == len(paragraphs) + 1
    assert store().keys() == {content_key(embedder.model_id, p) for p in changed}

    target = changed[42]
    hits = store().query(embedder.encode([embedding_text(target)])[0], 5)
    assert len(hits) == 5
    assert hits[0][0] == content_key(embedder.model_id, target)
    assert hits[0][1] == pytest.approx(1.0, abs=1e-3)
    assert [score for _, score in hits] == sorted((score for _, score in hits), reverse=True)
    assert store().check() == len(changed)


def test_the_server_and_the_embedded_index_give_the_same_neighbours(chroma_server, paragraphs, tmp_path):
    embedder = HashingEmbedder()
    remote = ParagraphStore(tmp_path / "unused", embedder.model_id, embedder.encode, url=chroma_server.url + "/")
    local = ParagraphStore(tmp_path / "local", embedder.model_id, embedder.encode)
    subset = paragraphs[:120]
    remote.sync(subset, embedder.encode)
    local.sync(subset, embedder.encode)
    for question in ("Can I block a resident on Facebook?", "What is the Code of Conduct about?",
                     "Should I post during the pre-election period?"):
        vector = embedder.encode([question])[0]
        assert [key for key, _ in remote.query(vector, 5)] == [key for key, _ in local.query(vector, 5)]


def test_a_server_that_is_down_is_a_kind_error(paragraphs, tmp_path):
    embedder = HashingEmbedder()
    url = f"http://127.0.0.1:{free_port()}"
    store = ParagraphStore(tmp_path / "unused", embedder.model_id, embedder.encode, url=url)
    for attempt in (lambda: store.query(embedder.encode(["x"])[0], 3), lambda: store.keys(),
                    lambda: store.sync(paragraphs[:5], embedder.encode)):
        with pytest.raises(ServiceUnavailable) as caught:
            attempt()
        assert url in caught.value.user_message and "cannot be reached" in caught.value.user_message
        assert "ASSISTANT_CHROMA_URL" in caught.value.hint
    assert not (tmp_path / "unused").exists()


def test_a_server_that_stops_answering_is_a_kind_error(paragraphs, tmp_path):
    """Stopped mid-run (SIGSTOP: the port is open, nothing answers) and then gone for good."""
    embedder = HashingEmbedder()
    server = ChromaServer(tmp_path / "db").start()
    try:
        store = ParagraphStore(tmp_path / "unused", embedder.model_id, embedder.encode, url=server.url,
                               timeout_s=1.0)
        store.sync(paragraphs[:20], embedder.encode)
        vector = embedder.encode([embedding_text(paragraphs[3])])[0]
        assert store.query(vector, 1)[0][0] == content_key(embedder.model_id, paragraphs[3])

        server.process.send_signal(signal.SIGSTOP)
        try:
            with pytest.raises(ServiceUnavailable, match="cannot be reached"):
                store.query(vector, 1)
            with pytest.raises(ServiceUnavailable, match="cannot be reached"):  # a fresh store: the heartbeat
                ParagraphStore(tmp_path / "unused", embedder.model_id, embedder.encode, url=server.url,
                               timeout_s=1.0).keys()
        finally:
            server.process.send_signal(signal.SIGCONT)
        assert store.query(vector, 1)[0][0] == content_key(embedder.model_id, paragraphs[3])
    finally:
        server.stop()
    with pytest.raises(ServiceUnavailable, match="cannot be reached"):
        store.query(vector, 1)


@pytest.mark.parametrize("url", ["chroma:8000", "ftp://chroma:8000", "http://", "http://chroma:port",
                                 "http://admin:secret@chroma:8000", "http://chroma:8000/api/v2", "http://c:8000?x=1"])
def test_a_url_that_is_not_a_chroma_server_is_misconfigured(url, tmp_path):
    with pytest.raises(Misconfigured) as caught:
        ParagraphStore(tmp_path, "m", HashingEmbedder().encode, url=url)
    assert "ASSISTANT_CHROMA_URL" in caught.value.user_message
    assert "secret" not in caught.value.display()
    with pytest.raises(Misconfigured, match="greater than 0"):
        ParagraphStore(tmp_path, "m", HashingEmbedder().encode, timeout_s=0)


def test_default_ports_and_the_setting():
    from assistant.knowledge.store import server_address

    assert server_address("http://chroma") == ("chroma", 8000, False)
    assert server_address("https://index.example.org") == ("index.example.org", 443, True)
    assert server_address("http://127.0.0.1:8001/") == ("127.0.0.1", 8001, False)
    assert Settings().chroma_url is None
    assert Settings(_env_file=None, chroma_url="http://chroma:8000").chroma_url == "http://chroma:8000"


def test_the_knowledge_base_uses_the_configured_server():
    documents, texts = load_corpus(SEEDS_CORPUS)
    url = f"http://127.0.0.1:{free_port()}"
    kb = KnowledgeBase(Settings(chroma_url=url), documents, texts, embedder=HashingEmbedder())
    assert kb.store.url == url


def test_the_cli_reports_a_server_that_is_down_without_a_traceback(tmp_path):
    url = f"http://127.0.0.1:{free_port()}"
    result = run_cli("index", "stats", env={"ASSISTANT_CHROMA_URL": url, "ASSISTANT_INDEX_DIR": str(tmp_path)})
    assert result.returncode == ServiceUnavailable.exit_code, result.stderr
    assert "Traceback" not in result.stderr and "cannot be reached" in result.stderr
