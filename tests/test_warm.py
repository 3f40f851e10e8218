"""The busiest pages made at the release's start (``kg.web.warm``), over a real uvicorn server.

After start and the warm-up, the first request of each page the warm-up
made is a cache hit: answered with the stores made to fail and no template
rendered, and byte for byte the answer of a server that keeps nothing
(``response_cache_bytes=0``), headers included — the pinned answers were
made at the warm-up's own origin, and a reader at another origin (another
``Host``) gets its own in Memento's absolute links. The warm-up yields to
users' queries: while they hold every query slot it makes nothing, and a
user's query asked meanwhile is answered, not refused.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from live import serve
from test_render_once import Switchable, fetch, same

from kg.config import Settings
from kg.release.directory import Release
from kg.web import warm
from kg.web.context import Once, current
from kg.web.kept import WARM_HOST
from kg.web.paging import list_store
from kg.web.render_once import cache_of
from kg.web.server import build_app

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # stopped at the timeout
UNBOUNDED = "ASK { ?s ?p ?o . ?o ?q ?r }"  # cheap, but it needs a slot


@pytest.fixture(scope="module")
def servers(release: Release, release_settings: Settings) -> Iterator[tuple[str, str, Any]]:
    """(warmed, reference, the warmed app), the warm-up finished."""
    app = build_app(release_settings.with_(query_workers=1, max_concurrent_queries=1, query_timeout=3.0, warm=True))
    reference_app = build_app(release_settings.with_(query_workers=1, response_cache_bytes=0))
    try:
        with serve(app) as url, serve(reference_app) as reference:
            assert current(app).warmed.wait(120), "the warm-up did not end"
            yield url, reference, app
    finally:
        current(app).close()
        current(reference_app).close()


def test_without_the_warm_up_nothing_is_made_before_it_is_asked(servers: tuple[str, str, Any],
                                                                  release_settings: Settings) -> None:
    """``kg serve --no-warm``: the release opens idle (no summary, no search index, nothing
    pinned), ``/health`` says the warm-up has ended, and each page is made on its first
    request, the same bytes as the warmed server's."""
    warmed, _, _ = servers
    app = build_app(release_settings.with_(query_workers=1, warm=False))
    try:
        with serve(app) as url:
            ctx = current(app)
            assert httpx.get(url + "/health", timeout=30).json()["warmed"] is True
            time.sleep(0.5)  # a warm-up, had one started, would have made something by now
            assert ctx.site_summary.ready is None and ctx.search_index.ready is None
            assert cache_of(app).pinned_size == 0
            for path in ("/", "/doc/alliance/nato"):
                same(fetch(url + path, Accept="text/html"), fetch(warmed + path, Accept="text/html"), path)
            assert ctx.site_summary.ready is not None  # made by the home page's first request
    finally:
        current(app).close()


def test_the_busiest_pages_first_request_is_a_hit(servers: tuple[str, str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    url, reference, app = servers
    ctx = current(app)
    asked = warm.paths(ctx)
    assert {"/", "/types/", "/doc/alliance/nato"} <= set(asked) and any(p.startswith("/types/qn:") for p in asked)
    cache = cache_of(app)
    assert len(cache) == 0 and cache.pinned_size > 0  # nobody asked yet: all of it is the warm-up's
    expected = {(p, lang): fetch(reference + p, Accept="text/html", **({"Accept-Language": lang} if lang else {}))
                for p in asked for lang in (None, "ar")}
    from kg.web import render

    def no_rendering() -> None:
        raise AssertionError("a template was rendered for a pinned answer")

    monkeypatch.setattr(render, "environment", no_rendering)
    store, pages = ctx.store, list_store(ctx)
    ctx.store, failing = Switchable(store), Switchable(pages)
    ctx.list_store = Once()
    ctx.list_store.get(lambda: failing)
    ctx.store.fail = failing.fail = RuntimeError("the store was asked for a pinned answer")
    try:
        for (p, lang), want in expected.items():
            assert want.status_code == 200, p
            got = fetch(url + p, Accept="text/html", **({"Accept-Language": lang} if lang else {}))
            same(got, want, f"{p} {lang}")
        port = url.rsplit(":", 1)[1]
        other = fetch(url + "/doc/alliance/nato", Accept="text/html", Host=f"localhost:{port}")
        assert other.status_code == 200 and f"<http://localhost:{port}/id/alliance/nato>" in other.headers["link"]
        assert WARM_HOST not in other.headers["link"]
        assert cache.pinned_hits >= len(expected)
    finally:
        ctx.store, ctx.list_store = store, Once()
        ctx.list_store.get(lambda: pages)


def _health(url: str) -> dict:
    return httpx.get(url + "/health", timeout=10).json()["queries"]


def test_the_warm_up_waits_while_users_queries_hold_the_slots(servers: tuple[str, str, Any]) -> None:
    url, _, app = servers
    ctx = current(app)
    cache = cache_of(app)
    cache.reset(ctx)  # forget: the warm-up below makes everything again
    answers: dict[str, httpx.Response] = {}

    def ask(name: str, query: str) -> None:
        answers[name] = httpx.get(url + "/sparql", params={"query": query, "format": "json"}, timeout=60)

    runaway = threading.Thread(target=ask, args=("runaway", f"{RUNAWAY} # warm"))
    runaway.start()
    deadline = time.monotonic() + 20
    while _health(url)["running"] < 1:  # the only slot is the user's
        assert time.monotonic() < deadline
        time.sleep(0.02)
    warming = threading.Thread(target=warm.warm_pages, args=(app, ctx, warm.paths(ctx)))
    warming.start()
    time.sleep(1.0)
    assert cache.pinned_size == 0, "the warm-up made pages while a user's query held every slot"
    ask("user", f"{UNBOUNDED} # during the warm-up")  # queued behind the runaway, then answered
    runaway.join(60)
    warming.join(120)
    assert answers["user"].status_code == 200, answers["user"].text
    assert answers["runaway"].status_code != 503 or "waiting" not in answers["runaway"].text
    assert cache.pinned_size > 0  # and once the slot was free, it made them
