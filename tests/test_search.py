"""Search by name (kg.query.search_index, /search): the index on its own, then a real
server over the test corpus answering as HTML and as JSON."""

from __future__ import annotations

import re

import httpx
import pytest
from ld_fixtures import ld_url  # noqa: F401  (fixture)

from kg.query.search_index import LabelIndex

BASE = "https://qatar-nato.example.org/"
QN = BASE + "ontology#"
JSON = {"Accept": "application/json"}
HTML = {"Accept": "text/html"}


def small_index() -> LabelIndex:
    labels = [
        (BASE + "id/person/a", "Jens Stoltenberg"), (BASE + "id/person/a", "ينس ستولتنبرغ"),
        (BASE + "id/place/doha", "Doha"), (BASE + "id/place/doha", "الدوحة"),
        (BASE + "id/post/sg", "Secretary-General of NATO"), (BASE + "id/event/m", "Meeting with Jens Stoltenberg in Doha"),
        (BASE + "id/state/qat", "Qatar"), (BASE + "id/state/qat", "دولة قطر"),
    ]
    types = [(BASE + "id/person/a", QN + "Official"), (BASE + "id/place/doha", QN + "Place"),
             (BASE + "id/post/sg", QN + "Post"), (BASE + "id/event/m", QN + "Meeting"), (BASE + "id/state/qat", QN + "State"),
             (BASE + "id/nowhere", QN + "Place")]  # a type of something without a name is ignored
    return LabelIndex.build(labels, types)


def ids(found) -> list[str]:  # type: ignore[no-untyped-def]
    return [h.iri.rsplit("/id/", 1)[1] for h in found.hits]


def test_exact_name_first_then_names_containing_it() -> None:
    index = small_index()
    assert ids(index.search("Doha")) == ["place/doha", "event/m"]
    assert index.search("Doha").hits[0].score == 1.0


@pytest.mark.parametrize("typed", ["شتولتنبرغ", "ستولتنبرغ", "stoltenburg", "STOLTENBERG", "jens"])
def test_spelling_variants_find_the_person(typed: str) -> None:
    assert ids(small_index().search(typed))[0] == "person/a"


@pytest.mark.parametrize("typed", ["الدوحه", "الدّوحة", "الـدوحة", "دوحة"])
def test_arabic_folding_finds_doha(typed: str) -> None:
    assert ids(small_index().search(typed))[0] == "place/doha"


def test_punctuation_is_a_word_break() -> None:
    found = small_index().search("secretary general")
    assert ids(found) == ["post/sg"] and found.hits[0].score == 0.95


def test_type_filter_and_unknown_type() -> None:
    index = small_index()
    assert ids(index.search("doha", types=[QN + "Meeting"])) == ["event/m"]
    assert ids(index.search("doha", types=[QN + "Nothing"])) == []
    assert index.types_of(BASE + "id/state/qat") == (QN + "State",)
    assert index.types_of(BASE + "id/nowhere") == ()


def test_noise_and_empty_queries_find_nothing() -> None:
    index = small_index()
    assert index.search("").hits == [] and index.search("   ").hits == []
    assert index.search("zzzzqqqq").hits == []


def test_paging_is_stable() -> None:
    index = small_index()
    everything = ids(index.search("a", limit=50))
    assert ids(index.search("a", limit=2)) + ids(index.search("a", limit=50, offset=2)) == everything


# -- on a real server ----------------------------------------------------------------------
def test_json_finds_stoltenberg_by_a_misspelt_arabic_name(ld_url: str) -> None:
    r = httpx.get(f"{ld_url}/search", params={"q": "شتولتنبرغ"}, headers=JSON, timeout=30)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    assert "Accept" in r.headers["vary"]
    first = r.json()["results"][0]
    assert first["id"] == BASE + "id/person/jens-stoltenberg"
    assert first["label"] == {"en": "Jens Stoltenberg", "ar": "ينس ستولتنبرغ"}
    assert first["page"] == "/doc/person/jens-stoltenberg"
    assert {"id": QN + "Official", "curie": "qn:Official", "href": "/types/qn:Official",
            "label": {"en": "Official", "ar": "مسؤول"}} in first["types"]
    page = httpx.get(ld_url + first["page"], headers=HTML, timeout=30)
    assert page.status_code == 200 and "Jens Stoltenberg" in page.text


def test_an_alternative_name_says_it_matched(ld_url: str) -> None:
    r = httpx.get(f"{ld_url}/search", params={"q": "دولة قطر", "format": "json"}, timeout=30)
    first = r.json()["results"][0]
    assert first["id"] == BASE + "id/state/qat" and first["matched"] == "دولة قطر" and first["score"] == 1.0


def test_html_page_lists_doha_first_with_a_link(ld_url: str) -> None:
    r = httpx.get(f"{ld_url}/search", params={"q": "Doha"}, headers=HTML, timeout=30)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    hits = re.findall(r'<a class="search-hit" href="([^"]+)"', r.text)
    assert hits[0] == "/doc/place/doha"
    assert 'value="Doha"' in r.text  # the box keeps what was typed
    assert "script-src 'self'" in r.headers["content-security-policy"]


