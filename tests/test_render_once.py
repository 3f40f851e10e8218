"""Render once per release (kg.web.render_once), over a real uvicorn server.

The reference is the same app with nothing kept (``response_cache_bytes=0``):
for every path and every negotiated variant, a kept answer (a hit) has the
same status, bytes and headers as the reference, and as the first answer
(the miss). Also: a hit touches neither the store nor a template, a strong
ETag gives 304 on If-None-Match, a new release never gets the old bytes,
variants never cross, errors are never kept, the byte bound holds.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from live import plain_client, serve
from test_reload import relabel

from kg.config import Settings
from kg.errors import QueryTimeout
from kg.release.build import build
from kg.release.directory import Release, open_release
from kg.web.context import Once
from kg.web.kept import ENTRY_OVERHEAD
from kg.web.paging import list_store
from kg.web.reload import reloader_of
from kg.web.render_once import cache_of
from kg.web.server import build_app, make_store

DOC = "/doc/state/qat"
VOLATILE = {"date", "server"}
VARIANTS: list[dict[str, str]] = [
    {},
    {"Accept": "text/html", "Accept-Language": "en"},
    {"Accept": "text/html", "Accept-Language": "ar"},
    {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "Accept-Language": "ar,en;q=0.5"},
    {"Accept": "text/html", "Cookie": "lang=ar"},
    {"Accept": "text/html", "Cookie": "theme=dark; lang=en", "Accept-Language": "ar"},
    {"Accept": "text/turtle"},
    {"Accept": "application/ld+json"},
    {"Accept": "application/json"},
    {"Accept": "application/n-triples"},
    {"Accept": "application/rdf+xml"},
    {"Accept": "text/turtle;q=0.5, application/rdf+xml"},
    {"Accept": "image/png"},  # 406: not kept
    {"Origin": "https://example.net"},  # CORS is added per request, outside the kept answer
]


class Switchable:
    """The real store, which a test can make fail (``fail``) to prove a hit never asks it."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.fail: Exception | None = None

    def __getattr__(self, name: str) -> Any:
        if self.fail is not None and name != "close":
            raise self.fail
        return getattr(self.inner, name)


@pytest.fixture(scope="module")
def servers(release: Release, release_settings: Settings) -> Iterator[tuple[str, str, Any]]:
    """(kept, reference, the kept app) on loopback."""
    kept_app = build_app(release_settings.with_(query_workers=1))
    reference_app = build_app(release_settings.with_(query_workers=1, response_cache_bytes=0))
    kept_app.state.store = Switchable(kept_app.state.store)
    pages_store = Switchable(list_store(kept_app.state))  # where the pages' own queries run
    kept_app.state.list_store = Once()
    kept_app.state.list_store.get(lambda: pages_store)
    try:
        with serve(kept_app) as kept, serve(reference_app) as reference:
            yield kept, reference, kept_app
    finally:
        kept_app.state.store.close()
        reference_app.state.store.close()


def paths(release: Release) -> list[str]:
    article = release.meta["articles"][0]["id"]
    return ["/", "/types/", "/types/foaf:Person", DOC, f"{DOC}.ttl", f"{DOC}.html", f"{DOC}?lang=ar", f"/doc/article/{article}",
            "/id/state/qat", "/id/state/qat?lang=ar", "/ontology", "/ontology.jsonld", "/shapes", "/dataset", "/dataset.nt",
            "/.well-known/void", "/graph/entities", "/context.jsonld", "/doc/no/such/thing", "/no-such-page"]


CLIENT = plain_client()


def fetch(url: str, method: str = "GET", **headers: str) -> httpx.Response:
    return CLIENT.request(method, url, headers=headers)


def _own(r: httpx.Response) -> list[tuple[str, str]]:
    """Headers but the volatile ones, each server's own origin (named by absolute
    Memento links) written as ORIGIN, so two servers on two ports compare."""
    origin = f"{r.request.url.scheme}://{r.request.url.netloc.decode()}"
    return sorted((k, v.replace(origin, "ORIGIN")) for k, v in r.headers.multi_items() if k not in VOLATILE)


