"""An adversarial OpenAI-compatible server for tests: a real HTTP server in a thread.

Its ``script`` decides each reply from the request's prompt, so a test can play a model
that fabricates doses, cites passages it was not shown, misquotes, returns broken JSON,
refuses, stalls or fails — everything verification and the fallbacks must absorb.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

#: A passage as the prompt shows it: number and text.
PASSAGE = re.compile(r"\[(\d+)\] \([^\n]*\)\n<<<(.*?)>>>", re.DOTALL)


@dataclass
class Reply:
    """What the server does with one request."""

    content: str = ""
    status: int = 200
    delay: float = 0.0
    raw: bytes | None = None  # sent as the body instead of a chat completion


@dataclass
class Scripted:
    """Server state: the script, and what it was asked."""

    script: Callable[[dict[int, str], str], Reply]
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)


def passages_of(prompt: str) -> dict[int, str]:
    """Passage number → passage text, parsed from the user message."""
    return {int(n): text for n, text in PASSAGE.findall(prompt)}


def line(text: str, passage: int, quote: str) -> str:
    """One JSON Lines statement as a model would write it."""
    return json.dumps({"text": text, "evidence": [{"passage": passage, "quote": quote}]})


def _handler(state: Scripted) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # quiet
            return

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            state.requests.append(body)
            state.headers.append(dict(self.headers))
            prompt = body["messages"][-1]["content"]
            reply = state.script(passages_of(prompt), prompt)
            if reply.delay:
                time.sleep(reply.delay)
            if reply.raw is not None:
                payload = reply.raw
            elif body.get("stream"):
                chunks = [
                    {"choices": [{"delta": {"content": reply.content[i : i + 7]}}]}
                    for i in range(0, len(reply.content), 7)
                ]
                payload = b"".join(f"data: {json.dumps(c)}\n\n".encode() for c in chunks)
                payload += b"data: [DONE]\n\n"
            else:
                payload = json.dumps(
                    {"choices": [{"message": {"role": "assistant", "content": reply.content}}]}
                ).encode()
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except OSError:
                pass  # the client gave up (a timeout test)

    return Handler


@contextmanager
def serve(script: Callable[[dict[int, str], str], Reply]) -> Iterator[tuple[str, Scripted]]:
    """Run the scripted server on a free local port; yields its base URL and state."""
    state = Scripted(script)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", state
    finally:
        server.shutdown()
        server.server_close()
