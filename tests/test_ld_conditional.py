"""Entity documents over a real server: validators and conditional GET (ETag,
Last-Modified, 304 for If-None-Match and If-Modified-Since, a new ETag when
the release changes), ``Accept: application/json`` answered with JSON-LD,
and the JSON-LD documents and CONSTRUCT answers compacted with the context
served at /context.jsonld, expanded by a real JSON-LD processor (pyld) to the
same graph as the N-Triples variant."""

from __future__ import annotations

import json
import time
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path

import httpx
import pytest
import rdflib
from ld_fixtures import ld_url  # noqa: F401  (fixture)
from live import get, serve
from pyld import jsonld as pyld
from rdflib.compare import isomorphic
from test_reload import relabel

from kg.config import Settings
from kg.rdf import jsonld
from kg.rdf.vocab import prefixes
from kg.release.build import build
from kg.release.directory import Release
from kg.web.reload import Watcher
from kg.web.server import build_app, make_store

BASE = "https://qatar-nato.example.org/"
DOC = "/doc/state/qat"
NEGOTIATED = ["text/html", "text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml"]


@pytest.mark.parametrize("media", NEGOTIATED)
def test_negotiated_document_answers_304_to_either_validator(ld_url: str, media: str) -> None:
    first = get(f"{ld_url}{DOC}", headers={"Accept": media, "Accept-Language": "en"})
    assert first.status_code == 200 and first.headers["content-type"].startswith(media)
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    base = {"Accept": media, "Accept-Language": "en"}

    by_tag = get(f"{ld_url}{DOC}", headers={**base, "If-None-Match": etag})
    assert by_tag.status_code == 304 and by_tag.content == b""
    for name in ("etag", "last-modified", "content-location", "vary", "cache-control"):
        assert by_tag.headers[name] == first.headers[name], name

    by_date = get(f"{ld_url}{DOC}", headers={**base, "If-Modified-Since": modified})
    assert by_date.status_code == 304 and by_date.headers["etag"] == etag

    earlier = formatdate(parsedate_to_datetime(modified).timestamp() - 86400, usegmt=True)
    assert get(f"{ld_url}{DOC}", headers={**base, "If-Modified-Since": earlier}).status_code == 200
    assert get(f"{ld_url}{DOC}", headers={**base, "If-None-Match": 'W/"something-else"'}).status_code == 200
    # If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2)
    assert get(f"{ld_url}{DOC}", headers={**base, "If-None-Match": '"other"', "If-Modified-Since": modified}).status_code == 200
    head = httpx.head(f"{ld_url}{DOC}", headers={**base, "If-None-Match": etag}, timeout=30)
    assert head.status_code == 304


def test_every_variant_has_its_own_strong_etag_and_the_release_date(ld_url: str, release: Release) -> None:
    """Strong ETags (RFC 9110 §8.8.3): one per representation — the same bytes
    in the same type and language share it, any other difference changes it."""
    seen: dict[str, tuple[bytes, str, str | None]] = {}
    published = formatdate(int(release.path.stat().st_mtime), usegmt=True)
    answers = []
    for suffix in ("ttl", "jsonld", "nt", "rdf", "html"):
        r = get(f"{ld_url}{DOC}.{suffix}")
        assert r.status_code == 200 and r.headers["last-modified"] == published
        assert get(f"{ld_url}{DOC}.{suffix}", headers={"If-None-Match": r.headers["etag"]}).status_code == 304
        answers.append(r)
    answers.append(get(f"{ld_url}{DOC}", headers={"Accept": "text/html", "Accept-Language": "en"}))
    answers.append(get(f"{ld_url}{DOC}", headers={"Accept": "text/html", "Accept-Language": "ar"}))
    for r in answers:
        tag = r.headers["etag"]
        assert not tag.startswith("W/") and tag.startswith('"') and tag.endswith('"'), tag
        representation = (r.content, r.headers["content-type"], r.headers.get("content-language"))
        assert seen.setdefault(tag, representation) == representation, "one strong ETag for two representations"
    assert len({(r.content, r.headers["content-type"]) for r in answers}) == len(seen) >= 6  # five formats, two languages
    other = get(f"{ld_url}/doc/article/{release.meta['articles'][0]['id']}.ttl")
    assert other.headers["etag"] not in seen


def test_other_documents_have_validators_too(ld_url: str) -> None:
    for path in ("/ontology.ttl", "/shapes", "/dataset.jsonld", "/graph/entities.nt", "/.well-known/void", "/context.jsonld"):
        r = get(f"{ld_url}{path}")
        assert r.status_code == 200, path
        assert get(f"{ld_url}{path}", headers={"If-None-Match": r.headers["etag"]}).status_code == 304, path
        assert get(f"{ld_url}{path}", headers={"If-Modified-Since": r.headers["last-modified"]}).status_code == 304, path


