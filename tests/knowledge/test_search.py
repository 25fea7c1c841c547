"""Hybrid search on the real corpus with the deterministic fake embedder: fusion, councils, features."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.config import Settings
from assistant.knowledge.corpus import chunk_corpus, load_corpus
from assistant.knowledge.embedder import HashingEmbedder
from assistant.knowledge.search import (FEATURE_NAMES, MatrixIndex, QuestionBank, Retriever, council_patterns,
                                        load_weights, same_council)
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


def _bank_of(questions: list[tuple[str, tuple[str, ...]]]) -> QuestionBank:
    vectors = HashingEmbedder().encode([q for q, _ in questions])
    return QuestionBank(tuple(f"q{i}" for i in range(len(questions))), vectors, tuple(p for _, p in questions))


def test_a_question_like_a_bank_question_finds_that_questions_paragraph(retriever):
    target = next(p for p in retriever.paragraphs if "copyright" in p.text.lower())
    one_document = [p for p in retriever.paragraphs if p.doc_id == target.doc_id]  # all of it known to the bank
    bank = _bank_of([("he keeps mouthing off about me on my page what now", (target.id,)),
                     ("when is the next full council meeting", ())])
    query = "he keeps mouthing off about me on my page, what now?"

    def searcher(weights, bank=None):
        return Retriever(one_document, retriever.dense_index, retriever.embed, sorted(retriever.council_res),
                         weights=weights, bank=bank)

    plain = [h.paragraph.id for h in searcher((1.0, 0.0, 0.0)).search(query, k=3)]
    banked = searcher((1.0, 0.0, 2.0), bank)
    hits, features = banked.search_with_features(query)
    assert target.id not in plain and hits[0].paragraph.id == target.id
    assert features[FEATURE_NAMES.index("bank_answerable_1")] > 0.9
    _, outside = banked.search_with_features("when's the next full council meeting")
    assert outside[FEATURE_NAMES.index("bank_out_of_scope_1")] > 0.8 > outside[FEATURE_NAMES.index("bank_answerable_1")]


def test_without_a_bank_its_features_are_zero_and_the_bank_round_trips(retriever, tmp_path):
    _, features = retriever.search_with_features("can I block a troll")
    assert not features[[FEATURE_NAMES.index("bank_answerable_1"), FEATURE_NAMES.index("bank_out_of_scope_1")]].any()
    bank = _bank_of([("can I block a troll", ("001:2", "003:4")), ("parking permits?", ())])
    bank.save(tmp_path)
    loaded = QuestionBank.load(tmp_path)
    assert loaded.ids == bank.ids and loaded.paragraphs == (("001:2", "003:4"), ())
    assert np.allclose(loaded.vectors, bank.vectors, atol=1e-3) and QuestionBank.load(tmp_path / "none") is None
    assert load_weights(tmp_path) == (1.0, 1.0, 0.0)


def test_a_document_the_bank_knows_nothing_about_is_not_buried_by_it(retriever):
    """A council's own policy added after training has no bank questions: its paragraphs take their dense rank in
    the bank's place, so a paragraph the question matches best still leads."""
    added = next(p for p in retriever.paragraphs if p.doc_id != "000" and "copyright" in p.text.lower())
    known = [p for p in retriever.paragraphs if p.doc_id == "000"][:40]
    bank = _bank_of([(f"question {i} about {p.text[:40]}", (p.id,)) for i, p in enumerate(known)])
    banked = Retriever(retriever.paragraphs, retriever.dense_index, retriever.embed, sorted(retriever.council_res),
                       weights=(1.0, 0.0, 2.0), bank=bank)
    assert banked.search(added.text, k=3)[0].paragraph.id == added.id
