"""/sparql against a real uvicorn server: protocol, formats parsed by real
parsers, negotiation, service description, query page, CORS, HEAD, caching,
refusals, and real clients (SPARQLWrapper, rdflib's SPARQLStore)."""

from __future__ import annotations

import csv
import io
import json
import re
import socket
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from rdflib.query import Result
from sparql_fixtures import KASEI, needs_w3c, ox_key, sparql_server, term_key

from kg.competency import questions
from kg.config import Settings
from kg.release.directory import Release

LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SELECT = f"SELECT ?s ?label WHERE {{ ?s <{LABEL}> ?label }} ORDER BY ?s ?label LIMIT 5"
CONSTRUCT = f"CONSTRUCT {{ ?s <{LABEL}> ?label }} WHERE {{ ?s <{LABEL}> ?label }} LIMIT 5"
SRX = "{http://www.w3.org/2005/sparql-results#}"


@pytest.fixture(scope="module")
def server(release: Release, release_settings: Settings) -> Iterator[str]:
    with sparql_server(release, release_settings.with_(query_timeout=20.0)) as (url, _executor):
        yield url


@pytest.fixture
def client(server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server, timeout=30) as c:
        yield c


# --- the three ways to send a query -----------------------------------------------------


def test_get_form_post_and_direct_post_give_the_same_answer(client: httpx.Client) -> None:
    accept = {"Accept": "application/sparql-results+json"}
    by_get = client.get("/sparql", params={"query": SELECT}, headers=accept)
    by_form = client.post("/sparql", data={"query": SELECT}, headers=accept)
    by_direct = client.post("/sparql", content=SELECT.encode(), headers={**accept, "Content-Type": "application/sparql-query"})
    for r in (by_get, by_form, by_direct):
        assert r.status_code == 200, r.text
    answers = [r.json()["results"]["bindings"] for r in (by_get, by_form, by_direct)]
    assert answers[0] == answers[1] == answers[2]
    assert len(answers[0]) == 5


@needs_w3c
def test_default_graph_is_the_data_and_dataset_parameters_override_it(client: httpx.Client) -> None:
    def ask(query: str, **params: object) -> bool:
        r = client.get("/sparql", params={"query": query, **params}, headers={"Accept": "application/sparql-results+json"})
        assert r.status_code == 200, r.text
        return r.json()["boolean"]

    has_label = f"ASK {{ ?s <{LABEL}> ?o }}"
    has_doc = "ASK { ?d a <http://xmlns.com/foaf/0.1/Document> }"
    assert ask(has_label)  # our data is in the default graph
    assert not ask(has_doc)  # the W3C test graphs are named graphs only, not in our default graph
    assert ask(has_doc, **{"default-graph-uri": [f"{KASEI}data1.rdf"]})
    assert not ask(has_label, **{"default-graph-uri": [f"{KASEI}data1.rdf"]})
    both = f"ASK {{ <{KASEI}data1.rdf> a ?t . <{KASEI}data2.rdf> a ?t }}"
    assert ask(both, **{"default-graph-uri": [f"{KASEI}data1.rdf", f"{KASEI}data2.rdf"]})
    named = f"ASK {{ GRAPH ?g {{ <{KASEI}data3.rdf> a ?t }} }}"
    assert ask(named)
    assert not ask(named, **{"named-graph-uri": [f"{KASEI}data1.rdf"]})


@needs_w3c
def test_query_from_clause_is_honoured_without_protocol_dataset(client: httpx.Client) -> None:
    q = f"SELECT (COUNT(*) AS ?n) FROM <{KASEI}data2.rdf> WHERE {{ ?s ?p ?o }}"
    r = client.get("/sparql", params={"query": q}, headers={"Accept": "application/sparql-results+json"})
    assert r.json()["results"]["bindings"][0]["n"]["value"] == "1"


# --- every format, read back by a real parser -------------------------------------------


def test_select_json(client: httpx.Client) -> None:
    r = client.get("/sparql", params={"query": SELECT}, headers={"Accept": "application/sparql-results+json"})
    assert r.headers["content-type"] == "application/sparql-results+json; charset=utf-8"
    parsed = Result.parse(io.BytesIO(r.content), format="json")
    assert [str(v) for v in parsed.vars] == ["s", "label"] and len(list(parsed)) == 5
    assert json.loads(r.content)["head"]["vars"] == ["s", "label"]