def same(a: httpx.Response, b: httpx.Response, what: str) -> None:
    assert a.status_code == b.status_code, what
    assert a.content == b.content, what
    ha, hb = _own(a), _own(b)
    assert ha == hb, what


def test_a_kept_answer_is_the_answer_in_every_variant(servers: tuple[str, str, Any], release: Release) -> None:
    kept, reference, app = servers
    cache = cache_of(app)
    every = [p for p in paths(release) if p.startswith(DOC)]  # one resource in every variant; the rest in a few
    some = [VARIANTS[i] for i in (0, 2, 6, 11, 12)]
    asks = [(path, method, headers) for path in paths(release) for n, headers in enumerate(VARIANTS if path in every else some)
            for method in (("GET", "HEAD") if n % 3 == 0 else ("GET",))]
    answers = {}  # the reference renders every time; one answer per request is the answer all release long
    for round_ in ("miss", "hit"):
        for i, (path, method, headers) in enumerate(asks):
            if i not in answers:
                answers[i] = fetch(reference + path, method, **headers)
            same(fetch(kept + path, method, **headers), answers[i], f"{round_} {method} {path} {headers}")
        if round_ == "miss":
            hits = cache.hits
    assert cache.hits > hits + len(paths(release)) * 2, "the second round was answered from memory"


