"""Linked data against a real server (uvicorn on a loopback port): 303s,
negotiation, every RDF syntax parsed by real parsers, 404s, HEAD, dumps with
conditional GET and ranges, and the VoID description with every dump it names."""

from __future__ import annotations

import gzip
import hashlib
import html
import io
import re

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from ld_fixtures import HOSTILE, hostile_url, ld_url  # noqa: F401  (fixtures)
from rdflib import Literal, URIRef
from rdflib.namespace import OWL, RDF

SEARCH_SCRIPT = '<script src="/static/search.js" defer></script>'
DATA_BLOCK = re.compile(r'<script type="application/ld\+json">[^<]*</script>')
"""Structured data (kg.web.structured): a data block, never executed; its JSON holds no '<'."""


def scripts_left(body: str) -> str:
    """The page without its search script and its one JSON-LD data block."""
    return DATA_BLOCK.sub("", body, count=1).lower().replace(SEARCH_SCRIPT, "")
BASE = "https://qatar-nato.example.org/"
ENTITY = "id/state/qat"
FACT = "id/fact/mofa-2019-03-13-qatar-nato/visit-to-nato-hq"
ARTICLE = "id/article/mofa-2019-03-13-qatar-nato"
CLAIM = "id/claim/mofa-2019-03-13-qatar-nato/blockade-did-not-hinder"
THINGS = [ENTITY, FACT, ARTICLE, CLAIM]
FORMATS = {  # media type → (rdflib parser, pyoxigraph format)
    "text/turtle": ("turtle", ox.RdfFormat.TURTLE),
    "application/ld+json": ("json-ld", ox.RdfFormat.JSON_LD),
    "application/n-triples": ("nt", ox.RdfFormat.N_TRIPLES),
    "application/rdf+xml": ("xml", ox.RdfFormat.RDF_XML),
}
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
DCT = rdflib.Namespace("http://purl.org/dc/terms/")
SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")
PROV = rdflib.Namespace("http://www.w3.org/ns/prov#")
OA = rdflib.Namespace("http://www.w3.org/ns/oa#")
SCHEMA = rdflib.Namespace("http://schema.org/")


def get(url: str, **kw) -> httpx.Response:  # type: ignore[no-untyped-def]
    return httpx.get(url, timeout=30, **kw)


def parse_both(body: bytes, media: str, base: str = BASE) -> tuple[rdflib.Graph, list]:
    rdflib_format, ox_format = FORMATS[media]
    g = rdflib.Graph().parse(data=body, format=rdflib_format, publicID=base)
    return g, list(ox.parse(body, format=ox_format, base_iri=base))


# -- 303 and negotiation -----------------------------------------------------------
@pytest.mark.parametrize("path", THINGS)
def test_thing_answers_303_to_its_document(ld_url: str, path: str) -> None:
    for method in ("GET", "HEAD"):
        r = httpx.request(method, f"{ld_url}/{path}", headers={"Accept": "text/turtle"}, timeout=30)
        assert r.status_code == 303, (method, r.status_code)
        assert r.headers["location"] == "/doc/" + path.removeprefix("id/")


@pytest.mark.parametrize("media", list(FORMATS))
@pytest.mark.parametrize("path", THINGS)
def test_each_format_parses_and_describes_the_iri(ld_url: str, path: str, media: str) -> None:
    r = get(f"{ld_url}/{path}", headers={"Accept": media}, follow_redirects=True)
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == media
    assert "Accept" in r.headers["vary"]
    links = r.headers["link"]
    assert 'rel="license"' in links and "creativecommons.org/licenses/by/4.0" in links
    for suffix in ("ttl", "jsonld", "nt", "rdf", "html"):
        assert f'</doc/{path.removeprefix("id/")}.{suffix}>; rel="alternate"' in links
    g, quads = parse_both(r.content, media)
    iri = URIRef(BASE + path)
    assert len(g) == len(quads) > 0
    assert (iri, RDF.type, None) in g, "the document gives the resource's types"
    doc = URIRef(BASE + "doc/" + path.removeprefix("id/"))
    assert (doc, rdflib.namespace.FOAF.primaryTopic, iri) in g


