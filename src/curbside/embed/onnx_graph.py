"""Build an ONNX graph of the MiniLM encoder from its safetensors weights (no torch).

The graph mirrors :func:`curbside.embed.minilm.numpy_forward` op for op:
embeddings → LayerNorm → six BERT layers → masked mean pooling → L2 norm. Inputs
are ``input_ids`` and ``attention_mask`` (int64, batch × length); token types are
always 0 for single sentences, so that row is folded into a constant. The result
is cached under the user's cache directory, keyed by the weights hash, and
optionally quantised to int8 with onnxruntime's dynamic quantiser.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from curbside.cache import cache_dir
from curbside.embed.minilm import HEADS, HIDDEN, LAYERS, LN_EPS, Weights

OPSET = 17
#: Bumped whenever the graph changes, so stale cached files are never reused.
GRAPH_VERSION = 2


class _Graph:
    """A small helper that names nodes and collects initializers."""

    def __init__(self) -> None:
        from onnx import helper, numpy_helper

        self.helper = helper
        self.numpy_helper = numpy_helper
        self.nodes: list[Any] = []
        self.inits: list[Any] = []
        self.count = 0

    def const(self, name: str, value: np.ndarray[Any, Any]) -> str:
        self.inits.append(self.numpy_helper.from_array(value, name=name))
        return name

    def op(self, op_type: str, inputs: list[str], **attrs: Any) -> str:
        self.count += 1
        out = f"{op_type.lower()}_{self.count}"
        self.nodes.append(self.helper.make_node(op_type, inputs, [out], **attrs))
        return out

    def linear(self, x: str, w: Weights, name: str) -> str:
        weight = self.const(f"{name}.wT", np.ascontiguousarray(w[f"{name}.weight"].T))
        bias = self.const(f"{name}.b", w[f"{name}.bias"])
        return self.op("Add", [self.op("MatMul", [x, weight]), bias])

    def layer_norm(self, x: str, w: Weights, name: str) -> str:
        gamma = self.const(f"{name}.g", w[f"{name}.weight"])
        beta = self.const(f"{name}.beta", w[f"{name}.bias"])
        return self.op("LayerNormalization", [x, gamma, beta], axis=-1, epsilon=LN_EPS)


def build_model(w: Weights) -> Any:
    """Return an ``onnx.ModelProto`` computing normalised sentence embeddings."""
    from onnx import TensorProto, helper

    g = _Graph()
    head = HIDDEN // HEADS
    word = g.const("word_emb", w["embeddings.word_embeddings.weight"])
    pos = g.const("pos_emb", w["embeddings.position_embeddings.weight"])
    token_type = g.const("tt_emb", w["embeddings.token_type_embeddings.weight"][0])
    zero = g.const("zero_i64", np.array([0], dtype=np.int64))
    one_axis = g.const("axis_one", np.array([1], dtype=np.int64))
    length = g.op("Shape", ["input_ids"], start=1, end=2)
    positions = g.op("Slice", [pos, zero, length, zero])
    x = g.op("Add", [g.op("Gather", [word, "input_ids"]), positions])
    x = g.op("Add", [x, token_type])
    x = g.layer_norm(x, w, "embeddings.LayerNorm")

    mask_f = g.op("Cast", ["attention_mask"], to=TensorProto.FLOAT)
    one = g.const("one_f", np.array(1.0, dtype=np.float32))
    big_neg = g.const("neg_f", np.array(-10000.0, dtype=np.float32))
    axes12 = g.const("axes_12", np.array([1, 2], dtype=np.int64))
    attn_bias = g.op("Unsqueeze", [g.op("Mul", [g.op("Sub", [one, mask_f]), big_neg]), axes12])
    split_shape = g.const("split_shape", np.array([0, 0, HEADS, head], dtype=np.int64))
    merge_shape = g.const("merge_shape", np.array([0, 0, HIDDEN], dtype=np.int64))
    scale = g.const("scale", np.array(1.0 / np.sqrt(head), dtype=np.float32))
    half = g.const("half", np.array(0.5, dtype=np.float32))
    rsqrt2 = g.const("rsqrt2", np.array(1.0 / np.sqrt(2.0), dtype=np.float32))

    for i in range(LAYERS):
        p = f"encoder.layer.{i}"
        q = g.op("Reshape", [g.linear(x, w, f"{p}.attention.self.query"), split_shape])
        k = g.op("Reshape", [g.linear(x, w, f"{p}.attention.self.key"), split_shape])
        v = g.op("Reshape", [g.linear(x, w, f"{p}.attention.self.value"), split_shape])
        q = g.op("Transpose", [q], perm=[0, 2, 1, 3])
        k = g.op("Transpose", [k], perm=[0, 2, 3, 1])
        v = g.op("Transpose", [v], perm=[0, 2, 1, 3])
        scores = g.op("Add", [g.op("Mul", [g.op("MatMul", [q, k]), scale]), attn_bias])
        probs = g.op("Softmax", [scores], axis=-1)
        ctx = g.op("Transpose", [g.op("MatMul", [probs, v])], perm=[0, 2, 1, 3])
        ctx = g.op("Reshape", [ctx, merge_shape])
        attn = g.linear(ctx, w, f"{p}.attention.output.dense")
        x = g.layer_norm(g.op("Add", [attn, x]), w, f"{p}.attention.output.LayerNorm")
        inter = g.linear(x, w, f"{p}.intermediate.dense")
        erf = g.op("Erf", [g.op("Mul", [inter, rsqrt2])])
        gelu = g.op("Mul", [g.op("Mul", [inter, half]), g.op("Add", [erf, one])])
        out = g.linear(gelu, w, f"{p}.output.dense")
        x = g.layer_norm(g.op("Add", [out, x]), w, f"{p}.output.LayerNorm")

    mask3 = g.op("Unsqueeze", [mask_f, g.const("axes_2", np.array([2], dtype=np.int64))])
    summed = g.op("ReduceSum", [g.op("Mul", [x, mask3]), one_axis], keepdims=0)
    counts = g.op("ReduceSum", [mask3, one_axis], keepdims=0)
    counts = g.op("Max", [counts, g.const("tiny", np.array(1e-9, dtype=np.float32))])
    pooled = g.op("Div", [summed, counts])
    norm = g.op("ReduceL2", [pooled], axes=[-1])  # opset 17: axes is still an attribute
    norm = g.op("Max", [norm, g.const("tiny_norm", np.array(1e-12, dtype=np.float32))])
    g.nodes.append(helper.make_node("Div", [pooled, norm], ["embedding"]))

    graph = helper.make_graph(
        g.nodes,
        "minilm_l6_sentence",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "length"]),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "length"]),
        ],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", HIDDEN])],
        initializer=g.inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 8
    return model


def cached_model_path(weights_sha: str, weights: Weights | None, *, int8: bool) -> Path:
    """Path of the cached ONNX file for these weights, building it on first use.

    ``weights`` may be ``None`` when the caller expects the file to exist already;
    building writes to a temporary name and renames it so that two processes
    racing to build never read a half-written file.
    """
    folder = cache_dir() / "models"
    stem = f"minilm-l6-{weights_sha[:16]}-g{GRAPH_VERSION}"
    fp32 = folder / f"{stem}-fp32.onnx"
    target = folder / f"{stem}-int8.onnx" if int8 else fp32
    if target.is_file():
        return target
    if weights is None:
        raise FileNotFoundError(target)
    import onnx

    folder.mkdir(parents=True, exist_ok=True)
    pid = os.getpid()
    if not fp32.is_file():
        tmp = fp32.with_suffix(f".{pid}.tmp")
        onnx.save_model(build_model(weights), str(tmp))
        os.replace(tmp, fp32)
    if int8:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        # The quantiser writes scratch files beside its input under fixed names, so two
        # processes building at once (Ray workers on one node) would read each other's
        # half-written scratch: each quantises its own copy in its own folder.
        work = Path(tempfile.mkdtemp(prefix=f".quantise-{pid}-", dir=folder))
        try:
            source, tmp = work / fp32.name, work / target.name
            shutil.copyfile(fp32, source)
            # The quantiser logs advice about pre-processing on the root logger at
            # WARNING; it does not apply to this graph (no shape inference is needed for
            # MatMul-only quantisation), so it is silenced for the duration of the call.
            root = logging.getLogger()
            level = root.level
            root.setLevel(logging.ERROR)
            try:
                # Per-channel weights keep int8 output within cosine ~0.99 of fp32; the
                # per-tensor default drifts to ~0.95 and costs retrieval quality.
                quantize_dynamic(
                    str(source),
                    str(tmp),
                    weight_type=QuantType.QInt8,
                    op_types_to_quantize=["MatMul"],
                    per_channel=True,
                )
            finally:
                root.setLevel(level)
            os.replace(tmp, target)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return target
