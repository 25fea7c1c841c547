"""A small semantic classifier: logistic regression over sentence embeddings, trained on examples.yml.

It judges stance where the rule catalogue sees a topic but no hostile or damaging words (a protected group
mentioned with hostility the lexicon lacks, innuendo, a rumour). It runs only behind word gates set in rules.yml,
only for categories no rule has raised, and its findings are low severity unless the catalogue allows medium.
Training is deterministic (full-batch gradient descent from zeros); weights are cached per embedding model and
examples file, so a warm process never retrains.
"""

from __future__ import annotations

import hashlib
import json
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

MAX_CHARS = 1500  # a window longer than this is cut (the model reads ~256 tokens anyway)
L2 = 1e-3
STEPS = 600
LEARNING_RATE = 2.0
WEIGHTS_FILE = "semantic_weights.json"


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
        vectors = np.asarray(self.knowledge.embed([ex.text for ex in examples]), dtype=np.float32)  # once per model
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
        """Proposals for uncovered categories whose word gate is in the draft and whose probability passes.

        Only the sentences around a gate word are embedded, and only when some gate matched, so most drafts
        never reach the model (the checker must answer in well under 50 ms).
        """
        windows: dict[str, Span] = {}
        for category, spec in self.specs.items():
            if category in covered or any(u.search(scan) for u in spec.unless):
                continue
            gate = next((m for r in spec.requires if (m := r.search(scan))), None)
            if gate is not None:
                windows[category] = _window(sents, gate.start())
        if not windows:
            return []
        texts = sorted({draft[w.start : w.end][:MAX_CHARS] for w in windows.values()})
        probs = dict(zip(texts, self.probabilities(_embed(self.knowledge, texts)), strict=True))
        out: list[Proposal] = []
        for category, window in windows.items():
            spec = self.specs[category]
            p = float(probs[draft[window.start : window.end][:MAX_CHARS]][CATEGORIES.index(category)])
            if p < spec.threshold:
                continue
            severity = "medium" if spec.medium_at is not None and p >= spec.medium_at else spec.severity
            out.append(Proposal(category, severity, window.start, window.end, rule=f"semantic:{category}"))  # type: ignore[arg-type]
            if spec.also and (not spec.also_requires or any(r.search(scan) for r in spec.also_requires)):
                out.extend(
                    Proposal(extra, spec.severity, window.start, window.end, rule=f"semantic:{category}")  # type: ignore[arg-type]
                    for extra in spec.also
                    if extra not in covered
                )
        return out


def _window(sents: list[Span], pos: int) -> Span:
    """The sentence holding ``pos`` with its neighbours (the context a reader would use)."""
    idx = next((i for i, s in enumerate(sents) if s.start <= pos < s.end), 0)
    lo, hi = max(0, idx - 1), min(len(sents) - 1, idx + 1)
    return Span(sents[lo].start, sents[hi].end)


def _embed(knowledge: Any, texts: list[str]) -> np.ndarray:
    # Short inputs are faster on one BLAS thread, and far faster when the machine is busy.
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - optional
        return np.asarray(knowledge.embed(texts), dtype=np.float32)
    with threadpool_limits(limits=1, user_api="blas"):
        return np.asarray(knowledge.embed(texts), dtype=np.float32)


def _load(path: Path, key: str) -> tuple[np.ndarray, np.ndarray] | None:
    try:
        data = json.loads(path.read_text("utf-8"))
        if data.get("key") != key or tuple(data.get("categories", ())) != CATEGORIES:
            return None
        return np.asarray(data["W"], dtype=np.float32), np.asarray(data["b"], dtype=np.float32)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _save(path: Path, key: str, W: np.ndarray, b: np.ndarray) -> None:
    # JSON rather than .npz: it ships as package data like the other catalogue files.
    data = {"key": key, "categories": list(CATEGORIES), "W": np.round(W, 6).tolist(), "b": np.round(b, 6).tolist()}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, separators=(",", ":")), "utf-8")
    except OSError:  # a read-only install still works; it just retrains next time
        log.warning("Could not cache the post checker's classifier weights in %s", path.parent)


def write_packaged_weights(knowledge: Any) -> Path:
    """Train on examples.yml with this knowledge base's model and write the packaged weights file."""
    examples = load_examples()
    key = f"{knowledge.model_id}|{examples_digest(examples)}"
    W, b = train(np.asarray(knowledge.embed([ex.text for ex in examples]), dtype=np.float32), [ex.labels for ex in examples])
    path = Path(str(resources.files("assistant.checking").joinpath(WEIGHTS_FILE)))
    _save(path, key, W, b)
    return path


if __name__ == "__main__":  # python -m assistant.checking.semantic  (after editing examples.yml)
    from assistant.config import Settings
    from assistant.knowledge.base import KnowledgeBase

    print(write_packaged_weights(KnowledgeBase.from_settings(Settings())))
