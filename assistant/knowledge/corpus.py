"""The corpus folder: guidance texts with a ``.meta.json`` beside each, and adding a council's own document."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import asdict
from pathlib import Path

from assistant.errors import DocumentUnreadable, InvalidInput
from assistant.knowledge.chunking import chunk_document
from assistant.knowledge.loaders import load_text
from assistant.knowledge.models import Document, Paragraph

log = logging.getLogger(__name__)
META_SUFFIX = ".meta.json"
DATE_RE = re.compile(r"^(?:Approved|Updated|Version|Date)\b[^\n]{0,60}", re.I | re.M)


def load_corpus(corpus_dir: Path) -> tuple[list[Document], dict[str, str]]:
    """Every document in the folder with its text; unreadable ones are skipped with a warning."""
    corpus_dir = Path(corpus_dir)
    if not corpus_dir.is_dir():
        raise InvalidInput(f"The corpus folder {corpus_dir} does not exist.",
                           hint="Set ASSISTANT_CORPUS_DIR to the folder holding the guidance documents.")
    documents: list[Document] = []
    texts: dict[str, str] = {}
    for meta_file in sorted(corpus_dir.glob(f"*{META_SUFFIX}")):
        try:
            meta = json.loads(meta_file.read_text(encoding="utf-8"))
            doc = Document(**{k: meta.get(k) for k in Document.__dataclass_fields__})
            texts[doc.doc_id] = load_text(corpus_dir / doc.source)
        except (DocumentUnreadable, json.JSONDecodeError, TypeError, OSError) as exc:
            log.warning("Skipping %s: %s", meta_file.name, getattr(exc, "user_message", type(exc).__name__))
            continue
        documents.append(doc)
    return documents, texts


def chunk_corpus(documents: list[Document], texts: dict[str, str]) -> list[Paragraph]:
    """All citable paragraphs of the corpus, in document order."""
    return [p for doc in documents for p in chunk_document(doc, texts[doc.doc_id])]


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] or "document"


def add_document(corpus_dir: Path, source: Path, *, council: str | None, title: str | None = None) -> Document:
    """Copy a document's text into the corpus with its metadata; the original's name is kept as the source."""
    source = Path(source)
    text = load_text(source)  # raises a kind error for unreadable files before anything is written
    corpus_dir = Path(corpus_dir)
    corpus_dir.mkdir(parents=True, exist_ok=True)
    doc_id = _slug(source.stem)
    target = corpus_dir / f"{doc_id}.txt"
    if title is None:
        first = next((line.strip() for line in text.splitlines() if line.strip()), source.stem)
        title = first.lstrip("#").strip()[:120]
    stated = DATE_RE.search(text)
    doc = Document(
        doc_id=doc_id, title=title, council=council or None, source=target.name,
        date=stated.group(0).strip() if stated else None,
        council_note=f"Council given when the document was added (original file: {source.name})." if council
        else "No council was given when the document was added.",
    )
    target.write_text(text, encoding="utf-8")
    (corpus_dir / f"{target.name}{META_SUFFIX}").write_text(
        json.dumps(asdict(doc), indent=2, ensure_ascii=False), encoding="utf-8"
    )
    return doc
