"""The embedded paragraph index with the fake embedder: an unchanged re-run does not open Chroma at all."""

from __future__ import annotations

import os

import pytest

from assistant.config import Settings
from assistant.knowledge.corpus import chunk_corpus, load_corpus
from assistant.knowledge.embedder import HashingEmbedder
from assistant.knowledge.store import SYNC_STAMP, ParagraphStore


@pytest.fixture(scope="module")
def paragraphs():
    documents, texts = load_corpus(Settings().corpus_dir)
    return chunk_corpus(documents, texts)[:40]


def test_an_unchanged_rerun_skips_the_index_and_any_change_is_seen(tmp_path, paragraphs, monkeypatch):
    embedder = HashingEmbedder()
    store = lambda: ParagraphStore(tmp_path, embedder.model_id, embedder.encode)
    first = store().sync(paragraphs, embedder.encode)
    assert (first.added, first.unchanged) == (40, 0) and (tmp_path / SYNC_STAMP).is_file()

    opened = []
    original = ParagraphStore._open
    monkeypatch.setattr(ParagraphStore, "_open", lambda self, **kw: opened.append(1) or original(self, **kw))
    again = store().sync(paragraphs, embedder.encode)
    assert (again.added, again.removed, again.unchanged) == (0, 0, 40) and not opened

    fewer = store().sync(paragraphs[:30], embedder.encode)  # the corpus changed: a real sync
    assert (fewer.added, fewer.removed) == (0, 10) and opened
    assert store().keys() and len(store().keys()) == 30

    opened.clear()
    database = tmp_path / "chroma.sqlite3"
    os.utime(database, ns=(database.stat().st_atime_ns, database.stat().st_mtime_ns + 10**9))
    touched = store().sync(paragraphs[:30], embedder.encode)  # someone else wrote to the index: check it
    assert touched.unchanged == 30 and opened


def test_a_server_index_is_always_checked(tmp_path, paragraphs):
    store = ParagraphStore(tmp_path, "m", HashingEmbedder().encode, url="http://127.0.0.1:9")
    assert store._stamp({"a"}) is None
