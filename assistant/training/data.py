"""The written data sets in ``datasets/``: loading, the split by batch, and digests for provenance."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from assistant.config import ROOT

DATASETS_DIR = ROOT / "datasets"
SPLITS_FILE = "splits.json"


class DataError(ValueError):
    """A data file is missing or malformed."""


def read_jsonl(path: Path) -> list[dict]:
    """Every JSON object in a JSON Lines file (blank lines skipped), with the line number in errors."""
    out = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DataError(f"{path}:{number}: not valid JSON ({exc.msg}).") from exc
        if not isinstance(item, dict):
            raise DataError(f"{path}:{number}: each line must be a JSON object.")
        out.append(item)
    return out


def split_files(task: str, split: str, root: Path = DATASETS_DIR) -> list[Path]:
    """The batch files of one task ("questions" | "checkpost") and split ("train" | "calibration" | "validation")."""
    splits = json.loads((Path(root) / SPLITS_FILE).read_text(encoding="utf-8"))
    return [Path(root) / name for name in splits[task][split]]


def digest(files: list[Path]) -> str:
    """SHA-256 over the files' names and bytes, in order: the provenance of anything trained on them."""
    h = hashlib.sha256()
    for f in files:
        h.update(f.name.encode() + b"\0" + Path(f).read_bytes() + b"\0")
    return h.hexdigest()


@dataclass(frozen=True)
class Question:
    """A written question: its batch, whether the guidance answers it, and the paragraphs that do."""

    id: str
    batch: str
    question: str
    answerable: bool
    paragraphs: tuple[str, ...]  # paragraph ids ("003:57") that answer it
    kind: str = ""


def letters_only(text: str) -> str:
    """Letters and digits only ("'s" read as "is"): the same question whatever its spacing or punctuation."""
    return re.sub(r"[^a-z0-9]", "", text.lower().replace("'s", " is"))


def load_questions(files: list[Path]) -> list[Question]:
    """Questions from batch files (the batch is the file's stem)."""
    out = []
    for f in files:
        for item in read_jsonl(f):
            out.append(Question(str(item["id"]), Path(f).stem, str(item["question"]), bool(item["answerable"]),
                                tuple(item.get("paragraphs") or ()), str(item.get("kind", ""))))
    return out


@dataclass(frozen=True)
class Draft:
    """A written draft post and the risk categories a Monitoring Officer would flag (none: clean)."""

    id: str
    batch: str
    text: str
    labels: tuple[str, ...]


def load_drafts(files: list[Path]) -> list[Draft]:
    """Drafts from batch files, labels checked against the 15 categories."""
    from assistant.checking.models import CATEGORIES

    out = []
    for f in files:
        for item in read_jsonl(f):
            labels = tuple(dict.fromkeys(item.get("labels") or ()))
            unknown = set(labels) - set(CATEGORIES)
            if unknown:
                raise DataError(f"{f}: {item.get('id')}: unknown categories {sorted(unknown)}.")
            out.append(Draft(str(item["id"]), Path(f).stem, str(item["text"]), labels))
    return out
