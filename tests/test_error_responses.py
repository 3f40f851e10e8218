"""One error responder (issue 25.2): whatever route fails and however it
fails — a handler's ``return not_found(...)``, a ``raise NotFound`` or
``BadQuery`` answered by the app's exception handler, a query that runs out of
time — a browser gets a page, a JSON client gets JSON, curl gets text, with
the status, ``Retry-After`` for 503 and the ``Link`` for 406 kept.
On a real uvicorn server over a built release."""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest
from live import serve
from test_pages_browser import browser  # noqa: F401 - the shared Chromium fixture

from kg.config import Settings
from kg.release.directory import Release
from kg.web.server import build_app

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"  # what Firefox and Chromium send
JSON = "application/json"
CURL = "*/*"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
"""A cross join of every triple with itself, four times: more than the half second it is given
(the last request of this module: its worker is busy until it is stopped)."""

ERRORS = [
    (404, "/doc/state/atlantis"),                         # return not_found(...)
    (404, "/no/such/page"),                               # no route: Starlette's 404, answered by the same responder
    (404, "/reconcile/preview?id=state/atlantis"),        # raise NotFound
    (404, "/sparql?example=no-such-example"),             # raise NotFound
    (400, "/sparql?query=SELEC"),                         # raise BadQuery, the parser's message
    (400, "/search?q=qatar&limit=many"),                  # raise BadQuery
    (400, "/doc/state/qat?page=zero"),                    # raise BadQuery (paging)
    (503, "/sparql?query=" + quote(SLOW)),                # QueryTimeout (last: the worker is busy until it is stopped)
]


@pytest.fixture(scope="module")
def url(release: Release, release_settings: Settings) -> Iterator[str]:
    app = build_app(release_settings.with_(query_workers=1, query_timeout=0.5, response_cache_bytes=0))
    try:
        with serve(app) as base:
            yield base
    finally:
        app.state.store.close()


def fetch(base: str, path: str, accept: str) -> httpx.Response:
    return httpx.get(base + path, headers={"Accept": accept}, timeout=60)


def test_a_bad_query_says_what_the_parser_said_in_every_form(url: str) -> None:
    text = fetch(url, "/sparql?query=SELEC", CURL).text
    body = json.loads(fetch(url, "/sparql?query=SELEC", JSON).text)
    assert body["error"] == text.removeprefix("400 ").rstrip("\n")
    assert len(body["error"]) > 10


def test_a_sparql_client_gets_its_error_as_text(url: str) -> None:
    """A client asking only for results (no HTML, no JSON) gets the message as text, as before."""
    r = fetch(url, "/sparql?query=SELEC", "application/sparql-results+json")
    assert r.status_code == 400 and r.headers["content-type"].startswith("text/plain")


def test_406_keeps_its_link(url: str) -> None:
    r = fetch(url, "/doc/state/qat", "image/png")
    assert r.status_code == 406 and r.headers["content-type"].startswith("text/plain")
    assert 'rel="alternate"; type="text/turtle"' in r.headers["link"]


def test_chromium_shows_a_page_for_an_error_that_was_raised(browser, url: str) -> None:  # type: ignore[no-untyped-def]
    """What a reader following a bad link sees: before, a raised error was a line of plain text."""
    from selenium.webdriver.common.by import By

    for status, path in ((404, "/reconcile/preview?id=state/atlantis"), (404, "/sparql?example=no-such-example"),
                         (400, "/search?q=qatar&limit=many")):
        browser.get(url + path)
        assert browser.find_element(By.TAG_NAME, "h1").text.startswith(f"{status} "), path
        assert browser.find_element(By.CSS_SELECTOR, 'main a[href="/"], a[href="/"]'), path


@pytest.mark.parametrize("status, path", ERRORS, ids=[f"{s} {p[:40]}" for s, p in ERRORS])
def test_every_error_answers_in_the_form_asked_for(url: str, status: int, path: str) -> None:
    page = fetch(url, path, BROWSER)
    assert page.status_code == status and page.headers["content-type"].startswith("text/html")
    assert "<html" in page.text
    if path.startswith("/sparql?query="):  # a failed query is shown on the query editor's page, with the message
        assert 'name="query"' in page.text and page.status_code == status
    else:
        assert f"<h1>{status} " in page.text
    assert "Accept" in page.headers["vary"]
    data = fetch(url, path, JSON)
    assert data.status_code == status and data.headers["content-type"].startswith("application/json")
    body = json.loads(data.text)
    assert body["ok"] is False and body["status"] == status and body["error"] and body["title"]
    text = fetch(url, path, CURL)
    assert text.status_code == status and text.headers["content-type"].startswith("text/plain")
    assert text.text.startswith(f"{status} ")
    if status == 503:
        assert all(r.headers["retry-after"] == "5" for r in (page, data, text))
