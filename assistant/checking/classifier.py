"""The trained post classifier: the packaged MiniLM with a LoRA adapter and a 15-way multi-label head.

It reads the whole draft, every sentence and every pair of neighbouring sentences (after undoing obfuscation), so
a risky sentence buried in a long post is seen on its own and a risk that spans two lines is seen together. A
category is raised when its best window reaches the category's threshold (calibrated on writers it was not
trained on by ``assistant train checker``); the finding points at that window. Not gated by any word list.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.checking.models import CATEGORIES, Proposal
from assistant.checking.normalise import normalise
from assistant.checking.text import Span, sentences

log = logging.getLogger(__name__)

HEAD_FILE = "head.json"
MAX_WINDOWS = 160  # a very long draft is read sentence by sentence only, up to this many windows
MAX_WINDOW_CHARS = 1500
EMBEDDING_SCALE = 20.0  # the head reads 20 x the unit-length embedding (fixed, so logits can grow)


def windows(text: str, sents: list[Span] | None = None) -> list[Span]:
    """The whole text, each sentence, and each pair of neighbouring sentences (no duplicates). A very long draft
    is read in runs of neighbouring sentences instead, so every sentence is still read within MAX_WINDOWS."""
    sents = sents if sents is not None else sentences(text)
    spans = [Span(0, len(text))] if text.strip() else []
    if len(sents) * 2 < MAX_WINDOWS:
        spans += sents
        spans += [Span(a.start, b.end) for a, b in zip(sents, sents[1:])]
    else:
        size = -(-len(sents) // (MAX_WINDOWS - 1))
        spans += [Span(sents[i].start, sents[min(i + size, len(sents)) - 1].end) for i in range(0, len(sents), size)]
    seen, out = set(), []
    for s in spans:
        if (s.start, s.end) not in seen:
            seen.add((s.start, s.end))
            out.append(s)
    return out[:MAX_WINDOWS]


def window_texts(text: str, spans: list[Span]) -> list[str]:
    """What the encoder reads for each window."""
    return [normalise(text[s.start : s.end][:MAX_WINDOW_CHARS]) for s in spans]


@dataclass(frozen=True)
class Head:
    """A linear multi-label head and the per-category thresholds: flag (the category's severity) and advice (low)."""

    weight: np.ndarray  # categories x dims
    bias: np.ndarray
    thresholds: np.ndarray
    categories: tuple[str, ...]
    advice: np.ndarray | None = None

    @classmethod
    def load(cls, folder: Path) -> "Head":
        data = json.loads((Path(folder) / HEAD_FILE).read_text())
        cats = tuple(data["categories"])
        flags = np.array([data.get("thresholds", {}).get(c, 0.5) for c in cats], dtype=np.float32)
        advice = np.array([data.get("advice_thresholds", {}).get(c, f) for c, f in zip(cats, flags)],
                          dtype=np.float32)
        return cls(np.array(data["weight"], dtype=np.float32), np.array(data["bias"], dtype=np.float32),
                   flags, cats, advice)

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        """windows x categories probabilities from unit-length embeddings."""
        return 1.0 / (1.0 + np.exp(-((EMBEDDING_SCALE * vectors) @ self.weight.T + self.bias)))


class TrainedClassifier:
    """A :class:`assistant.checking.service.Detector` over the shipped adapter and head."""

    def __init__(self, folder: Path, encoder_fn, severities: dict[str, str]) -> None:
        self.folder = Path(folder)
        self._encoder_fn = encoder_fn  # the packaged MiniLM with this folder's adapter, loaded when first needed
        self.severities = severities
        self._embedder = None
        self._head: Head | None = None

    def warm_up(self) -> None:
        """Load the encoder and head (once per process)."""
        if self._embedder is None:
            self._head = Head.load(self.folder)
            self._embedder = self._encoder_fn()

    def scores(self, text: str, sents: list[Span] | None = None) -> tuple[list[Span], np.ndarray]:
        """The windows of the text and their probabilities (windows x categories)."""
        self.warm_up()
        spans = windows(text, sents)
        if not spans:
            return [], np.zeros((0, len(CATEGORIES)), dtype=np.float32)
        texts = window_texts(text, spans)
        unique = list(dict.fromkeys(texts))  # a line repeated in a draft is read once
        vectors = self._embedder.encode(unique)
        row = {t: i for i, t in enumerate(unique)}
        return spans, self._head.probabilities(vectors[[row[t] for t in texts]])

    def propose(self, draft: str, scan: str, sents: list[Span], covered: Collection[str]) -> list[Proposal]:
        """A finding per category whose best window reaches its advice threshold (low severity: worth a second
        look) or its flag threshold (the category's severity), pointing at the shortest such window."""
        spans, probs = self.scores(scan, sents)
        head = self._head
        out = []
        for j, category in enumerate(head.categories):
            if category in covered or not len(spans):
                continue
            flagged = probs[:, j].max() >= head.thresholds[j]
            floor = head.thresholds[j] if flagged else head.advice[j]
            above = np.flatnonzero(probs[:, j] >= floor)
            if not len(above):
                continue
            # The shortest window that is still above the threshold says where the risk is.
            best = min(above, key=lambda i: (spans[i].end - spans[i].start, -probs[i, j]))
            severity = self.severities.get(category, "medium") if flagged else "low"
            out.append(Proposal(category, severity, spans[best].start, spans[best].end,
                                rule=f"classifier:{category}", source="classifier"))
        return out