def test_select_xml(client: httpx.Client) -> None:
    r = client.get("/sparql", params={"query": SELECT}, headers={"Accept": "application/sparql-results+xml"})
    assert r.headers["content-type"] == "application/sparql-results+xml; charset=utf-8"
    root = ET.fromstring(r.content)
    assert [v.get("name") for v in root.iter(SRX + "variable")] == ["s", "label"]
    assert len(list(root.iter(SRX + "result"))) == 5
    assert len(list(Result.parse(io.BytesIO(r.content), format="xml"))) == 5


def test_select_csv_and_tsv(client: httpx.Client) -> None:
    r = client.get("/sparql", params={"query": SELECT}, headers={"Accept": "text/csv"})
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8"), newline="")))
    assert rows[0] == ["s", "label"] and len(rows) == 6
    assert rows[1][0].startswith("http")  # CSV: IRIs bare
    t = client.get("/sparql", params={"query": SELECT}, headers={"Accept": "text/tab-separated-values"})
    assert t.headers["content-type"] == "text/tab-separated-values; charset=utf-8"
    parsed = ox.parse_query_results(t.content, format=ox.QueryResultsFormat.TSV)
    tsv_rows = [tuple(ox_key(s[v]) for v in ("s", "label")) for s in parsed]
    j = client.get("/sparql", params={"query": SELECT}, headers={"Accept": "application/sparql-results+json"}).json()
    json_rows = [tuple(term_key(b.get(v)) for v in ("s", "label")) for b in j["results"]["bindings"]]
    assert tsv_rows == json_rows


def test_ask_json_and_xml(client: httpx.Client) -> None:
    q = f"ASK {{ ?s <{LABEL}> ?o }}"
    j = client.get("/sparql", params={"query": q}, headers={"Accept": "application/sparql-results+json"})
    assert j.json() == {"head": {}, "boolean": True}
    x = client.get("/sparql", params={"query": q}, headers={"Accept": "application/sparql-results+xml"})
    assert ET.fromstring(x.content).find(SRX + "boolean").text == "true"
    # ASK in CSV/TSV: tests/test_sparql_clients.py


@pytest.mark.parametrize(
    "media_type, rdflib_format",
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
        ("application/n-quads", "nquads"),
        ("application/trig", "trig"),
    ],
)
def test_construct_in_every_rdf_format(client: httpx.Client, media_type: str, rdflib_format: str) -> None:
    r = client.get("/sparql", params={"query": CONSTRUCT}, headers={"Accept": media_type})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == f"{media_type}; charset=utf-8"
    assert r.headers["vary"].startswith("Accept")
    ds = rdflib.Dataset()
    ds.parse(data=r.content, format=rdflib_format)
    assert len(ds) == 5 or sum(1 for _ in ds.quads()) == 5
    oxg = list(ox.parse(r.content, format=ox.RdfFormat.from_media_type(media_type)))
    assert len(oxg) == 5


@needs_w3c
def test_describe_returns_rdf(client: httpx.Client) -> None:
    q = f"DESCRIBE <{KASEI}data1.rdf>"
    r = client.get("/sparql", params={"query": q, "named-graph-uri": f"{KASEI}data1.rdf", "default-graph-uri": f"{KASEI}data1.rdf"},
                   headers={"Accept": "text/turtle"})
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    assert (rdflib.URIRef(f"{KASEI}data1.rdf"), rdflib.RDF.type, rdflib.FOAF.Document) in g


