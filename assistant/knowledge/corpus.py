"""The corpus folder: guidance texts with a ``.meta.json`` beside each; adding and finding a council's document."""

from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import asdict
from pathlib import Path

from assistant.errors import DocumentUnreadable, InvalidInput, NotFound
from assistant.knowledge.chunking import chunk_document
from assistant.knowledge.loaders import clean_title, extract, load_text
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


def _existing(corpus_dir: Path) -> dict[str, tuple[Path, dict]]:
    out: dict[str, tuple[Path, dict]] = {}
    for meta_file in corpus_dir.glob(f"*{META_SUFFIX}"):
        try:
            meta = json.loads(meta_file.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
        if isinstance(meta, dict) and meta.get("doc_id"):
            out[str(meta["doc_id"])] = (meta_file, meta)
    return out


def _choose_id(existing: dict[str, tuple[Path, dict]], slug: str, council: str | None, original: str) -> str:
    """The file's slug; the same file added again for the same council replaces itself, others get a new id."""
    def same(meta: dict) -> bool:
        added_from = meta.get("original") or ""
        note = meta.get("council_note") or ""
        return meta.get("council") == council and (added_from == original or f"(original file: {original})" in note)

    for candidate in (slug, f"{slug}-{_slug(council or 'document')}", *(f"{slug}-{n}" for n in range(2, 1000))):
        if candidate not in existing or same(existing[candidate][1]):
            return candidate
    raise InvalidInput(f"Too many documents are called '{slug}'.", hint="Rename the file and add it again.")


def _council_names(council: str | None) -> tuple[str, ...]:
    """The council's name as a page title may end with it: "Powys County Council", "Powys"."""
    if not council:
        return ()
    short = re.sub(r"\b(metropolitan|borough|county|city|district|town|council|of|the|and)\b|&", " ", council,
                   flags=re.I)
    short = " ".join(short.split())
    return tuple(n for n in (council, short) if n)


def add_document(corpus_dir: Path, source: Path, *, council: str | None, title: str | None = None) -> Document:
    """Extract a document (web page, PDF, Word, text) into the corpus as Markdown with its metadata.

    Nothing is written if the file cannot be read. The same file added again for the same council replaces
    its earlier copy; another council's file with the same name gets its own id.
    """
    source = Path(source)
    extracted = extract(source)  # raises a kind error for unreadable files before anything is written
    council = (council or "").strip() or None
    corpus_dir = Path(corpus_dir)
    corpus_dir.mkdir(parents=True, exist_ok=True)
    existing = _existing(corpus_dir)
    doc_id = _choose_id(existing, _slug(source.stem), council, source.name)
    target = corpus_dir / f"{doc_id}.md"
    first = next((line.strip() for line in extracted.text.splitlines() if line.strip()), source.stem)
    first = first.lstrip("#").strip()[:120]
    sites = _council_names(council)
    title = (title or "").strip() or clean_title(extracted.title, site_names=sites) or clean_title(
        first, site_names=sites) or first
    stated = DATE_RE.search(extracted.text)
    doc = Document(
        doc_id=doc_id, title=title, council=council, source=target.name,
        date=extracted.date or (stated.group(0).strip() if stated else None),
        council_note=f"Council given when the document was added (original file: {source.name})." if council
        else "No council was given when the document was added.",
    )
    meta = {**asdict(doc), "original": source.name, "format": extracted.kind}
    if doc_id in existing:  # replacing an earlier copy, which may have been stored under another name
        old_meta_file, old_meta = existing[doc_id]
        old_source = corpus_dir / str(old_meta.get("source") or "")
        if old_source.name and old_source != target and old_source.is_file():
            old_source.unlink()
        if old_meta_file.name != f"{target.name}{META_SUFFIX}":
            old_meta_file.unlink(missing_ok=True)
    _write(target, extracted.text)
    _write(corpus_dir / f"{target.name}{META_SUFFIX}", json.dumps(meta, indent=2, ensure_ascii=False))
    return doc


def _write(path: Path, content: str) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_text(content, encoding="utf-8")
    os.replace(partial, path)


def find_document(documents: list[Document], ref: str) -> Document:
    """A document by id, stored file name or original file name (case ignored); NotFound lists the known ones."""
    wanted = (ref or "").strip().casefold()
    for doc in documents:
        names = {doc.doc_id, doc.source, Path(doc.source).stem}
        original = re.search(r"\(original file: (.+)\)\.$", doc.council_note or "")
        if original:
            names.add(original.group(1))
        if wanted in {n.casefold() for n in names}:
            return doc
    known = "; ".join(f"{d.doc_id} ({d.council or 'council not named'} — {d.title})" for d in documents)
    raise NotFound(f"There is no document '{ref}' in the corpus.",
                   hint=f"Known documents: {known}." if documents else "The corpus is empty: add one with "
                   "`assistant index add FILE --council NAME`.")
