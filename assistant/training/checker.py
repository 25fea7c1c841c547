"""`assistant train checker`: the post classifier (LoRA adapter + multi-label head) from written drafts.

1. The classifier is trained on the training batches.
2. The calibration batches (other writers, never trained on) are scored by the shipped classifier exactly as the
   product scores a draft (best window per category). Two thresholds per category come from those scores: a
   *flag* threshold (the category's own severity), set so that in every calibration batch at most
   ``clean_flag_rate`` of clean drafts get any flag, from the classifier or the rules (the same false-alarm budget
   share for every category), and a lower *advice* threshold maximising F-beta (beta 2) that gives a low-severity
   "worth a second look" which never changes the verdict. (Thresholds chosen on cross-fitted classifiers trained
   on half the data were too high for the final one, which is more confident: it flagged 1.9% of validation's
   clean drafts against a 5% budget and found fewer risks than it could.)
3. The validation batches are scored once, at the end, the same way (onnxruntime, 8-bit weights).
"""

from __future__ import annotations

import json
import random
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from assistant.checking.classifier import EMBEDDING_SCALE, HEAD_FILE, Head, window_texts, windows
from assistant.checking.models import CATEGORIES
from assistant.checking.normalise import normalise
from assistant.checking.text import sentences
from assistant.config import Settings
from assistant.training.data import DATASETS_DIR, Draft, digest, load_drafts, split_files


REAL_POSTS = "checkpost/real_posts.jsonl"  # real councillors' posts quoted in decisions and the press, with sources
REAL_POSTS_TRAIN = "checkpost/real_posts_train.jsonl"  # more such posts, from other sources: a training batch


@dataclass(frozen=True)
class CheckerConfig:
    """Everything that decides the trained artefacts (recorded in provenance.json)."""

    epochs: int = 2
    batch_size: int = 32
    learning_rate: float = 3e-4
    head_learning_rate: float = 3e-3
    lora_r: int = 8
    lora_alpha: int = 16
    lora_dropout: float = 0.05
    max_length: int = 96
    clean_sentences_per_draft: int = 2  # sentences of clean drafts added as clean examples (windows are scored)
    f_beta: float = 2.0
    clean_flag_rate: float = 0.05  # at most this share of each calibration batch's clean drafts flagged
    seed: int = 7


def label_matrix(drafts: list[Draft]) -> np.ndarray:
    """drafts x categories, 1 where the category is labelled."""
    return np.array([[c in d.labels for c in CATEGORIES] for d in drafts], dtype=np.float32)


def training_examples(drafts: list[Draft], config: CheckerConfig, rng: random.Random) -> list[tuple[str, tuple]]:
    """Whole drafts with their labels, plus a few single sentences of clean drafts (clean too)."""
    out = [(normalise(d.text), d.labels) for d in drafts]
    for d in drafts:
        if d.labels:
            continue
        sents = [d.text[s.start : s.end] for s in sentences(d.text)]
        if len(sents) > 1:
            out += [(normalise(s), ()) for s in rng.sample(sents, min(len(sents), config.clean_sentences_per_draft))]
    return out