# --- negotiation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "accept, query, expected",
    [
        (None, SELECT, "application/sparql-results+json"),
        ("*/*", SELECT, "application/sparql-results+json"),
        ("*/*", CONSTRUCT, "text/turtle"),
        ("text/csv;q=0.5, application/sparql-results+xml", SELECT, "application/sparql-results+xml"),
        ("text/csv, application/sparql-results+xml;q=0.5", SELECT, "text/csv"),
        ("application/*;q=0.9, text/tab-separated-values", SELECT, "text/tab-separated-values"),
        ("application/rdf+xml;q=0.9, application/n-triples", CONSTRUCT, "application/n-triples"),
        ("application/json", SELECT, "application/json"),
        ("text/html;q=0.9, */*;q=0.1", SELECT, "text/html"),
    ],
)
def test_q_value_negotiation(client: httpx.Client, accept: str | None, query: str, expected: str) -> None:
    headers = {"Accept": accept} if accept else {}
    r = client.get("/sparql", params={"query": query}, headers=headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == f"{expected}; charset=utf-8"


@pytest.mark.parametrize("fmt, expected", [("json", "application/sparql-results+json"), ("xml", "application/sparql-results+xml"),
                                           ("csv", "text/csv"), ("tsv", "text/tab-separated-values")])
def test_format_parameter_overrides_accept(client: httpx.Client, fmt: str, expected: str) -> None:
    r = client.get("/sparql", params={"query": SELECT, "format": fmt}, headers={"Accept": "text/html"})
    assert r.headers["content-type"] == f"{expected}; charset=utf-8"


def test_format_parameter_for_graphs(client: httpx.Client) -> None:
    r = client.get("/sparql", params={"query": CONSTRUCT, "format": "turtle"}, headers={"Accept": "application/rdf+xml"})
    assert r.headers["content-type"] == "text/turtle; charset=utf-8"
    assert client.get("/sparql", params={"query": CONSTRUCT, "format": "csv"}).status_code == 406


def test_406_lists_what_is_offered(client: httpx.Client) -> None:
    r = client.get("/sparql", params={"query": SELECT}, headers={"Accept": "image/png"})
    assert r.status_code == 406
    for media in ("application/sparql-results+json", "application/sparql-results+xml", "text/csv", "text/tab-separated-values"):
        assert media in r.text and media in r.headers["link"]
    g = client.get("/sparql", params={"query": CONSTRUCT}, headers={"Accept": "text/csv"})
    assert g.status_code == 406 and "text/turtle" in g.text


# --- service description and query page ---------------------------------------------------


@needs_w3c
def test_service_description_in_rdf_formats(client: httpx.Client, server: str) -> None:
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    for media, fmt in (("text/turtle", "turtle"), ("application/ld+json", "json-ld"), ("application/rdf+xml", "xml"),
                       ("application/n-triples", "nt")):
        r = client.get("/sparql", headers={"Accept": media})
        assert r.status_code == 200 and r.headers["content-type"] == f"{media}; charset=utf-8"
        g = rdflib.Graph().parse(data=r.content, format=fmt)
        endpoint = rdflib.URIRef(f"{server}/sparql")
        assert (endpoint, rdflib.RDF.type, sd.Service) in g
        assert (endpoint, sd.endpoint, endpoint) in g
        assert (endpoint, sd.supportedLanguage, sd.SPARQL11Query) in g
        formats = set(g.objects(endpoint, sd.resultFormat))
        assert rdflib.URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON") in formats and len(formats) == 10
        names = {str(n) for n in g.objects(None, sd.name)}
        assert f"{KASEI}data1.rdf" in names


def test_query_page_for_browsers(client: httpx.Client) -> None:
    r = client.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "<textarea" in r.text and "http://" not in r.text.split("<body>")[0].replace("http://www.w3.org", "")
    linked = re.findall(r'<(?:script src|link rel="stylesheet" href)="([^"]*)"', r.text)
    assert all(u.startswith("/static/") for u in linked), linked  # nothing from the internet (the search box's own files)
    for q in questions():
        assert f"example={q.slug}" in r.text


def test_query_page_renders_results_and_download_links(client: httpx.Client) -> None:
    r = client.get("/sparql", params={"query": SELECT}, headers={"Accept": "text/html"})
    assert r.status_code == 200 and 'id="results-table"' in r.text
    assert r.text.count("<tr>") == 6  # header + 5 rows
    assert "format=csv" in r.text and "format=srx" in r.text
    example = questions()[0]
    e = client.get("/sparql", params={"example": example.slug}, headers={"Accept": "text/html"})
    assert e.status_code == 200 and "<textarea" in e.text


def test_query_page_shows_errors_with_their_status(client: httpx.Client) -> None:
    r = client.get("/sparql", params={"query": "SELECT * {"}, headers={"Accept": "text/html"})
    assert r.status_code == 400 and 'id="error"' in r.text and "error at" in r.text


# --- errors and refusals ---------------------------------------------------------------------


@pytest.mark.parametrize("query", ["SELECT * { ?s ?p }", "SELEC * {}", "ASK {", "SELECT ?x WHERE { ?x <http://p> \"unterminated }"])
def test_malformed_query_is_400_with_position(client: httpx.Client, query: str) -> None:
    r = client.get("/sparql", params={"query": query})
    assert r.status_code == 400
    assert "error at 1:" in r.text


def test_empty_and_missing_query(client: httpx.Client) -> None:
    assert client.get("/sparql", params={"query": "  "}).status_code == 400
    assert client.post("/sparql", data={"format": "json"}).status_code == 400


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { <http://a> <http://b> <http://c> }",
        "CLEAR ALL",
        "DROP GRAPH <http://example.org/g>",
        "LOAD <http://127.0.0.1:9/data.ttl>",
        "PREFIX ex: <http://e/> DELETE WHERE { ?s ex:p ?o }",
    ],
)
def test_updates_are_refused_and_not_executed(client: httpx.Client, update: str) -> None:
    before = client.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", "format": "json"}).json()
    for r in (
        client.get("/sparql", params={"query": update}),
        client.post("/sparql", data={"update": update}),
        client.post("/sparql", content=update.encode(), headers={"Content-Type": "application/sparql-update"}),
        client.post("/sparql", content=update.encode(), headers={"Content-Type": "application/sparql-query"}),
    ):
        assert r.status_code == 400, r.text
        assert "read-only" in r.text
    after = client.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", "format": "json"}).json()
    assert before["results"] == after["results"]


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.settimeout(1.0)
    yield sock
    sock.close()


