"""The rule book a Monitoring Officer signs off: every category, rule, example and citation, in Markdown or HTML."""

from __future__ import annotations

import re

import pytest

from assistant.checking.catalogue import load_catalogue
from assistant.checking.citations import CitationIndex
from assistant.checking.rulebook import render_rulebook


@pytest.fixture(scope="module")
def index(fake_knowledge):
    return CitationIndex.build(load_catalogue(), fake_knowledge)


def test_markdown_lists_every_category_rule_example_and_citation(index):
    catalogue = load_catalogue()
    page = render_rulebook(catalogue, index, council="Powys")
    plain = page.replace("\\", "")  # Markdown escapes removed
    for spec in catalogue.categories.values():
        assert f"## {spec.title}" in page and spec.definition in plain and spec.why in plain
    for rule in catalogue.rules:
        assert f"### Rule {rule.id}" in page
        for draft in rule.examples.trigger + rule.examples.pass_:
            assert draft in plain, draft
    # Citations are resolved to the guidance, quoted, own council first.
    section = page.split("## Personal data")[1].split("### Rule")[0]
    cited = re.findall(r"^- (.+?) — ", section, re.M)
    assert cited[0] == "Powys County Council"
    assert "personal data about other people, including photographs, home addresses and telephone numbers" in section
    assert "the trained classifier only" in page.split("## Tone")[1].split("## ")[0]


def test_drafts_are_shown_literally_not_as_formatting(index):
    page = render_rulebook(load_catalogue(), index)
    assert "What an absolute f\\*\\*\\*ing shambles" in page  # not italics
    html = render_rulebook(load_catalogue(), index, fmt="html")
    assert "What an absolute f***ing shambles" in html
    assert "Diolch i Gwen Roberts, 7 Heol y Felin, am y te a&#x27;r bara brith" in html  # escaped, never raw


def test_without_a_knowledge_base_the_references_are_listed():
    page = render_rulebook(load_catalogue())
    assert "document 000, the paragraph containing" in page


def test_unknown_format_is_a_clear_error():
    with pytest.raises(ValueError, match="format must be one of md, html. Currently, format is 'pdf'"):
        render_rulebook(load_catalogue(), fmt="pdf")