def length_batches(lengths: list[int], size: int, rng: random.Random) -> list[list[int]]:
    """Shuffled batches of similar length (less padding on a CPU): sort within shuffled pools of 8 batches."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    batches = []
    for start in range(0, len(order), size * 8):
        pool = sorted(order[start : start + size * 8], key=lambda i: lengths[i])
        batches += [pool[i : i + size] for i in range(0, len(pool), size)]
    rng.shuffle(batches)
    return batches


def fit_classifier(model_dir: Path, drafts: list[Draft], config: CheckerConfig, echo=None):
    """Train the adapter and head with binary cross-entropy (positives weighted by their rarity)."""
    import torch

    from assistant.training.encoder import LoraEncoder, seed_everything

    seed_everything(config.seed)
    rng = random.Random(config.seed)
    encoder = LoraEncoder(model_dir, r=config.lora_r, alpha=config.lora_alpha, dropout=config.lora_dropout,
                          max_length=config.max_length)
    head = torch.nn.Linear(encoder.model.config.hidden_size, len(CATEGORIES))
    examples = training_examples(drafts, config, rng)
    y_all = torch.tensor([[c in labels for c in CATEGORIES] for _, labels in examples], dtype=torch.float32)
    pos = y_all.sum(0)
    pos_weight = ((len(examples) - pos) / pos.clamp(min=1)).clamp(max=20.0)
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=pos_weight)
    optimiser = torch.optim.AdamW([{"params": encoder.parameters(), "lr": config.learning_rate},
                                   {"params": head.parameters(), "lr": config.head_learning_rate}])
    for epoch in range(config.epochs):
        for idx in length_batches([len(t) for t, _ in examples], config.batch_size, rng):
            logits = head(EMBEDDING_SCALE * encoder([examples[i][0] for i in idx]))
            loss = loss_fn(logits, y_all[idx])
            loss.backward()
            optimiser.step()
            optimiser.zero_grad()
        if echo:
            echo(f"  epoch {epoch + 1}/{config.epochs}: last batch loss {float(loss.detach()):.3f}")
    return encoder, head


def best_window_scores(drafts: list[Draft], encode, head: Head) -> np.ndarray:
    """drafts x categories: each category's best window probability, as the product computes it."""
    spans = [windows(d.text) for d in drafts]
    texts = [t for d, s in zip(drafts, spans) for t in window_texts(d.text, s)]
    probs = head.probabilities(encode(texts))
    out, at = np.zeros((len(drafts), len(CATEGORIES)), dtype=np.float32), 0
    for i, s in enumerate(spans):
        out[i] = probs[at : at + len(s)].max(0) if s else 0.0
        at += len(s)
    return out


def calibrate(scores: np.ndarray, labels: np.ndarray, beta: float) -> np.ndarray:
    """Per category, the threshold with the best F-beta on these (calibration) scores."""
    thresholds = np.full(len(CATEGORIES), 0.5, dtype=np.float32)
    for j in range(len(CATEGORIES)):
        best = -1.0
        for t in np.unique(np.concatenate([scores[:, j], [0.5]])):
            pred = scores[:, j] >= t
            tp = float((pred & (labels[:, j] > 0)).sum())
            precision = tp / max(pred.sum(), 1)
            recall = tp / max(labels[:, j].sum(), 1)
            f = (1 + beta**2) * precision * recall / max(beta**2 * precision + recall, 1e-9)
            if f > best:
                best, thresholds[j] = f, t
    return thresholds


def flag_thresholds(scores: np.ndarray, labels: np.ndarray, rate: float, groups: np.ndarray,
                    already: np.ndarray | None = None) -> np.ndarray:
    """Per category, the (1 - e) quantile of its scores on clean drafts, with one e for all categories chosen as
    the largest for which, in every batch, at most ``rate`` of clean drafts are flagged — by the classifier or
    by the rules and recognisers (``already``), as the product flags them. Every writer, not just the pooled
    drafts, is held to the budget: a new writer's drafts are the product's daily input."""
    clean = labels.sum(1) == 0
    already = np.zeros(len(labels), dtype=bool) if already is None else already

    def at(e: float) -> np.ndarray:
        return np.quantile(scores[clean], 1.0 - e, axis=0) + 1e-6

    def within(e: float) -> bool:
        flagged = (scores >= at(e)).any(1) | already
        return max(clean_flagged_by_batch(flagged, clean, groups).values()) <= rate

    lo, hi = 0.0, rate
    for _ in range(40):
        mid = (lo + hi) / 2
        if within(mid):
            lo = mid
        else:
            hi = mid
    return at(lo).astype(np.float32)


def clean_flagged_by_batch(flagged: np.ndarray, clean: np.ndarray, groups: np.ndarray) -> dict[str, float]:
    """Per batch, the share of its clean drafts that are flagged."""
    return {str(g): float(flagged[clean & (groups == g)].mean()) for g in np.unique(groups)}


def flagging_rules(drafts: list[Draft]) -> list[set]:
    """Per draft, the rules (and recognisers behind them) that flag it at medium or high severity."""
    from assistant.checking.catalogue import load_catalogue
    from assistant.checking.engine import run_rules
    from assistant.checking.text import scan_text

    catalogue = load_catalogue()
    out = []
    for d in drafts:
        scan = scan_text(d.text)
        hits = run_rules(catalogue, scan, sentences(scan))
        out.append({h.rule for h in hits if h.rule.severity in ("medium", "high")})
    return out


