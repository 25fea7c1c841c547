"""The learned abstention: P(the guidance covers this question) from retrieval features and the query vector.

Trained by ``assistant train retrieval`` (logistic regression, threshold chosen for at most 3% false refusals out of
fold); this module only applies the saved coefficients, so answering never imports scikit-learn.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

FILE = "abstention.json"


@dataclass(frozen=True)
class Abstention:
    """A standardised linear model over the retrieval features (and, if chosen in training, the query vector)."""

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    threshold: float
    uses_embedding: bool = True
    n_features: int | None = None  # the retrieval features it reads (the first n; newer features are appended)

    @classmethod
    def load(cls, folder: Path) -> "Abstention | None":
        """The model saved in ``folder``, or None when none has been trained."""
        path = Path(folder) / FILE
        if not path.is_file():
            return None
        data = json.loads(path.read_text())
        names = data.get("features")
        return cls(np.array(data["mean"], dtype=np.float32), np.array(data["scale"], dtype=np.float32),
                   np.array(data["coef"], dtype=np.float32), float(data["intercept"]), float(data["threshold"]),
                   bool(data.get("uses_embedding", True)),
                   None if names is None else sum(not n.startswith("query_embedding") for n in names))

    def probability(self, features: np.ndarray, vector: np.ndarray) -> float:
        """P(covered); the row must have the length the model was trained on."""
        features = features[: self.n_features]
        x = (np.concatenate([features, vector]) if self.uses_embedding else features).astype(np.float32)
        if x.shape != self.mean.shape:
            raise ValueError("The abstention model was trained for another encoder; retrain it.")
        z = float(((x - self.mean) / self.scale) @ self.coef + self.intercept)
        return 1.0 / (1.0 + np.exp(-z))

    def covers(self, features: np.ndarray, vector: np.ndarray) -> tuple[bool, float]:
        """(answer it?, probability)."""
        p = self.probability(features, vector)
        return p >= self.threshold, p
