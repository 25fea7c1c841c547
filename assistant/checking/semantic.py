"""A small semantic classifier: logistic regression over sentence embeddings, trained on examples.yml.

It catches risky phrasing the rule catalogue has no words for (sarcasm, insinuation, hostile framing). Its
findings are advisory: severity ``low`` only, and only for categories no rule has already raised, so it can add
a prompt to check but never turns a clean post into "review". Training is deterministic (full-batch gradient
descent from zeros); weights are cached per embedding model and examples file, so a warm process never retrains.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from assistant.checking.models import CATEGORIES, Proposal
from assistant.checking.text import Span

log = logging.getLogger(__name__)

THRESHOLD = 0.5  # probability above which a category is proposed (chosen on the examples' cross-validation)
MAX_SENTENCES = 48  # long drafts: the rules read everything, the classifier the first sentences
L2 = 1e-2
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
    """Proposes low-severity findings for drafts that read like the risky training examples."""

    def __init__(self, knowledge: Any, *, cache_dir: Path | None = None, threshold: float = THRESHOLD) -> None:
        self.knowledge = knowledge
        self.cache_dir = cache_dir
        self.threshold = threshold
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
        if self.cache_dir is not None:
            _save(self.cache_dir / WEIGHTS_FILE, key, self.W, self.b)

    def _weight_paths(self) -> list[Path]:
        paths = [Path(str(resources.files("assistant.checking").joinpath(WEIGHTS_FILE)))]
        if self.cache_dir is not None:
            paths.insert(0, self.cache_dir / WEIGHTS_FILE)
        return paths

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        """Per-vector, per-category probabilities (rows: vectors, columns: CATEGORIES)."""
        self.warm_up()
        return _sigmoid(vectors @ self.W.T + self.b)

    def propose(self, draft: str, sents: list[Span], vectors: np.ndarray | None) -> list[Proposal]:
        """Low-severity proposals: categories whose probability passes the threshold, quoting the best sentence."""
        if vectors is None or not len(vectors):
            return []
        vectors = vectors[:MAX_SENTENCES]
        whole = vectors.mean(0)
        whole = whole / max(float(np.linalg.norm(whole)), 1e-9)
        probs = self.probabilities(np.vstack([vectors, whole[None, :]]))
        out = []
        for j, category in enumerate(CATEGORIES):
            best = int(np.argmax(probs[:-1, j]))
            score = max(float(probs[best, j]), float(probs[-1, j]))
            if score >= self.threshold:
                span = sents[best]
                out.append(Proposal(category, "low", span.start, span.end, rule=f"semantic:{category}"))
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
