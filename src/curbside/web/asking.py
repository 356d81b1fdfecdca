"""Answering questions for the web app: a bounded pool with admission control.

Asking is CPU-bound and slow next to every other request, so it runs on a few dedicated
threads (:data:`ASK_THREADS`), never on the server's shared request threads: reviewer
actions and page views keep their own pool and stay fast while questions queue. At most
:data:`ASK_QUEUE` questions wait for a thread; one more is refused at once with
:class:`Overloaded` (HTTP 503 with ``Retry-After``) rather than left to time out.

Each ask worker has its own library connection and engine, so no lock is held around
asking. Workers are threads (``mode="thread"``, the default for embedded use and tests) or
child processes (``mode="process"``, what ``curbside serve`` uses): answering is CPU-bound
Python, and in a child process it neither holds the web process's GIL nor competes at the
same CPU priority (children run at a lower one, :data:`ASK_NICENESS`), so page views and
reviewer actions stay fast while questions queue. More throughput comes from more server
processes (``curbside serve --workers N``), each with its own pool.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import multiprocessing
import os
import queue
import threading
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from curbside.answer import generators, threads
from curbside.models import AUDIENCES, AskRequest, Statement
from curbside.store import Library

#: Threads answering questions in one server process.
ASK_THREADS = 2
#: Questions allowed to wait for an ask thread before new ones are refused.
ASK_QUEUE = 32
#: Seconds a refused client is told to wait before trying again.
RETRY_AFTER_SECONDS = 2
#: How much lower the CPU priority of ask processes is than the web process's.
ASK_NICENESS = 5


class Overloaded(Exception):
    """Every ask thread is busy and the waiting line is full."""

    def __init__(self, retry_after: int) -> None:
        super().__init__("the server is answering as many questions as it can; try again shortly")
        self.retry_after = retry_after


#: What warming up asks each worker (any question builds the engine and its indexes).
WARM_QUESTION = "What does the library say about treatment?"


@dataclass
class _Worker:
    """One ask thread's engine and the library connection it reads through."""

    lib: Library
    engine: Any
    seq: int


def web_request(
    question: str, audience: str, thread_id: str | None = None, generator: str = "extractive"
) -> AskRequest:
    """The :class:`AskRequest` for a question the web app took (``audience`` checked)."""
    if audience not in AUDIENCES:
        raise ValueError(f"unknown audience {audience!r}")
    return AskRequest(question, audience=audience, thread_id=thread_id, generator=generator)


def ask_and_record(
    engine: Any, lib: Library, request: AskRequest, *, events: Any = None
) -> dict[str, Any]:
    """Answer ``request`` with ``engine`` and record the turn when it is in a thread.

    The engine is re-entrant and writes nothing: it reads the thread's earlier questions
    itself, and the turn (with the question as the engine resolved it) is recorded here.
    ``events``, when given, is a queue (anything with ``put``) that receives each drafted
    sentence verification kept, as :func:`sentence_event` dicts, while the answer is made.
    """
    if events is not None:
        with generators.streaming(lambda statement: events.put(sentence_event(statement))):
            return ask_and_record(engine, lib, request)
    answer, trace = engine.ask_traced(request)
    data = answer.to_dict()
    if request.thread_id:
        threads.add_turn(
            lib.conn, request.thread_id, request.question, trace.resolved_query, json.dumps(data)
        )
    return dict(data)


def sentence_event(statement: Statement) -> dict[str, Any]:
    """A verified sentence as the streaming page shows it: its words and its quotes."""
    return {
        "text": statement.text,
        "quotes": [{"source_id": c.source_id, "quote": c.quote} for c in statement.citations],
    }


