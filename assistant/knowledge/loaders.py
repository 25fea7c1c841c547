"""Text from a council's document: .txt, .md, .pdf, .docx and .html, with a clear error when unreadable."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from assistant.errors import DocumentUnreadable

SUPPORTED = (".txt", ".md", ".pdf", ".docx", ".html", ".htm")


def _check_text(text: str, path: Path) -> str:
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    if "\x00" in text:
        raise DocumentUnreadable(f"{path.name} looks like a binary file, not a text document.")
    printable = sum(ch.isprintable() or ch in "\n\t" for ch in text)
    words = sum(ch.isalpha() for ch in text)
    if not text.strip() or words < 20:
        raise DocumentUnreadable(f"{path.name} holds no readable text (is it a scanned image?).",
                                 hint="Export it as text or a text-based PDF and add it again.")
    if printable / max(len(text), 1) < 0.95:
        raise DocumentUnreadable(f"{path.name} is garbled: too much of it is not readable text.",
                                 hint="Check the file opens correctly, or save it again as UTF-8 text.")
    return text


def _read_plain(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentUnreadable(f"{path.name} is not UTF-8 text.",
                                 hint="Save it as UTF-8 (or as .docx / .pdf) and add it again.") from exc


def _read_pdf(path: Path) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, OSError, KeyError) as exc:
        raise DocumentUnreadable(f"{path.name} could not be read as a PDF.") from exc
    return "\n\n".join(pages)


def _read_docx(path: Path) -> str:
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError, PackageNotFoundError) as exc:
        raise DocumentUnreadable(f"{path.name} could not be read as a Word (.docx) document.") from exc
    blocks: list[str] = []
    for paragraph in document.paragraphs:
        text = paragraph.text.strip()
        if not text:
            continue
        style = (paragraph.style.name or "").lower() if paragraph.style is not None else ""
        blocks.append(f"- {text}" if "list" in style else text)
    for table in document.tables:
        for row in table.rows:
            blocks.append("\t".join(cell.text.strip() for cell in row.cells))
    return "\n\n".join(blocks)


def _read_html(path: Path) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(_read_plain(path), "html.parser")
    for tag in soup(["script", "style", "nav", "header", "footer", "noscript"]):
        tag.decompose()
    blocks: list[str] = []
    for element in soup.find_all(["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "tr"]):
        if element.name == "tr":
            text = "\t".join(cell.get_text(" ", strip=True) for cell in element.find_all(["td", "th"]))
        else:
            text = element.get_text(" ", strip=True)
            if element.name == "li":
                text = f"- {text}"
        if text.strip():
            blocks.append(text)
    return "\n\n".join(blocks)


def load_text(path: Path) -> str:
    """Extract the text of a supported document, or raise DocumentUnreadable with a kind message."""
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.is_file():
        raise DocumentUnreadable(f"There is no file at {path}.")
    if suffix not in SUPPORTED:
        raise DocumentUnreadable(
            f"{path.name}: files of type '{suffix or 'none'}' are not supported.",
            hint=f"Supported types: {', '.join(SUPPORTED)}.",
        )
    reader = {".pdf": _read_pdf, ".docx": _read_docx, ".html": _read_html, ".htm": _read_html}.get(suffix, _read_plain)
    return _check_text(reader(path), path)
