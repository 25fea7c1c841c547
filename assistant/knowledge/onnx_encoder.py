"""The sentence encoder on onnxruntime: the packaged MiniLM, with a trained LoRA adapter merged in, exported once
(by ``assistant index build``) as an ONNX graph and run for every query and draft afterwards.

The graph is written here from the same NumPy weights :class:`NumpyEmbedder` reads — BERT, mean pooling over the
attention mask and L2 normalisation — so no torch is needed to export it and the two give the same vectors (a test
checks both against sentence-transformers, cosine >= 0.9999). onnxruntime fuses the attention and GELU and runs
about three times faster than the NumPy forward pass.

Exported files are cached by the identity of the base weights and the adapter: a new adapter or model gets a new
file, and a missing file only means the slower NumPy path until the next build.

The post checker's encoder is exported with its matrix weights quantised to 8 bits (onnxruntime's dynamic
quantisation, per output channel): it reads every sentence of every draft, and this makes it 1.5-1.8 times faster on
a CPU. Its thresholds are calibrated on the quantised encoder's scores (``assistant train checker``), so that is the
model the product runs; the vectors stay within cosine ~0.99 of the full-precision ones.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

import numpy as np

from assistant.knowledge.embedder import WEIGHTS_FILE, Adapter, batches_by_length, load_tokenizer

OPSET = 17
GRAPH_VERSION = "1"  # bump when the exported graph changes, so cached files are re-exported


def cache_path(cache_dir: Path, model_id: str, *, int8: bool = False) -> Path:
    """Where the exported encoder for this model identity (full precision, or quantised to 8 bits) lives."""
    quantised = "|int8:per-channel-matmul" if int8 else ""
    key = hashlib.sha256(f"{model_id}|graph:{GRAPH_VERSION}|opset:{OPSET}{quantised}".encode()).hexdigest()[:20]
    return Path(cache_dir) / f"encoder-{key}.onnx"


def build_graph(weights: dict[str, np.ndarray], config: dict):
    """An ONNX model: (input_ids, attention_mask) -> L2-normalised mean-pooled embeddings. ``weights`` are the
    BERT weights as stored by sentence-transformers (dense layers out x in), adapter already merged."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    heads = int(config["num_attention_heads"])
    layers = int(config["num_hidden_layers"])
    eps = float(config.get("layer_norm_eps", 1e-12))
    hidden = int(weights["embeddings.word_embeddings.weight"].shape[1])
    head_dim = hidden // heads
    nodes, inits = [], []

    def const(name: str, value) -> str:
        inits.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def node(op: str, inputs: list[str], out: str, **attrs) -> str:
        nodes.append(helper.make_node(op, inputs, [out], name=out, **attrs))
        return out

    def dense(x: str, prefix: str, out: str) -> str:
        w = const(prefix + ".weight", np.ascontiguousarray(weights[prefix + ".weight"].T.astype(np.float32)))
        b = const(prefix + ".bias", weights[prefix + ".bias"].astype(np.float32))
        return node("Add", [node("MatMul", [x, w], out + ".mm"), b], out)

    def layer_norm(x: str, prefix: str, out: str) -> str:
        return node("LayerNormalization", [x, const(prefix + ".weight", weights[prefix + ".weight"]),
                                           const(prefix + ".bias", weights[prefix + ".bias"])], out,
                    axis=-1, epsilon=eps)

    # Embeddings: word + position + token type 0 (folded into the position table), then LayerNorm.
    positions = (weights["embeddings.position_embeddings.weight"]
                 + weights["embeddings.token_type_embeddings.weight"][0]).astype(np.float32)
    const("word_embeddings", weights["embeddings.word_embeddings.weight"].astype(np.float32))
    const("position_embeddings", positions)
    const("zero", np.array(0, dtype=np.int64))
    const("one", np.array(1, dtype=np.int64))
    const("axis1", np.array([1], dtype=np.int64))
    const("axis2", np.array([2], dtype=np.int64))
    const("axes12", np.array([1, 2], dtype=np.int64))
    length = node("Gather", [node("Shape", ["input_ids"], "ids_shape"), "one"], "length", axis=0)
    pos_ids = node("Range", ["zero", length, "one"], "position_ids")
    x = node("Add", [node("Gather", ["word_embeddings", "input_ids"], "words", axis=0),
                     node("Gather", ["position_embeddings", pos_ids], "positions", axis=0)], "embedded")
    x = layer_norm(x, "embeddings.LayerNorm", "x0")
    mask = node("Cast", ["attention_mask"], "mask", to=TensorProto.FLOAT)
    inverted = node("Sub", [const("f_one", np.array(1.0, np.float32)), mask], "mask_inverted")
    bias = node("Unsqueeze", [node("Mul", [inverted, const("neg_big", np.array(-1e9, np.float32))], "mask_bias2"),
                              "axes12"], "mask_bias")
    split_shape = const("split_shape", np.array([0, 0, heads, head_dim], dtype=np.int64))
    merge_shape = const("merge_shape", np.array([0, 0, hidden], dtype=np.int64))
    scale = const("scale", np.array(1.0 / np.sqrt(head_dim), np.float32))
    half, root2 = const("half", np.array(0.5, np.float32)), const("root2", np.array(np.sqrt(2.0), np.float32))
    for i in range(layers):
        p = f"encoder.layer.{i}."

        def heads_of(name: str, perm: list[int], _p: str = p, _x: str = x, _i: int = i) -> str:
            projected = dense(_x, _p + f"attention.self.{name}", f"l{_i}.{name}")
            return node("Transpose", [node("Reshape", [projected, split_shape], f"l{_i}.{name}.split")],
                        f"l{_i}.{name}.heads", perm=perm)

        q, k, v = heads_of("query", [0, 2, 1, 3]), heads_of("key", [0, 2, 3, 1]), heads_of("value", [0, 2, 1, 3])
        scores = node("Add", [node("Mul", [node("MatMul", [q, k], f"l{i}.qk"), scale], f"l{i}.scaled"), bias],
                      f"l{i}.scores")
        probs = node("Softmax", [scores], f"l{i}.probs", axis=-1)
        context = node("Reshape", [node("Transpose", [node("MatMul", [probs, v], f"l{i}.ctx")], f"l{i}.ctx.t",
                                        perm=[0, 2, 1, 3]), merge_shape], f"l{i}.context")
        attended = node("Add", [dense(context, p + "attention.output.dense", f"l{i}.attn_out"), x], f"l{i}.res1")
        x = layer_norm(attended, p + "attention.output.LayerNorm", f"l{i}.x1")
        inner = dense(x, p + "intermediate.dense", f"l{i}.inner")
        erf = node("Erf", [node("Div", [inner, root2], f"l{i}.inner_scaled")], f"l{i}.erf")
        gelu = node("Mul", [node("Mul", [inner, half], f"l{i}.half"),
                            node("Add", [erf, "f_one"], f"l{i}.erf1")], f"l{i}.gelu")
        out = node("Add", [dense(gelu, p + "output.dense", f"l{i}.out"), x], f"l{i}.res2")
        x = layer_norm(out, p + "output.LayerNorm", f"l{i}.x2")
    # Mean pooling over real tokens, then unit length.
    mask3 = node("Unsqueeze", [mask, "axis2"], "mask3")
    summed = node("ReduceSum", [node("Mul", [x, mask3], "masked"), "axis1"], "summed", keepdims=0)
    count = node("Max", [node("ReduceSum", [mask3, "axis1"], "count_raw", keepdims=0),
                         const("tiny", np.array(1e-9, np.float32))], "count")
    pooled = node("Div", [summed, count], "pooled")
    norm = node("Max", [node("ReduceL2", [pooled], "norm_raw", axes=[1], keepdims=1),
                        const("tiny_norm", np.array(1e-12, np.float32))], "norm")
    node("Div", [pooled, norm], "embeddings")
    graph = helper.make_graph(
        nodes, "sentence_encoder",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "length"]),
         helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "length"])],
        [helper.make_tensor_value_info("embeddings", TensorProto.FLOAT, ["batch", hidden])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="assistant")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def export(model_dir: Path, adapter: Adapter | None, path: Path, *, int8: bool = False) -> Path:
    """Write the encoder (base weights with the adapter merged; with ``int8``, its matrix weights quantised to 8 bits
    per output channel) to ``path`` atomically; return the path."""
    import onnx
    from safetensors.numpy import load_file

    config = json.loads((Path(model_dir) / "config.json").read_text())
    weights = load_file(str(Path(model_dir) / WEIGHTS_FILE))
    if adapter is not None:
        adapter.merge_into(weights)
    model = build_graph(weights, config)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".onnx.tmp")
    os.close(fd)
    full = tmp + ".fp32"
    try:
        onnx.save(model, full if int8 else tmp)
        if int8:
            from onnxruntime.quantization import QuantType, quantize_dynamic

            quantize_dynamic(full, tmp, op_types_to_quantize=["MatMul"], per_channel=True,
                             weight_type=QuantType.QInt8)
        os.chmod(tmp, 0o644)  # model weights, not personal data: readable by the service's user
        os.replace(tmp, path)
    finally:
        for leftover in (tmp, full):
            if os.path.exists(leftover):
                os.unlink(leftover)
    return path


class OnnxEmbedder:
    """An :class:`assistant.knowledge.embedder.Embedder` running an exported encoder on onnxruntime."""

    def __init__(self, path: Path, model_dir: Path, *, model_id: str, max_length: int | None = None) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.tokenizer, self.max_length = load_tokenizer(Path(model_dir), max_length)
        self.dims = int(self.session.get_outputs()[0].shape[1])
        self.model_id = model_id

    def encode(self, texts: list[str], *, progress: bool = False, batch_size: int = 2) -> np.ndarray:
        """Embed texts, batched by similar length. Small batches measured fastest on 2 cores: the work is in the
        tokens, and a draft's windows differ in length, so bigger batches mostly add padding."""
        out = np.zeros((len(texts), self.dims), dtype=np.float32)
        for rows, ids, mask in batches_by_length(self.tokenizer, texts, batch_size):
            out[rows] = self.session.run(["embeddings"], {"input_ids": ids, "attention_mask": mask})[0]
        return out
