"""Helpers shared by the thin CLI commands."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Iterator

import click

from assistant.config import Settings
from assistant.errors import InvalidInput
from assistant.wiring import Services, build_services


def services(council: str | None = None) -> Services:
    """Services from the environment, with an optional council override."""
    settings = Settings()
    if council:
        settings = settings.model_copy(update={"council": council})
    return build_services(settings)


def read_jsonl(path: Path, required: tuple[str, ...]) -> Iterator[dict]:
    """Items of a JSONL batch file; a bad line stops with its line number (nothing is half-written)."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"Could not read {path} as UTF-8 text.") from exc
    items = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"Line {number} of {path} is not valid JSON.") from exc
        if not isinstance(item, dict) or any(k not in item for k in required):
            raise InvalidInput(f"Line {number} of {path} needs the fields {', '.join(required)}.")
        items.append(item)
    return iter(items)


def emit_json(data: dict) -> None:
    """One JSON line on stdout."""
    click.echo(json.dumps(data, ensure_ascii=False))
    sys.stdout.flush()
