"""`assistant index`: build (incrementally), add a council's document, and show statistics."""

from __future__ import annotations

import json
from pathlib import Path

import click

from assistant.commands.common import services


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
@click.option("--title", help="Document title (default: its first line).")
def add(file: Path, council: str, title: str | None) -> None:
    """Add a council's own policy (.txt .md .pdf .docx .html) to the corpus and index it."""
    from assistant.knowledge.base import KnowledgeBase
    from assistant.knowledge.corpus import add_document

    settings = services().settings
    doc = add_document(settings.corpus_dir, file, council=council, title=title)
    kb = KnowledgeBase.from_settings(settings)
    report = kb.build_index(progress=True)
    count = sum(p.doc_id == doc.doc_id for p in kb.paragraphs)
    click.echo(f"Added '{doc.title}' ({council}) as {doc.source}: {count} paragraphs; "
               f"{report.added} embedded.")


@index.command()
@click.option("--json", "as_json", is_flag=True, help="JSON output.")
def stats(as_json: bool) -> None:
    """Documents, paragraphs and index coverage."""
    data = services().knowledge.stats()
    if as_json:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    for d in data["documents"]:
        click.echo(f"{d['doc_id']:>5}  {d['paragraphs']:>4} paras  {d['council'] or '(council not named)'} — "
                   f"{d['title']}{' — ' + d['date'] if d['date'] else ''}")
    click.echo(f"{data['paragraphs']} paragraphs; {data['indexed']} indexed, {data['missing']} missing, "
               f"{data['stale']} stale. Model {data['model']}. Index: {data['index_dir']}")