@pytest.mark.parametrize("media", list(FORMATS))
def test_ontology_term_resolves_through_the_ontology_document(ld_url: str, media: str) -> None:
    term = URIRef(BASE + "ontology#State")
    r = get(f"{ld_url}/ontology", headers={"Accept": media})
    assert r.status_code == 200 and "Accept" in r.headers["vary"]
    g, _ = parse_both(r.content, media)
    assert (term, RDF.type, OWL.Class) in g
    assert (term, rdflib.RDFS.label, Literal("دولة", lang="ar")) in g
    page = get(f"{ld_url}/ontology", headers={"Accept": "text/html"})
    assert 'id="State"' in page.text and 'lang="ar"' in page.text


def test_shapes_are_dereferenceable(ld_url: str) -> None:
    r = get(f"{ld_url}/shapes", headers={"Accept": "application/n-triples"})
    assert r.status_code == 200
    g, _ = parse_both(r.content, "application/n-triples")
    assert (None, RDF.type, URIRef("http://www.w3.org/ns/shacl#NodeShape")) in g


@pytest.mark.parametrize(("accept", "expected"), [
    ("text/turtle;q=0.5, application/ld+json;q=0.9", "application/ld+json"),
    ("text/html;q=0.1, application/n-triples", "application/n-triples"),
    ("application/rdf+xml, text/html;q=0.9", "application/rdf+xml"),
    ("text/*", "text/html"),
    ("*/*", "text/html"),
    (None, "text/html"),
    ("text/html;q=0, */*;q=0.5", "text/turtle"),
])
def test_q_values_choose_the_representation(ld_url: str, accept: str | None, expected: str) -> None:
    headers = {"Accept": accept} if accept is not None else {}
    r = get(f"{ld_url}/doc/state/qat", headers=headers)
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == expected
    assert r.headers["content-location"].endswith("." + {"text/html": "html", "text/turtle": "ttl", "application/ld+json": "jsonld",
                                                          "application/n-triples": "nt", "application/rdf+xml": "rdf"}[expected])


def test_nothing_acceptable_is_406(ld_url: str) -> None:
    r = get(f"{ld_url}/doc/state/qat", headers={"Accept": "application/pdf"})
    assert r.status_code == 406


def test_explicit_format_urls_ignore_accept(ld_url: str) -> None:
    r = get(f"{ld_url}/doc/state/qat.ttl", headers={"Accept": "text/html"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    g, _ = parse_both(r.content, "text/turtle")
    assert (URIRef(BASE + ENTITY), OWL.sameAs, URIRef("http://www.wikidata.org/entity/Q846")) in g


# -- 404 and HEAD -------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/id/state/atlantis", "/doc/state/atlantis", "/doc/state/atlantis.ttl", "/graph/nothing",
                                  "/no/such/page", "/types/qn:Nothing", "/types/nope:X"])
def test_unknown_iris_are_404_as_html_or_text(ld_url: str, path: str) -> None:
    as_html = get(ld_url + path, headers={"Accept": "text/html"})
    assert as_html.status_code == 404 and as_html.headers["content-type"].startswith("text/html")
    assert "<html" in as_html.text
    as_text = get(ld_url + path, headers={"Accept": "text/turtle"})
    assert as_text.status_code == 404 and as_text.headers["content-type"].startswith("text/plain")
    head = httpx.head(ld_url + path, timeout=30)
    assert head.status_code == 404 and head.content == b""


@pytest.mark.parametrize("path", ["/", "/doc/state/qat", "/doc/state/qat.nt", "/ontology", "/types/", "/dumps/",
                                  "/.well-known/void", "/dataset", "/graph/entities"])
def test_head_matches_get(ld_url: str, path: str) -> None:
    g = get(ld_url + path)
    h = httpx.head(ld_url + path, timeout=30)
    assert g.status_code == h.status_code == 200
    assert h.content == b""
    assert h.headers["content-type"] == g.headers["content-type"]
    assert h.headers.get("content-encoding") == g.headers.get("content-encoding")  # the same representation
    assert int(h.headers["content-length"]) == g.num_bytes_downloaded  # the bytes sent, gzip-coded or not