class AskPool:
    """A few ask threads, each with its own engine, behind a bounded waiting line."""

    def __init__(
        self,
        library_path: Path,
        engine_factory: Any,
        *,
        workers: int = ASK_THREADS,
        queue: int = ASK_QUEUE,
        mode: str = "thread",
    ) -> None:
        self.library_path = library_path
        self.engine_factory = engine_factory
        self.workers = max(1, workers)
        self.queue = max(0, queue)
        self.mode = mode
        self._executor: Executor
        if mode == "process":
            # Spawned, not forked: the web process has threads and open connections.
            self._executor = ProcessPoolExecutor(
                self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_ask_process,
                initargs=(library_path, engine_factory),
            )
        elif mode == "thread":
            self._executor = ThreadPoolExecutor(self.workers, thread_name_prefix="curbside-ask")
        else:
            raise ValueError(f"ask pool mode must be thread or process, not {mode!r}")
        self._admission = threading.BoundedSemaphore(self.workers + self.queue)
        self._local = threading.local()
        self._opened: list[Library] = []
        self._opened_lock = threading.Lock()
        self._manager: Any = None

    def submit(self, request: AskRequest, *, events: Any = None) -> Future[dict[str, Any]]:
        """Queue a question; raises :class:`Overloaded` at once when the line is full.

        ``events``: a queue for verified sentences as they are drafted (see
        :func:`ask_and_record`); in process mode it must be a manager's queue proxy.
        """
        if not self._admission.acquire(blocking=False):
            raise Overloaded(RETRY_AFTER_SECONDS)
        try:
            work = _answer_in_process if self.mode == "process" else self._answer
            future = self._executor.submit(work, request, events)
        except BaseException:
            self._admission.release()
            raise
        future.add_done_callback(lambda _: self._admission.release())
        return future

    def ask(self, request: AskRequest) -> dict[str, Any]:
        """Answer on an ask thread and wait for it (for code running on a request thread)."""
        return self.submit(request).result()

    async def ask_async(self, request: AskRequest) -> dict[str, Any]:
        """Answer on an ask thread without holding a request thread while waiting."""
        return await asyncio.wrap_future(self.submit(request))

    def warm(self) -> None:
        """Build every ask worker's engine and answer one question on each."""
        if self.mode == "process":
            warmups = [
                self._executor.submit(_answer_in_process, AskRequest(WARM_QUESTION))
                for _ in range(self.workers)
            ]
            for future in warmups:
                future.result()
            return
        gate = threading.Barrier(self.workers, timeout=120)

        def build() -> None:
            self._answer(AskRequest(WARM_QUESTION))
            # Hold this thread, so the next warm-up lands on another one.
            with contextlib.suppress(threading.BrokenBarrierError):
                gate.wait()

        for started in [self._executor.submit(build) for _ in range(self.workers)]:
            started.result()

    def _worker(self) -> _Worker:
        """This thread's engine, rebuilt when the library changed since it was made."""
        worker: _Worker | None = getattr(self._local, "worker", None)
        if worker is None:
            lib = Library.open(self.library_path)
            with self._opened_lock:
                self._opened.append(lib)
            worker = _Worker(lib, None, -1)
            self._local.worker = worker
        return _fresh(worker, self.engine_factory)

    def _answer(self, request: AskRequest, events: Any = None) -> dict[str, Any]:
        worker = self._worker()
        return ask_and_record(worker.engine, worker.lib, request, events=events)

    def event_queue(self) -> Any:
        """A queue that :meth:`submit`'s ``events`` can reach in this pool's workers."""
        if self.mode != "process":
            return queue.Queue()
        with self._opened_lock:
            if self._manager is None:
                # Spawned, like the ask processes; started only when a page first streams.
                self._manager = multiprocessing.get_context("spawn").Manager()
            return self._manager.Queue()

    def close(self) -> None:
        """Finish queued questions, stop the threads and close their connections."""
        self._executor.shutdown(wait=True, cancel_futures=True)
        with self._opened_lock:
            for lib in self._opened:
                lib.close()
            self._opened.clear()
            if self._manager is not None:
                self._manager.shutdown()
                self._manager = None


def _fresh(worker: _Worker, engine_factory: Any) -> _Worker:
    """``worker`` with an engine built for the library as it is now."""
    seq = worker.lib.last_change()
    if worker.engine is None or seq != worker.seq:
        # An ingest while serving: a fresh engine picks up the new sources.
        worker.engine = engine_factory(worker.lib)
        worker.seq = seq
    return worker


#: The one worker of an ask process (set by :func:`_start_ask_process`).
_PROCESS: dict[str, Any] = {}


def _start_ask_process(library_path: Path, engine_factory: Any) -> None:
    """Initialise an ask process: lower its CPU priority, remember how to build its engine."""
    with contextlib.suppress(OSError, AttributeError):
        os.nice(ASK_NICENESS)
    _PROCESS["factory"] = engine_factory
    _PROCESS["worker"] = _Worker(Library.open(library_path), None, -1)


def _answer_in_process(request: AskRequest, events: Any = None) -> dict[str, Any]:
    """Answer in an ask process with its own connection and engine."""
    worker = _fresh(_PROCESS["worker"], _PROCESS["factory"])
    return ask_and_record(worker.engine, worker.lib, request, events=events)
