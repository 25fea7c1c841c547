"""A small stand-in for the knowledge base, built from the real seed guidance text (one paragraph per line)."""

from __future__ import annotations

import re
from pathlib import Path

from assistant.config import Settings
from assistant.knowledge.models import Paragraph

COUNCILS = {
    "000": ("Basingstoke and Deane Borough Council", "Social media guidance for councillors"),
    "001": (None, "Guidance on use of social media for elected members"),
    "002": ("Sandwell Metropolitan Borough Council", "Social media and electronic communications policy for elected members"),
    "003": ("Powys County Council", "Social media guide for members"),
    "004": (None, "Social Media Guidance for Councillors"),
}
_WS = re.compile(r"\s+")


def _norm(text: str) -> str:
    return _WS.sub(" ", text.replace("**", "").lower()).strip()


def seed_dir() -> Path | None:
    """Where the seed guidance lives: the corpus folder if it holds the seeds, else the shared seeds folder."""
    for folder in (Settings().corpus_dir, Path("/work/shared/seeds")):
        if folder.is_dir() and any(folder.glob("00[0-4]_*.txt")):
            return folder
    return None


class FakeKnowledge:
    """``paragraphs``, ``find_paragraph`` and (optionally) ``embed``, like the real knowledge base."""

    def __init__(self, folder: Path, embed=None) -> None:
        self.paragraphs: list[Paragraph] = []
        for path in sorted(folder.glob("00[0-4]_*.txt")):
            doc_id = path.name[:3]
            council, title = COUNCILS[doc_id]
            source = path.read_text("utf-8")
            pos = 0
            for n, line in enumerate(source.splitlines(keepends=True)):
                text = line.strip()
                if len(text) > 20:
                    start = source.index(text, pos)
                    self.paragraphs.append(
                        Paragraph(
                            id=f"{doc_id}:{n}", doc_id=doc_id, council=council, document=title, section="",
                            number=None, label=f"¶{n}", text=text, start=start, end=start + len(text), source=path.name,
                        )
                    )
                pos += len(line)
        if embed is not None:
            self.embed = embed

    def find_paragraph(self, doc_id: str, contains: str) -> Paragraph | None:
        """The first paragraph of the document containing the phrase (normalised)."""
        needle = _norm(contains)
        for p in self.paragraphs:
            if p.doc_id == doc_id and needle in _norm(p.text):
                return p
        return None
