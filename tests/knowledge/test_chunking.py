"""Structure-aware chunking of the real guidance documents."""

from __future__ import annotations

import pytest

from assistant.knowledge.corpus import chunk_corpus, load_corpus
from tests.conftest import SEEDS_CORPUS


@pytest.fixture(scope="module")
def corpus():
    documents, texts = load_corpus(SEEDS_CORPUS)
    return {d.doc_id: d for d in documents}, texts, chunk_corpus(documents, texts)


def find(paragraphs, doc_id, number=None, contains=None):
    for p in paragraphs:
        if p.doc_id == doc_id and (number is None or p.number == number) and (
            contains is None or contains in p.text
        ):
            return p
    raise AssertionError(f"no paragraph {doc_id} {number} {contains}")


def test_every_citation_is_a_verbatim_slice_of_its_source(corpus):
    _, texts, paragraphs = corpus
    assert len(paragraphs) > 300
    for p in paragraphs:
        assert texts[p.doc_id][p.start : p.end] == p.text


def test_metadata_is_only_what_the_documents_show(corpus):
    documents, _, _ = corpus
    assert documents["000"].council.startswith("Basingstoke")
    assert documents["002"].council.startswith("Sandwell")
    assert documents["003"].council.startswith("Powys")
    assert documents["003"].date == "Updated November 2017"
    for unnamed in ("001", "004"):
        assert documents[unnamed].council is None
        assert "does not name" in documents[unnamed].council_note


def test_numbered_paragraph_keeps_number_and_heading_path(corpus):
    _, _, paragraphs = corpus
    p = find(paragraphs, "000", "10")
    assert p.section == "Section 2 – Legal considerations > Bias and pre-determination"
    assert p.label == "para 10"
    assert p.text.startswith("10. Councillors sitting on regulatory committees")


def test_lettered_items_are_numbered_under_their_paragraph(corpus):
    _, _, paragraphs = corpus
    assert "Defamation" in find(paragraphs, "000", "7(a)").text
    assert "Incitement" in find(paragraphs, "002", "2.2(e)").text


def test_bold_marked_and_bulleted_numbers(corpus):
    _, _, paragraphs = corpus
    p = find(paragraphs, "003", "8.9")
    assert "made up your mind" in p.text
    assert p.section.startswith("8.0 Using social media in a professional capacity")
    assert find(paragraphs, "003", "9.5.3").section.endswith("9.5 Respecting the privacy of others")


def test_paragraph_split_by_a_page_break_is_one_chunk(corpus):
    _, _, paragraphs = corpus
    p = find(paragraphs, "000", "11")
    assert "protected" in p.text and "characteristics. The council must also" in p.text


def test_do_dont_table_cells_are_cited_by_column(corpus):
    _, _, paragraphs = corpus
    cell = find(paragraphs, "001", contains="Assume that social media will look after itself")
    assert cell.kind == "table_cell"
    assert cell.section.endswith("Don't")
    assert "\t" not in cell.text


def test_lead_in_with_short_list_is_one_chunk(corpus):
    _, _, paragraphs = corpus
    p = find(paragraphs, "004", "7.3")
    assert "selectively listing negative facts" in p.text
    assert "quoting partial extracts" in p.text


def test_unnumbered_paragraphs_get_an_ordinal_label(corpus):
    _, _, paragraphs = corpus
    p = find(paragraphs, "001", contains="You must not use social media to publish defamatory")
    assert p.number is None and p.label.startswith("¶")
    assert p.section == "Defamation"
