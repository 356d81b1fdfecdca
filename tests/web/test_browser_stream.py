"""The ask page streams an LLM-written answer in real headless Chromium, checked sentences
only, then opens the full answer; a hostile model behind a real HTTP server writes it.

Reuses the server and browser fixtures of ``test_browser.py`` (skipped with it when
Chromium or Playwright is missing). Every sentence the page shows is reported to the test
through a Playwright binding, so nothing shown in passing escapes the check; the bytes on
the wire are checked in ``tests/llm/test_stream.py``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.llm.server import Reply, line, serve
from tests.web.helpers import QUESTION
from tests.web.test_browser import (  # noqa: F401 - fixtures used by name
    Watched,
    base_url,
    browser,
    visitor,
)

pytestmark = pytest.mark.browser

# Written for this test; no lamp has these figures.
INVENTED = "Reading lamps of 9000 lux are recommended for every reader."
OFF_QUOTE = "all readers need a lamp of nine thousand lux"
REPORT = """
new MutationObserver(function (changes) {
  changes.forEach(function (change) {
    change.addedNodes.forEach(function (node) {
      if (node.nodeType === 1 && node.matches("li.sentence")) {
        window.reportSentence(node.className, node.textContent);
      }
    });
  });
}).observe(document, { childList: true, subtree: true });
"""


def _first_sentence(text: str) -> str:
    return re.split(r"(?<=\.)\s", " ".join(text.split()), maxsplit=1)[0]


def honest_then_invented(passages: dict[int, str], prompt: str) -> Reply:
    first = _first_sentence(passages[1])
    return Reply(
        "\n".join(
            [
                line(first, 1, first),
                line(INVENTED, 1, first),
                line(INVENTED, 1, OFF_QUOTE),
                line(first, 42, first),
            ]
        ),
        delay=0.3,
    )


@pytest.fixture
def llm_server(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Any]:
    with serve(honest_then_invented) as (url, state):
        monkeypatch.setenv("CURBSIDE_CONFIG", str(tmp_path / "absent.toml"))
        monkeypatch.setenv("CURBSIDE_LLM_BASE_URL", url)
        monkeypatch.setenv("CURBSIDE_LLM_MODEL", "hostile-test-model")
        yield state


def test_the_page_streams_checked_sentences_then_opens_the_answer(
    visitor: Watched,  # noqa: F811
    llm_server: Any,
) -> None:
    page = visitor.page
    seen: list[tuple[str, str]] = []
    page.expose_function("reportSentence", lambda cls, text: seen.append((cls, text)))
    page.add_init_script(REPORT)
    bodies: list[str] = []
    page.on(
        "response", lambda r: bodies.append(r.text()) if r.url.endswith("/ask/stream") else None
    )
    page.goto("/")
    assert page.locator("input[name=generator][value=llm]").count() == 1
    assert "hostile-test-model" in page.locator("fieldset.generator").inner_text()
    page.fill("#question", QUESTION)
    page.check("input[name=generator][value=llm]")
    page.click("form.ask button[type=submit]")
    page.wait_for_url("**/threads/**")
    assert llm_server.requests and llm_server.requests[0]["stream"] is True
    assert seen, "no sentence was shown while streaming"
    assert all("drafted" in cls for cls, _ in seen)
    assert [text for _, text in seen] == [seen[0][1]]  # the one honest sentence
    assert INVENTED not in page.content()
    assert page.locator("article.turn").count() == 1
    assert visitor.problems == []


def test_without_a_configured_model_the_page_offers_no_choice(visitor: Watched) -> None:  # noqa: F811
    page = visitor.page
    page.goto("/")
    assert page.locator("input[name=generator]").count() == 0
