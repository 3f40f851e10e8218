"""Content coding on the wire (kg.web.coding): gzip for clients that accept it.

Over a real uvicorn server, read with ``http.client`` (which decodes nothing,
so the bytes asserted are the bytes sent): a page or document asked with
``Accept-Encoding: gzip`` is the identity bytes gzip-coded, under its own
strong ETag, with ``Vary: Accept-Encoding`` on both; a 304 answers the
representation the client holds; ``q=0`` and unknown codings get identity;
the SPARQL endpoint's results are gzip-coded too, under their weak ETag.
"""

from __future__ import annotations

import gzip
import http.client
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from live import serve
from rdflib import Graph

from kg.config import Settings
from kg.release.directory import Release
from kg.web.coding import accepts_gzip
from kg.web.server import build_app

DOC = "/doc/state/qat"


@pytest.fixture(scope="module")
def url(release: Release, release_settings: Settings) -> Iterator[str]:
    app = build_app(release_settings.with_(query_workers=1))
    try:
        with serve(app) as base:
            yield base
    finally:
        app.state.store.close()


def wire(base: str, path: str, method: str = "GET", **headers: str) -> tuple[int, dict[str, str], bytes]:
    """Status, headers (lower-cased names) and the body exactly as sent."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=60)
    try:
        conn.request(method, path, headers={k.replace("_", "-"): v for k, v in headers.items()})
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


def vary(headers: dict[str, str]) -> set[str]:
    return {v.strip().lower() for v in headers.get("vary", "").split(",")}


@pytest.mark.parametrize(("path", "accept"), [
    (DOC, "text/html"), (DOC, "text/turtle"), (DOC, "application/ld+json"), (DOC, "application/n-triples"),
    (DOC, "application/rdf+xml"), ("/", "text/html"), ("/ontology", "text/turtle"), ("/dataset", "text/html"),
])
def test_gzip_is_the_identity_bytes_under_their_own_strong_etag(url: str, path: str, accept: str) -> None:
    status, plain_h, plain = wire(url, path, Accept=accept, Accept_Encoding="identity")
    for _ in range(2):  # the first answer (made now) and a kept one (kg.web.render_once) alike
        gz_status, gz_h, coded = wire(url, path, Accept=accept, Accept_Encoding="gzip, deflate, br")
        assert status == gz_status == 200
        assert "content-encoding" not in plain_h and gz_h["content-encoding"] == "gzip"
        assert gzip.decompress(coded) == plain and len(coded) < len(plain)
        assert int(gz_h["content-length"]) == len(coded) and int(plain_h["content-length"]) == len(plain)
        assert "accept-encoding" in vary(plain_h) and "accept-encoding" in vary(gz_h)
        assert not plain_h["etag"].startswith("W/") and not gz_h["etag"].startswith("W/")
        assert gz_h["etag"] != plain_h["etag"] and gz_h["etag"] == plain_h["etag"][:-1] + '-gzip"'
        assert gz_h["content-type"] == plain_h["content-type"]
    if accept == "text/turtle":
        assert len(Graph().parse(data=gzip.decompress(coded).decode("utf-8"), format="turtle")) > 0


def test_a_304_answers_the_representation_the_client_holds(url: str) -> None:
    _, plain_h, _ = wire(url, DOC, Accept="text/html", Accept_Encoding="identity")
    _, gz_h, _ = wire(url, DOC, Accept="text/html", Accept_Encoding="gzip")
    status, h, body = wire(url, DOC, Accept="text/html", Accept_Encoding="gzip", If_None_Match=gz_h["etag"])
    assert status == 304 and body == b"" and h["etag"] == gz_h["etag"]
    status, h, _ = wire(url, DOC, Accept="text/html", Accept_Encoding="identity", If_None_Match=plain_h["etag"])
    assert status == 304 and h["etag"] == plain_h["etag"]
    # the client's copy is the identity one, but gzip would be sent now: a different representation
    status, h, body = wire(url, DOC, Accept="text/html", Accept_Encoding="gzip", If_None_Match=plain_h["etag"])
    assert status == 200 and h["content-encoding"] == "gzip" and gzip.decompress(body)


@pytest.mark.parametrize(("accept_encoding", "coded"), [
    ("gzip", True), ("x-gzip", True), ("*", True), ("br, gzip;q=0.5", True), ("GZIP", True),
    ("gzip;q=0", False), ("*;q=0", False), ("identity", False), ("br", False), ("", False), ("gzip;q=0, *", False),
])
def test_only_a_client_that_takes_gzip_gets_it(url: str, accept_encoding: str, coded: bool) -> None:
    assert accepts_gzip(accept_encoding) is coded
    headers: dict[str, Any] = {"Accept": "text/turtle"}
    if accept_encoding:
        headers["Accept_Encoding"] = accept_encoding
    status, h, body = wire(url, DOC, **headers)
    assert status == 200 and (h.get("content-encoding") == "gzip") is coded
    assert Graph().parse(data=(gzip.decompress(body) if coded else body).decode("utf-8"), format="turtle")


def test_an_answer_is_compressed_once_and_only_for_a_client_that_takes_gzip(
        url: str, release_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Identity clients (an export's crawl, scripts) never cost a compression; the first
    client that takes gzip makes the kept answer's gzip body, once, counted in the store's
    bytes; it is what a server whose first client took gzip sends (bytes and ETag)."""
    from test_render_once import accounted

    from kg.web import kept, render_once

    made: list[int] = []
    real = kept.gzip_body
    for module in (kept, render_once):  # where an answer is made and sent, and where a kept one is coded later
        monkeypatch.setattr(module, "gzip_body", lambda body: made.append(len(body)) or real(body))
    app = build_app(release_settings.with_(query_workers=1))
    try:
        with serve(app) as base:
            cache = render_once.cache_of(app)
            for _ in range(3):
                status, h, plain = wire(base, DOC, Accept="text/turtle", Accept_Encoding="identity")
                assert status == 200 and "content-encoding" not in h and "accept-encoding" in vary(h)
            assert made == [] and cache.size == accounted(cache)
            before = cache.size
            for _ in range(3):
                _, gz_h, coded = wire(base, DOC, Accept="text/turtle", Accept_Encoding="gzip")
                assert gz_h["content-encoding"] == "gzip" and gzip.decompress(coded) == plain
            assert made == [len(plain)]
            assert cache.size == before + len(coded) == accounted(cache)
    finally:
        app.state.store.close()
    _, first_h, first = wire(url, DOC, Accept="text/turtle", Accept_Encoding="gzip")
    assert (first, first_h["etag"]) == (coded, gz_h["etag"])


