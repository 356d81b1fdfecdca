"""Server-rendered pages: ask, thread, article, review via forms, library, policy, audit."""

from __future__ import annotations

import json
import re
from pathlib import Path

from fastapi.testclient import TestClient

from curbside.review import workflow
from curbside.review.accounts import list_users
from curbside.store import Library
from tests.web.helpers import QUESTION, ask, csrf, form_token, move, publish


def _ask_form(client: TestClient, question: str = QUESTION, **fields: str) -> str:
    """Submit the ask form like a browser; returns the thread page's URL."""
    tok = form_token(client.get("/").text)
    r = client.post(
        "/ask",
        data={"question": question, "audience": "clinician", "csrf_token": tok, **fields},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return str(r.headers["location"])


def test_ask_page_offers_the_audience_choice(client: TestClient) -> None:
    html = client.get("/").text
    assert "Which best describes you?" in html
    for audience in ("clinician", "nurse", "student", "patient"):
        assert f'name="audience" value="{audience}"' in html


def test_answer_page_has_tiers_citations_quotes_and_actions(client: TestClient) -> None:
    location = _ask_form(client)
    assert re.fullmatch(r"/threads/\w+#turn-1", location)
    html = client.get(location.split("#")[0]).text
    assert "From the Guidelines" in html and "From the Research" in html
    # Which tiers answer is the engine's business; the page shows every tier the answer has.
    tiers = {sec["tier"] for sec in ask(client, QUESTION, new_thread=True)["sections"]}
    for tier in tiers:
        assert f'<section class="tier tier-{tier}"' in html
    assert "Educational purpose only" in html and "Publish for review" not in html
    assert "Reviewers can publish this answer" in html  # signed out: no publish form
    # A citation button opens a popover holding the exact quoted span and its badges.
    pop = re.search(r'popovertarget="([^"]+)"', html)
    assert pop is not None
    body = html[html.index(f'<span popover id="{pop.group(1)}"') :]
    quote = re.search(r'<span class="quote">(.*?)</span>', body, re.S)
    assert quote is not None and "reading lamp" in quote.group(1)
    assert 'class="badge tier-guideline"' in body[:2000]
    assert "?start=" in body[:3000] and "#span" in body[:3000]
    assert "Have a follow-up question?" in html and "References" in html


def test_follow_up_by_htmx_returns_only_the_new_turn(client: TestClient) -> None:
    location = _ask_form(client)
    thread_id = location.split("/")[2].split("#")[0]
    page = client.get(f"/threads/{thread_id}").text
    r = client.post(
        "/ask",
        headers={"HX-Request": "true"},
        data={
            "question": "And which one causes less glare?",
            "audience": "clinician",
            "thread_id": thread_id,
            "csrf_token": form_token(page),
        },
    )
    assert r.status_code == 200 and "<html" not in r.text
    assert 'id="turn-2"' in r.text and 'hx-swap-oob="true"' in r.text
    assert client.get(f"/threads/{thread_id}").text.count('class="answer turn"') == 2


def test_personalize_re_asks_for_another_reader(client: TestClient) -> None:
    location = _ask_form(client)
    thread_id = location.split("/")[2].split("#")[0]
    page = client.get(f"/threads/{thread_id}").text
    r = client.post(
        "/ask",
        data={
            "question": QUESTION,
            "audience": "patient",
            "thread_id": thread_id,
            "csrf_token": form_token(page),
        },
    )
    assert r.status_code == 200 and "for patients" in r.text
    assert '<aside class="urgent"' in r.text  # the patients' urgent-care callout


def test_empty_question_is_refused_on_the_page(client: TestClient) -> None:
    tok = form_token(client.get("/").text)
    r = client.post("/ask", data={"question": "  ", "audience": "clinician", "csrf_token": tok})
    assert r.status_code == 400 and "type a question first" in r.text


def test_abstention_page_has_no_publish_button(client: TestClient) -> None:
    location = _ask_form(client, "What is the treatment for a broken leg?")
    html = client.get(location.split("#")[0]).text
    assert "the library does not cover this question" in html and "Publish for review" not in html
    # Plain and helpful: next steps, no disclaimer about quoted statements, no raw backticks.
    assert "What you can do" in html and 'href="/sources"' in html
    assert "Every statement is quoted" not in html and "`" not in html
    assert "Ask it another way" in html


def test_long_answer_has_a_jump_bar_whose_links_all_land(client: TestClient) -> None:
    html = client.get(_ask_form(client).split("#")[0]).text
    jump = html[html.index('<nav class="jump"') : html.index("</nav>", html.index('class="jump"'))]
    targets = re.findall(r'href="#([^"]+)"', jump)
    assert len(targets) >= 3 and any(t.endswith("-refs") for t in targets)
    ids = set(re.findall(r'\sid="([^"]+)"', html))
    for target in re.findall(r'href="#([^"]+)"', html):
        assert target in ids, target  # every in-page link has somewhere to go


def test_publish_and_review_through_the_forms(
    client: TestClient, author: TestClient, reviewer: TestClient, second: TestClient
) -> None:
    location = _ask_form(author)
    thread_id = location.split("/")[2].split("#")[0]
    page = author.get(f"/threads/{thread_id}").text
    assert "Publish for review" in page
    denied = client.post(
        f"/threads/{thread_id}/publish",
        data={"ordinal": "1", "csrf_token": form_token(client.get("/").text)},
        follow_redirects=False,
    )
    assert denied.status_code == 303 and denied.headers["location"].startswith("/login")
    r = author.post(
        f"/threads/{thread_id}/publish",
        data={"ordinal": "1", "csrf_token": form_token(page)},
        follow_redirects=False,
    )
    assert r.status_code == 303
    url = r.headers["location"].split("?")[0]
    assert client.get(url).status_code == 404  # nothing public before approval
    html = author.get(url).text
    assert "Educational purpose only — pending review" in html
    assert 'class="step current"' in html and "not yet reviewed" in html
    for who, action in ((reviewer, "start_review"), (second, "approve")):
        page = who.get(url).text
        lock = re.search(r'name="lock_version" value="(\d+)"', page)
        assert lock is not None
        data = {"action": action, "lock_version": lock.group(1), "csrf_token": form_token(page)}
        if action == "approve":
            ticks = re.findall(r'name="checklist" value="(\w+)"', page)
            assert len(ticks) == len(workflow.CHECKLIST)
            refused = who.post(f"{url}/transition", data={**data, "checklist": ticks[:1]})
            assert refused.status_code == 400 and "checklist" in refused.text
            data["checklist"] = ticks  # type: ignore[assignment]
        done = who.post(f"{url}/transition", data=data, follow_redirects=False)
        assert done.status_code == 303, done.text
    html = client.get(url).text
    assert "✓ Approved" in html and "pending review" not in html
    assert "by a reviewer who did not write it" in html and "rob" not in html
    assert "What was not reviewed: the cited sources themselves" in html
    banner = html[html.index('class="banner approved"') :]
    assert "Every statement is quoted" not in banner[: banner.index("</div>")]
    assert html.count('class="step done"') == 3
    assert "(<strong>rob</strong>)" in reviewer.get(url).text


def test_edit_form_saves_a_new_version(author: TestClient, reviewer: TestClient) -> None:
    article = publish(author)
    url = f"/articles/{article['id']}"
    form = reviewer.get(f"{url}/edit").text
    ids = re.findall(r'name="keep" value="([^"]+)"', form)
    assert len(ids) >= 2
    r = reviewer.post(
        f"{url}/edit",
        data={
            "lock_version": str(article["lock_version"]),
            "keep": ids[1:],
            "heading_id": ["b0-0"],
            "heading": ["Reviewer heading"],
            "note": "dropped the first statement",
            "csrf_token": form_token(form),
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    html = reviewer.get(url).text
    assert "version 2 of 2" in html and "dropped the first statement" in html
    assert "+0 / −1 statements" in html and "Audit trail" in html


def test_edit_form_refuses_an_empty_article(author: TestClient, reviewer: TestClient) -> None:
    article = publish(author)
    url = f"/articles/{article['id']}"
    form = reviewer.get(f"{url}/edit").text
    r = reviewer.post(
        f"{url}/edit",
        data={"lock_version": str(article["lock_version"]), "csrf_token": form_token(form)},
    )
    assert r.status_code == 400 and "at least one statement" in r.text


def test_regenerate_replaces_the_answer_from_the_library(
    author: TestClient, reviewer: TestClient
) -> None:
    article = publish(author)
    form = reviewer.get(f"/articles/{article['id']}/edit").text
    r = reviewer.post(
        f"/articles/{article['id']}/edit",
        data={
            "lock_version": str(article["lock_version"]),
            "regenerate": "1",
            "csrf_token": form_token(form),
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    v2 = reviewer.get(f"/api/articles/{article['id']}?version=2").json()["answer"]
    assert v2["question"] == QUESTION and v2["sections"]


def test_follow_up_from_an_article_starts_a_seeded_conversation(
    client: TestClient, author: TestClient, reviewer: TestClient, second: TestClient
) -> None:
    article = publish(author)
    assert (
        client.post(
            f"/articles/{article['id']}/follow-up",
            data={"question": "", "csrf_token": form_token(client.get("/").text)},
        ).status_code
        == 404
    )  # an unapproved article seeds nothing for readers
    article = move(reviewer, article, "start_review").json()
    move(second, article, "approve")
    page = client.get(f"/articles/{article['id']}").text
    assert "Have a follow-up question?" in page and "Which best describes you?" in page
    r = client.post(
        f"/articles/{article['id']}/follow-up",
        data={"question": "And which one causes less glare?", "csrf_token": form_token(page)},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].endswith("#turn-2")
    thread_id = r.headers["location"].split("/")[2].split("#")[0]
    html = client.get(f"/threads/{thread_id}").text
    assert f'From the article <a href="/articles/{article["id"]}/v/1">' in html
    assert "Publish for review" not in html and "Reviewers can publish" in html
    seeded = author.post(
        "/api/articles", json={"thread_id": thread_id, "turn": 1}, headers=csrf(author)
    )
    assert seeded.status_code == 400 and "already an article" in seeded.json()["detail"]
    again = client.post(
        f"/articles/{article['id']}/follow-up",
        data={"question": "", "audience": "patient", "csrf_token": form_token(page)},
        follow_redirects=False,
    )
    thread_id = again.headers["location"].split("/")[2].split("#")[0]
    turns = client.get(f"/api/threads/{thread_id}").json()["turns"]
    assert turns[1]["question"] == QUESTION and turns[1]["answer"]["audience"] == "patient"


def test_stale_article_shows_the_new_evidence_banner(
    client: TestClient,
    author: TestClient,
    reviewer: TestClient,
    second: TestClient,
    library_file: Path,
) -> None:
    article = publish(author)
    article = move(reviewer, article, "start_review").json()
    move(second, article, "approve")
    lib = Library.open(library_file)
    try:
        workflow.flag_stale(lib, article["id"], "new evidence since approval: placeholder-x")
    finally:
        lib.close()
    html = client.get(f"/articles/{article['id']}").text
    assert "New evidence since approval." in html and "✓ Approved" in html
    queue = reviewer.get("/review").text
    assert article["question"] in queue and "placeholder-x" in queue


def test_key_numbers_table_and_chart_from_a_stored_answer(
    reviewer: TestClient, library_file: Path, fixtures_dir: Path
) -> None:
    answer = json.loads((fixtures_dir / "web" / "answer_sample.json").read_text(encoding="utf-8"))
    lib = Library.open(library_file)
    try:
        paul = next(u for u in list_users(lib) if u.username == "paul")
        article = workflow.publish(lib, answer, actor=paul)
    finally:
        lib.close()
    html = reviewer.get(f"/articles/{article.id}").text
    assert html.count('<rect class="bar value"') == 2
    assert html.count('<rect class="bar comparator"') == 2
    assert "placeholder inequality, never drawn" in html  # in the table, not the chart
    assert "Where the sources differ" in html and "Lamp lifetimes" in html
    assert "grade placeholder grade" in html


def test_library_browser_filters_and_fragments(client: TestClient) -> None:
    html = client.get("/sources?tier=label").text
    assert "Placeholder label for Example Lamp Polish" in html
    assert "A placeholder trial of warm and cool reading lamps" not in html
    fragment = client.get("/sources?q=trial", headers={"HX-Request": "true"}).text
    assert "<html" not in fragment and "A placeholder trial" in fragment
    assert client.get("/sources?year_from=abc").status_code == 422


def test_source_page_highlights_the_cited_span(client: TestClient) -> None:
    detail = client.get("/api/sources/placeholder-reading-lamp-trial").json()
    passage = detail["passages"][0]
    start, end = passage["start"] + 3, passage["start"] + 20
    html = client.get(f"/sources/placeholder-reading-lamp-trial?start={start}&end={end}").text
    mark = re.search(r'<mark id="span">(.*?)</mark>', html)
    assert mark is not None and mark.group(1) == passage["text"][3:20]


def test_info_pages(client: TestClient, author: TestClient, reviewer: TestClient) -> None:
    policy = client.get("/policy").text
    for topic in ("Grounding", "Review", "Versions and edits", "Staleness", "two-person rule"):
        assert topic in policy
    publish(author)
    audit = reviewer.get("/audit").text
    assert "publish" in audit and "login" in audit
    assert client.get("/articles").status_code == 200
    missing = client.get("/articles/no-such-article")
    assert missing.status_code == 404 and "no article" in missing.text
