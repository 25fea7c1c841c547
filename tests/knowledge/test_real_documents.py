"""Councils' own documents as they really come: saved web pages, Word-exported PDFs, Word files.

Each gets its own title, loses the site's clutter, keeps its paragraphs whole, and is cited with the council's
name; an unreadable one gets a kind error and leaves the corpus untouched.
"""

from __future__ import annotations

import json

import pytest

from assistant.errors import DocumentUnreadable
from assistant.knowledge.chunking import chunk_document
from assistant.knowledge.corpus import add_document, chunk_corpus, load_corpus
from assistant.knowledge.loaders import _reflow_pdf, clean_title, extract
from tests.knowledge.council_fixtures import (ASHCOMBE_HTML, BULLETS, GLANHAFREN_HTML, LEAD_IN, RUNNING_HEADER,
                                              council_docx, council_pdf, locked_pdf)

CLUTTER = [
    "Skip to main content", "cookies", "Accept additional cookies", "Google", "Translate this page",
    "accuracy of translations", "Search this site", "Bins, recycling and waste", "Council tax", "Home",
    "On this page", "Share this page", "- Email", "Was this page helpful", "opens in a new window",
    "Accessibility statement", "Privacy notice", "County Hall", "dataLayer", "googleTranslateElementInit",
    "Last updated",
]


def _paragraphs(path, council="Glanhafren County Council"):
    extracted = extract(path)
    from assistant.knowledge.models import Document

    doc = Document("doc", extracted.title or "", council, "doc.md")
    return extracted, chunk_document(doc, extracted.text)


# --- web pages ------------------------------------------------------------------------------------------------
def test_web_page_keeps_the_guidance_and_drops_the_site():
    extracted = extract(GLANHAFREN_HTML)
    assert extracted.kind == "html"
    for phrase in ("Members' Code of Conduct", "pre-election period", "report the comments to the platform",
                   "WhatsApp groups", "should not block residents simply because they disagree"):
        assert phrase in extracted.text
    for phrase in CLUTTER:
        assert phrase.lower() not in extracted.text.lower(), phrase


def test_web_page_title_is_its_own_not_the_site_name_and_its_date_is_kept():
    extracted = extract(GLANHAFREN_HTML)
    assert extracted.title == "Social media guidance for councillors"
    assert extracted.date == "Last updated: 14 September 2023"


def test_bullets_after_a_lead_in_are_cited_one_by_one():
    _, paragraphs = _paragraphs(GLANHAFREN_HTML)
    by_label = {p.label: p for p in paragraphs}
    photos = by_label["para 4, bullet 3"]
    assert photos.kind == "bullet" and "photographs of children" in photos.text
    assert photos.section == ("Your conduct online > When you post as a councillor, or could be seen to be one, "
                              "you must not")
    assert "make personal attacks" not in photos.text  # one item, not the whole list
    assert by_label["para 4"].text.endswith("you must not:")  # a long lead-in is citable on its own too
    record = next(p for p in paragraphs if "keep a record" in p.text)
    assert record.label == "¶1, bullet 1" and record.section.endswith("If you receive abusive or threatening comments")
    # a short lead-in ("If you receive … comments:") is context, not a paragraph of its own
    assert not any(p.text.startswith("If you receive") for p in paragraphs)


def test_a_list_of_names_after_a_lead_in_stays_one_paragraph():
    _, paragraphs = _paragraphs(GLANHAFREN_HTML)
    platforms = next(p for p in paragraphs if "Facebook" in p.text)
    assert platforms.text.startswith("This guidance applies to:") and "WhatsApp groups" in platforms.text
    assert platforms.section == "Your conduct online > Platforms covered"


def test_bold_paragraph_is_a_heading_and_headings_make_the_section_path():
    _, paragraphs = _paragraphs(GLANHAFREN_HTML)
    block = next(p for p in paragraphs if "block or mute" in p.text)
    assert block.section == "Dealing with abuse > Blocking and muting"
    assert all(p.section.split(" > ")[0] != "Social media guidance for councillors" for p in paragraphs)