# -- what a description holds -------------------------------------------------------
def test_statements_carry_their_evidence_quote_and_offsets(ld_url: str) -> None:
    """Each reified statement about Qatar derives from a fact whose quote is,
    verbatim, the article text between the quote's offsets."""
    g, _ = parse_both(get(f"{ld_url}/doc/state/qat.ttl").content, "text/turtle")
    texts: dict[URIRef, str] = {}
    checked = 0
    for st in g.subjects(RDF.type, RDF.Statement):
        assert (st, RDF.subject, URIRef(BASE + ENTITY)) in g
        for fact in g.objects(st, PROV.wasDerivedFrom):
            article = g.value(fact, URIRef(BASE + "ontology#article"))
            for ann in g.objects(fact, URIRef(BASE + "ontology#evidence")):
                target = g.value(ann, OA.hasTarget)
                selectors = list(g.objects(target, OA.hasSelector))
                exact = next(str(g.value(s, OA.exact)) for s in selectors if g.value(s, OA.exact) is not None)
                pos = next(s for s in selectors if g.value(s, OA.start) is not None)
                start, end = int(g.value(pos, OA.start)), int(g.value(pos, OA.end))
                if article not in texts:
                    ag, _ = parse_both(get(f"{ld_url}/doc/{str(article).removeprefix(BASE + 'id/')}.nt").content, "application/n-triples")
                    texts[article] = str(ag.value(article, SCHEMA.text))
                assert texts[article][start:end] == exact
                checked += 1
    assert checked >= 5


def test_entity_page_shows_labels_evidence_incoming_and_same_as(ld_url: str) -> None:
    r = get(f"{ld_url}/doc/state/qat", headers={"Accept": "text/html", "Accept-Language": "en"})
    body = r.text
    assert '<span lang="ar" dir="rtl" class="label-ar">قطر</span>' in body
    assert 'href="/doc/ministry/qat-mfa"' in body, "linked objects link to their pages"
    assert "Ministry of Foreign Affairs of Qatar" in body, "… and show labels, not raw IRIs"
    assert 'href="/doc/membership/qat-ici"' in body, "the dated membership (no timeless org:memberOf) is linked"
    assert 'href="/doc/article/zajel-2016-11-21-qatar-ici#span-' in body, "evidence links to the article span"
    assert 'href="http://www.wikidata.org/entity/Q846"' in body
    assert 'id="incoming"' in body
    assert r.headers["content-security-policy"].startswith("default-src 'none'")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "<script" not in scripts_left(body)  # the search box's is the only script (and the JSON-LD data block)


def test_article_page_highlights_every_span_and_keeps_the_text(ld_url: str) -> None:
    body = get(f"{ld_url}/doc/article/mofa-2019-03-13-qatar-nato", headers={"Accept": "text/html"}).text
    seed = re.search(r'<div class="seed" lang="ar" dir="rtl">(.*?)</div>', body, re.S)
    assert seed
    visible = re.sub(r"<sup class=\"refs\">.*?</sup>", "", seed.group(1), flags=re.S)
    visible = html.unescape(re.sub(r"<[^>]+>", "", visible))
    g, _ = parse_both(get(f"{ld_url}/doc/article/mofa-2019-03-13-qatar-nato.nt").content, "application/n-triples")
    text = str(g.value(URIRef(BASE + ARTICLE), SCHEMA.text))
    assert visible == text, "highlighting must not add, drop or reorder text"
    spans = set(re.findall(r'href="#(span-\d+-\d+)"', body))
    ids = re.findall(r'id="(span-\d+-\d+)"', body)
    assert spans and spans == set(ids) and len(ids) == len(set(ids)), "one anchor per span, each unique"
    assert "<mark" in body and 'class="ev depth-2' in body, "overlapping spans are shown as such"


