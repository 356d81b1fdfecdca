"""Web load benchmark: concurrent askers, readers and reviewers against a real server.

``run_load_benchmark`` copies the library (so the benchmark's article, threads and
accounts never touch the original), adds three benchmark reviewer accounts to the copy,
starts ``curbside serve`` in a child process on a free loopback port, publishes one
article, then drives three phases with N concurrent httpx clients, each bounded by a
request count and a time limit:

* ``ask``: ``POST /api/ask`` over a rotating set of questions;
* ``article``: ``GET /articles/{id}`` as an anonymous reader;
* ``ask+review``: N askers while two reviewers loop over the same article (start a
  review, approve it as the other reviewer, save a new version), racing each other.

It reports requests/s and p50/p95/p99 latency per kind of request, 503s (admission
control; a client waits ``Retry-After`` and tries again), conflicts (409, expected when
two reviewers race) and errors. After the review phase it checks that no edit was lost:
every successful review action is in the audit log and every successful edit is a stored
version. The client runs in this process and the server in its own (they do not share a
GIL).
"""

from __future__ import annotations

import asyncio
import math
import os
import platform
import secrets
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import httpx

from curbside.review.workflow import CHECKLIST

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


#: Benchmark reviewer accounts added to the library copy (the publisher and two reviewers).
BENCH_USERS = ("bench-author", "bench-rev-a", "bench-rev-b")


@dataclass
class PhaseResult:
    """Latencies of one kind of request in a phase (milliseconds) and what went wrong."""

    name: str
    clients: int
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    #: 503 answers (admission control), each followed by a retry after Retry-After.
    shed: int = 0
    #: 409 answers (a reviewer acted on an outdated revision; nothing was applied).
    conflicts: int = 0

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
    #: The no-lost-edit check after the review phase ("" when it did not run).
    review_check: str = ""

    def as_markdown(self) -> str:
        """A table for docs/benchmarks.md."""
        lines = [
            f"Web load: {self.clients} concurrent clients, {self.workers} server worker(s), "
            f"{self.sources} sources; {platform.python_implementation()} "
            f"{platform.python_version()}, {os.cpu_count()} CPUs",
            "",
            "| requests | clients | ok | errors | 503 | 409 | requests/s | p50 ms | p95 ms |"
            " p99 ms | max ms |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for p in self.phases:
            lines.append(
                f"| {p.name} | {p.clients} | {p.requests} | {len(p.errors)} | {p.shed} |"
                f" {p.conflicts} | {p.rate:.1f} | {p.percentile(50):.0f} |"
                f" {p.percentile(95):.0f} | {p.percentile(99):.0f} | {p.percentile(100):.0f} |"
            )
        if self.review_check:
            lines.append(f"\nreview integrity: {self.review_check}")
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


def start_server(library: Path, *options: str) -> tuple[str, subprocess.Popen[bytes]]:
    """``curbside serve`` on a free loopback port for ``library``; its base URL and process.

    The caller waits with :func:`wait_until_up` and stops the process.
    """
    port = free_port()
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
        str(library),
        *options,
        "--quiet",
    ]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return f"http://127.0.0.1:{port}", server


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


def add_bench_users(library: Path) -> str:
    """Add the benchmark's reviewer accounts to ``library``; returns their password."""
    from curbside.review.accounts import add_user
    from curbside.store import Library

    password = secrets.token_urlsafe(18)
    lib = Library.open(library)
    try:
        for name in BENCH_USERS:
            add_user(lib, name, password, "reviewer", actor="bench")
    finally:
        lib.close()
    return password


def sign_in(client: httpx.Client, username: str, password: str) -> str:
    """Sign ``client`` in through the API; returns the session's CSRF token."""
    token = client.get("/api/session").json()["csrf_token"]
    r = client.post(
        "/api/login",
        json={"username": username, "password": password},
        headers={"X-CSRF-Token": token},
    )
    r.raise_for_status()
    return str(r.json()["csrf_token"])


def prepare_article(base_url: str, question: str, password: str) -> str:
    """Ask one question in a new thread, publish it as the benchmark author, return its id."""
    with httpx.Client(base_url=base_url, timeout=60.0) as client:
        headers = {"X-CSRF-Token": sign_in(client, BENCH_USERS[0], password)}
        answer = client.post(
            "/api/ask", json={"question": question, "new_thread": True}, headers=headers
        ).json()
        if answer.get("abstained"):
            raise RuntimeError(f"the library does not answer {question!r}; pick another question")
        made = client.post(
            "/api/articles", json={"thread_id": answer["thread_id"], "turn": 1}, headers=headers
        )
        made.raise_for_status()
        return str(made.json()["id"])


