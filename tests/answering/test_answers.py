"""Answers built on the real corpus and a real Chroma index, with the deterministic fake embedder (no model)."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.answering.abstention import Abstention
from assistant.answering.service import Answerer, sentences_of, short_council, with_context
from assistant.config import Settings
from assistant.errors import InvalidInput
from assistant.knowledge.base import KnowledgeBase
from assistant.knowledge.corpus import load_corpus
from assistant.knowledge.embedder import HashingEmbedder
from assistant.knowledge.models import clean_quote
from assistant.knowledge.search import FEATURE_NAMES


@pytest.fixture(scope="module")
def kb(tmp_path_factory) -> KnowledgeBase:
    settings = Settings(index_dir=tmp_path_factory.mktemp("fake-index"))
    documents, texts = load_corpus(settings.corpus_dir)
    knowledge = KnowledgeBase(settings, documents, texts, embedder=HashingEmbedder())
    knowledge.build_index()
    return knowledge


def fixed_abstention(probability_logit: float) -> Abstention:
    """An abstention model that ignores its inputs and returns sigmoid(logit) against a 0.5 threshold."""
    n = len(FEATURE_NAMES) + 384
    return Abstention(np.zeros(n, np.float32), np.ones(n, np.float32), np.zeros(n, np.float32),
                      probability_logit, 0.5)


def test_the_lead_is_a_verbatim_sentence_of_the_first_citation(kb):
    answer = Answerer(kb).answer("Is it an offence to incite a criminal act on social media?")
    assert not answer.abstained and answer.citations
    quoted = answer.lead.split("“", 1)[1].split("”", 1)[0]
    assert any(quoted in clean_quote(c.text) for c in answer.citations)
    assert answer.answer.startswith(answer.lead) and len(answer.citations) <= 6


def test_each_citation_shows_the_document_date_where_it_has_one(kb):
    answer = Answerer(kb).answer("What does the Powys guide say about copyright?")
    powys = [c for c in answer.citations if c.council == "Powys County Council"]
    assert powys and powys[0].date == "Updated November 2017" and "Updated November 2017" in answer.answer
    grouped = [c for g in answer.groups if g.council == "Powys County Council" for c in g.citations]
    assert grouped and grouped[0].date == "Updated November 2017"  # what the console and Slack render


def test_capabilities_are_linked(kb):
    abuse = Answerer(kb).answer("A troll keeps sending me abusive messages, what should I do?")
    assert "/report" in abuse.offers and "/report" in abuse.answer
    draft = Answerer(kb).answer("Can I post a photo of the winners at the school fete?")
    assert "/checkpost" in draft.offers


def test_a_question_about_every_council_cites_each_council_or_says_it_is_silent(kb):
    answer = Answerer(kb).answer("Do all the councils say I should keep separate personal and councillor accounts?")
    councils = {c.council for c in answer.citations}
    mentioned_silent = answer.notes[0] if answer.notes else ""
    for council in ("Powys County Council", "Sandwell Metropolitan Borough Council",
                    "Basingstoke & Deane Borough Council"):
        assert council in councils or short_council(council) in mentioned_silent


def test_own_council_first_among_equals(kb):
    answer = Answerer(kb).answer("Sarcasm, irony and ambiguous comments should be avoided", council="Sandwell")
    assert answer.citations[0].council.startswith("Sandwell")


def test_refusal_says_what_was_looked_at_and_whom_to_ask(kb):
    answer = Answerer(kb, abstention=fixed_abstention(-3.0)).answer("What time do the polls close at the by-election?")
    assert answer.abstained and answer.citations == ()
    assert "Monitoring Officer" in answer.answer and "Closest guidance I looked at" in answer.answer
    assert not Answerer(kb, abstention=fixed_abstention(3.0)).answer("When is the next meeting?").abstained


def test_follow_ups_are_searched_with_the_question_before():
    assert with_context("what about Instagram?", ["Can I use the council logo on Facebook?"]) == (
        "Can I use the council logo on Facebook? what about Instagram?")
    assert with_context("Can I block a troll?", ["Can I use the council logo?"]) == "Can I block a troll?"
    assert with_context("and Instagram", None) == "and Instagram"
    chain = ["Can I use the council logo on Facebook?", "what about Instagram?"]
    assert with_context("and TikTok?", chain) == "Can I use the council logo on Facebook? and TikTok?"


def test_sentences_keep_the_guidance_words():
    text = "7. Do not post when angry. It can't easily be taken back; think first (see 3.6)."
    assert sentences_of(text) == ["Do not post when angry.", "It can't easily be taken back; think first (see 3.6)."]
    example = 'Take reasonable steps, such as posting a clear message (e.g. "Debate is welcome") or reporting it.'
    assert sentences_of(example) == [example]
    assert sentences_of(example.replace("e.g.", "i.e.")) == [example.replace("e.g.", "i.e.")]


def test_bad_questions_get_kind_errors(kb):
    with pytest.raises(InvalidInput, match="Please type a question"):
        Answerer(kb).answer("  ")
    with pytest.raises(InvalidInput, match="keep it under"):
        Answerer(kb).answer("w" * 20000)
    odd = Answerer(kb).answer("Ｃａｎ I post 😡😡 about a \u200bresident?")
    assert isinstance(odd.abstained, bool)


def test_an_abstention_model_reads_the_features_it_was_trained_on(tmp_path):
    """Features added later are appended; a model saved before them reads the first ones it names."""
    import json

    names = list(FEATURE_NAMES[:3])
    (tmp_path / "abstention.json").write_text(json.dumps({
        "mean": [0.0] * 3, "scale": [1.0] * 3, "coef": [1.0, 0.0, 0.0], "intercept": 0.0, "threshold": 0.5,
        "uses_embedding": False, "features": names}))
    model = Abstention.load(tmp_path)
    features = np.zeros(len(FEATURE_NAMES), np.float32)
    features[0], features[-1] = 2.0, -50.0
    assert model.n_features == 3 and model.covers(features, np.zeros(384, np.float32)) == (True, pytest.approx(
        1 / (1 + np.exp(-2.0))))


def test_an_index_built_with_another_model_asks_for_a_rebuild_instead_of_refusing(kb):
    """After an upgrade brings a new adapter, the old index's vectors match nothing: say so, don't refuse all."""
    from assistant.errors import IndexMissing

    other = HashingEmbedder()
    other.model_id = "hashing:another-version"
    stale = KnowledgeBase(kb.settings, list(kb.documents.values()), kb.texts, embedder=other)
    with pytest.raises(IndexMissing, match="out of date") as raised:
        Answerer(stale).answer("Can I block a troll?")
    assert "index build" in raised.value.hint
    assert not Answerer(kb).answer("Is it an offence to incite a criminal act on social media?").abstained