def test_fact_page_shows_what_it_asserts(ld_url: str) -> None:
    body = get(f"{ld_url}/doc/fact/mofa-2019-03-13-qatar-nato/visit-to-nato-hq", headers={"Accept": "text/html"}).text
    assert 'id="asserts"' in body and 'id="evidence-1"' in body


def test_language_switch(ld_url: str) -> None:
    ar = get(f"{ld_url}/doc/state/qat", headers={"Accept": "text/html", "Accept-Language": "ar,en;q=0.5"})
    assert '<html lang="ar" dir="rtl">' in ar.text and ar.headers["content-language"] == "ar"
    assert "Accept-Language" in ar.headers["vary"]
    en = get(f"{ld_url}/doc/state/qat?lang=en", headers={"Accept": "text/html", "Accept-Language": "ar"})
    assert '<html lang="en" dir="ltr">' in en.text


def test_landing_page_has_entry_points(ld_url: str) -> None:
    r = get(ld_url + "/")
    for href in ('href="/sparql"', 'href="/dumps/"', 'href="/.well-known/void"', 'href="/types/"', 'href="/doc/article/'):
        assert href in r.text
    assert 'rel="describedby"' in r.headers["link"]


def test_type_list(ld_url: str) -> None:
    r = get(ld_url + "/types/qn:State")
    assert r.status_code == 200 and 'href="/doc/state/qat"' in r.text


# -- dumps -------------------------------------------------------------------------
def test_dump_headers_conditional_get_and_range(ld_url: str) -> None:
    url = ld_url + "/dumps/dataset.nq"
    r = get(url)
    assert r.status_code == 200
    assert int(r.headers["content-length"]) == len(r.content)
    assert r.headers["etag"] == f'"{hashlib.sha256(r.content).hexdigest()}"'
    assert r.headers["cache-control"] and r.headers["last-modified"]
    assert r.headers["content-type"].startswith("application/n-quads")
    assert get(url, headers={"If-None-Match": r.headers["etag"]}).status_code == 304
    assert get(url, headers={"If-None-Match": '"other", ' + r.headers["etag"]}).status_code == 304
    assert get(url, headers={"If-None-Match": '"other"'}).status_code == 200
    assert get(url, headers={"If-Modified-Since": r.headers["last-modified"]}).status_code == 304
    assert get(url, headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}).status_code == 200
    part = get(url, headers={"Range": "bytes=10-109"})
    assert part.status_code == 206 and part.content == r.content[10:110]
    head = httpx.head(url, timeout=30)
    assert head.status_code == 200 and head.content == b"" and head.headers["etag"] == r.headers["etag"]


@pytest.mark.parametrize("name", ["release.json", "..%2Frelease.json", "..%2F..%2Fetc%2Fpasswd", "%2Fetc%2Fpasswd", "nope.nt"])
def test_only_listed_dumps_are_served(ld_url: str, name: str) -> None:
    assert get(f"{ld_url}/dumps/{name}").status_code == 404


def test_dumps_listing(ld_url: str) -> None:
    body = get(ld_url + "/dumps/").text
    for name in ("dataset.nq", "dataset.ttl.gz", "ontology.ttl", "shapes.ttl", "validation-report.ttl", "SHA256SUMS", "void.ttl"):
        assert f'href="/dumps/{name}"' in body


