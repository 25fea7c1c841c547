"""Text helpers that never move a character: every offset found in the scan text is an offset into the draft."""

from __future__ import annotations

import re
from dataclasses import dataclass

# One-for-one replacements only, so str indices stay valid: curly quotes, dashes and odd spaces.
_SAME_LENGTH = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u0060": "'", "\u00b4": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
        "\u2013": "-", "\u2014": "-", "\u2012": "-", "\u2212": "-", "\u2010": "-", "\u2011": "-",
        "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2007": " ", "\u3000": " ",
        "\u200b": " ", "\u200c": " ", "\u200d": " ", "\ufeff": " ",
    }
)
_HTML_TAG = re.compile(r"<(?:/?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?|!--.*?--)>", re.S)
_HTML_ENTITY = re.compile(r"&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);")
# Emphasis markers only where they open or close a run of text: "f***ing" keeps its asterisks.
_MARKDOWN = re.compile(
    r"(?<![\w*_~])(?:\*\*|__|~~)(?=[^\s*_~])|(?<=[^\s*_~])(?:\*\*|__|~~)(?![\w*_~])|^[ \t]{0,3}(?:#{1,6}|>|[-*+])[ \t]",
    re.M,
)
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"')\]]*\s+|\n\s*|(?<=[:;])\s+(?=[A-Z])")


def scan_text(draft: str) -> str:
    """The draft with HTML tags, entities and markdown markers blanked out, same length as the draft."""
    text = draft.translate(_SAME_LENGTH)
    for pattern in (_HTML_TAG, _HTML_ENTITY, _MARKDOWN):
        text = pattern.sub(lambda m: " " * len(m.group(0)), text)
    return text


@dataclass(frozen=True)
class Span:
    """A slice of the draft: ``draft[start:end]``."""

    start: int
    end: int

    def contains(self, pos: int) -> bool:
        """Whether a character position falls inside."""
        return self.start <= pos < self.end


def sentences(text: str) -> list[Span]:
    """Sentence-like spans (split at ., !, ?, line breaks and "Label: Text"), trimmed of white space."""
    spans: list[Span] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        _add_trimmed(text, start, m.start(), spans)
        start = m.end()
    _add_trimmed(text, start, len(text), spans)
    return spans


def _add_trimmed(text: str, start: int, end: int, out: list[Span]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        out.append(Span(start, end))


def sentence_at(spans: list[Span], pos: int) -> int:
    """Index of the sentence holding position ``pos`` (the nearest before it if it falls in a gap)."""
    lo, hi = 0, len(spans)
    while lo < hi:  # binary search on the starts: long drafts have hundreds of sentences
        mid = (lo + hi) // 2
        if spans[mid].start <= pos:
            lo = mid + 1
        else:
            hi = mid
    return max(0, lo - 1)


def has_words(text: str) -> bool:
    """Whether the text holds any letter or digit in any script (not just emoji, symbols or punctuation)."""
    return any(ch.isalnum() for ch in text)
