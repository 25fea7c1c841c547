"""`assistant eval`: score the dev (or held-out) sets."""

from __future__ import annotations

import json
from pathlib import Path

import click

from assistant.commands.common import services


@click.group(name="eval")
def eval_group() -> None:
    """Evaluate answers and post checks on a labelled set."""


@eval_group.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="JSON output.")
@click.option("--no-baselines", is_flag=True, help="Score only the assistant.")
def qa(file: Path, as_json: bool, no_baselines: bool) -> None:
    """Recall@1/3/5, MRR and abstention on a QA set, beside BM25-only and naive LangChain baselines."""
    from assistant.evaluation.qa import assistant_system, bm25_system, langchain_baseline, load_items, score

    svc = services()
    items = load_items(file, lambda pid: (p := svc.knowledge.paragraph(pid)) and p.text)
    results = [score("assistant", assistant_system(svc.answerer), items)]
    if not no_baselines:
        results.append(score("bm25-only", bm25_system(svc.knowledge), items))
        results.append(score("langchain-naive", langchain_baseline(svc.knowledge), items))
    if as_json:
        click.echo(json.dumps({r.name: {**r.as_dict(), "misses": r.misses} for r in results}, indent=2))
        return
    click.echo(f"{len(items)} items ({results[0].answerable} answerable, {results[0].unanswerable} unanswerable)")
    header = ["system", "recall@1", "recall@3", "recall@5", "mrr", "abstained_unanswerable", "false_abstention_rate"]
    click.echo("  ".join(f"{h:>22}" if i else f"{h:<16}" for i, h in enumerate(header)))
    for r in results:
        d = r.as_dict()
        click.echo("  ".join([f"{r.name:<16}"] + [f"{str(d[h]):>22}" for h in header[1:]]))
    click.echo(f"assistant misses: {', '.join(results[0].misses) or 'none'}")


try:  # the post-checker's evaluation lives with the checker
    from assistant.commands.eval_checkpost import checkpost

    eval_group.add_command(checkpost)
except ImportError:  # pragma: no cover - only while the checker is being written
    pass
