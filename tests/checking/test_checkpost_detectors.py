"""The semantic classifier (gated, deterministic) and the optional LLM judge (adds, never removes)."""

from __future__ import annotations

import json
import logging

import numpy as np
import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel, GenericFakeChatModel
from langchain_core.messages import AIMessage

from assistant.checking.catalogue import load_catalogue
from assistant.checking.judge import LLMJudge, build_judge
from assistant.checking.semantic import SemanticClassifier, examples_digest, load_examples, train
from assistant.checking.service import PostChecker
from assistant.config import Settings


class CountingKnowledge:
    """Wraps the fake knowledge base with a pseudo-embedding that records every call."""

    def __init__(self, inner, dims: int = 384) -> None:
        self.inner, self.dims, self.calls = inner, dims, []
        self.paragraphs = inner.paragraphs

    def find_paragraph(self, doc_id, contains):
        return self.inner.find_paragraph(doc_id, contains)

    def embed(self, texts):
        self.calls.append(list(texts))
        rng = [np.random.default_rng(abs(hash(t)) % 2**32).normal(size=self.dims) for t in texts]
        return np.array([v / np.linalg.norm(v) for v in rng], dtype=np.float32)


def test_training_is_deterministic():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 16)).astype(np.float32)
    labels = [("tone",) if i % 3 == 0 else () for i in range(40)]
    W1, b1 = train(X, labels)
    W2, b2 = train(X, labels)
    assert np.array_equal(W1, W2) and np.array_equal(b1, b2)


def test_classifier_only_embeds_behind_a_word_gate(fake_knowledge, tmp_path):
    knowledge = CountingKnowledge(fake_knowledge)
    semantic = SemanticClassifier(knowledge, load_catalogue(), cache_dir=tmp_path)
    semantic.W = np.zeros((15, 384), dtype=np.float32)  # skip training: probabilities are all 0.5
    semantic.b = np.zeros(15, dtype=np.float32)
    checker = PostChecker(knowledge, semantic=semantic)
    checker.check("The garden waste service restarts on Monday. Sign up on the council website.")
    assert knowledge.calls == []  # no gate word: the model is never reached
    checker.check("Happy Diwali to all our Hindu residents!")  # gate word, but a welcoming one: `unless`
    assert knowledge.calls == []
    checker.check("Plans for a new mosque on Hall Lane were discussed tonight. Lots of questions about parking.")
    assert len(knowledge.calls) == 1 and "mosque" in knowledge.calls[0][0]


def test_semantic_findings_are_low_unless_the_catalogue_allows_medium(fake_knowledge, tmp_path):
    knowledge = CountingKnowledge(fake_knowledge)
    semantic = SemanticClassifier(knowledge, load_catalogue(), cache_dir=tmp_path)
    categories = list(load_catalogue().categories)
    semantic.W = np.zeros((15, 384), dtype=np.float32)
    semantic.b = np.full(15, -5.0, dtype=np.float32)
    semantic.b[categories.index("discrimination")] = 5.0  # p ~ 0.99
    result = PostChecker(knowledge, semantic=semantic).check("The mosque parking plan goes to cabinet on Monday.")
    finding = next(f for f in result.findings if f.category == "discrimination")
    assert finding.severity == "medium" and finding.source == "semantic" and finding.citations


@pytest.mark.real
def test_packaged_weights_match_the_examples_and_model(real_knowledge):
    path = SemanticClassifier(real_knowledge, load_catalogue())._weight_paths()[-1]
    data = json.loads(path.read_text("utf-8"))
    assert data["key"] == f"{real_knowledge.model_id}|{examples_digest(load_examples())}", (
        "examples.yml changed: run python -m assistant.checking.semantic to retrain the packaged weights")


def judge_reply(findings) -> GenericFakeChatModel:
    return GenericFakeChatModel(messages=iter([AIMessage(content=json.dumps({"findings": findings}))]))


def test_judge_adds_findings_that_quote_the_draft(fake_knowledge):
    draft = "Lovely evening with the cabinet. Some of them clearly enjoy a drink more than others."
    model = judge_reply([
        {"category": "tone", "severity": "high", "quote": "clearly enjoy a drink", "why": "Insinuation."},
        {"category": "defamation", "severity": "medium", "quote": "words that are not in the draft"},
        {"category": "gossip", "severity": "low", "quote": "cabinet"},
    ])
    result = PostChecker(fake_knowledge, judge=LLMJudge(model, load_catalogue())).check(draft)
    llm = [f for f in result.findings if f.source == "llm"]
    assert [(f.category, f.severity, f.quote) for f in llm] == [("tone", "medium", "clearly enjoy a drink")]
    assert llm[0].why == "Insinuation." and llm[0].citations


def test_judge_never_removes_deterministic_findings(fake_knowledge):
    draft = "Cllr Patel is a useless clown."
    baseline = PostChecker(fake_knowledge).check(draft)
    model = FakeListChatModel(responses=['{"findings": []}'])
    judged = PostChecker(fake_knowledge, judge=LLMJudge(model, load_catalogue())).check(draft)
    assert judged.findings == baseline.findings and judged.verdict == "high_risk"


def test_judge_garbage_or_failure_keeps_the_rules(fake_knowledge, caplog):
    for model in (FakeListChatModel(responses=["Sorry, I can't help with that."]),
                  FakeListChatModel(responses=["{not json"])):
        result = PostChecker(fake_knowledge, judge=LLMJudge(model, load_catalogue())).check("Vote Green from my council laptop!")
        assert {f.source for f in result.findings} == {"rules"}

    class Down:
        def invoke(self, messages):
            raise TimeoutError("model unreachable")

    with caplog.at_level(logging.DEBUG):
        result = PostChecker(fake_knowledge, judge=LLMJudge(Down(), load_catalogue())).check("Vote Green from my council laptop!")
    assert "electioneering" in result.categories and "council laptop" not in caplog.text


def test_judge_is_built_only_when_configured(caplog):
    catalogue = load_catalogue()
    assert build_judge(Settings(llm_provider="none"), catalogue) is None
    with caplog.at_level(logging.WARNING):
        assert build_judge(Settings(llm_provider="ollama", llm_model=None), catalogue) is None
    assert "LLM judge not available" in caplog.text
