"""Fixtures for the post checker: a fake knowledge base from the seed text, and checkers built on it."""

from __future__ import annotations

import pytest

from assistant.checking.catalogue import load_catalogue
from assistant.checking.service import PostChecker
from tests.checking.fakes import FakeKnowledge, seed_dir


@pytest.fixture(scope="session")
def fake_knowledge() -> FakeKnowledge:
    """Paragraphs and find_paragraph over the real seed guidance, no model."""
    folder = seed_dir()
    if folder is None:
        pytest.skip("the seed guidance documents are not available")
    return FakeKnowledge(folder)


@pytest.fixture(scope="session")
def checker(fake_knowledge) -> PostChecker:
    """The rules-only checker (deterministic, no embedding model)."""
    return PostChecker(fake_knowledge, catalogue=load_catalogue())


@pytest.fixture(scope="session")
def real_knowledge():
    """The lead's knowledge base over the corpus folder (the model loads only if something embeds)."""
    from assistant.config import Settings
    from assistant.knowledge.base import KnowledgeBase

    return KnowledgeBase.from_settings(Settings())


@pytest.fixture(scope="session")
def real_checker(real_knowledge):
    """The checker exactly as the assistant builds it (rules + trained classifier, offline)."""
    from assistant.checking.service import build_checker
    from assistant.config import Settings

    checker = build_checker(Settings(llm_provider="none"), real_knowledge)
    checker.warm_up()
    return checker
