"""The rule catalogue is valid data: known categories, compilable patterns, citations that resolve."""

from __future__ import annotations

import copy

import pytest
import yaml
from importlib import resources

from assistant.checking.catalogue import CatalogueError, CiteRef, load_catalogue, parse_catalogue
from assistant.checking.citations import CitationIndex, council_matches
from assistant.checking.models import CATEGORIES


@pytest.fixture(scope="module")
def raw():
    return yaml.safe_load(resources.files("assistant.checking").joinpath("rules.yml").read_text("utf-8"))


def test_every_category_has_a_definition_guidance_and_terms():
    catalogue = load_catalogue()
    assert set(catalogue.categories) == set(CATEGORIES)
    for spec in catalogue.categories.values():
        assert spec.why.endswith(".") and spec.suggestion and spec.definition.endswith(".") and spec.terms
        assert [c for c in spec.cites if c.match] == [CiteRef(match=spec.id)]  # added guidance is always matched
        assert [c for c in spec.cites if not c.match]  # and the seeds' paragraphs are pinned


def test_the_rules_are_few_precise_and_documented():
    catalogue = load_catalogue()
    assert len(catalogue.rules) <= 30
    for rule in catalogue.rules:
        assert rule.describe and len(rule.examples.trigger) >= 2 and len(rule.examples.pass_) >= 2, rule.id
        assert len(rule.match) <= 6 and sum(len(p.pattern) for p in rule.when + rule.unless) < 2000, rule.id
    assert sum(len(terms) for terms in catalogue.lexicons.values()) < 120


def test_every_citation_resolves_in_the_seed_text(fake_knowledge):
    index = CitationIndex.build(load_catalogue(), fake_knowledge, strict=True)
    assert len(index.paragraphs) == len(load_catalogue().all_cites())
    assert index.matched == {}  # every seed document is pinned: nothing left to match


@pytest.mark.real
def test_every_citation_resolves_in_the_real_knowledge_base(real_knowledge):
    catalogue = load_catalogue()
    index = CitationIndex.build(catalogue, real_knowledge, strict=True)
    for ref, para in index.paragraphs.items():
        assert para.doc_id == ref.doc
        # The phrase is in the cited paragraph itself, not just somewhere in the document.
        assert " ".join(ref.contains.lower().split()) in " ".join(para.text.replace("**", "").lower().split())


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d["rules"].append({"id": "x", "category": "gossip", "match": "a"}), "unknown category"),
        (lambda d: d["rules"].append({"id": "x", "category": "tone", "match": "("}), "bad pattern"),
        (lambda d: d["rules"].append({"id": "x", "category": "tone", "match": "<<nope>>"}), "unknown lexicon"),
        (lambda d: d["rules"].append({"id": "x", "category": "tone", "match": "a", "severity": "extreme"}), "severity"),
        (lambda d: d["rules"].append({"id": "x", "category": "tone"}), "needs `match`"),
        (lambda d: d["rules"].append(dict(d["rules"][0])), "Duplicate rule id"),
        (lambda d: d["rules"].append({"id": "x", "category": "tone", "match": "a", "cite": [{"doc": "000"}]}), "citation needs"),
        (lambda d: d["categories"].pop("tone"), "without an entry"),
        (lambda d: d["rules"].append({"id": "x", "category": "tone", "match": "a"}), "needs `examples`"),
        (lambda d: d["rules"].append({"id": "x", "category": "tone", "recogniser": "uk_phone", "kinds": ["fax"]}), "no kind fax"),
        (lambda d: d["rules"].append({"id": "x", "category": "tone", "recogniser": "phone"}), "unknown recogniser"),
    ],
)
def test_catalogue_mistakes_are_reported_clearly(raw, mutate, message):
    data = copy.deepcopy(raw)
    mutate(data)
    with pytest.raises(CatalogueError, match=message):
        parse_catalogue(data)


@pytest.mark.parametrize(
    "paragraph_council, own, expected",
    [
        ("Basingstoke & Deane Borough Council", "Basingstoke and Deane", True),
        ("Powys County Council", "powys", True),
        ("Sandwell Metropolitan Borough Council", "Sandwell Council", True),
        ("Powys County Council", "Sandwell", False),
        (None, "Powys", False),
        ("Powys County Council", None, False),
    ],
)
def test_council_matching(paragraph_council, own, expected):
    assert council_matches(paragraph_council, own) is expected
