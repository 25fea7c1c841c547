"""`assistant train retrieval`: the retrieval adapter, the fusion weights and the abstention classifier.

1. The adapter is trained on the training batches, and their questions become the shipped question bank.
2. The calibration batches (other writers, never trained on) are searched exactly as the product searches: the
   shipped adapter merged into the packaged model, the shipped bank. The fusion weights are chosen on them, and
   the abstention classifier (logistic regression over retrieval features) is fitted on them; its threshold is
   the highest that refuses at most ``MAX_FALSE_REFUSALS`` of each calibration batch's answerable questions,
   scored by a classifier fitted without that batch. Features computed by the model that will answer, on
   questions it never saw, are the features it will see in use (cross-fitted adapters trained on half the data
   were not: their thresholds refused twice the budget on validation).
3. The validation batches are scored once, at the end.
"""

from __future__ import annotations

import json
import random
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from assistant.config import Settings
from assistant.knowledge.base import KnowledgeBase
from assistant.knowledge.search import FEATURE_NAMES, RRF_K, SEARCH_FILE, Hit, MatrixIndex, QuestionBank, Retriever
from assistant.knowledge.store import embedding_text
from assistant.training.data import DATASETS_DIR, Question, digest, letters_only, load_questions, split_files

MAX_FALSE_REFUSALS = 0.03


@dataclass(frozen=True)
class RetrievalConfig:
    """Everything that decides the trained artefacts (recorded in provenance.json)."""

    epochs: int = 3
    batch_size: int = 32
    learning_rate: float = 2e-4
    lora_r: int = 8
    lora_alpha: int = 16
    lora_dropout: float = 0.05
    loss_scale: float = 20.0
    max_length: int = 128  # training only (most paragraphs are shorter); the shipped encoder reads 256
    seed: int = 13
    # (dense, keyword, question bank) reciprocal-rank weights tried on the calibration batches
    fusion_grid: tuple[tuple[float, float, float], ...] = tuple(
        (1.0, keyword, bank) for bank in (0.0, 0.5, 1.0, 2.0) for keyword in (0.0, 0.25, 0.5))
    abstention_c_grid: tuple[float, ...] = (0.01, 0.03, 0.1, 0.3, 1.0)


def fit_adapter(model_dir: Path, questions: list[Question], para_text: dict[str, str], config: RetrievalConfig,
                progress=None):
    """Train a LoRA adapter with in-batch negatives (MultipleNegativesRanking loss) on (question, paragraph)."""
    import torch

    from assistant.training.encoder import LoraEncoder, seed_everything

    seed_everything(config.seed)
    rng = random.Random(config.seed)
    encoder = LoraEncoder(model_dir, r=config.lora_r, alpha=config.lora_alpha, dropout=config.lora_dropout,
                          max_length=config.max_length)
    optimiser = torch.optim.AdamW(encoder.parameters(), lr=config.learning_rate)
    items = [q for q in questions if q.answerable and q.paragraphs]
    for epoch in range(config.epochs):
        rng.shuffle(items)
        pending = list(items)
        while pending:
            batch, used, rest = [], set(), []
            for q in pending:  # one question per target paragraph in a batch: no duplicate "negatives"
                target = rng.choice(q.paragraphs)
                if len(batch) < config.batch_size and target not in used:
                    batch.append((q, target))
                    used.add(target)
                else:
                    rest.append(q)
            pending = rest
            if len(batch) < 2:
                break
            q_vec = encoder([q.question for q, _ in batch])
            p_vec = encoder([para_text[t] for _, t in batch])
            scores = q_vec @ p_vec.T * config.loss_scale
            # Another gold paragraph of the same question is not a negative.
            mask = torch.tensor([[j != i and t in q.paragraphs for j, (_, t) in enumerate(batch)]
                                 for i, (q, _) in enumerate(batch)])
            scores = scores.masked_fill(mask, -1e4)
            loss = torch.nn.functional.cross_entropy(scores, torch.arange(len(batch)))
            loss.backward()
            optimiser.step()
            optimiser.zero_grad()
        if progress:
            progress(f"  epoch {epoch + 1}/{config.epochs}: last batch loss {float(loss.detach()):.3f}")
    return encoder


@dataclass
class Searched:
    """One question searched with one encoder."""

    question: Question
    hits: list[Hit]
    features: np.ndarray
    vector: np.ndarray


