"""Web load benchmark: concurrent askers and readers against a real server on loopback.

``run_load_benchmark`` copies the library (so the benchmark's article and threads never
touch the original), starts ``curbside serve`` in a child process on a free loopback
port, publishes one article, then drives two phases with N concurrent httpx clients,
each bounded by a request count and a time limit: ``POST /api/ask`` over a rotating set
of questions, and ``GET /articles/{id}``. It reports requests/s and latency percentiles.
The client runs in this process and the server in its own, so they do not share a GIL.
"""

from __future__ import annotations

import asyncio
import math
import os
import platform
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

#: Questions the bundled library speaks to; a benchmark file may replace them.
DEFAULT_QUESTIONS: tuple[str, ...] = (
    "What is the purpose of transarterial chemoembolization for neuroendocrine liver metastases?",
    "What is the recommended dose of lanreotide for gastroenteropancreatic neuroendocrine tumors?",
    "How does hepatic resection compare with embolization for neuroendocrine liver metastases?",
    "What are the adverse reactions of everolimus?",
    "What is the best approach for a metastatic pancreatic neuroendocrine tumor with liver metastases?",
    "How does octreotide LAR affect time to progression in midgut neuroendocrine tumors?",
    "What is peptide receptor radionuclide therapy with lutetium Lu 177 dotatate?",
    "What monitoring is needed during sunitinib treatment?",
    "When is radioembolization used for liver metastases?",
    "What is carcinoid syndrome and how is it treated?",
    "What are the risks of post-embolization syndrome?",
    "Which patients benefit from surgery for small bowel neuroendocrine tumors?",
)


@dataclass
class PhaseResult:
    """Latencies of one phase (milliseconds) and what went wrong."""

    name: str
    clients: int
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def requests(self) -> int:
        """Successful requests."""
        return len(self.latencies_ms)

    @property
    def rate(self) -> float:
        """Successful requests per second of wall time."""
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        """The ``q``-th percentile latency (nearest rank), 0 when nothing succeeded."""
        if not self.latencies_ms:
            return 0.0
        ordered = sorted(self.latencies_ms)
        rank = max(0, min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1))
        return ordered[rank]


@dataclass
class LoadReport:
    """The benchmark's outcome."""

    phases: list[PhaseResult]
    clients: int
    workers: int
    sources: int

    def as_markdown(self) -> str:
        """A table for docs/benchmarks.md."""
        lines = [
            f"Web load: {self.clients} concurrent clients, {self.workers} server worker(s), "
            f"{self.sources} sources; {platform.python_implementation()} "
            f"{platform.python_version()}, {os.cpu_count()} CPUs",
            "",
            "| endpoint | requests | errors | requests/s | p50 ms | p95 ms | max ms |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for p in self.phases:
            lines.append(
                f"| {p.name} | {p.requests} | {len(p.errors)} | {p.rate:.1f} | "
                f"{p.percentile(50):.0f} | {p.percentile(95):.0f} | {p.percentile(100):.0f} |"
            )
        errors = [e for p in self.phases for e in p.errors][:5]
        lines.extend(f"\nerror: {e}" for e in errors)
        return "\n".join(lines)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def copy_library(source: Path, target: Path) -> None:
    """A consistent copy of a live SQLite library (the backup API, not a file copy)."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


def wait_until_up(base_url: str, timeout: float = 90.0) -> None:
    """Poll the server until it answers, or raise ``RuntimeError``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(base_url + "/api/session", timeout=2.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server at {base_url} did not start within {timeout:.0f} s")


def prepare_article(base_url: str, question: str) -> str:
    """Ask one question in a new thread, publish it, and return the article's path."""
    with httpx.Client(base_url=base_url, timeout=60.0) as client:
        token = client.get("/api/session").json()["csrf_token"]
        headers = {"X-CSRF-Token": token}
        answer = client.post(
            "/api/ask", json={"question": question, "new_thread": True}, headers=headers
        ).json()
        if answer.get("abstained"):
            raise RuntimeError(f"the library does not answer {question!r}; pick another question")
        made = client.post(
            "/api/articles", json={"thread_id": answer["thread_id"], "turn": 1}, headers=headers
        )
        made.raise_for_status()
        return str(made.json()["url"])


async def _phase(
    base_url: str,
    name: str,
    clients: int,
    max_requests: int,
    seconds: float,
    questions: Sequence[str],
    article_path: str,
) -> PhaseResult:
    result = PhaseResult(name, clients)
    budget = {"left": max_requests}
    deadline = time.monotonic() + seconds

    async def worker(index: int, client: httpx.AsyncClient) -> None:
        token = (await client.get("/api/session")).json()["csrf_token"]
        turn = index
        while budget["left"] > 0 and time.monotonic() < deadline:
            budget["left"] -= 1
            started = time.perf_counter()
            try:
                if name == "ask":
                    question = questions[turn % len(questions)]
                    turn += clients
                    response = await client.post(
                        "/api/ask", json={"question": question}, headers={"X-CSRF-Token": token}
                    )
                else:
                    response = await client.get(article_path)
                response.raise_for_status()
            except httpx.HTTPError as err:
                result.errors.append(f"{name}: {err}")
                continue
            result.latencies_ms.append((time.perf_counter() - started) * 1000)

    began = time.perf_counter()
    # One client (connection and cookie jar) per simulated user, each with its own CSRF token.
    sessions = [httpx.AsyncClient(base_url=base_url, timeout=60.0) for _ in range(clients)]
    try:
        await asyncio.gather(*(worker(i, s) for i, s in enumerate(sessions)))
    finally:
        for s in sessions:
            await s.aclose()
    result.seconds = time.perf_counter() - began
    return result


def drive(
    base_url: str,
    *,
    clients: int = 8,
    max_requests: int = 400,
    seconds: float = 20.0,
    questions: Sequence[str] = DEFAULT_QUESTIONS,
    article_path: str | None = None,
) -> list[PhaseResult]:
    """Run the ask phase and the article-page phase against a running server."""
    article = article_path or prepare_article(base_url, questions[0])
    # prepare_article asked once, so the engine is warm; warm the article page too.
    httpx.get(base_url + article, timeout=60.0)
    return [
        asyncio.run(_phase(base_url, "ask", clients, max_requests, seconds, questions, article)),
        asyncio.run(
            _phase(base_url, "article", clients, max_requests, seconds, questions, article)
        ),
    ]


def run_load_benchmark(
    library: Path,
    *,
    clients: int = 8,
    max_requests: int = 400,
    seconds: float = 20.0,
    workers: int = 1,
    questions: Sequence[str] = DEFAULT_QUESTIONS,
) -> LoadReport:
    """Copy ``library``, serve the copy on loopback, drive it, and stop the server."""
    if not library.is_file():
        raise FileNotFoundError(f"no library at {library}; run `curbside ingest` first")
    with tempfile.TemporaryDirectory(prefix="curbside-load-") as tmp:
        copy = Path(tmp) / "library.db"
        copy_library(library, copy)
        sources = int(sqlite3.connect(copy).execute("SELECT count(*) FROM sources").fetchone()[0])
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        command = [
            sys.executable,
            "-m",
            "curbside",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--library",
            str(copy),
            "--workers",
            str(workers),
            "--quiet",
        ]
        server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            wait_until_up(base_url)
            phases = drive(
                base_url,
                clients=clients,
                max_requests=max_requests,
                seconds=seconds,
                questions=questions,
            )
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    return LoadReport(phases, clients, workers, sources)