def test_every_web_page_paragraph_is_a_verbatim_slice():
    extracted, paragraphs = _paragraphs(GLANHAFREN_HTML)
    assert len(paragraphs) >= 10
    for p in paragraphs:
        assert extracted.text[p.start : p.end] == p.text


def test_old_style_page_without_main_in_windows_1252():
    extracted, paragraphs = _paragraphs(ASHCOMBE_HTML, council="Ashcombe Borough Council")
    assert extracted.title == "Members’ social media protocol"  # "Ashcombe Borough Council :: " dropped
    for phrase in ("You are here", "cookies", "Cymraeg", "Polski", "Sitemap", "Civic Centre", "Contact us"):
        assert phrase not in extracted.text, phrase
    labels = {p.label: p for p in paragraphs}
    assert "courtesy and respect" in labels["para 2.1, bullet 1"].text  # "• item<br>" bullets split
    assert labels["para 2.1, bullet 2"].section == "2. Standards online > Members should"
    assert labels["para 1.1"].section == "1. Purpose"
    dont = next(p for p in paragraphs if p.kind == "table_cell" and "drinking" in p.text)
    assert dont.section.endswith("Don’t")


def test_page_saved_without_a_suffix_is_read_as_html(tmp_path):
    saved = tmp_path / "social-media-guidance"
    saved.write_bytes(GLANHAFREN_HTML.read_bytes())
    assert extract(saved).title == "Social media guidance for councillors"


def test_page_wrapped_in_a_page_wide_form_keeps_its_content(tmp_path):
    page = tmp_path / "aspnet.html"
    page.write_text("<html><body><form id='aspnetForm'><div class='nav'>Home | Bins | Council tax</div>"
                    "<div id='content'><h1>Councillor social media</h1><p>Councillors must not use council "
                    "accounts to campaign during the pre-election period, and should keep their personal "
                    "campaign pages separate from any council account.</p></div></form></body></html>")
    text = extract(page).text
    assert "pre-election period" in text and "Council tax" not in text


@pytest.mark.parametrize("raw,expected", [
    ("Social media policy | Powys County Council", "Social media policy"),
    ("Powys County Council - Social media policy", "Social media policy"),
    ("Councillors and social media - GOV.UK", "Councillors and social media"),
    ("Members' code: social media – Sandwell Council", "Members' code: social media"),
    ("Microsoft Word - Social Media Policy 2022.docx", "Social Media Policy 2022"),
    ("Social media | Councillors | Ashcombe", "Social media | Councillors"),  # "Ashcombe": the site, given below
    ("Powys County Council", None),
    ("Home", None),
    ("SMP_v3_final", None),
    ("", None),
])
def test_titles_lose_site_names_and_word_leftovers(raw, expected):
    assert clean_title(raw, site_names=("Ashcombe",)) == expected


# --- PDF ------------------------------------------------------------------------------------------------------
def test_pdf_running_header_and_page_numbers_dropped_and_wrapped_lines_joined(tmp_path):
    extracted = extract(council_pdf(tmp_path / "policy.pdf"))
    assert extracted.kind == "pdf" and extracted.title == "Councillors Social Media Policy v3"
    assert RUNNING_HEADER not in extracted.text and "Page 1 of" not in extracted.text
    lines = extracted.text.splitlines()
    assert LEAD_IN in lines
    assert [f"- {item}" for item in BULLETS] == [line for line in lines if line.startswith("- ")]
    assert any(line.startswith("2.17 Never post photographs") and line.endswith("consent is withdrawn.")
               for line in lines)