@pytest.mark.parametrize(
    "template",
    [
        "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        "select * where {{ ?a ?b ?c .service silent <{url}> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ \\u0053ERVICE <{url}> {{ ?s ?p ?o }} }}",
        "ASK {{ SERVICE <{url}> {{ }} }}",
    ],
)
def test_service_makes_no_connection(client: httpx.Client, listener: socket.socket, template: str) -> None:
    url = "http://127.0.0.1:%d/sparql" % listener.getsockname()[1]
    r = client.get("/sparql", params={"query": template.format(url=url)})
    assert r.status_code == 400 and "SERVICE" in r.text
    with pytest.raises(TimeoutError):
        conn, _ = listener.accept()
        conn.close()


def test_the_word_service_in_a_string_is_fine(client: httpx.Client) -> None:
    r = client.get("/sparql", params={"query": 'SELECT ("SERVICE" AS ?x) ?service WHERE {}', "format": "json"})
    assert r.status_code == 200


@pytest.mark.parametrize(
    "request_kwargs",
    [
        {"method": "POST", "content": b"ASK {}", "headers": {"Content-Type": "text/plain"}},
        {"method": "POST", "content": b"query=ASK%20%7B%7D"},
        {"method": "POST", "content": "ASK {}".encode("utf-16"), "headers": {"Content-Type": "application/sparql-query; charset=UTF-16"}},
        {"method": "GET", "params": [("query", "ASK {}"), ("query", "SELECT * {}")]},
        {"method": "PUT", "params": {"query": "ASK {}"}},
        {"method": "GET", "params": {"query": "ASK {}", "default-graph-uri": "not an iri"}},
    ],
)
def test_protocol_errors_are_4xx(client: httpx.Client, request_kwargs: dict) -> None:
    kwargs = dict(request_kwargs)  # the parameter is shared: do not mutate it
    method = kwargs.pop("method")
    r = client.request(method, "/sparql", **kwargs)
    assert 400 <= r.status_code < 500


# --- CORS, HEAD, OPTIONS, caching ------------------------------------------------------------