def test_a_new_release_changes_the_etag_and_the_date(seeds_copy: Path, tmp_path: Path) -> None:
    settings = Settings(seeds_dir=seeds_copy, var_dir=tmp_path / "var").with_(query_workers=1)
    build(settings, progress=lambda _line: None)
    app = build_app(settings)
    watcher = Watcher(app, settings, make_store, interval=3600)
    watcher.start()
    try:
        with serve(app) as url:
            before = get(f"{url}{DOC}.ttl")
            time.sleep(1.1)  # Last-Modified has whole seconds: let the clock pass one
            relabel(seeds_copy, "Qatar renamed")
            second = build(settings, progress=lambda _line: None)
            watcher.poke()
            deadline = time.monotonic() + 120
            while app.state.release.id != second.id:
                assert time.monotonic() < deadline, "the server did not switch"
                time.sleep(0.05)
            after = get(f"{url}{DOC}.ttl", headers={"If-None-Match": before.headers["etag"]})
            assert after.status_code == 200 and "Qatar renamed" in after.text
            assert after.headers["etag"] != before.headers["etag"]
            assert parsedate_to_datetime(after.headers["last-modified"]) > parsedate_to_datetime(before.headers["last-modified"])
            stale = get(f"{url}{DOC}.ttl", headers={"If-Modified-Since": before.headers["last-modified"]})
            assert stale.status_code == 200
    finally:
        watcher.stop()
        app.state.store.close()


# --- JSON for JSON clients, JSON-LD compacted -------------------------------------------------------


def test_accept_application_json_gets_json_ld(ld_url: str) -> None:
    r = get(f"{ld_url}{DOC}", headers={"Accept": "application/json"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/ld+json; charset=utf-8"
    assert r.headers["content-location"].endswith(".jsonld")
    assert json.loads(r.content)["@context"]["qn"] == BASE + "ontology#"
    assert get(f"{ld_url}/.well-known/void", headers={"Accept": "application/json"}).headers["content-type"].startswith(
        "application/ld+json")
    # a browser's Accept still gets the page; a real JSON-LD type still wins a tie
    assert get(f"{ld_url}{DOC}", headers={"Accept": "text/html,application/json;q=0.9"}).headers["content-type"].startswith("text/html")
    assert get(f"{ld_url}{DOC}", headers={"Accept": "application/json;q=0.5, text/turtle"}).headers["content-type"].startswith("text/turtle")


def test_context_is_served_and_is_the_one_embedded_everywhere(ld_url: str, release: Release) -> None:
    r = get(f"{ld_url}{jsonld.CONTEXT_PATH}")
    assert r.status_code == 200 and r.headers["content-type"] == "application/ld+json; charset=utf-8"
    served = r.json()["@context"]
    assert served == jsonld.context(prefixes(release.base_iri))
    doc = get(f"{ld_url}{DOC}.jsonld").json()
    dump = json.loads(release.file("dataset.jsonld").read_bytes())
    assert doc["@context"] == served == dump["@context"]


def _expanded(body: bytes) -> rdflib.Graph:
    nquads = pyld.to_rdf(json.loads(body), {"format": "application/n-quads"})
    return rdflib.Graph().parse(data=nquads, format="nquads")


@pytest.mark.parametrize("path", [DOC, "/ontology", "/dataset", "/graph/entities"])
def test_json_ld_documents_expand_to_the_n_triples_graph(ld_url: str, path: str) -> None:
    body = get(f"{ld_url}{path}.jsonld").content
    document = json.loads(body)
    assert "@context" in document and pyld.compact(document, {"@context": document["@context"]}) == document
    expected = rdflib.Graph().parse(data=get(f"{ld_url}{path}.nt").content, format="nt")
    assert len(expected) > 0 and isomorphic(_expanded(body), expected)


def test_construct_json_ld_is_compacted_and_expands_to_the_same_graph(ld_url: str) -> None:
    query = ("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
             "CONSTRUCT { ?s rdfs:label ?l ; a ?t } WHERE { ?s rdfs:label ?l ; a ?t } ORDER BY ?s LIMIT 40")
    body = get(f"{ld_url}/sparql", params={"query": query}, headers={"Accept": "application/ld+json"}).content
    document = json.loads(body)
    assert document["@context"]["rdfs"] == "http://www.w3.org/2000/01/rdf-schema#"
    assert any("rdfs:label" in node for node in document["@graph"])
    nt = get(f"{ld_url}/sparql", params={"query": query}, headers={"Accept": "application/n-triples"}).content
    assert isomorphic(_expanded(body), rdflib.Graph().parse(data=nt, format="nt"))
