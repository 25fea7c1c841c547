"""A small semantic classifier: logistic regression over sentence embeddings, trained on examples.yml.

It catches risky phrasing the rule catalogue has no words for (sarcasm, insinuation, hostile framing). Its
findings are advisory: severity ``low`` only, and only for categories no rule has already raised, so it can add
a prompt to check but never turns a clean post into "review". Training is deterministic (full-batch gradient
descent from zeros); weights are cached per embedding model and examples file, so a warm process never retrains.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Collection
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from assistant.checking.catalogue import Catalogue
from assistant.checking.models import CATEGORIES, Proposal
from assistant.checking.text import Span

log = logging.getLogger(__name__)

MAX_SENTENCES = 24  # long drafts: the rules read everything, the classifier the opening
MAX_CHARS = 1500
L2 = 1e-3
STEPS = 600
LEARNING_RATE = 2.0
WEIGHTS_FILE = "semantic_weights.npz"


@dataclass(frozen=True)
class Example:
    """A training post and its categories (none: clean)."""

    text: str
    labels: tuple[str, ...]


def load_examples(text: str | None = None) -> list[Example]:
    """The packaged training examples (or those in the given YAML text)."""
    raw = text if text is not None else resources.files("assistant.checking").joinpath("examples.yml").read_text("utf-8")
    out = []
    for item in yaml.safe_load(raw)["examples"]:
        labels = tuple(item.get("y") or ())
        unknown = set(labels) - set(CATEGORIES)
        if unknown:
            raise ValueError(f"Unknown categories {sorted(unknown)} in training example {item['t'][:40]!r}.")
        out.append(Example(item["t"], labels))
    return out


def examples_digest(examples: list[Example]) -> str:
    """A digest of the examples, so weights are retrained when someone edits them."""
    h = hashlib.sha256()
    for ex in examples:
        h.update((ex.text + "\t" + ",".join(ex.labels) + "\n").encode("utf-8"))
    return h.hexdigest()[:16]


def train(vectors: np.ndarray, labels: list[tuple[str, ...]]) -> tuple[np.ndarray, np.ndarray]:
    """One-vs-rest logistic regression (weights ``W`` categories x dims, bias ``b``), deterministic."""
    y = np.array([[c in ls for c in CATEGORIES] for ls in labels], dtype=np.float32)
    n, d = vectors.shape
    # Positives are rare per category; weight them up so each category's classes count equally.
    pos = y.sum(0)
    w_pos = np.where(pos > 0, n / (2.0 * np.maximum(pos, 1)), 1.0)
    w_neg = n / (2.0 * np.maximum(n - pos, 1))
    sample_w = y * w_pos + (1 - y) * w_neg
    W = np.zeros((len(CATEGORIES), d), dtype=np.float32)
    b = np.zeros(len(CATEGORIES), dtype=np.float32)
    for _ in range(STEPS):
        p = _sigmoid(vectors @ W.T + b)
        g = (p - y) * sample_w / n
        W -= LEARNING_RATE * (g.T @ vectors + L2 * W)
        b -= LEARNING_RATE * g.sum(0)
    return W, b


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


class SemanticClassifier:
    """Proposes findings for drafts that read like the risky training examples, gated by the catalogue."""

    def __init__(self, knowledge: Any, catalogue: Catalogue, *, cache_dir: Path | None = None) -> None:
        self.knowledge = knowledge
        self.specs = catalogue.semantic
        self.cache_dir = cache_dir
        self.W: np.ndarray | None = None
        self.b: np.ndarray | None = None

    def warm_up(self) -> None:
        """Load cached weights for this model and examples, or train them (embedding every example once)."""
        if self.W is not None:
            return
        examples = load_examples()
        key = f"{getattr(self.knowledge, 'model_id', 'unknown-model')}|{examples_digest(examples)}"
        for path in self._weight_paths():
            weights = _load(path, key)
            if weights is not None:
                self.W, self.b = weights
                return
        vectors = np.asarray(self.knowledge.embed([ex.text for ex in examples]), dtype=np.float32)
        self.W, self.b = train(vectors, [ex.labels for ex in examples])
        if self.cache_dir is not None and hasattr(self.knowledge, "model_id"):
            _save(Path(self.cache_dir) / WEIGHTS_FILE, key, self.W, self.b)

    def _weight_paths(self) -> list[Path]:
        paths = [Path(str(resources.files("assistant.checking").joinpath(WEIGHTS_FILE)))]
        if self.cache_dir is not None:
            paths.insert(0, Path(self.cache_dir) / WEIGHTS_FILE)
        return paths

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        """Per-vector, per-category probabilities (rows: vectors, columns: CATEGORIES)."""
        self.warm_up()
        return _sigmoid(np.asarray(vectors, dtype=np.float32) @ self.W.T + self.b)

    def propose(self, draft: str, scan: str, sents: list[Span], covered: Collection[str]) -> list[Proposal]:
        """Proposals for uncovered categories whose probability and word gates pass, quoting the likeliest sentence."""
        wanted = [c for c in self.specs if c not in covered]
        if not wanted or not sents:
            return []
        # One pass over the post's opening (the model reads ~256 tokens; long drafts are for the rules).
        head = draft[sents[0].start : sents[min(len(sents), MAX_SENTENCES) - 1].end]
        probs = self.probabilities(self.knowledge.embed([head[:MAX_CHARS]]))[0]
        out: list[Proposal] = []
        sentence_probs: np.ndarray | None = None
        for category in wanted:
            spec = self.specs[category]
            p = float(probs[CATEGORIES.index(category)])
            if p < spec.threshold or any(u.search(scan) for u in spec.unless):
                continue
            span: Span | None = None
            if spec.requires:
                gate = next((m for r in spec.requires if (m := r.search(scan))), None)
                if gate is None:
                    continue
                span = next((s for s in sents if s.start <= gate.start() < s.end), None)
            if span is None:
                if len(sents) == 1:
                    span = sents[0]
                else:  # a second pass, only for drafts that raised something: which sentence is it?
                    if sentence_probs is None:
                        vecs = self.knowledge.embed([draft[s.start : s.end] for s in sents[:MAX_SENTENCES]])
                        sentence_probs = self.probabilities(vecs)
                    span = sents[int(np.argmax(sentence_probs[:, CATEGORIES.index(category)]))]
            severity = "medium" if spec.medium_at is not None and p >= spec.medium_at else spec.severity
            out.append(Proposal(category, severity, span.start, span.end, rule=f"semantic:{category}"))  # type: ignore[arg-type]
            if spec.also and (not spec.also_requires or any(r.search(scan) for r in spec.also_requires)):
                for extra in spec.also:
                    if extra not in covered:
                        out.append(Proposal(extra, spec.severity, span.start, span.end, rule=f"semantic:{category}"))  # type: ignore[arg-type]
        return out


def _load(path: Path, key: str) -> tuple[np.ndarray, np.ndarray] | None:
    try:
        with np.load(path, allow_pickle=False) as data:
            if str(data["key"]) != key or tuple(str(c) for c in data["categories"]) != CATEGORIES:
                return None
            return data["W"].astype(np.float32), data["b"].astype(np.float32)
    except (OSError, KeyError, ValueError):
        return None


def _save(path: Path, key: str, W: np.ndarray, b: np.ndarray) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(path, key=np.array(key), categories=np.array(CATEGORIES), W=W, b=b)
    except OSError:  # a read-only install still works; it just retrains next time
        log.warning("Could not cache the post checker's classifier weights in %s", path.parent)
