"""Embedding reports its progress, so `ingest` and `reindex` can draw a bar instead of
running silent. A stand-in encoder keeps the test independent of the model weights."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

import curbside.retrieve as retrieve
from curbside.embed.minilm import HIDDEN
from curbside.index import vectors
from curbside.ingest.prepare import store_document
from curbside.models import Document, Section
from curbside.retrieve import Retriever
from curbside.store import Library


class _Encoder:
    """Deterministic unit vectors; enough to exercise the embedding loop."""

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), HIDDEN), dtype=np.float32)
        out[:, 0] = 1.0
        return out


def test_sync_reports_embedding_progress(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(retrieve, "dense_status", lambda: None)
    monkeypatch.setattr(retrieve, "get_encoder", _Encoder)
    monkeypatch.setattr(vectors, "_EMBED_BATCH", 2)
    with Library.open(tmp_path / "library.db") as lib:
        for i in range(5):
            doc = Document(
                title=f"Invented note {i}",
                sections=(Section("Body", f"Placeholder sentence number {i} about teapots."),),
                format="text",
                external_id=f"doc:note-{i}",
                tier="research",
            )
            store_document(lib, doc, origin="tests/retrieve/test_progress.py")
        calls: list[tuple[int, int]] = []
        report = Retriever(lib, dense=True).sync(lambda done, total: calls.append((done, total)))
        assert report.embedded == 5
        assert calls == [(2, 5), (4, 5), (5, 5)]
        calls.clear()
        Retriever(lib, dense=True).sync(lambda done, total: calls.append((done, total)))
        assert calls == []  # nothing left to embed, nothing reported
