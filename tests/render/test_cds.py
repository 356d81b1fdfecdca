"""CDS Hooks cards: summary limit, escaped markdown, which kind of answer, links."""

from __future__ import annotations

from typing import Any

from curbside.models import Facet
from curbside.render.cds import (
    SUMMARY_LIMIT,
    CardOrigin,
    escape_markdown,
    has_content,
    render_card,
    shorten,
)


def answer(text: str = "Zorvatinib is a fictional drug.", **ref: Any) -> dict[str, Any]:
    return {
        "question": "q",
        "abstained": False,
        "disclaimer": "For professionals.",
        "sections": [
            {
                "tier": "guideline",
                "title": "From the Guidelines",
                "blocks": [
                    {
                        "statements": [
                            {
                                "text": text,
                                "citations": [
                                    {
                                        "n": 1,
                                        "source_id": "s1",
                                        "passage_id": "p1",
                                        "start": 0,
                                        "end": 5,
                                        "quote": text,
                                    }
                                ],
                            }
                        ]
                    }
                ],
            }
        ],
        "references": [
            {
                "n": 1,
                "source_id": "s1",
                "tier": "guideline",
                "title": "A fictional source",
                "year": 2024,
                **ref,
            }
        ],
    }


ORIGIN = CardOrigin(
    "answer", "http://curbside.test/threads/t1", "Q?", (Facet("age", "64 years", "ehr"),)
)


def test_summary_stays_within_the_limit() -> None:
    card = render_card(answer(), ORIGIN, "an extremely long fictional condition name " * 10)
    assert len(card["summary"]) <= SUMMARY_LIMIT and card["summary"].endswith("…")


def test_hostile_text_cannot_inject_markdown_or_html() -> None:
    hostile = "[click](javascript:alert(1)) <img src=x onerror=alert(2)> **bold**"
    card = render_card(answer(hostile, title="<script>x</script>"), ORIGIN, "topic")
    detail = card["detail"]
    assert "<" not in detail and "&lt;img src=x" in detail
    assert "[click](" not in detail and "**bold**" not in detail
    assert "\\[click\\]\\(javascript:alert\\(1\\)\\)" in detail


def test_reference_links_are_https_identifier_links_only() -> None:
    card = render_card(answer(doi="10.0000/fictional.1"), ORIGIN, "topic")
    assert [link["url"] for link in card["links"]] == [
        "http://curbside.test/threads/t1",
        "https://doi.org/10.0000/fictional.1",
    ]
    unsafe = render_card(answer(url="javascript:alert(1)"), ORIGIN, "topic")
    assert len(unsafe["links"]) == 1


def test_the_card_says_which_kind_of_answer_it_is() -> None:
    fresh = render_card(answer(), ORIGIN, "topic")
    assert fresh["source"]["label"] == "curbside — unreviewed answer"
    article = CardOrigin("article", "http://curbside.test/articles/a", "Q?", stale=True)
    approved = render_card(answer(), article, "topic")
    assert approved["source"]["label"] == "curbside — approved article"
    assert "re-review pending" in approved["detail"]
    assert fresh["uuid"] != approved["uuid"]


def test_empty_or_abstained_answers_have_no_content() -> None:
    assert has_content(answer())
    assert not has_content({**answer(), "abstained": True})
    assert not has_content({**answer(), "sections": []})


def test_escape_and_shorten() -> None:
    assert escape_markdown("a_b *c*\n d") == "a\\_b \\*c\\* d"
    assert shorten("one two three", 9) == "one two…"
    assert shorten("short", 140) == "short"


def test_the_html_preview_never_renders_source_markup() -> None:
    from curbside.render.cds import card_html

    hostile = "<img src=x onerror=alert(2)> [x](javascript:alert(1))"
    page = card_html(render_card(answer(hostile), ORIGIN, "topic <b>"))
    assert "<img" not in page and 'javascript:alert(1)"' not in page and "<b>" not in page
    assert "Full answer in curbside" in page