def test_type_filter_on_the_wire(ld_url: str) -> None:
    r = httpx.get(f"{ld_url}/search", params={"q": "nato", "type": "schema:Place", "format": "json"}, timeout=30)
    results = r.json()["results"]
    assert results and all(any(t["curie"] == "schema:Place" for t in x["types"]) for x in results)
    assert next(x["id"] for x in results) == BASE + "id/place/nato-hq"


def test_format_parameter_beats_accept_and_406_for_the_rest(ld_url: str) -> None:
    r = httpx.get(f"{ld_url}/search", params={"q": "Doha", "format": "json"}, headers=HTML, timeout=30)
    assert r.headers["content-type"].startswith("application/json")
    r = httpx.get(f"{ld_url}/search", params={"q": "Doha"}, headers={"Accept": "image/png"}, timeout=30)
    assert r.status_code == 406


@pytest.mark.parametrize("params", [{"q": "x", "limit": "many"}, {"q": "x", "limit": "1000"}, {"q": "x", "offset": "-1"}])
def test_bad_paging_is_a_clear_400(ld_url: str, params: dict) -> None:
    r = httpx.get(f"{ld_url}/search", params=params, headers=JSON, timeout=30)
    assert r.status_code == 400 and ("limit" in r.text or "offset" in r.text)


def test_every_page_has_the_search_box(ld_url: str) -> None:
    for path in ("/", "/doc/state/qat", "/types/", "/sparql"):
        r = httpx.get(ld_url + path, headers=HTML, timeout=30)
        assert re.search(r'<form class="site-search" role="search" action="/search" method="get">', r.text), path
        assert '<script src="/static/search.js" defer></script>' in r.text, path
    js = httpx.get(f"{ld_url}/static/search.js", timeout=30)
    assert js.status_code == 200 and "javascript" in js.headers["content-type"]
    assert "innerHTML" not in js.text  # results are written as text


def test_a_new_release_gets_its_own_index(seeds_copy, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The index is per release: after kg build and the switch, the new name is found, the old one is gone."""
    from live import serve
    from security_fixtures import LIMITS
    from test_reload import quiet, relabel

    from kg.config import Settings
    from kg.release.build import build
    from kg.web.reload import Watcher
    from kg.web.server import build_app, make_store

    settings = Settings(seeds_dir=seeds_copy, var_dir=tmp_path / "var").with_(**LIMITS, query_workers=1)
    build(settings, progress=quiet)
    app = build_app(settings)
    watcher = Watcher(app, settings, make_store, interval=3600)
    try:
        with serve(app) as url:
            def first(q: str) -> tuple[str, float] | None:
                r = httpx.get(f"{url}/search", params={"q": q, "format": "json"}, timeout=30)
                return next(((x["id"], x["score"]) for x in r.json()["results"]), None)

            assert first("Qatar") == (BASE + "id/state/qat", 1.0)
            assert first("Xanadu Emirate") is None
            relabel(seeds_copy, "Xanadu Emirate")
            build(settings, progress=quiet)
            assert watcher.check() is True
            assert first("Xanadu Emirate") == (BASE + "id/state/qat", 1.0)
            assert first("Qatar") != (BASE + "id/state/qat", 1.0)
            r = httpx.post(f"{url}/reconcile", data={"queries": '{"q": {"query": "xanadu"}}'}, timeout=30)
            assert r.json()["q"]["result"][0]["id"] == "state/qat"
    finally:
        watcher.stop()
        app.state.store.close()


def test_paged_build_equals_the_streamed_one(release, store, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Through a store's row cap (a remote store: LIMIT/OFFSET pages) the index is the same as from the on-disk store."""
    import kg.query.search_load as search

    streamed = search.build_index(None, release.store_dir, base=release.base_iri)
    monkeypatch.setattr(search, "PAGE", 7)  # many pages, one cut in the middle of a thing's names
    paged = search.build_index(store, None, base=release.base_iri)
    assert list(paged.labels) == list(streamed.labels) and len(streamed.labels) > 100
    assert list(paged.iris) == list(streamed.iris) and paged.words == streamed.words
    assert paged.type_counts == streamed.type_counts
    assert [h.iri for h in paged.search("nato", limit=50).hits] == [h.iri for h in streamed.search("nato", limit=50).hits]


def test_index_through_a_remote_sparql_endpoint(release, release_settings, ld_url: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """``kg serve --store URL``: the index is read over the SPARQL Protocol,
    page by page under the executor's row cap, here from a real server's /sparql."""
    import kg.query.search_load as search
    from kg.store.executor import QueryExecutor
    from kg.store.remote import RemoteStore

    streamed = search.build_index(None, release.store_dir, base=release.base_iri)
    remote = QueryExecutor.for_store(RemoteStore(f"{ld_url}/sparql", timeout=30), release_settings.with_(max_rows=40))
    try:
        monkeypatch.setattr(search, "PAGE", 50)  # above the row cap: each page is cut at 40 and continued from there
        paged = search.build_index(remote, None, base=release.base_iri)
    finally:
        remote.close()
    assert list(paged.labels) == list(streamed.labels) and list(paged.iris) == list(streamed.iris)
