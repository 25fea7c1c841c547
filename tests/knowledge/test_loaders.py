"""Each loader on a real file of its type, made in the test; unreadable files get a kind error."""

from __future__ import annotations

import pytest

from assistant.errors import DocumentUnreadable
from assistant.knowledge.corpus import add_document, chunk_corpus, load_corpus
from assistant.knowledge.loaders import load_text

POLICY = [
    "Social media policy for councillors",
    "1. Introduction",
    "1.1 Councillors must not publish the personal telephone numbers of residents without consent.",
    "1.2 Councillors should report online abuse to the Monitoring Officer and keep screenshots as evidence.",
]


def test_txt_and_md(tmp_path):
    (tmp_path / "p.txt").write_text("\n\n".join(POLICY), encoding="utf-8")
    (tmp_path / "p.md").write_text("# " + "\n\n".join(POLICY), encoding="utf-8")
    assert "telephone numbers" in load_text(tmp_path / "p.txt")
    assert "Monitoring Officer" in load_text(tmp_path / "p.md")


def test_pdf(tmp_path):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    for line in POLICY:
        pdf.multi_cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(tmp_path / "p.pdf"))
    text = load_text(tmp_path / "p.pdf")
    assert "Monitoring Officer" in text and "1.1 Councillors" in text


def test_docx_with_table(tmp_path):
    import docx

    document = docx.Document()
    for line in POLICY:
        document.add_paragraph(line)
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Do", "Don't"
    table.cell(1, 0).text, table.cell(1, 1).text = "Be respectful at all times", "Share your passwords with anyone"
    document.save(str(tmp_path / "p.docx"))
    text = load_text(tmp_path / "p.docx")
    assert "report online abuse" in text
    assert "Be respectful at all times\tShare your passwords with anyone" in text


def test_html(tmp_path):
    body = "".join(f"<p>{line}</p>" for line in POLICY)
    (tmp_path / "p.html").write_text(f"<html><script>alert(1)</script><body><h1>Policy</h1>{body}"
                                     "<ul><li>Do not share passwords</li></ul></body></html>", encoding="utf-8")
    text = load_text(tmp_path / "p.html")
    assert "telephone numbers" in text and "- Do not share passwords" in text and "alert" not in text


@pytest.mark.parametrize("name,content", [
    ("binary.txt", b"\x00\x01\x02PK\x03\x04" * 200),
    ("latin1.txt", "Caf\xe9 policy ".encode("latin-1") * 50),
    ("empty.txt", b""),
    ("garbled.txt", ("\x07\x1b" * 300 + "some words here " * 30).encode()),
    ("broken.pdf", b"%PDF-1.4 this is not really a pdf"),
    ("broken.docx", b"not a zip file"),
    ("image.png", b"\x89PNG\r\n"),
])
def test_unreadable_documents_get_a_kind_error(tmp_path, name, content):
    (tmp_path / name).write_bytes(content)
    with pytest.raises(DocumentUnreadable) as exc:
        load_text(tmp_path / name)
    assert name in exc.value.user_message


def test_added_document_is_chunked_with_its_council(tmp_path):
    (tmp_path / "Our Policy.txt").write_text("\n\n".join(POLICY), encoding="utf-8")
    corpus = tmp_path / "corpus"
    doc = add_document(corpus, tmp_path / "Our Policy.txt", council="Testshire County Council")
    documents, texts = load_corpus(corpus)
    paragraphs = chunk_corpus(documents, texts)
    assert doc.doc_id == "our-policy" and documents[0].council == "Testshire County Council"
    p = next(p for p in paragraphs if p.number == "1.2")
    assert p.council == "Testshire County Council" and p.section == "1. Introduction"


def test_unreadable_file_is_not_added(tmp_path):
    (tmp_path / "bad.txt").write_bytes(b"\x00" * 100)
    with pytest.raises(DocumentUnreadable):
        add_document(tmp_path / "corpus", tmp_path / "bad.txt", council="X")
    assert not (tmp_path / "corpus").exists() or not any((tmp_path / "corpus").iterdir())
