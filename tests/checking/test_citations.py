"""Citations resolve by council, document and paragraph number, or by matching a category's definition, so a
council that adds its own policy sees its own paragraphs cited first."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from assistant.checking.catalogue import CiteRef, load_catalogue
from assistant.checking.citations import CitationIndex, match_guidance, resolve
from assistant.checking.service import PostChecker
from assistant.config import Settings
from assistant.knowledge.embedder import HashingEmbedder
from assistant.knowledge.models import Document, Paragraph
from tests.checking.fakes import FakeKnowledge, seed_dir

TIPTON = "Tipton Town Council"
POLICY = [  # a council's own social-media protocol, numbered as it prints it
    ("1.1", "This protocol applies to every member's use of social media, in any capacity."),
    ("2.1", "Members must not publish personal data, such as a resident's home address, telephone number or date of "
            "birth, without their consent."),
    ("2.2", "Casework stays private: write to residents through the council's case system."),
    ("3.1", "The Town Council's logo and crest are for official channels only, never personal or campaign pages."),
    ("4.1", "Swearing, including masked swearing, and offensive language are never acceptable in a member's posts."),
    ("5.1", "The Town Hall is open from 9am to 5pm, Monday to Friday."),
]


class CouncilKnowledge(FakeKnowledge):
    """The seeds plus Tipton's own protocol (added, so no catalogue citation names it)."""

    def __init__(self, embed=None) -> None:
        super().__init__(seed_dir(), embed=embed)
        for n, (number, text) in enumerate(POLICY):
            self.paragraphs.append(Paragraph(
                id=f"tipton-protocol:{n}", doc_id="tipton-protocol", council=TIPTON, document="Social media protocol",
                section="Protocol", number=number, label=f"para {number}", text=text, start=0, end=len(text),
                source="tipton-protocol.md"))


@pytest.fixture(scope="module")
def council_knowledge():
    if seed_dir() is None:
        pytest.skip("the seed guidance documents are not available")
    return CouncilKnowledge()


def test_a_councils_added_policy_is_matched_to_each_category(council_knowledge):
    index = CitationIndex.build(load_catalogue(), council_knowledge)
    matched = {c: [p.number for p in paras] for c, paras in index.matched.items()}
    assert matched["personal_data"] == ["2.1"]
    assert matched["council_branding"] == ["3.1"]
    assert matched["obscene"] == ["4.1"]
    assert "5.1" not in {n for numbers in matched.values() for n in numbers}  # opening hours fit no category
    assert "predetermination" not in matched  # the protocol says nothing about it: the seeds stand alone


def test_own_council_sees_its_own_paragraph_first(council_knowledge):
    checker = PostChecker(council_knowledge)
    draft = "Thanks to Mrs Jones at 14 Mill Lane for the photo!"
    own = checker.check(draft, council="Tipton").findings[0]
    assert (own.citations[0].council, own.citations[0].paragraph) == (TIPTON, "para 2.1")
    others = checker.check(draft, council="Powys").findings[0]
    assert others.citations[0].council == "Powys County Council"
    assert TIPTON not in {c.council for c in others.citations}  # the reviewed seeds fill the three places


def test_references_by_council_document_and_paragraph_number(council_knowledge):
    paragraphs = council_knowledge.paragraphs
    assert resolve(CiteRef(council="Tipton", paragraph="3.1"), paragraphs).text.startswith("The Town Council's logo")
    assert resolve(CiteRef(council="Tipton", document="protocol", paragraph="para 4.1"), paragraphs).number == "4.1"
    assert resolve(CiteRef(doc="tipton-protocol", contains="CASEWORK stays   private"), paragraphs).number == "2.2"
    assert resolve(CiteRef(council="Tipton", paragraph="9.9"), paragraphs) is None
    assert resolve(CiteRef(council="Powys", paragraph="2.1"), paragraphs) is None  # another council's numbering


def test_a_catalogue_can_pin_a_councils_paragraph_by_number(council_knowledge):
    catalogue = load_catalogue()
    spec = catalogue.categories["confidential"]
    pinned = replace(spec, cites=(CiteRef(council="Tipton", paragraph="2.2"), *spec.cites))
    catalogue = replace(catalogue, categories={**catalogue.categories, "confidential": pinned})
    index = CitationIndex.build(catalogue, council_knowledge, strict=True)
    result = PostChecker(council_knowledge, catalogue=catalogue).check(
        "Off the record, the depot is being sold.", council="Tipton")
    assert result.findings[0].citations[0].paragraph == "para 2.2"
    assert index.paragraphs[CiteRef(council="Tipton", paragraph="2.2")].doc_id == "tipton-protocol"


class Bare:
    """Just paragraphs (and, when given, an embedder): what the matcher needs from a knowledge base."""

    def __init__(self, texts, embed=None) -> None:
        self.paragraphs = [Paragraph(id=f"x:{n}", doc_id="x", council=TIPTON, document="Protocol", section="",
                                     number=str(n), label=f"para {n}", text=t, start=0, end=len(t), source="x.md")
                           for n, t in enumerate(texts)]
        if embed is not None:
            self.embed = embed


def test_semantic_match_ranks_by_the_knowledge_bases_embedder():
    texts = ["Glossary: personal data, personal details, home address, telephone number, date of birth.",
             "Never post anything that tells people who a resident is or where they live: that is personal data."]

    def embed(batch):  # the second paragraph is the one closest in meaning to every definition
        return np.array([[0.0, 1.0] if t.startswith("Glossary") else [1.0, 0.0] for t in batch], dtype=np.float32)

    categories = load_catalogue().categories.values()
    by_keywords = match_guidance(categories, Bare(texts), exclude_docs=set())
    by_meaning = match_guidance(categories, Bare(texts, embed), exclude_docs=set())
    assert by_keywords["personal_data"][0].number == "0"
    assert by_meaning["personal_data"][0].number == "1"

    def broken(batch):
        raise RuntimeError("model missing")

    assert match_guidance(categories, Bare(texts, broken), exclude_docs=set()) == by_keywords  # falls back


def test_the_real_knowledge_base_with_an_added_document():
    from assistant.knowledge.base import KnowledgeBase
    from assistant.knowledge.corpus import load_corpus

    settings = Settings()
    documents, texts = load_corpus(settings.corpus_dir)
    text = "# Social media protocol\n\n" + "\n\n".join(f"{n} {t}" for n, t in POLICY) + "\n"
    added = Document("tipton-protocol", "Social media protocol", TIPTON, "tipton-protocol.md")
    kb = KnowledgeBase(settings, [*documents, added], {**texts, "tipton-protocol": text}, embedder=HashingEmbedder())
    index = CitationIndex.build(load_catalogue(), kb)
    assert index.matched["personal_data"][0].number == "2.1"
    citation = index.for_category(load_catalogue(), "council_branding", council="Tipton")[0]
    assert (citation.council, citation.paragraph) == (TIPTON, "para 3.1")