def test_pdf_bullets_are_cited_under_their_numbered_lead_in(tmp_path):
    extracted, paragraphs = _paragraphs(council_pdf(tmp_path / "policy.pdf"), council="Brynmawr Town Council")
    labels = {p.label: p for p in paragraphs}
    assert labels["para 2.1, bullet 2"].text == f"- {BULLETS[1]}"
    assert labels["para 2.1, bullet 2"].section == (
        "2. Posting responsibly > When you post about council business you should")
    assert labels["para 1.1"].section == "1. Introduction"
    for p in paragraphs:
        assert extracted.text[p.start : p.end] == p.text


def test_pdf_without_metadata_title_is_titled_from_its_first_heading(tmp_path):
    source = council_pdf(tmp_path / "policy.pdf", meta_title=None)
    doc = add_document(tmp_path / "corpus", source, council="Brynmawr Town Council")
    assert doc.title == "Councillors' Social Media Policy"


def test_pdf_reflow_joins_a_sentence_across_a_page_break_and_a_hyphenated_word():
    width = "x" * 70
    pages = [
        ["Testshire Council social media policy", "", f"3.1 Councillors must keep {width} a record of",
         "abusive messages, including screenshots, before they report them to the plat-", "", "Page 1 of 2"],
        ["Testshire Council social media policy", "form and the Monitoring Officer.", "", "Page 2 of 2"],
    ]
    text = _reflow_pdf(pages)
    assert text == (f"3.1 Councillors must keep {width} a record of abusive messages, including screenshots, "
                    "before they report them to the plat-form and the Monitoring Officer.")


def test_password_protected_pdf_is_refused_kindly_but_owner_only_protection_is_not(tmp_path):
    with pytest.raises(DocumentUnreadable) as exc:
        extract(locked_pdf(tmp_path / "locked.pdf"))
    assert "locked.pdf is password-protected" in exc.value.user_message and "without a password" in exc.value.hint
    assert "confidential information" in extract(locked_pdf(tmp_path / "open.pdf", user_password="")).text


# --- Word -----------------------------------------------------------------------------------------------------
def test_word_document_headings_numbering_bullets_and_title(tmp_path):
    extracted, paragraphs = _paragraphs(council_docx(tmp_path / "protocol.docx"), council="Hollinwick DC")
    assert extracted.kind == "docx" and extracted.title == "Members' Social Media Protocol"
    assert extracted.date == "Last reviewed: March 2024"
    labels = {p.label: p for p in paragraphs}
    assert labels["para 1"].text.startswith("1. Members must treat everyone")  # Word's automatic numbering
    assert labels["para 2"].section == "Expectations"
    provoke = next(p for p in paragraphs if "provoke" in p.text)
    assert provoke.label.endswith(", bullet 3") and provoke.section == (
        "Expectations > When replying to residents online, members should")
    assert next(p for p in paragraphs if "Monitoring Officer can advise" in p.text).section == (
        "Expectations > Useful contacts")  # a bold line is a heading
    assert next(p for p in paragraphs if "campaigns" in p.text).section.endswith("Don't")
    assert not any("Last reviewed" in p.text for p in paragraphs)


def test_word_document_title_falls_back_to_its_title_paragraph(tmp_path):
    extracted = extract(council_docx(tmp_path / "protocol.docx", core_title=None))
    assert extracted.title == "Members' Social Media Protocol"


# --- adding to the corpus -------------------------------------------------------------------------------------
def test_added_page_is_stored_as_markdown_with_council_title_date_and_original(tmp_path):
    corpus = tmp_path / "corpus"
    doc = add_document(corpus, GLANHAFREN_HTML, council=" Glanhafren County Council ")
    assert (doc.doc_id, doc.source) == ("glanhafren-social-media", "glanhafren-social-media.md")
    assert doc.title == "Social media guidance for councillors" and doc.council == "Glanhafren County Council"
    assert doc.date == "Last updated: 14 September 2023"
    meta = json.loads((corpus / "glanhafren-social-media.md.meta.json").read_text(encoding="utf-8"))
    assert meta["original"] == "glanhafren_social_media.html" and meta["format"] == "html"
    documents, texts = load_corpus(corpus)
    paragraphs = chunk_corpus(documents, texts)
    assert {p.council for p in paragraphs} == {"Glanhafren County Council"}
    assert {p.document for p in paragraphs} == {"Social media guidance for councillors"}
    assert any(p.label == "para 4, bullet 3" for p in paragraphs)