def rule_flags(drafts: list[Draft]) -> np.ndarray:
    """Drafts the deterministic detectors (rules and recognisers) flag at medium or high severity."""
    return np.array([bool(rules) for rules in flagging_rules(drafts)], dtype=bool)


def rule_hits(drafts: list[Draft]) -> dict[str, dict[str, int]]:
    """Per rule, the drafts it flags at medium or high severity: labelled with its category, other risky, clean."""
    from assistant.checking.catalogue import load_catalogue

    counts = {r.id: {"labelled": 0, "other_risky": 0, "clean": 0} for r in load_catalogue().rules}
    for d, rules in zip(drafts, flagging_rules(drafts)):
        for rule in rules:
            counts[rule.id]["labelled" if rule.category in d.labels else "other_risky" if d.labels else "clean"] += 1
    return counts


def report(scores: np.ndarray, labels: np.ndarray, thresholds: np.ndarray,
           advice: np.ndarray | None = None) -> dict:
    """Per-category recall and precision, macro recall, and the share of clean drafts with any finding."""
    pred = scores >= (advice if advice is not None else thresholds)  # any finding, advice included
    flagged = scores >= thresholds
    per = {}
    for j, c in enumerate(CATEGORIES):
        positives = labels[:, j] > 0
        per[c] = {"n": int(positives.sum()),
                  "recall_any": round(float((pred[:, j] & positives).sum() / max(positives.sum(), 1)), 4),
                  "recall_flagged": round(float((flagged[:, j] & positives).sum() / max(positives.sum(), 1)), 4),
                  "precision_flagged": round(float((flagged[:, j] & positives).sum() / max(flagged[:, j].sum(), 1)),
                                             4)}
    clean = labels.sum(1) == 0
    return {"drafts": int(len(labels)), "clean": int(clean.sum()),
            "macro_recall_any": round(float(np.mean([v["recall_any"] for v in per.values()])), 4),
            "macro_recall_flagged": round(float(np.mean([v["recall_flagged"] for v in per.values()])), 4),
            "clean_flagged_rate": round(float(flagged[clean].any(1).mean()) if clean.any() else 0.0, 4),
            "clean_any_finding_rate": round(float(pred[clean].any(1).mean()) if clean.any() else 0.0, 4),
            "per_category": per}


def _head_of(head, thresholds) -> Head:
    return Head(head.weight.detach().numpy().copy(), head.bias.detach().numpy().copy(),
                np.asarray(thresholds, dtype=np.float32), CATEGORIES)


def train_checker(settings: Settings, out_dir: Path, *, config: CheckerConfig | None = None,
                  data_dir: Path = DATASETS_DIR, echo=print) -> dict:
    """Train the adapter and head on the training batches, then calibrate and validate (writes every artefact)."""
    from assistant.knowledge.embedder import verify_model

    config = config or CheckerConfig()
    started = time.time()
    model_dir = verify_model(settings.resolved_model_path, settings.model_sha256)
    train = load_drafts(split_files("checkpost", "train", data_dir))  # nothing else is read before the end
    echo(f"Classifier on {len(train)} training drafts…")
    encoder, head = fit_classifier(model_dir, train, config, echo)
    out_dir = Path(out_dir)
    encoder.save(out_dir)
    final = _head_of(head, [0.5] * len(CATEGORIES))
    (out_dir / HEAD_FILE).write_text(json.dumps({
        "categories": list(CATEGORIES), "embedding_scale": EMBEDDING_SCALE,
        "weight": final.weight.tolist(), "bias": final.bias.tolist(),
    }) + "\n")
    return calibrate_and_validate(settings, out_dir, config=config, data_dir=data_dir, started=started, echo=echo)