def search_all(retriever: Retriever, vectors: np.ndarray, questions: list[Question], k: int = 5) -> list[Searched]:
    """Search every question with its query vector (from the retriever's encoder)."""
    out = []
    for q, v in zip(questions, vectors):
        hits, features = retriever.search_with_features(q.question, k=k, vector=v)
        out.append(Searched(q, hits, features, v))
    return out


def retriever_with(kb: KnowledgeBase, encode, weights: tuple[float, float, float],
                   vectors: np.ndarray | None = None, bank: QuestionBank | None = None) -> Retriever:
    """A retriever over the corpus whose dense side is this encoder's vectors (in memory, exact)."""
    if vectors is None:
        vectors = encode([embedding_text(p) for p in kb.paragraphs])
    return Retriever(kb.paragraphs, MatrixIndex([p.id for p in kb.paragraphs], vectors), encode, kb.councils(),
                     weights=weights, bank=bank)


def question_bank(questions: list[Question], encode) -> QuestionBank:
    """The questions (answerable ones with their paragraphs, out-of-scope ones with none), embedded."""
    kept = [q for q in questions if q.paragraphs or not q.answerable]
    return QuestionBank(tuple(q.id for q in kept), np.asarray(encode([q.question for q in kept]), dtype=np.float32),
                        tuple(q.paragraphs if q.answerable else () for q in kept))


def gold_rank(searched: Searched) -> int | None:
    """1-based rank of the first hit that is (or folds in) a gold paragraph; None if not in the hits."""
    gold = set(searched.question.paragraphs)
    for rank, hit in enumerate(searched.hits, 1):
        if hit.paragraph.id in gold or any(p.id in gold for p in hit.also_in):
            return rank
    return None


def design_matrix(searched: list[Searched], uses_embedding: bool) -> np.ndarray:
    """Abstention inputs: the retrieval features, then (optionally) the query embedding (its in-scope direction)."""
    return np.stack([np.concatenate([s.features, s.vector]) if uses_embedding else s.features for s in searched])


def cross_validated_probabilities(x: np.ndarray, y: np.ndarray, groups: np.ndarray, c: float) -> np.ndarray:
    """Each row's P(covered) from a classifier fitted without its batch (honest threshold choice)."""
    out = np.zeros(len(y))
    for g in np.unique(groups):
        held = groups == g
        out[held] = in_scope_probability(fit_abstention(x[~held], y[~held], c), x[held])
    return out


def choose_abstention(searched: list[Searched], config: "RetrievalConfig") -> tuple[dict, dict]:
    """Feature set and regularisation chosen batch-wise (each batch scored by a classifier fitted without it):
    most out-of-scope questions refused at a threshold that refuses at most MAX_FALSE_REFUSALS of each batch's
    answerable ones (a new writer's wording should not cost more refusals than the pooled figure promises).
    Returns (model, selection report)."""
    y = np.array([s.question.answerable for s in searched])
    groups = np.array([s.question.batch for s in searched])
    trials = []
    for uses_embedding in (False, True):
        x = design_matrix(searched, uses_embedding)
        for c in config.abstention_c_grid:
            p = cross_validated_probabilities(x, y, groups, c)
            threshold = batchwise_threshold(p, y, groups, MAX_FALSE_REFUSALS)
            trials.append({"uses_embedding": uses_embedding, "c": c, "threshold": threshold,
                           "false_refusals": round(float(np.mean(p[y] < threshold)), 4),
                           "false_refusals_worst_batch": round(max(
                               float(np.mean(p[y & (groups == g)] < threshold)) for g in np.unique(groups)), 4),
                           "out_of_scope_refused": round(float(np.mean(p[~y] < threshold)), 4)})
    best = max(trials, key=lambda t: (t["out_of_scope_refused"], not t["uses_embedding"], -t["c"]))
    model = fit_abstention(design_matrix(searched, best["uses_embedding"]), y, best["c"])
    model.update(threshold=best["threshold"], uses_embedding=best["uses_embedding"],
                 features=[*FEATURE_NAMES, *(["query_embedding[384]"] if best["uses_embedding"] else [])])
    return model, {"chosen": best, "trials": trials}


def fit_abstention(x: np.ndarray, y: np.ndarray, c: float) -> dict:
    """Standardised logistic regression; returns the JSON-able model (no sklearn needed to apply it)."""
    from sklearn.linear_model import LogisticRegression

    mean, scale = x.mean(0), x.std(0) + 1e-6
    model = LogisticRegression(C=c, max_iter=5000, class_weight="balanced").fit((x - mean) / scale, y)
    return {"mean": mean.tolist(), "scale": scale.tolist(), "coef": model.coef_[0].tolist(),
            "intercept": float(model.intercept_[0])}