def test_title_option_wins_and_site_name_of_the_given_council_is_dropped(tmp_path):
    page = tmp_path / "page.html"
    page.write_text("<html><head><title>Member guidance: social media | Glanhafren</title></head><body><main>"
                    "<p>Councillors should think before posting and remember that screenshots last for ever, even "
                    "after a post is deleted.</p></main></body></html>", encoding="utf-8")
    assert add_document(tmp_path / "c1", page, council="Glanhafren County Council").title == (
        "Member guidance: social media")
    assert add_document(tmp_path / "c2", page, council="Glanhafren County Council",
                        title="Our social media rules").title == "Our social media rules"


def test_adding_the_same_file_again_replaces_it_and_another_councils_file_gets_its_own_id(tmp_path):
    corpus = tmp_path / "corpus"
    first = add_document(corpus, GLANHAFREN_HTML, council="Glanhafren County Council")
    again = add_document(corpus, GLANHAFREN_HTML, council="Glanhafren County Council")
    other = add_document(corpus, GLANHAFREN_HTML, council="Ashcombe Borough Council")
    assert first.doc_id == again.doc_id == "glanhafren-social-media"
    assert other.doc_id == "glanhafren-social-media-ashcombe-borough-council"
    documents, _ = load_corpus(corpus)
    assert sorted(d.doc_id for d in documents) == [first.doc_id, other.doc_id]


def test_a_file_named_like_a_seed_does_not_replace_the_seed(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "000.txt").write_text("Seed text. " * 20, encoding="utf-8")
    (corpus / "000.txt.meta.json").write_text(json.dumps(
        {"doc_id": "000", "title": "Seed", "council": "Basingstoke & Deane Borough Council", "source": "000.txt"}))
    (tmp_path / "000.txt").write_text("Councillors should report online abuse to the Monitoring Officer. " * 3)
    doc = add_document(corpus, tmp_path / "000.txt", council="Testshire Council")
    assert doc.doc_id == "000-testshire-council" and (corpus / "000.txt").read_text().startswith("Seed text.")


@pytest.mark.parametrize("name,content,message", [
    ("junk.html", b"\x00\x01\x02\xff\xfe" * 400, "binary"),
    ("empty.pdf", b"", "is empty"),
    ("broken.pdf", b"%PDF-1.4 this is not really a pdf", "could not be read as a PDF"),
    ("protected.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500, "password-protected"),
    ("cookie-wall.html", b"<html><body><div class='cookie-banner'><p>We use cookies. Accept all cookies to continue"
                         b" to our website.</p></div></body></html>", "holds no"),
    ("photo.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 100, "not supported"),
])
def test_unreadable_documents_get_a_kind_error_and_nothing_is_written(tmp_path, name, content, message):
    (tmp_path / name).write_bytes(content)
    corpus = tmp_path / "corpus"
    with pytest.raises(DocumentUnreadable) as exc:
        add_document(corpus, tmp_path / name, council="Testshire Council")
    assert name in exc.value.user_message and message in exc.value.display()
    assert not corpus.exists() or not any(corpus.iterdir())


def test_locked_pdf_is_not_added(tmp_path):
    with pytest.raises(DocumentUnreadable):
        add_document(tmp_path / "corpus", locked_pdf(tmp_path / "locked.pdf"), council="Testshire Council")
    assert not (tmp_path / "corpus").exists()


def test_a_web_address_gets_a_hint_to_save_the_page(tmp_path):
    with pytest.raises(DocumentUnreadable) as exc:
        add_document(tmp_path / "corpus", "https://www.powys.gov.uk/social-media", council="Powys County Council")
    assert "web address" in exc.value.user_message and "save it" in exc.value.hint