def calibrate_and_validate(settings: Settings, out_dir: Path, *, config: CheckerConfig | None = None,
                           data_dir: Path = DATASETS_DIR, started: float | None = None, echo=print) -> dict:
    """With the adapter and head in ``out_dir``: choose both thresholds on the calibration batches, write them into
    head.json, score the validation batches once, write provenance.json (``--recalibrate`` runs only this)."""
    import tempfile

    from assistant.knowledge.embedder import Adapter, verify_model
    from assistant.knowledge.onnx_encoder import OnnxEmbedder, export

    config = config or CheckerConfig()
    started = started or time.time()
    out_dir = Path(out_dir)
    model_dir = verify_model(settings.resolved_model_path, settings.model_sha256)
    files = {split: split_files("checkpost", split, data_dir) for split in ("train", "calibration", "validation")}
    calibration, validation = load_drafts(files["calibration"]), load_drafts(files["validation"])
    head = Head.load(out_dir)  # its weights score the drafts; the thresholds it is loaded with are replaced below
    with tempfile.TemporaryDirectory(prefix="checker-encoder-") as workdir:  # the session keeps the model in memory
        # The encoder exactly as the product runs it: the adapter merged, exported for onnxruntime with 8-bit weights.
        shipped = OnnxEmbedder(export(model_dir, Adapter(out_dir), Path(workdir) / "encoder.onnx", int8=True),
                               model_dir, model_id="checker")
    echo(f"Calibrating on {len(calibration)} drafts from {', '.join(f.stem for f in files['calibration'])}…")
    cal_scores, y_cal = best_window_scores(calibration, shipped.encode, head), label_matrix(calibration)
    groups, by_rules = np.array([d.batch for d in calibration]), rule_flags(calibration)
    flags = flag_thresholds(cal_scores, y_cal, config.clean_flag_rate, groups, by_rules)
    advice = np.minimum(calibrate(cal_scores, y_cal, config.f_beta), flags)
    head_data = json.loads((out_dir / HEAD_FILE).read_text())
    head_data["thresholds"] = {c: float(t) for c, t in zip(CATEGORIES, flags)}
    head_data["advice_thresholds"] = {c: float(t) for c, t in zip(CATEGORIES, advice)}
    (out_dir / HEAD_FILE).write_text(json.dumps(head_data) + "\n")

    echo(f"Validating on {len(validation)} drafts…")
    real_file = Path(data_dir) / REAL_POSTS
    real = load_drafts([real_file]) if real_file.is_file() else []  # a further validation set, never trained on
    val_scores = best_window_scores(validation, shipped.encode, head)
    clean = y_cal.sum(1) == 0
    by_batch = clean_flagged_by_batch((cal_scores >= flags).any(1) | by_rules, clean, groups)
    by_batch_rules = clean_flagged_by_batch(by_rules, clean, groups)
    provenance = {
        "artefact": "post-checker LoRA adapter + multi-label head + per-category thresholds",
        "base_model": {"path_name": model_dir.name, "sha256": settings.model_sha256},
        "data": {**{split: [f.name for f in fs] for split, fs in files.items()},
                 **{f"{split}_sha256": digest(fs) for split, fs in files.items()},
                 **({"real_posts_sha256": digest([real_file])} if real else {}),
                 "calibration_drafts": len(calibration), "validation_drafts": len(validation)},
        "config": asdict(config),
        "scored_with": "onnxruntime, the adapter merged and the weights quantised to 8 bits, as the product runs it",
        "threshold_rule": (f"flag: one clean-draft quantile for every category, at most {config.clean_flag_rate:.0%} "
                           "of each calibration batch's clean drafts flagged by the classifier or the rules; advice: "
                           f"best F{config.f_beta:g}; both on the shipped classifier's scores of the calibration "
                           "batches, which it was not trained on"),
        "calibration_fitted_on": report(cal_scores, y_cal, flags, advice),
        "calibration_clean_flagged_by_batch": {
            g: {"classifier_or_rules": round(rate, 4), "rules_alone": round(by_batch_rules[g], 4)}
            for g, rate in by_batch.items()},
        "validation_classifier_alone": report(val_scores, label_matrix(validation), flags, advice),
        **({"validation_real_posts_classifier_alone": report(
            best_window_scores(real, shipped.encode, head), label_matrix(real), flags, advice)}
           if real else {}),
        "reproduce": "assistant train checker",
        "seconds": round(time.time() - started),
    }
    (out_dir / "provenance.json").write_text(json.dumps(provenance, indent=2) + "\n")
    return provenance