def approve_once(base_url: str, article_id: str, password: str) -> None:
    """Take the article through review to approval, so anonymous readers can see it."""
    with (
        httpx.Client(base_url=base_url, timeout=60.0) as a,
        httpx.Client(base_url=base_url, timeout=60.0) as b,
    ):
        ta, tb = sign_in(a, BENCH_USERS[1], password), sign_in(b, BENCH_USERS[2], password)
        state = a.get(f"/api/articles/{article_id}").json()
        state = a.post(
            f"/api/articles/{article_id}/transition",
            json={"action": "start_review", "lock_version": state["lock_version"]},
            headers={"X-CSRF-Token": ta},
        ).json()
        b.post(
            f"/api/articles/{article_id}/transition",
            json={
                "action": "approve",
                "lock_version": state["lock_version"],
                "checklist": list(CHECKLIST),
            },
            headers={"X-CSRF-Token": tb},
        ).raise_for_status()


async def _send(
    result: PhaseResult, call: Callable[[], Awaitable[httpx.Response]], deadline: float
) -> httpx.Response | None:
    """One request, retried after Retry-After on 503; latency of the successful try."""
    while True:
        started = time.perf_counter()
        try:
            response = await call()
        except httpx.HTTPError as err:
            result.errors.append(f"{result.name}: {type(err).__name__}: {err}")
            return None
        if response.status_code == 503:
            result.shed += 1
            if time.monotonic() >= deadline:
                return None  # shed at the end of the phase: not retried, not an error
            await asyncio.sleep(float(response.headers.get("retry-after", "1")))
            continue
        if response.status_code == 409:
            result.conflicts += 1
            return response
        if response.status_code >= 400:
            result.errors.append(
                f"{result.name}: HTTP {response.status_code} {response.text[:120]}"
            )
            return None
        result.latencies_ms.append((time.perf_counter() - started) * 1000)
        return response


async def _asker(
    result: PhaseResult,
    client: httpx.AsyncClient,
    index: int,
    questions: Sequence[str],
    budget: dict[str, int],
    deadline: float,
) -> None:
    token = (await client.get("/api/session")).json()["csrf_token"]
    turn = index
    while budget["left"] > 0 and time.monotonic() < deadline:
        budget["left"] -= 1
        question = questions[turn % len(questions)]
        turn += result.clients
        ask = partial(
            client.post, "/api/ask", json={"question": question}, headers={"X-CSRF-Token": token}
        )
        await _send(result, ask, deadline)


async def _reader(
    result: PhaseResult,
    client: httpx.AsyncClient,
    article_path: str,
    budget: dict[str, int],
    deadline: float,
) -> None:
    while budget["left"] > 0 and time.monotonic() < deadline:
        budget["left"] -= 1
        await _send(result, partial(client.get, article_path), deadline)


@dataclass
class ReviewTally:
    """Successful review actions by kind, to compare with the audit log afterwards."""

    done: dict[str, int] = field(default_factory=dict)

    def count(self, action: str) -> None:
        """Record one applied action."""
        self.done[action] = self.done.get(action, 0) + 1


async def _reviewer(
    result: PhaseResult,
    client: httpx.AsyncClient,
    me: str,
    token: str,
    article_id: str,
    tally: ReviewTally,
    deadline: float,
) -> None:
    """Loop: read the article, then take the next step open to this reviewer.

    Approved → save a new version (both reviewers race; the loser gets 409). Submitted →
    the version's author starts the review. Under review → the reviewer who neither wrote
    the version nor started the review approves it (the two-person rule). Otherwise wait.
    """
    url = f"/api/articles/{article_id}"
    headers = {"X-CSRF-Token": token}
    while time.monotonic() < deadline:
        got = await _send(result, partial(client.get, url), deadline)
        if got is None or got.status_code != 200:
            continue
        state = got.json()
        started_by = next(
            (e["actor"] for e in state.get("audit", []) if e["action"] == "start_review"), None
        )
        lock, author = state["lock_version"], state.get("author")
        body: dict[str, object]
        if state["status"] == "approved":
            action, body = "edit", {"lock_version": lock, "note": f"bench edit by {me}"}
        elif state["status"] == "submitted" and author == me:
            action, body = "start_review", {"action": "start_review", "lock_version": lock}
        elif state["status"] == "under_review" and me not in (author, started_by):
            action = "approve"
            body = {"action": "approve", "lock_version": lock, "checklist": list(CHECKLIST)}
        else:
            await asyncio.sleep(0.02)  # the other reviewer's turn
            continue
        target = f"{url}/edit" if action == "edit" else f"{url}/transition"
        done = await _send(
            result, partial(client.post, target, json=body, headers=headers), deadline
        )
        if done is not None and done.status_code == 200:
            tally.count(action)