def in_scope_probability(model: dict, x: np.ndarray) -> np.ndarray:
    """P(the guidance covers the question) for rows of the design matrix."""
    z = ((x - np.array(model["mean"])) / np.array(model["scale"])) @ np.array(model["coef"]) + model["intercept"]
    return 1.0 / (1.0 + np.exp(-z))


def threshold_for(p_answerable: np.ndarray, max_false_refusals: float) -> float:
    """The highest threshold that refuses at most this share of answerable questions."""
    ordered = np.sort(p_answerable)
    allowed = int(np.floor(max_false_refusals * len(ordered)))
    return float(ordered[allowed]) - 1e-6 if len(ordered) else 0.5


def batchwise_threshold(p_in: np.ndarray, answerable: np.ndarray, groups: np.ndarray,
                        max_false_refusals: float) -> float:
    """The highest threshold that refuses at most this share of every batch's answerable questions: each writer's
    wording, not just the pooled questions, within the false-refusal budget."""
    return min(threshold_for(p_in[answerable & (groups == g)], max_false_refusals) for g in np.unique(groups))


def metrics(searched: list[Searched], p_in: np.ndarray, threshold: float) -> dict:
    """recall@k and MRR over answerable questions; refusals of out-of-scope ones; false refusals."""
    answerable = [(s, p) for s, p in zip(searched, p_in) if s.question.answerable]
    oos = [(s, p) for s, p in zip(searched, p_in) if not s.question.answerable]
    ranks = [gold_rank(s) for s, _ in answerable]
    n = max(len(answerable), 1)
    return {
        "answerable": len(answerable), "out_of_scope": len(oos),
        "recall@1": round(sum(r is not None and r <= 1 for r in ranks) / n, 4),
        "recall@3": round(sum(r is not None and r <= 3 for r in ranks) / n, 4),
        "recall@5": round(sum(r is not None and r <= 5 for r in ranks) / n, 4),
        "mrr": round(sum(1 / r for r in ranks if r) / n, 4),
        "false_refusals": round(sum(p < threshold for _, p in answerable) / n, 4),
        "out_of_scope_refused": round(sum(p < threshold for _, p in oos) / max(len(oos), 1), 4),
    }


def _unseen(questions: list[Question], *others: list[Question]) -> tuple[list[Question], list[str]]:
    """The questions none of ``others`` asks in the same words (writers given one brief sometimes write the same
    short question), and the ids dropped."""
    asked = {letters_only(q.question) for group in others for q in group}
    return [q for q in questions if letters_only(q.question) not in asked], [
        q.id for q in questions if letters_only(q.question) in asked]


@dataclass
class QuestionData:
    """The three splits, each unseen by the ones after it: validation is never asked in training or calibration,
    calibration never in training."""

    files: dict[str, list[Path]]
    train: list[Question]
    calibration: list[Question]
    validation: list[Question]
    dropped: dict[str, list[str]]

    @classmethod
    def load(cls, data_dir: Path, paragraph_ids: set[str]) -> "QuestionData":
        files = {split: split_files("questions", split, data_dir) for split in ("train", "calibration", "validation")}
        validation = load_questions(files["validation"])
        train, dropped_train = _unseen(load_questions(files["train"]), validation)
        calibration, dropped_cal = _unseen(load_questions(files["calibration"]), validation, train)
        unknown = {pid for q in train + calibration + validation for pid in q.paragraphs} - paragraph_ids
        if unknown:
            raise ValueError(f"Questions cite paragraphs the corpus does not have: {sorted(unknown)[:5]}")
        return cls(files, train, calibration, validation, {
            "train_dropped_as_identical_to_validation": dropped_train,
            "calibration_dropped_as_identical_to_train_or_validation": dropped_cal})


def train_retrieval(settings: Settings, out_dir: Path, *, config: RetrievalConfig | None = None,
                    data_dir: Path = DATASETS_DIR, echo=print) -> dict:
    """Train the adapter on the training batches, then calibrate and validate (writes every artefact)."""
    config = config or RetrievalConfig()
    started = time.time()
    kb = KnowledgeBase.from_settings(settings)
    para_text = {p.id: embedding_text(p) for p in kb.paragraphs}
    data = QuestionData.load(data_dir, set(para_text))
    echo(f"Adapter on {len(data.train)} training questions…")
    encoder = fit_adapter(kb.model_dir, data.train, para_text, config, echo)
    encoder.save(Path(out_dir))
    return calibrate_and_validate(settings, out_dir, config=config, data_dir=data_dir, started=started, echo=echo)


