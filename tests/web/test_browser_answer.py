"""The answer's new parts in real headless Chromium: whose words a quote is, the
provenance line, the generated time, and the expander offering the full answer.

Reuses the server and browser fixtures of ``test_browser.py`` (skipped with it when
Chromium or Playwright is missing).
"""

from __future__ import annotations

import re

import pytest

from tests.web.helpers import QUESTION
from tests.web.test_browser import (  # noqa: F401 - fixtures used by name
    Watched,
    _ask,
    base_url,
    browser,
    visitor,
)

pytestmark = pytest.mark.browser

NOTE = re.compile(r"^(Quoted verbatim from|The curbside editors' summary of) .+:$")


def test_popover_says_whose_words_the_quote_is(visitor: Watched) -> None:  # noqa: F811
    page = visitor.page
    _ask(page, QUESTION)
    page.locator("button.cite").first.click()
    popover = page.locator(".pop:popover-open")
    popover.wait_for()
    note = popover.locator(".quote-kind").first.inner_text().strip()
    assert NOTE.match(note), note
    assert popover.locator(".quote").first.inner_text().strip()
    page.keyboard.press("Escape")
    footer = page.locator("aside.disclaimer .provenance").first.inner_text()
    assert "verbatim" in footer or "editors' summar" in footer
    assert "Every statement is quoted from the cited sources" not in page.content()
    assert page.locator("article.turn .meta").first.inner_text().startswith("Generated ")
    assert visitor.problems == []


def test_brief_answer_offers_the_full_one_in_an_expander(visitor: Watched) -> None:  # noqa: F811
    page = visitor.page
    _ask(page, QUESTION)
    more = page.locator("details.more").first
    button = more.locator("button[type=submit]")
    assert not button.is_visible()  # closed until the reader asks for more
    more.locator("summary").click()
    assert button.is_visible() and button.inner_text() == "Show the full answer"
    assert more.locator("input[name=detail]").get_attribute("value") == "full"
    assert visitor.problems == []
