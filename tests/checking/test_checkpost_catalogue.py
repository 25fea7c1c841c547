"""The rule catalogue is valid data: known categories, compilable patterns, citations that resolve."""

from __future__ import annotations

import copy

import pytest
import yaml
from importlib import resources

from assistant.checking.catalogue import CatalogueError, load_catalogue, parse_catalogue
from assistant.checking.citations import CitationIndex, council_matches
from assistant.checking.models import CATEGORIES
from assistant.checking.semantic import load_examples


@pytest.fixture(scope="module")
def raw():
    return yaml.safe_load(resources.files("assistant.checking").joinpath("rules.yml").read_text("utf-8"))


def test_every_category_has_guidance_and_rules():
    catalogue = load_catalogue()
    assert set(catalogue.categories) == set(CATEGORIES)
    ruled = {r.category for r in catalogue.rules} | {c for r in catalogue.rules for c in r.also}
    assert ruled == set(CATEGORIES)
    for spec in catalogue.categories.values():
        assert spec.why.endswith(".") and spec.suggestion and spec.cites


def test_every_citation_resolves_in_the_seed_text(fake_knowledge):
    index = CitationIndex.build(load_catalogue(), fake_knowledge, strict=True)
    assert len(index.paragraphs) == len(load_catalogue().all_cites())


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
        (lambda d: d["semantic"]["categories"].update(tone={"threshold": 0.5}), "needs `requires`"),
    ],
)
def test_catalogue_mistakes_are_reported_clearly(raw, mutate, message):
    data = copy.deepcopy(raw)
    mutate(data)
    with pytest.raises(CatalogueError, match=message):
        parse_catalogue(data)


def test_training_examples_are_valid_and_balanced():
    examples = load_examples()
    clean = [e for e in examples if not e.labels]
    assert len(examples) >= 300 and len(clean) >= 100
    for c in CATEGORIES:
        assert sum(c in e.labels for e in examples) >= 6, c


def test_training_examples_are_not_the_evaluation_set():
    from pathlib import Path

    dev = Path("/work/shared/eval/checkpost_dev.jsonl")
    if not dev.exists():
        pytest.skip("dev set not available")
    import json

    dev_texts = {json.loads(line)["text"].lower() for line in dev.read_text("utf-8").splitlines() if line.strip()}
    assert not dev_texts & {e.text.lower() for e in load_examples()}


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