def test_head_says_what_get_sends(url: str) -> None:
    wire(url, DOC + ".nt", Accept_Encoding="gzip")  # kept first: HEAD is then answered from the kept bytes
    _, head_h, head_body = wire(url, DOC + ".nt", "HEAD", Accept_Encoding="gzip")
    _, get_h, body = wire(url, DOC + ".nt", Accept_Encoding="gzip")
    assert head_body == b"" and head_h["content-encoding"] == get_h["content-encoding"] == "gzip"
    assert int(head_h["content-length"]) == len(body) and head_h["etag"] == get_h["etag"]


def test_sparql_results_are_gzip_coded_under_their_weak_etag(url: str) -> None:
    query = quote("SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT 500")
    accept = "application/sparql-results+json"
    _, plain_h, plain = wire(url, f"/sparql?query={query}", Accept=accept, Accept_Encoding="identity")
    for _ in range(2):  # answered, then from the endpoint's result cache
        status, h, coded = wire(url, f"/sparql?query={query}", Accept=accept, Accept_Encoding="gzip")
        assert status == 200 and h["content-encoding"] == "gzip" and "content-encoding" not in plain_h
        assert gzip.decompress(coded) == plain and len(coded) * 3 < len(plain)
        assert len(json.loads(plain)["results"]["bindings"]) == 500
        assert h["etag"] == plain_h["etag"] and h["etag"].startswith("W/")  # the same results, weakly
        assert "accept-encoding" in vary(h) and "accept-encoding" in vary(plain_h)
    status, h, _ = wire(url, f"/sparql?query={query}", Accept=accept, Accept_Encoding="gzip", If_None_Match=plain_h["etag"])
    assert status == 304 and "accept-encoding" in vary(h)