async def _run_phase(
    base_url: str,
    name: str,
    clients: int,
    max_requests: int,
    seconds: float,
    questions: Sequence[str],
    article_id: str,
    password: str | None = None,
) -> tuple[list[PhaseResult], ReviewTally]:
    """One phase: ``ask``, ``article`` or ``ask+review`` (askers plus two reviewers)."""
    budget = {"left": max_requests}
    main = PhaseResult("article" if name == "article" else "ask", clients)
    review = PhaseResult("review action", 2)
    tally = ReviewTally()
    sessions = [httpx.AsyncClient(base_url=base_url, timeout=120.0) for _ in range(clients)]
    reviewers = [httpx.AsyncClient(base_url=base_url, timeout=120.0) for _ in range(2)]
    tokens: list[str] = []
    if name == "ask+review":
        assert password is not None
        for who, session in zip(BENCH_USERS[1:], reviewers, strict=True):
            tokens.append(
                await asyncio.to_thread(_sign_in_async_client, base_url, session, who, password)
            )
    # The clock starts after signing in: a slow login must not eat the phase.
    deadline = time.monotonic() + seconds
    jobs: list[Awaitable[None]] = []
    for i, session in enumerate(sessions):
        if name == "article":
            jobs.append(_reader(main, session, f"/articles/{article_id}", budget, deadline))
        else:
            jobs.append(_asker(main, session, i, questions, budget, deadline))
    for who, session, token in zip(BENCH_USERS[1:], reviewers, tokens, strict=False):
        jobs.append(_reviewer(review, session, who, token, article_id, tally, deadline))
    began = time.perf_counter()
    try:
        await asyncio.gather(*jobs)
    finally:
        for s in [*sessions, *reviewers]:
            await s.aclose()
    elapsed = time.perf_counter() - began
    main.seconds = review.seconds = elapsed
    if name == "ask+review":
        main.name = "ask (with reviewers)"
        return [main, review], tally
    return [main], tally


def _sign_in_async_client(
    base_url: str, session: httpx.AsyncClient, username: str, password: str
) -> str:
    """Sign in with a blocking client and hand its cookies to ``session``."""
    with httpx.Client(base_url=base_url, timeout=60.0) as client:
        token = sign_in(client, username, password)
        session.cookies = httpx.Cookies(client.cookies)
    return token


def review_record(library: Path, article_id: str) -> tuple[dict[str, int], int]:
    """The benchmark reviewers' actions in the audit log, by kind, and the version count."""
    from curbside.review import audit, workflow
    from curbside.store import Library

    lib = Library.open(library)
    try:
        entries = audit.entries(lib.conn, article_id, limit=1_000_000)
        article = workflow.get(lib, article_id)
    finally:
        lib.close()
    if article is None:
        raise RuntimeError(f"article {article_id} is gone")
    logged: dict[str, int] = {}
    for e in entries:
        if e.actor in BENCH_USERS[1:]:
            logged[e.action] = logged.get(e.action, 0) + 1
    return logged, article.current_version


def check_review_integrity(
    library: Path,
    article_id: str,
    tally: ReviewTally,
    before: tuple[dict[str, int], int] = ({}, 1),
) -> str:
    """Compare successful review actions with the audit log and stored versions.

    ``before``: :func:`review_record` taken when the phase started. Returns a one-line
    verdict; raises ``RuntimeError`` when an applied action is missing (a lost edit) or an
    action that was refused was recorded anyway.
    """
    logged, versions = review_record(library, article_id)
    added = {k: v - before[0].get(k, 0) for k, v in logged.items() if v - before[0].get(k, 0)}
    if added != tally.done:
        raise RuntimeError(f"review actions applied {tally.done} but the audit log has {added}")
    if versions - before[1] != tally.done.get("edit", 0):
        raise RuntimeError(
            f"{tally.done.get('edit', 0)} edits succeeded but {versions - before[1]}"
            " versions were stored"
        )
    summary = ", ".join(f"{k} {v}" for k, v in sorted(tally.done.items())) or "none"
    return f"{summary}; every one in the audit log, {versions} versions stored"


