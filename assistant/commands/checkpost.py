"""`assistant check-post`: check a draft post (or a JSONL batch) against the guidance. The draft is never stored."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from assistant.commands.common import emit_json, read_jsonl, services
from assistant.errors import InvalidInput, UserError


@click.command(name="check-post")
@click.argument("draft", required=False)
@click.option("--council", help="Your council: its guidance is cited first.")
@click.option("--json", "as_json", is_flag=True, help="JSON output.")
@click.option("--batch", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help='JSONL file of {"id", "text"}; one JSON line per draft.')
def check_post(draft: str | None, council: str | None, as_json: bool, batch: Path | None) -> None:
    """Check DRAFT (or "-" to read it from stdin) before you post it: risks, cited guidance, a safer version."""
    checker = services(council).checker
    if batch is not None:
        for item in read_jsonl(batch, ("id", "text")):
            try:
                emit_json(checker.check(str(item["text"])).to_json(str(item["id"])))
            except UserError as exc:  # one bad draft must not stop the batch
                emit_json({"id": str(item["id"]), "verdict": None, "error": exc.user_message, "findings": [],
                           "rewrite": None})
        return
    if draft == "-":
        draft = sys.stdin.read()
    if draft is None:
        raise InvalidInput('Please give the draft, e.g. assistant check-post "Come to my surgery on Saturday"',
                           hint='Or pipe it in: assistant check-post - < draft.txt')
    result = checker.check(draft)
    if as_json:
        emit_json(result.to_json())
    else:
        from assistant.channels.console_checkpost import print_check

        print_check(result)