def calibrate_and_validate(settings: Settings, out_dir: Path, *, config: RetrievalConfig | None = None,
                           data_dir: Path = DATASETS_DIR, started: float | None = None, echo=print) -> dict:
    """With the adapter in ``out_dir``: write the question bank, choose the fusion weights and fit the abstention
    classifier on the calibration batches, score the validation batches once, write provenance.json
    (``--recalibrate`` runs only this)."""
    from assistant.answering.abstention import Abstention
    from assistant.knowledge.embedder import Adapter, NumpyEmbedder

    config = config or RetrievalConfig()
    started = started or time.time()
    out_dir = Path(out_dir)
    kb = KnowledgeBase.from_settings(settings)
    data = QuestionData.load(data_dir, {p.id for p in kb.paragraphs})
    # Everything below runs through the shipped NumPy path (the adapter merged into the base weights).
    shipped = NumpyEmbedder(kb.model_dir, sha256="", adapter=Adapter(out_dir))
    question_bank(data.train, shipped.encode).save(out_dir)
    bank = QuestionBank.load(out_dir)  # as shipped (float16)
    paragraph_vectors = shipped.encode([embedding_text(p) for p in kb.paragraphs])

    echo(f"Calibrating on {len(data.calibration)} questions from {', '.join(f.stem for f in data.files['calibration'])}…")
    calibration_vectors = shipped.encode([q.question for q in data.calibration])
    searched = {w: search_all(retriever_with(kb, shipped.encode, w, paragraph_vectors, bank), calibration_vectors,
                              data.calibration) for w in config.fusion_grid}
    fusion = {str(w): {k: v for k, v in metrics(rows, np.ones(len(rows)), 0.0).items() if "refus" not in k}
              for w, rows in searched.items()}
    weights = max(config.fusion_grid, key=lambda w: (fusion[str(w)]["recall@3"], fusion[str(w)]["mrr"]))
    abstention, selection = choose_abstention(searched[weights], config)
    (out_dir / "abstention.json").write_text(json.dumps(abstention) + "\n")
    (out_dir / SEARCH_FILE).write_text(json.dumps({"rrf_k": RRF_K, "weights": dict(zip(
        ("dense", "keyword", "bank"), weights))}) + "\n")

    echo(f"Validating on {len(data.validation)} questions…")
    val_searched = search_all(retriever_with(kb, shipped.encode, weights, paragraph_vectors, bank),
                              shipped.encode([q.question for q in data.validation]), data.validation)
    model = Abstention.load(out_dir)
    p_val = np.array([model.probability(s.features, s.vector) for s in val_searched])
    base = NumpyEmbedder(kb.model_dir, sha256="")
    base_searched = search_all(retriever_with(kb, base.encode, (1.0, 1.0, 0.0)),
                               base.encode([q.question for q in data.validation]), data.validation)
    files = data.files
    provenance = {
        "artefact": "retrieval LoRA adapter + question bank + fusion weights + abstention classifier",
        "base_model": {"path_name": kb.model_dir.name, "sha256": settings.model_sha256},
        "data": {**{split: [f.name for f in fs] for split, fs in files.items()},
                 **{f"{split}_sha256": digest(fs) for split, fs in files.items()},
                 "train_questions": len(data.train), "calibration_questions": len(data.calibration),
                 "validation_questions": len(data.validation), **data.dropped},
        "config": asdict(config),
        "threshold_rule": f"highest threshold refusing <= {MAX_FALSE_REFUSALS:.0%} of each calibration batch's "
                          "answerable questions, each batch scored by the shipped adapter and bank and by an "
                          "abstention classifier fitted without that batch",
        "question_bank": {"questions": len(bank.ids), "out_of_scope": sum(not p for p in bank.paragraphs)},
        "fusion_calibration": {"chosen": dict(zip(("dense", "keyword", "bank"), weights)), "trials": fusion},
        "abstention_calibration": selection,
        "validation": metrics(val_searched, p_val, model.threshold),
        "validation_base_model_equal_fusion_search_only": {
            k: v for k, v in metrics(base_searched, np.ones(len(base_searched)), 0.0).items()
            if k.startswith(("recall", "mrr"))},
        "reproduce": "assistant train retrieval",
        "seconds": round(time.time() - started),
    }
    (out_dir / "provenance.json").write_text(json.dumps(provenance, indent=2) + "\n")
    return provenance
