"""End-to-end tests in real headless Chromium (Debian's /usr/bin/chromium via Playwright).

The app runs under uvicorn in a background thread on a free loopback port. Nothing is
downloaded: Playwright drives the system browser through ``executable_path``.
Screenshots of the ask page, an answer page and the review queue go to ``test-artifacts/``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from curbside.web import create_app
from tests.web.helpers import HOSTILE_ID, PASSWORD, QUESTION, serve_in_thread

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def base_url(template_library: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    target = tmp_path_factory.mktemp("browser") / "library.db"
    with sqlite3.connect(template_library) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    with serve_in_thread(create_app(target)) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


class Watched:
    """A page with its console errors, uncaught errors and dialogs recorded."""

    def __init__(self, browser: Any, base_url: str) -> None:
        self.context = browser.new_context(
            base_url=base_url, viewport={"width": 1200, "height": 900}
        )
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.dialogs: list[str] = []
        self.page.on(
            "console",
            lambda m: self.problems.append(m.text) if m.type == "error" else None,
        )
        self.page.on("pageerror", lambda e: self.problems.append(str(e)))

        def dialog(d: Any) -> None:
            self.dialogs.append(d.message)
            d.dismiss()

        self.page.on("dialog", dialog)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visitor(browser: Any, base_url: str) -> Iterator[Watched]:
    w = Watched(browser, base_url)
    yield w
    w.close()


def _signed_in(browser: Any, base_url: str, name: str) -> Watched:
    w = Watched(browser, base_url)
    page = w.page
    page.goto("/login")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_url("**/review")
    return w


@pytest.fixture
def reviewer_page(browser: Any, base_url: str) -> Iterator[Watched]:
    w = _signed_in(browser, base_url, "rita")
    yield w
    w.close()


@pytest.fixture
def author_page(browser: Any, base_url: str) -> Iterator[Watched]:
    w = _signed_in(browser, base_url, "paul")
    yield w
    w.close()


@pytest.fixture
def second_page(browser: Any, base_url: str) -> Iterator[Watched]:
    w = _signed_in(browser, base_url, "rob")
    yield w
    w.close()


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def _ask(page: Any, question: str) -> None:
    page.goto("/")
    page.fill("#question", question)
    page.check("input[name=audience][value=clinician]")
    page.click("form.ask button[type=submit]")
    page.wait_for_url("**/threads/**")


def test_ask_cite_publish_review_and_approve(
    visitor: Watched, author_page: Watched, reviewer_page: Watched, second_page: Watched
) -> None:
    page = visitor.page
    page.goto("/")
    _shot(page, "ask.png")
    _ask(page, QUESTION)
    assert page.locator("article.turn h1").first.inner_text() == QUESTION
    _shot(page, "answer.png")

    cite = page.locator("button.cite").first
    cite.click()
    popover = page.locator(".pop:popover-open")
    popover.wait_for()
    quote = popover.locator(".quote").first.inner_text()
    assert "reading lamp" in quote and popover.locator(".badge").count() >= 2
    page.keyboard.press("Escape")
    assert page.locator("form.publish button").count() == 0  # signed out: cannot publish

    author = author_page.page
    _ask(author, QUESTION)
    author.click("form.publish button")
    author.wait_for_url("**/articles/**")
    article_url = author.url.split("?")[0]
    assert "pending review" in author.locator(".banner.pending").inner_text()
    article_id = article_url.rsplit("/", 1)[1]

    token = page.locator("meta[name=csrf-token]").get_attribute("content")
    assert page.request.get(f"/api/articles/{article_id}").status == 404
    api = page.request.post(
        f"/api/articles/{article_id}/transition",
        data={"action": "approve", "lock_version": 1},
        headers={"X-CSRF-Token": token},
    )
    assert api.status in (401, 403)

    review = reviewer_page.page
    review.goto("/review")
    _shot(review, "review-queue.png")
    review.click(f"a[href^='/articles/{article_id}']")
    review.click("button[value=start_review]")
    review.wait_for_selector("button[value=approve]")

    second = second_page.page
    second.goto(article_url)
    for box in second.locator("input[name=checklist]").all():
        box.check()
    second.click("button[value=approve]")
    second.wait_for_selector(".approved-badge")

    page.goto(article_url)
    assert "Approved" in page.locator(".approved-badge").inner_text()
    assert page.locator(".banner.pending").count() == 0
    banner = page.locator(".banner.approved").inner_text()
    assert "did not write it" in banner and "rob" not in banner and "rita" not in banner
    _shot(page, "article-approved.png")
    for w in (visitor, author_page, reviewer_page, second_page):
        assert w.problems == []


def test_script_in_a_library_document_never_runs(visitor: Watched) -> None:
    page = visitor.page
    page.goto(f"/sources/{HOSTILE_ID}")
    assert "<script>" in page.locator("h1").inner_text()
    _ask(page, "What do placeholder surveys say about warm reading lamps?")
    for button in page.locator("button.cite").all():
        button.click()
        page.keyboard.press("Escape")
    page.goto("/sources?q=survey")
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert visitor.dialogs == [] and visitor.problems == []


def test_follow_up_is_appended_in_place_by_htmx(visitor: Watched) -> None:
    page = visitor.page
    _ask(page, QUESTION)
    url = page.url
    page.fill("#follow-q", "Which one causes less glare?")
    page.click("#follow-up button[type=submit]")
    page.wait_for_selector("#turn-2")
    assert page.url == url  # appended without a page load
    assert page.locator("#follow-q").input_value() == ""
    assert page.locator("#personalize-q").get_attribute("value") == "Which one causes less glare?"
    assert visitor.problems == []


def test_phone_reader_gets_no_sideways_scroll_and_a_popover_on_screen(
    browser: Any, base_url: str
) -> None:
    context = browser.new_context(
        base_url=base_url, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    try:
        _ask(page, QUESTION)
        widths = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1]  # tables and charts scroll inside themselves
        for cite in page.locator("article.turn button.cite").all():
            cite.click()
            box = page.locator(".pop:popover-open").bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390 + 0.5
            # On a phone the popover is a sheet along the bottom edge, whatever the anchor.
            assert box["y"] >= 0 and abs(box["y"] + box["height"] - 844) < 1
            page.keyboard.press("Escape")
        # The jump bar stays on screen and a jump lands its heading below it, not under it.
        page.locator("nav.jump a[href$='-refs']").click()
        page.wait_for_function("location.hash.endsWith('-refs')")
        bar = page.locator("nav.jump").bounding_box()
        heading = page.locator("section.refs h2").bounding_box()
        assert bar is not None and heading is not None
        assert abs(bar["y"]) < 1 and heading["y"] >= bar["y"] + bar["height"] - 1
        assert problems == []
    finally:
        context.close()
