"""A small client for ``POST /v1/chat/completions`` on an OpenAI-compatible server.

Plain httpx: a timeout on every request, retries with exponential backoff on connection
errors, timeouts, 429 and 5xx, and server-sent-event streaming. A ``response_format`` (a JSON
schema for constrained decoding) is sent when given; a server that rejects the request
because of it (400 or 422) raises :class:`FormatRejected` and is not sent one again, so
the caller can ask once more with a prompt written for free text. Every failure becomes a
:class:`~curbside.answer.base.GenerationError` with one line that never contains the API
key (it travels only in the ``Authorization`` header).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from typing import Any

import httpx

from curbside.answer.base import GenerationError
from curbside.llm.config import LLMConfig

Message = dict[str, str]
#: Status codes worth another try: the server is busy or briefly broken.
RETRY_STATUS = frozenset({408, 429, 500, 502, 503, 504})
#: Status codes with which a server may refuse a ``response_format`` it does not know.
REJECTED_FORMAT_STATUS = frozenset({400, 422})
Format = dict[str, Any]
#: First backoff in seconds; doubled after each failed try.
BACKOFF = 0.5


class FormatRejected(GenerationError):
    """The server refused the ``response_format``; ask again without one."""


class ChatClient:
    """Chat completions against ``config.base_url`` (``…/v1`` is appended when missing)."""

    def __init__(self, config: LLMConfig, transport: httpx.BaseTransport | None = None) -> None:
        self.config = config
        base = config.base_url.rstrip("/")
        self.url = base + ("/chat/completions" if base.endswith("/v1") else "/v1/chat/completions")
        headers = {"Content-Type": "application/json"}
        if config.api_key:
            headers["Authorization"] = f"Bearer {config.api_key}"
        self._client = httpx.Client(
            headers=headers, timeout=httpx.Timeout(config.timeout), transport=transport
        )
        #: False once the server has rejected a ``response_format``.
        self.accepts_format = True

    def close(self) -> None:
        """Release the connection pool."""
        self._client.close()

    def _body(
        self, messages: Sequence[Message], stream: bool, response_format: Format | None
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.config.model,
            "messages": list(messages),
            "temperature": 0,
            "max_tokens": self.config.max_tokens,
            "stream": stream,
        }
        if response_format is not None and self.accepts_format:
            body["response_format"] = response_format
        return body

    def _send(
        self, messages: Sequence[Message], stream: bool, response_format: Format | None = None
    ) -> httpx.Response:
        """The first good response, after up to ``retries`` further tries."""
        delay = BACKOFF
        last = "no attempt made"
        for attempt in range(self.config.retries + 1):
            if attempt:
                time.sleep(delay)
                delay *= 2
            body = self._body(messages, stream, response_format)
            try:
                request = self._client.build_request("POST", self.url, json=body)
                response = self._client.send(request, stream=stream)
            except httpx.TimeoutException:
                last = f"timed out after {self.config.timeout:g} s"
                continue
            except httpx.HTTPError as err:
                last = f"cannot reach {self.config.base_url} ({type(err).__name__})"
                continue
            if "response_format" in body and response.status_code in REJECTED_FORMAT_STATUS:
                # Not every OpenAI-compatible server knows this response_format; the caller
                # asks again unconstrained (its prompt then describes the format instead).
                response.close()
                self.accepts_format = False
                raise FormatRejected(f"server answered HTTP {response.status_code}")
            if response.status_code in RETRY_STATUS:
                last = f"server answered HTTP {response.status_code}"
                response.close()
                continue
            if response.status_code >= 400:
                response.close()
                raise GenerationError(f"server answered HTTP {response.status_code}")
            return response
        raise GenerationError(last)

    def complete(self, messages: Sequence[Message], response_format: Format | None = None) -> str:
        """The assistant's whole reply (constrained to ``response_format`` where accepted)."""
        response = self._send(messages, False, response_format)
        try:
            data = response.json()
            content = data["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError) as err:
            raise GenerationError("malformed response from the LLM server") from err
        except httpx.HTTPError as err:
            raise GenerationError(f"connection lost ({type(err).__name__})") from err
        if not isinstance(content, str):
            raise GenerationError("malformed response from the LLM server")
        return content

    def stream(
        self, messages: Sequence[Message], response_format: Format | None = None
    ) -> Iterator[str]:
        """The reply as it arrives, piece by piece (server-sent events)."""
        response = self._send(messages, True, response_format)
        try:
            for line in response.iter_lines():
                if not line.startswith("data:"):
                    continue
                payload = line[5:].strip()
                if payload == "[DONE]":
                    break
                try:
                    delta = json.loads(payload)["choices"][0].get("delta", {}).get("content")
                except (ValueError, KeyError, IndexError, TypeError, AttributeError) as err:
                    raise GenerationError("malformed stream from the LLM server") from err
                if isinstance(delta, str) and delta:
                    yield delta
        except httpx.TimeoutException as err:
            raise GenerationError(f"timed out after {self.config.timeout:g} s") from err
        except httpx.HTTPError as err:
            raise GenerationError(f"connection lost ({type(err).__name__})") from err
        finally:
            response.close()
