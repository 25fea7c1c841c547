"""The structured rules for added documents (stored as .md), and proof that they leave the seeds alone."""

from __future__ import annotations

import hashlib
import json
import shutil

from assistant.knowledge.chunking import chunk_document, is_structured
from assistant.knowledge.corpus import add_document, chunk_corpus, load_corpus
from assistant.knowledge.models import Document
from tests.conftest import SEEDS_CORPUS
from tests.knowledge.council_fixtures import GLANHAFREN_HTML
from tests.knowledge.test_seed_chunking_frozen import SEED_DIGEST

ADDED = Document("added", "Policy", "Testshire Council", "added.md")
SEED_LIKE = Document("seed", "Policy", "Testshire Council", "seed.txt")

LIST_TEXT = """# Social media policy

## Conduct

7. Councillors must not, when posting online:
- disclose confidential information from exempt reports or closed meetings;
- make personal attacks on officers or other councillors;
  - including in private groups that others may screenshot;
- share images of children without the written consent of a parent.

Members should:
- be polite;
- check facts.
"""


def _split(text: str, doc: Document = ADDED):
    paragraphs = chunk_document(doc, text)
    for p in paragraphs:
        assert text[p.start : p.end] == p.text
    return paragraphs


def test_structured_rules_apply_to_markdown_sources_only():
    assert is_structured(ADDED) and not is_structured(SEED_LIKE)
    merged = _split(LIST_TEXT.replace("# Social media policy\n\n## Conduct\n\n", ""), SEED_LIKE)
    assert any("disclose confidential" in p.text and "share images" in p.text for p in merged)  # seeds: one chunk


def test_each_item_after_a_lead_in_is_its_own_paragraph_labelled_by_it():
    paragraphs = _split(LIST_TEXT)
    labels = [p.label for p in paragraphs]
    # the lead-in is short, so it is the items' context rather than a paragraph of its own
    assert labels[:3] == ["para 7, bullet 1", "para 7, bullet 2", "para 7, bullet 3"]
    second = paragraphs[1]
    assert second.kind == "bullet" and second.section == "Conduct > Councillors must not, when posting online"
    assert "including in private groups" in second.text  # a sub-item stays with its item
    assert "share images" not in second.text


def test_a_list_of_very_short_items_reads_as_one_paragraph():
    last = _split(LIST_TEXT)[-1]
    assert last.text.startswith("Members should:") and last.text.endswith("check facts.")
    assert last.label == "¶2" and last.section == "Conduct"


def test_lettered_items_keep_their_own_numbers_after_a_lead_in():
    text = ("## Legal issues\n\n3. The main legal risks are set out below and each can lead to a complaint:\n"
            "a. Defamation: publishing an untrue statement that damages someone's reputation.\n"
            "b. Copyright: using images or text without the owner's permission.\n")
    labels = [(p.label, p.kind) for p in _split(text)]
    assert labels == [("para 3", "paragraph"), ("para 3(a)", "item"), ("para 3(b)", "item")]


def test_long_lead_in_context_is_shortened():
    lead = "Councillors who use a personal account to talk about council business, ward issues or decisions " \
           "they took part in should remember that:"
    text = f"## Personal accounts\n\n{lead}\n- the Code of Conduct can apply to what they post there;\n" \
           "- residents may screenshot and share posts, even from a private account.\n"
    paragraphs = _split(text)
    assert paragraphs[0].text == lead  # the lead-in itself is long enough to cite
    assert paragraphs[1].label == "¶1, bullet 1"
    context = paragraphs[1].section.split(" > ")[-1]
    assert context.endswith("…") and len(context) <= 91 and context.startswith("Councillors who use")


def test_numbered_headings_nest_under_markdown_headings():
    text = "## Part A: Members\n\n4. Using social media\n\n4.1 Councillors should take care when posting.\n"
    p = _split(text)[0]
    assert p.label == "para 4.1" and p.section == "Part A: Members > 4. Using social media"


def test_pdf_like_text_without_markdown_headings_still_finds_headings():
    text = "Social Media Policy\n\nIntroduction\n\nThis policy applies to councillors who use social media.\n\n" \
           "Posting\n\nYou must not:\n\n- publish confidential information from closed meetings;\n" \
           "- post anything that could be seen as bullying or harassment.\n"
    paragraphs = _split(text)
    assert [p.section for p in paragraphs] == ["Introduction", "Posting > You must not", "Posting > You must not"]
    assert [p.label for p in paragraphs] == ["¶1", "¶1, bullet 1", "¶1, bullet 2"]


def test_added_documents_leave_the_seeds_chunking_unchanged(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS_CORPUS, corpus)
    add_document(corpus, GLANHAFREN_HTML, council="Glanhafren County Council")
    documents, texts = load_corpus(corpus)
    paragraphs = chunk_corpus(documents, texts)
    seeds = [p for p in paragraphs if p.doc_id in {"000", "001", "002", "003", "004"}]
    rows = [[p.id, p.start, p.end, p.label, p.section] for p in seeds]
    assert hashlib.sha256(json.dumps(rows, ensure_ascii=False).encode()).hexdigest() == SEED_DIGEST
    assert any(p.doc_id == "glanhafren-social-media" and p.label == "para 4, bullet 1" for p in paragraphs)
