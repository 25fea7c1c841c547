"""Hybrid search on the real corpus with the deterministic fake embedder: fusion, councils, features."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.config import Settings
from assistant.knowledge.corpus import chunk_corpus, load_corpus
from assistant.knowledge.embedder import HashingEmbedder
from assistant.knowledge.search import FEATURE_NAMES, MatrixIndex, Retriever, council_patterns, same_council
from assistant.knowledge.store import embedding_text


@pytest.fixture(scope="module")
def retriever() -> Retriever:
    documents, texts = load_corpus(Settings().corpus_dir)
    paragraphs = chunk_corpus(documents, texts)
    embedder = HashingEmbedder()
    vectors = embedder.encode([embedding_text(p) for p in paragraphs])
    councils = sorted({d.council for d in documents if d.council})
    return Retriever(paragraphs, MatrixIndex([p.id for p in paragraphs], vectors), embedder.encode, councils)


def test_fake_embedder_is_deterministic_and_normalised():
    a = HashingEmbedder().encode(["Can I block a troll?", "Can I block a troll?", ""])
    assert np.allclose(a[0], a[1]) and np.isclose(np.linalg.norm(a[0]), 1.0) and not a[2].any()


def test_reciprocal_rank_fusion_finds_the_paragraph_both_rankings_agree_on(retriever):
    hits = retriever.search("Is it an offence to incite a criminal act?", k=3)
    assert "incite any criminal act" in hits[0].paragraph.text or any(
        "incite any criminal act" in p.text for p in hits[0].also_in)
    assert hits[0].score >= hits[1].score > 0


def test_a_named_council_leads(retriever):
    hits = retriever.search("What does the Powys guide say about copyright?", k=3)
    assert hits[0].paragraph.council == "Powys County Council"


def test_council_names_match_by_name_not_by_a_shared_word():
    patterns = council_patterns(["North Norfolk District Council", "Powys County Council",
                                 "Basingstoke & Deane Borough Council"])
    named = lambda text: [c for c, rx in patterns.items() if rx.search(text)]  # noqa: E731
    assert named("I'm a North Somerset councillor") == []
    assert named("North Norfolk cllr here") == ["North Norfolk District Council"]
    assert named("basingstoke and deane rules?") == named("In Basingstoke…") == ["Basingstoke & Deane Borough Council"]
    assert named("powys") == ["Powys County Council"]
    assert same_council("Sandwell Metropolitan Borough Council", "sandwell") and not same_council("Powys", None)


def test_council_names_and_cllr_are_not_missing_terms(retriever):
    plain = retriever.specific_terms("can I block a troll")
    assert retriever.specific_terms("Powys cllr here: can I block a troll") == plain


def test_features_have_the_documented_shape(retriever):
    vector = retriever.embed(["can I post a photo of children at the school fete"])[0]
    hits, features = retriever.search_with_features("can I post a photo of children at the school fete",
                                                    vector=vector)
    assert features.shape == (len(FEATURE_NAMES),) and np.isfinite(features).all()
    assert 0.0 <= features[FEATURE_NAMES.index("keyword_coverage")] <= 1.0


def test_near_identical_paragraphs_fold_into_one_hit(retriever):
    hits = retriever.search("Sarcasm, irony and ambiguous comments should be avoided", k=5)
    docs = {hits[0].paragraph.doc_id, *(p.doc_id for p in hits[0].also_in)}
    assert docs >= {"000", "002"} and len({h.paragraph.id for h in hits}) == len(hits)


def test_matrix_index_returns_best_first():
    index = MatrixIndex(["a", "b"], np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32))
    assert [pid for pid, _ in index.query(np.array([0.2, 0.9]), 2)] == ["b", "a"]