def drain(base_url: str, question: str) -> None:
    """Wait until the server has answered what earlier phases left in its ask queue.

    A phase's clients stop at its deadline, but questions already admitted are still
    answered; one more question, answered in turn after them, marks the end of that tail.
    """
    with httpx.Client(base_url=base_url, timeout=600.0) as client:
        token = client.get("/api/session").json()["csrf_token"]
        while True:
            r = client.post(
                "/api/ask", json={"question": question}, headers={"X-CSRF-Token": token}
            )
            if r.status_code != 503:
                return
            time.sleep(float(r.headers.get("retry-after", "1")))


def drive(
    base_url: str,
    *,
    password: str,
    clients: int = 8,
    max_requests: int = 400,
    seconds: float = 20.0,
    questions: Sequence[str] = DEFAULT_QUESTIONS,
    review: bool = True,
    library: Path | None = None,
) -> tuple[list[PhaseResult], str]:
    """Run the ask, article and (with ``review``) ask+review phases against a running server.

    ``library``: the served file, to check after the review phase that no edit was lost.
    """
    article_id = prepare_article(base_url, questions[0], password)
    approve_once(base_url, article_id, password)
    # prepare_article asked once, so the engine is warm; warm the article page too.
    httpx.get(f"{base_url}/articles/{article_id}", timeout=60.0)
    phases: list[PhaseResult] = []
    for name in ("ask", "article"):
        drain(base_url, questions[0])
        got, _ = asyncio.run(
            _run_phase(base_url, name, clients, max_requests, seconds, questions, article_id)
        )
        phases += got
    verdict = ""
    if review:
        drain(base_url, questions[0])
        before = review_record(library, article_id) if library is not None else ({}, 1)
        got, tally = asyncio.run(
            _run_phase(
                base_url,
                "ask+review",
                clients,
                max_requests,
                seconds,
                questions,
                article_id,
                password,
            )
        )
        phases += got
        if library is not None:
            verdict = check_review_integrity(library, article_id, tally, before)
    return phases, verdict


def run_load_benchmark(
    library: Path,
    *,
    clients: int = 8,
    max_requests: int = 400,
    seconds: float = 20.0,
    workers: int = 1,
    questions: Sequence[str] = DEFAULT_QUESTIONS,
    review: bool = True,
    review_seconds: float | None = None,
) -> LoadReport:
    """Copy ``library``, serve the copy on loopback, drive it, and stop the server.

    ``review_seconds``: length of the ask+review phase (default: ``seconds``).
    """
    if not library.is_file():
        raise FileNotFoundError(f"no library at {library}; run `curbside ingest` first")
    with tempfile.TemporaryDirectory(prefix="curbside-load-") as tmp:
        copy = Path(tmp) / "library.db"
        copy_library(library, copy)
        password = add_bench_users(copy)
        sources = int(sqlite3.connect(copy).execute("SELECT count(*) FROM sources").fetchone()[0])
        base_url, server = start_server(copy, "--workers", str(workers))
        try:
            wait_until_up(base_url)
            phases, verdict = drive(
                base_url,
                password=password,
                clients=clients,
                max_requests=max_requests,
                seconds=seconds,
                questions=questions,
                review=review,
                library=copy,
            )
            if review and review_seconds and review_seconds != seconds:
                # A long mixed phase on its own (the 5-minute soak), after the short ones.
                article_id = prepare_article(base_url, questions[0], password)
                approve_once(base_url, article_id, password)
                drain(base_url, questions[0])
                before = review_record(copy, article_id)
                got, tally = asyncio.run(
                    _run_phase(
                        base_url,
                        "ask+review",
                        clients,
                        10**9,
                        review_seconds,
                        questions,
                        article_id,
                        password,
                    )
                )
                phases += got
                verdict = check_review_integrity(copy, article_id, tally, before)
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    return LoadReport(phases, clients, workers, sources, verdict)
