"""Typed records shared by the knowledge base, answers and the post checker."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

NO_COUNCIL = "Council not named in the document"  # how every channel names a document without one
_WS = re.compile(r"\s+")


def clean_quote(text: str) -> str:
    """A paragraph's text for display: markdown bold markers dropped, white space collapsed."""
    return _WS.sub(" ", text.replace("**", "")).strip()


@dataclass(frozen=True)
class Document:
    """One guidance document in the corpus, with only the metadata the document itself shows."""

    doc_id: str  # stable id, e.g. "000" for the first seed or a slug for an added file
    title: str
    council: str | None  # None: the document names no council
    source: str  # file name under corpus/
    date: str | None = None  # date or version, where the document states one
    council_note: str | None = None  # why council is None, or how it was established


@dataclass(frozen=True)
class Paragraph:
    """One citable unit: a numbered paragraph, lettered item, bullet, table cell or unnumbered paragraph."""

    id: str  # f"{doc_id}:{ordinal}" (ordinal over the document, stable for unchanged text)
    doc_id: str
    council: str | None
    document: str  # document title
    section: str  # heading path, " > " separated
    number: str | None  # the document's own number: "10", "7(a)", "2.2(a)", "8.9"; None when unnumbered
    label: str  # what a person cites: "para 10", "para 7(a)", "¶3"
    text: str  # verbatim slice of the source, source[start:end]
    start: int
    end: int
    source: str
    kind: str = "paragraph"  # paragraph | item | bullet | table_cell

    @property
    def quote(self) -> str:
        """The verbatim text, tidied for display."""
        return clean_quote(self.text)


@dataclass(frozen=True)
class Citation:
    """A paragraph as cited in an answer or a finding (the JSON shape of ``ask`` and ``check-post``)."""

    council: str | None
    document: str
    section: str
    paragraph: str
    text: str
    source: str
    score: float
    paragraph_id: str = field(default="", compare=False)
    date: str | None = field(default=None, compare=False)  # the document's date or version, where it shows one

    @classmethod
    def from_paragraph(cls, p: Paragraph, score: float, *, date: str | None = None) -> "Citation":
        """Cite a paragraph with the given relevance score."""
        return cls(p.council, p.document, p.section, p.label, p.text, p.source, round(float(score), 4), p.id, date)

    def to_json(self) -> dict:
        """The public JSON shape (no internal ids)."""
        data = asdict(self)
        data.pop("paragraph_id")
        return data

    def reference(self) -> str:
        """A one-line human reference: council — document, section, paragraph."""
        council = self.council or NO_COUNCIL
        return f"{council} — {self.document}, {self.section}, {self.paragraph}"