def test_cors_simple_and_preflight(client: httpx.Client) -> None:
    r = client.get("/sparql", params={"query": SELECT}, headers={"Origin": "https://example.com"})
    assert r.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in r.headers
    bad = client.get("/sparql", params={"query": "ASK {"}, headers={"Origin": "https://example.com"})
    assert bad.status_code == 400 and bad.headers["access-control-allow-origin"] == "*"
    p = client.options("/sparql", headers={"Origin": "https://example.com", "Access-Control-Request-Method": "POST",
                                           "Access-Control-Request-Headers": "content-type"})
    assert p.status_code in (200, 204)
    assert p.headers["access-control-allow-origin"] == "*"
    assert "POST" in p.headers["access-control-allow-methods"]
    assert "content-type" in p.headers["access-control-allow-headers"].lower()
    plain = client.options("/sparql")
    assert plain.status_code == 204 and "POST" in plain.headers["allow"]


def test_head_has_headers_and_no_body(client: httpx.Client) -> None:
    get = client.get("/sparql", params={"query": SELECT})
    head = client.head("/sparql", params={"query": SELECT})
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    assert head.headers["etag"] == get.headers["etag"]
    sd = client.head("/sparql", headers={"Accept": "text/turtle"})
    assert sd.status_code == 200 and sd.content == b"" and sd.headers["content-type"].startswith("text/turtle")


def test_etag_and_304(client: httpx.Client) -> None:
    first = client.get("/sparql", params={"query": SELECT}, headers={"Accept": "text/csv"})
    etag = first.headers["etag"]
    again = client.get("/sparql", params={"query": SELECT}, headers={"Accept": "text/csv", "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    other = client.get("/sparql", params={"query": SELECT}, headers={"Accept": "application/sparql-results+json"})
    assert other.headers["etag"] != etag  # the format is part of the key
    cached = client.get("/sparql", params={"query": SELECT}, headers={"Accept": "text/csv"})
    assert cached.headers.get("x-kg-cache") == "hit" and cached.content == first.content


# --- real clients ---------------------------------------------------------------------------------


def test_sparqlwrapper(server: str) -> None:
    from SPARQLWrapper import CSV, JSON, POST, TURTLE, XML, SPARQLWrapper

    sw = SPARQLWrapper(f"{server}/sparql")
    sw.setQuery(SELECT)
    sw.setReturnFormat(JSON)
    rows = sw.query().convert()["results"]["bindings"]
    assert len(rows) == 5
    sw.setReturnFormat(XML)
    assert len(sw.query().convert().getElementsByTagName("result")) == 5
    sw.setReturnFormat(CSV)
    assert len(sw.query().convert().decode("utf-8").strip().splitlines()) == 6
    sw.setMethod(POST)
    sw.setQuery(CONSTRUCT)
    sw.setReturnFormat(TURTLE)
    assert len(rdflib.Graph().parse(data=sw.query().convert(), format="turtle")) == 5
    sw.setReturnFormat(XML)  # SPARQLWrapper asks for RDF/XML for graphs and hands back an rdflib Graph
    assert len(sw.query().convert()) == 5


def test_rdflib_sparqlstore(server: str) -> None:
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    for method in ("GET", "POST"):
        store = SPARQLStore(f"{server}/sparql", method=method)
        g = rdflib.Graph(store=store)
        rows = list(g.query(SELECT))
        assert len(rows) == 5
        assert g.query(f"ASK {{ ?s <{LABEL}> ?o }}").askAnswer is True
        constructed = g.query(CONSTRUCT).graph
        assert len(constructed) == 5


# --- the competency questions, over HTTP and in-process ---------------------------------------


@pytest.mark.parametrize("question", questions(), ids=lambda q: q.slug)
def test_competency_questions_same_over_http_as_in_process(client: httpx.Client, store, question) -> None:  # type: ignore[no-untyped-def]
    local = store.query(question.sparql)
    r = client.post("/sparql", data={"query": question.sparql}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    body = r.json()
    if local.kind == "ask":
        assert body["boolean"] == local.boolean
        return
    assert local.kind == "select"
    assert body["head"]["vars"] == local.variables
    http_rows = [tuple(term_key(b.get(v)) for v in local.variables) for b in body["results"]["bindings"]]
    local_rows = [tuple(ox_key(t) for t in row) for row in local.rows]
    if "ORDER BY" in question.sparql.upper():
        assert http_rows == local_rows
    else:
        assert sorted(http_rows, key=repr) == sorted(local_rows, key=repr)
