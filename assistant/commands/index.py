"""`assistant index`: build (incrementally), add a council's document, inspect how one was split, statistics."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import click

from assistant.commands.common import services
from assistant.errors import IndexMissing


@click.group()
def index() -> None:
    """Manage the guidance corpus and its search index."""


@index.command()
@click.option("--quiet", is_flag=True, help="No progress bar.")
def build(quiet: bool) -> None:
    """Embed new or changed paragraphs and drop removed ones (unchanged ones are not re-embedded)."""
    kb = services().knowledge
    report = kb.build_index(progress=not quiet)
    click.echo(f"Index up to date: {report.paragraphs} paragraphs from {len(kb.documents)} documents "
               f"({report.added} embedded, {report.removed} removed, {report.unchanged} unchanged).")


@index.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--council", required=True, help="The council whose document this is, e.g. \"Powys County Council\".")
@click.option("--title", help="Document title (default: the page's <title>/<h1>, the PDF's or Word file's title).")
@click.option("--quiet", is_flag=True, help="Only the one-line summary (no progress bar).")
def add(file: Path, council: str, title: str | None, quiet: bool) -> None:
    """Add a council's own policy (a saved web page .html, .pdf, .docx, .txt or .md) and index it."""
    from assistant.errors import InvalidInput
    from assistant.knowledge.base import KnowledgeBase
    from assistant.knowledge.corpus import add_document

    if not council.strip():
        raise InvalidInput("--council is empty.",
                           hint='Give the council\'s name, e.g. --council "Powys County Council".')
    settings = services().settings
    doc = add_document(settings.corpus_dir, file, council=council, title=title)
    kb = KnowledgeBase.from_settings(settings)
    report = kb.build_index(progress=not quiet)
    count = sum(p.doc_id == doc.doc_id for p in kb.paragraphs)
    click.echo(f"Added '{doc.title}' ({doc.council}) as {doc.doc_id}: {count} paragraphs; {report.added} embedded.")
    if not quiet:
        click.echo(f"Check how it was split: assistant index inspect {doc.doc_id}")


@index.command("inspect")
@click.argument("document")
@click.option("--json", "as_json", is_flag=True, help="JSON output.")
def inspect_document(document: str, as_json: bool) -> None:
    """Show how a document was split into citable paragraphs (by id or file name), to check it."""
    from assistant.knowledge.chunking import chunk_document
    from assistant.knowledge.corpus import find_document, load_corpus

    documents, texts = load_corpus(services().settings.corpus_dir)
    doc = find_document(documents, document)
    paragraphs = chunk_document(doc, texts[doc.doc_id])
    if as_json:
        click.echo(json.dumps({"document": asdict(doc), "paragraphs": [
            {**{k: getattr(p, k) for k in ("id", "label", "section", "number", "kind", "start", "end")},
             "preview": _preview(p.quote), "text": p.text} for p in paragraphs]}, indent=2, ensure_ascii=False))
        return
    click.echo(f"{doc.doc_id} — {doc.title} — {doc.council or '(council not named)'}"
               f"{' — ' + doc.date if doc.date else ''}\nSource: {doc.source}; {len(paragraphs)} paragraphs\n")
    for p in paragraphs:
        click.echo(f"{p.id}  {p.label}  [{p.section}]\n    {_preview(p.quote)}")


def _preview(text: str, limit: int = 100) -> str:
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "…"


@index.command()
@click.option("--json", "as_json", is_flag=True, help="JSON output.")
def stats(as_json: bool) -> None:
    """Documents, paragraphs and index coverage; exits non-zero when the index exists but cannot be read."""
    kb = services().knowledge
    data = kb.stats()
    if as_json:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        for d in data["documents"]:
            click.echo(f"{d['doc_id']:>5}  {d['paragraphs']:>4} paras  {d['council'] or '(council not named)'} — "
                       f"{d['title']}{' — ' + d['date'] if d['date'] else ''}")
        click.echo(f"{data['paragraphs']} paragraphs; {data['indexed']} indexed, {data['missing']} missing, "
                   f"{data['stale']} stale. Model {data['model']}. Index: {data['index_dir']}")
    try:
        kb.store.check()  # a damaged or unreachable index raises ServiceUnavailable: the CLI's exit code 4
    except IndexMissing:
        pass  # not built yet: a state the counts above already show, not a failure