# -- VoID ----------------------------------------------------------------------------
def test_void_describes_the_dataset_and_every_dump_downloads_and_parses(ld_url: str) -> None:
    r = get(ld_url + "/.well-known/void")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    void = rdflib.Graph().parse(data=r.content, format="turtle")
    ds = URIRef(BASE + "dataset")
    assert (ds, RDF.type, VOID.Dataset) in void and (ds, RDF.type, DCAT.Dataset) in void
    assert (ds, VOID.sparqlEndpoint, URIRef(BASE + "sparql")) in void
    assert (ds, VOID.uriSpace, Literal(BASE + "id/")) in void
    assert (ds, DCT.license, URIRef("https://creativecommons.org/licenses/by/4.0/")) in void
    assert any("not licensed" in str(o).lower() for o in void.objects(ds, DCT.rights))
    assert set(void.objects(ds, DCT.source)) == {URIRef(BASE + ARTICLE), URIRef(BASE + "id/article/zajel-2016-11-21-qatar-ici"),
                                                 URIRef(BASE + "id/article/example-2018-06-06-liaison-agreement")}  # article C
    assert void.value(ds, DCT.modified) is not None and void.value(ds, DCT.publisher) is not None
    assert len(list(void.objects(ds, VOID.classPartition))) > 10 and len(list(void.objects(ds, VOID.propertyPartition))) > 10
    declared = int(void.value(ds, VOID.triples))
    dumps = sorted(void.objects(ds, VOID.dataDump))
    assert len(dumps) == 10
    data_triples = None
    for dump in dumps:
        local = str(dump).replace(BASE, ld_url + "/")
        body = get(local).content
        assert len(body) == int(void.value(dump, DCAT.byteSize))
        checksum = void.value(dump, SPDX.checksum)
        assert void.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        assert str(void.value(checksum, SPDX.checksumValue)) == hashlib.sha256(body).hexdigest()
        if str(dump).endswith(".gz"):
            body = gzip.decompress(body)
        media = str(void.value(dump, DCAT.mediaType)).removeprefix("https://www.iana.org/assignments/media-types/")
        fmt = ox.RdfFormat.from_media_type(media)
        assert fmt is not None, media
        triples = {q.triple if isinstance(q, ox.Quad) else q for q in ox.parse(io.BytesIO(body), format=fmt)}
        assert len(triples) == declared, dump
        data_triples = triples
    # linksets count what the data holds
    same_as = [t for t in data_triples or () if t.predicate.value == str(OWL.sameAs)]
    for linkset in void.subjects(RDF.type, VOID.Linkset):
        assert void.value(linkset, VOID.linkPredicate) == OWL.sameAs
        space = str(void.value(void.value(linkset, VOID.objectsTarget), VOID.uriSpace))
        assert int(void.value(linkset, VOID.triples)) == sum(1 for t in same_as if t.object.value.startswith(space)) > 0
    assert {str(void.value(void.value(ls, VOID.objectsTarget), DCT.title)) for ls in void.subjects(RDF.type, VOID.Linkset)} == {"Wikidata", "DBpedia", "GeoNames"}


@pytest.mark.parametrize("media", ["application/ld+json", "application/n-triples", "application/rdf+xml"])
def test_void_by_negotiation_and_at_the_dataset_iri(ld_url: str, media: str) -> None:
    for path in ("/.well-known/void", "/dataset"):
        r = get(ld_url + path, headers={"Accept": media})
        assert r.status_code == 200 and r.headers["content-type"].startswith(media) and "Accept" in r.headers["vary"]
        g, _ = parse_both(r.content, media)
        assert (URIRef(BASE + "dataset"), RDF.type, VOID.Dataset) in g


# -- hostile input ---------------------------------------------------------------------
def test_hostile_label_is_escaped_everywhere(hostile_url: str) -> None:
    escaped = html.escape(HOSTILE, quote=False)
    for path in ("/doc/state/qat", "/doc/cooperation/qat-nato", "/types/qn:State"):
        body = get(hostile_url + path, headers={"Accept": "text/html"}).text
        assert "<script" not in scripts_left(body), path
        assert escaped in body, path
    g, _ = parse_both(get(hostile_url + "/doc/state/qat.ttl").content, "text/turtle")
    assert (URIRef(BASE + ENTITY), rdflib.RDFS.label, Literal(HOSTILE, lang="en")) in g


def test_favicon_is_served_and_linked(ld_url: str) -> None:
    import httpx

    icon = httpx.get(f"{ld_url}/favicon.ico", timeout=30)
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
    assert icon.content.startswith(b"<svg")
    for path in ("/", "/sparql"):
        page = httpx.get(f"{ld_url}{path}", headers={"Accept": "text/html"}, timeout=30).text
        assert '<link rel="icon" type="image/svg+xml" href="/static/favicon.svg">' in page
