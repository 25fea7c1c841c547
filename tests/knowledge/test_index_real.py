"""The real packaged model and a real Chroma index: equivalence, integrity check, incremental builds."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from assistant.config import Settings
from assistant.errors import IndexMissing, ServiceUnavailable
from assistant.knowledge.base import KnowledgeBase
from assistant.config import MODELS_DIR
from assistant.knowledge.embedder import Adapter, NumpyEmbedder, SentenceTransformerEmbedder, verify_model
from assistant.knowledge.onnx_encoder import OnnxEmbedder, cache_path, export
from tests.conftest import SEEDS_CORPUS

pytestmark = pytest.mark.real


def test_numpy_embedder_matches_sentence_transformers():
    settings = Settings()
    texts = ["Can I block a resident who keeps trolling me?", "Sarcasm, irony and ambiguous comments should be "
             "avoided.", "Bore da! Sesiwn galw heibio 🙂", "x" * 3000]
    fast = NumpyEmbedder(settings.resolved_model_path, sha256=settings.model_sha256).encode(texts)
    reference = SentenceTransformerEmbedder(settings.resolved_model_path, sha256=settings.model_sha256).encode(texts)
    assert fast.shape == reference.shape == (4, 384)
    assert np.all(np.sum(fast * reference, axis=1) > 0.999)


@pytest.mark.parametrize("artefact", ["retrieval", "checker"])
def test_shipped_adapters_on_numpy_and_onnxruntime_match_peft_on_torch(artefact, tmp_path):
    """Both fast paths merge the LoRA adapter into the base weights (NumPy at load, onnxruntime in the exported
    graph); peft on torch is the reference."""
    import torch
    from peft import PeftModel

    settings = Settings()
    texts = ["can i lift a photo off a news site for my ward page?", "he keeps mouthing off about me on fb",
             "Sarcasm, irony and ambiguous comments should be avoided.", "Bore da! 🙂", "x " * 400]
    model_dir, adapter = settings.resolved_model_path, Adapter(MODELS_DIR / artefact)
    fast = NumpyEmbedder(model_dir, sha256=settings.model_sha256, adapter=adapter).encode(texts)
    onnx_path = export(model_dir, adapter, tmp_path / "encoder.onnx")
    onnx = OnnxEmbedder(onnx_path, model_dir, model_id="test").encode(texts)
    reference = SentenceTransformerEmbedder(model_dir, sha256=settings.model_sha256)
    bert = reference.model[0].auto_model
    reference.model[0].auto_model = PeftModel.from_pretrained(bert, str(MODELS_DIR / artefact)).merge_and_unload()
    with torch.no_grad():
        slow = reference.encode(texts)
    assert np.all(np.sum(fast * slow, axis=1) >= 0.9999)
    assert np.all(np.sum(onnx * slow, axis=1) >= 0.9999)
    # One at a time gives the same vectors as a padded batch.
    assert np.allclose(OnnxEmbedder(onnx_path, model_dir, model_id="test").encode(texts[:1]), onnx[:1], atol=1e-5)
    base = NumpyEmbedder(model_dir, sha256="").encode(texts)
    assert not np.allclose(base, fast, atol=1e-3)  # the adapter really changes the vectors
    # The 8-bit export (what the checker runs) stays close to full precision, and further from the base model.
    int8_path = export(model_dir, adapter, tmp_path / "encoder-int8.onnx", int8=True)
    int8 = OnnxEmbedder(int8_path, model_dir, model_id="test").encode(texts)
    assert np.all(np.sum(int8 * slow, axis=1) >= 0.97) and int8_path.stat().st_size < 0.7 * onnx_path.stat().st_size
    assert np.mean(np.sum(int8 * slow, axis=1)) > np.mean(np.sum(base * slow, axis=1))


def test_index_build_exports_the_encoders_and_a_damaged_export_falls_back_to_numpy(tmp_path, caplog):
    settings = Settings(corpus_dir=_small_corpus(tmp_path), index_dir=tmp_path / "index")
    kb = KnowledgeBase.from_settings(settings)
    kb.build_index()
    exported = sorted((tmp_path / "index" / "encoders").glob("*.onnx"))
    assert len(exported) == 2  # retrieval and checker, keyed by their adapters

    fresh = KnowledgeBase.from_settings(settings)
    assert isinstance(fresh.query_embedder, OnnxEmbedder)
    assert isinstance(fresh.encoder(settings.checker_model_dir, int8=True), OnnxEmbedder)  # the checker's: 8-bit
    assert isinstance(fresh.encoder(settings.checker_model_dir), NumpyEmbedder)  # no full-precision export of it
    question = ["can I block a troll on my ward page?"]
    vector = fresh.embed(question)

    retrieval = cache_path(fresh.encoder_dir, fresh.model_id)
    retrieval.write_bytes(b"not an onnx file")
    damaged = KnowledgeBase.from_settings(settings)
    assert isinstance(damaged.query_embedder, NumpyEmbedder)
    assert "could not be loaded" in caplog.text
    assert float(damaged.embed(question)[0] @ vector[0]) >= 0.9999
    assert damaged.search("can I block a troll on my ward page?", k=1)


def test_the_checkers_8_bit_encoder_is_exported_when_first_needed(tmp_path):
    # Its thresholds were calibrated on the 8-bit encoder, so the checker never silently runs another model.
    settings = Settings(corpus_dir=_small_corpus(tmp_path), index_dir=tmp_path / "index")
    kb = KnowledgeBase.from_settings(settings)
    assert not list((tmp_path / "index").glob("encoders/*.onnx"))
    assert isinstance(kb.encoder(settings.checker_model_dir, int8=True), OnnxEmbedder)
    assert len(list((tmp_path / "index" / "encoders").glob("*.onnx"))) == 1


def test_model_integrity_is_checked(tmp_path):
    settings = Settings()
    with pytest.raises(ServiceUnavailable, match="does not match the expected SHA-256"):
        verify_model(settings.resolved_model_path, "0" * 64)
    with pytest.raises(ServiceUnavailable, match="not found"):
        verify_model(tmp_path, settings.model_sha256)


def _small_corpus(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("000_0ac35471cb74cf03.txt", "004_f0da639d779a35f9.txt"):
        shutil.copy(SEEDS_CORPUS / name, corpus / name)
        shutil.copy(SEEDS_CORPUS / f"{name}.meta.json", corpus / f"{name}.meta.json")
    return corpus


def test_incremental_build_embeds_only_changes_and_drops_removed_documents(tmp_path):
    corpus = _small_corpus(tmp_path)
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index")
    with pytest.raises(IndexMissing):
        KnowledgeBase.from_settings(settings).search("defamation")

    first = KnowledgeBase.from_settings(settings).build_index()
    assert first.added == first.paragraphs > 100 and first.removed == 0

    again = KnowledgeBase.from_settings(settings).build_index()
    assert (again.added, again.removed, again.unchanged) == (0, 0, first.paragraphs)

    path = corpus / "004_f0da639d779a35f9.txt"
    path.write_text(path.read_text().replace("Greater reach carries greater responsibility.",
                                             "Greater reach carries much greater responsibility."))
    changed = KnowledgeBase.from_settings(settings).build_index()
    assert (changed.added, changed.removed) == (1, 1)

    (corpus / "004_f0da639d779a35f9.txt.meta.json").unlink()
    path.unlink()
    kb = KnowledgeBase.from_settings(settings)
    removed = kb.build_index()
    assert removed.added == 0 and removed.removed == changed.paragraphs - removed.paragraphs
    assert {h.paragraph.doc_id for h in kb.search("what is malinformation?", k=5)} == {"000"}
    stats = kb.stats()
    assert stats["indexed"] == stats["paragraphs"] and stats["stale"] == 0


def test_search_prefers_a_council_named_in_the_question(real_services):
    hits = real_services.knowledge.search("What does the Powys guide say about copyright?", k=3)
    assert hits[0].paragraph.council == "Powys County Council"


def test_near_identical_paragraphs_are_grouped(real_services):
    hits = real_services.knowledge.search("Sarcasm, irony and ambiguous comments", k=5)
    top = hits[0]
    assert {top.paragraph.doc_id, *(p.doc_id for p in top.also_in)} >= {"000", "002"}
    assert len({h.paragraph.id for h in hits}) == len(hits)
