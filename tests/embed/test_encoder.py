"""The dense encoder: pinned weights, ONNX graph built without torch, numpy agreement."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from curbside.cache import sha256_file
from curbside.embed import encoder as dense
from curbside.embed import minilm

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec(minilm.PACKAGE) is None, reason="weights package not installed"
)

SENTENCES = [
    "The cat sat on the warm windowsill.",
    "A kitten was resting on the sunny window ledge.",
    "Quarterly revenue figures were published on Monday.",
]


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("model-cache")


def test_installed_weights_match_pinned_hash() -> None:
    files = minilm.locate_model()
    assert sha256_file(files.weights) == minilm.WEIGHTS_SHA256
    minilm.verify(files)  # does not raise


def test_tampered_weights_refused(tmp_path: Path) -> None:
    fake = minilm.ModelFiles(tmp_path / "model.safetensors", tmp_path / "tokenizer.json")
    fake.weights.write_bytes(b"not the model")
    fake.tokenizer.write_bytes(b"{}")
    with pytest.raises(minilm.DenseUnavailable, match="does not match"):
        minilm.verify(fake)


def test_missing_package_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(minilm, "PACKAGE", "no_such_weights_package_here")
    with pytest.raises(minilm.DenseUnavailable, match="not installed"):
        minilm.locate_model()
    assert dense.dense_status() is not None


@pytest.mark.parametrize("backend", ["onnx", "onnx-int8"])
def test_onnx_agrees_with_numpy(
    backend: dense.Backend, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CURBSIDE_CACHE_DIR", str(cache))
    reference = dense.Encoder("numpy").encode(SENTENCES)
    encoder = dense.Encoder(backend)
    assert encoder.backend == backend
    vectors = encoder.encode(SENTENCES)
    cosines = (reference * vectors).sum(axis=1)
    floor = 0.999 if backend == "onnx" else 0.97  # int8 weights trade a little precision
    assert cosines.min() > floor
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert any(p.name.endswith(".onnx") for p in (cache / "models").iterdir())


def test_embeddings_capture_meaning(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CURBSIDE_CACHE_DIR", str(cache))
    v = dense.Encoder("onnx").encode(SENTENCES)
    assert v[0] @ v[1] > v[0] @ v[2] + 0.2
    assert dense.Encoder("onnx").encode([]).shape == (0, minilm.HIDDEN)


def test_get_encoder_is_shared() -> None:
    assert dense.get_encoder() is dense.get_encoder()


def test_verification_is_cached_by_size_and_mtime(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CURBSIDE_CACHE_DIR", str(tmp_path / "cache"))
    files = minilm.ModelFiles(tmp_path / "model.safetensors", tmp_path / "tokenizer.json")
    files.weights.write_bytes(b"placeholder weights")
    files.tokenizer.write_bytes(b"{}")
    monkeypatch.setattr(minilm, "WEIGHTS_SHA256", sha256_file(files.weights))
    monkeypatch.setattr(minilm, "TOKENIZER_SHA256", sha256_file(files.tokenizer))
    hashed: list[Path] = []

    def counting(path: Path) -> str:
        hashed.append(path)
        return sha256_file(path)

    monkeypatch.setattr(minilm, "sha256_file", counting)
    minilm.verify(files)
    assert len(hashed) == 2
    minilm.verify(files)  # unchanged files: no hashing at all
    assert len(hashed) == 2
    files.weights.write_bytes(b"tampered weights!!")  # new size and mtime: hashed, refused
    with pytest.raises(minilm.DenseUnavailable, match="does not match"):
        minilm.verify(files)
    assert len(hashed) == 3


def _build_int8(cache_root: str) -> str:
    """Build the int8 graph in a fresh process whose cache is ``cache_root``."""
    import os

    os.environ["CURBSIDE_CACHE_DIR"] = cache_root
    from curbside.embed.onnx_graph import cached_model_path

    weights = minilm.read_safetensors(minilm.locate_model().weights)
    return str(cached_model_path(minilm.WEIGHTS_SHA256, weights, int8=True))


def test_two_processes_building_the_int8_graph_at_once_both_succeed(tmp_path: Path) -> None:
    # The quantiser writes scratch files under fixed names beside its input; two builds
    # on one node (Ray workers) used to read each other's half-written scratch.
    import multiprocessing

    pytest.importorskip("onnxruntime")
    (tmp_path / "models").mkdir()
    context = multiprocessing.get_context("spawn")
    with context.Pool(2) as pool:
        built = pool.map(_build_int8, [str(tmp_path), str(tmp_path)])
    assert built[0] == built[1] and Path(built[0]).is_file()
    leftovers = [p.name for p in (tmp_path / "models").iterdir() if not p.name.endswith(".onnx")]
    assert leftovers == []
    import onnxruntime

    onnxruntime.InferenceSession(built[0], providers=["CPUExecutionProvider"])