def test_a_hit_asks_neither_the_store_nor_a_template(servers: tuple[str, str, Any], release: Release,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    kept, _, app = servers
    first = {p: fetch(kept + p, Accept="text/html", **{"Accept-Language": "ar"}) for p in (DOC, "/", "/ontology")}
    from kg.web import render

    def no_rendering() -> None:
        raise AssertionError("a template was rendered for a kept answer")

    monkeypatch.setattr(render, "environment", no_rendering)
    app.state.store.fail = app.state.list_store.ready.fail = RuntimeError("the store was asked for a kept answer")
    try:
        for p, r in first.items():
            same(fetch(kept + p, Accept="text/html", **{"Accept-Language": "ar"}), r, p)
        assert fetch(f"{kept}/doc/article/{release.meta['articles'][-1]['id']}.nt").status_code == 500  # not kept: it needs the store
    finally:
        app.state.store.fail = app.state.list_store.ready.fail = None


def test_strong_etag_and_304_on_a_miss_and_on_a_hit(servers: tuple[str, str, Any]) -> None:
    kept, reference, _ = servers
    for base in (reference, kept, kept):  # nothing kept; a miss or a hit; a hit
        r = fetch(base + DOC, Accept="text/turtle")
        etag = r.headers["etag"]
        assert r.status_code == 200 and not etag.startswith("W/")
        for inm in (etag, f'"x", {etag}', f"W/{etag}", "*"):
            again = fetch(base + DOC, Accept="text/turtle", **{"If-None-Match": inm})
            assert again.status_code == 304 and again.content == b"", inm
            assert again.headers["etag"] == etag and again.headers["vary"] == r.headers["vary"]
            assert "Accept" in again.headers["vary"]
            assert "content-length" not in again.headers or again.headers["content-length"] == "0"
        assert fetch(base + DOC, "HEAD", Accept="text/turtle", **{"If-None-Match": etag}).status_code == 304
        other = fetch(base + DOC, Accept="application/n-triples", **{"If-None-Match": etag})
        assert other.status_code == 200 and other.headers["etag"] != etag  # the client's copy is another variant
        assert fetch(base + DOC, Accept="text/turtle", **{"If-Modified-Since": r.headers["last-modified"]}).status_code == 304


def test_lang_switch_is_remembered_from_a_kept_answer(servers: tuple[str, str, Any]) -> None:
    kept, _, _ = servers
    for _ in range(2):
        r = fetch(f"{kept}{DOC}?lang=ar", Accept="text/html")
        assert r.headers["content-language"] == "ar" and "lang=ar" in r.headers["set-cookie"]
    plain = fetch(kept + DOC, Accept="text/html")
    assert plain.headers["content-language"] == "en" and "set-cookie" not in plain.headers


def test_errors_and_404s_are_not_kept(servers: tuple[str, str, Any], release: Release) -> None:
    kept, _, app = servers
    cache = cache_of(app)
    path = f"/doc/article/{release.meta['articles'][-1]['id']}.rdf"
    app.state.store.fail = app.state.list_store.ready.fail = QueryTimeout("the store is slow")
    try:
        assert fetch(kept + path).status_code == 503
    finally:
        app.state.store.fail = app.state.list_store.ready.fail = None
    assert fetch(kept + path).status_code == 200  # the 503 was not kept
    before = len(cache)
    for _ in range(2):
        assert fetch(kept + "/doc/no/such/thing").status_code == 404
        assert fetch(kept + DOC, Accept="image/png").status_code == 406
    assert len(cache) == before


def test_accept_datetime_is_never_answered_from_memory(servers: tuple[str, str, Any]) -> None:
    kept, _, _ = servers
    assert fetch(kept + "/id/state/qat").status_code == 303
    gate = fetch(kept + "/id/state/qat", **{"Accept-Datetime": "Thu, 01 Jan 2099 00:00:00 GMT"})
    assert gate.status_code == 302 and "/releases/" in gate.headers["location"]
    assert fetch(kept + "/id/state/qat").status_code == 303


def accounted(cache: Any) -> int:
    """What the store's byte count must be: each kept answer's headers and overhead, and each
    distinct body once, with its gzip body where one has been made."""
    return sum(len(k) + len(v) for e in cache._entries.values() for k, v in e.headers) \
        + ENTRY_OVERHEAD * len(cache) + sum(len(b) + len(z or b"") for b, _, z in cache._bodies.values())


def test_the_byte_bound_holds(release: Release, release_settings: Settings) -> None:
    bound = 150_000
    app = build_app(release_settings.with_(query_workers=1, response_cache_bytes=bound))
    try:
        with serve(app) as url:
            pages = [p for p in paths(release) if "no" not in p]
            for p in pages:
                for headers in VARIANTS[:4]:
                    # kept without its gzip body, which the second request makes (and counts)
                    for coding in ("identity", "gzip"):
                        assert fetch(url + p, **headers, **{"Accept-Encoding": coding}).status_code in (200, 303, 406)
                        assert cache_of(app).size <= bound
            cache = cache_of(app)
            assert 0 < len(cache) < len(pages) * 4  # some were kept, the least recently used left
            assert cache.size == accounted(cache)
    finally:
        app.state.store.close()


def test_a_new_release_never_gets_the_old_bytes(seeds_copy: Path, tmp_path: Path) -> None:
    settings = Settings(seeds_dir=seeds_copy, var_dir=tmp_path / "var").with_(query_workers=1)
    build(settings, progress=lambda _line: None)
    app = build_app(settings)
    try:
        with serve(app) as url:
            variants = [f"{DOC}.ttl", f"{DOC}.html", DOC, "/"]
            before = {p: fetch(url + p, Accept="text/html") for p in variants}
            assert all(fetch(url + p, Accept="text/html").content == r.content for p, r in before.items())
            time.sleep(1.1)
            relabel(seeds_copy, "Qatar renamed")
            second = build(settings, progress=lambda _line: None)
            reloader_of(app).swap(make_store(settings, open_release(second.path)), open_release(second.path))
            for p, old in before.items():
                new = fetch(url + p, Accept="text/html")
                assert new.status_code == 200 and new.content != old.content, p
                assert new.headers["etag"] != old.headers["etag"], p
                if p != "/":
                    assert "Qatar renamed" in new.text, p
                assert fetch(url + p, Accept="text/html", **{"If-None-Match": old.headers["etag"]}).status_code == 200
    finally:
        app.state.store.close()


def test_a_head_first_keeps_the_whole_answer(servers: tuple[str, str, Any]) -> None:
    kept, reference, _ = servers
    path = "/shapes.nt"  # asked by no other test
    head = fetch(kept + path, "HEAD")
    assert head.status_code == 200 and head.content == b"" and int(head.headers["content-length"]) > 0
    get = fetch(kept + path)
    same(get, fetch(reference + path), path)
    assert get.num_bytes_downloaded == int(head.headers["content-length"]) and get.headers["etag"] == head.headers["etag"]
