"""`assistant ask`: one question, or a JSONL batch, answered with cited paragraphs."""

from __future__ import annotations

from pathlib import Path

import click

from assistant.commands.common import emit_json, read_jsonl, services
from assistant.errors import InvalidInput, UserError


@click.command()
@click.argument("question", required=False)
@click.option("--council", help="Your council: its guidance is shown first.")
@click.option("--json", "as_json", is_flag=True, help="JSON output.")
@click.option("--batch", type=click.Path(dir_okay=False, path_type=Path),
              help='JSONL file of {"id", "question"}; one JSON line per item (use with --json).')
def ask(question: str | None, council: str | None, as_json: bool, batch: Path | None) -> None:
    """Answer QUESTION from the councils' social-media guidance, citing paragraphs."""
    answerer = services(council).answerer
    if batch is not None:
        for item in read_jsonl(batch, ("id", "question")):
            try:
                emit_json(answerer.answer(str(item["question"])).to_json(str(item["id"])))
            except UserError as exc:  # one bad question must not stop the batch
                emit_json({"id": str(item["id"]), "question": item["question"], "error": exc.user_message,
                           "abstained": True, "answer": "", "citations": []})
        return
    if question is None:
        raise InvalidInput("Please give a question, e.g. assistant ask \"Can I block a resident who trolls me?\"")
    answer = answerer.answer(question)
    if as_json:
        emit_json(answer.to_json())
    else:
        from assistant.channels.render import print_answer

        print_answer(answer)
