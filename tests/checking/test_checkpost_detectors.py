"""The optional LLM judge: it adds findings that quote the draft and never removes the others."""

from __future__ import annotations

import json
import logging

from langchain_core.language_models.fake_chat_models import FakeListChatModel, GenericFakeChatModel
from langchain_core.messages import AIMessage

from assistant.checking.catalogue import load_catalogue
from assistant.checking.judge import LLMJudge, build_judge
from assistant.checking.service import PostChecker
from assistant.config import Settings


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
    draft = "Cllr Patel is a useless clown. His NI number is AB 12 34 56 C."
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
