"""Real clients against a real server: SPARQLWrapper in every return format it
offers, for SELECT, ASK, CONSTRUCT and DESCRIBE; the ``format=`` parameters
it sends (duplicated, repeated as ``output=``/``results=``, or unknown to us);
ASK answered in CSV and TSV as Jena answers it.

What SPARQLWrapper 2.0 sends (SPARQLWrapper/Wrapper.py,
``_getRequestEncodedParameters`` and ``_getAcceptHeader``): ``format``,
``output`` and ``results``, each with its return-format name, and for TSV,
JSON-LD and RDF/XML a second value with the media type(s) it also puts in
Accept (``format=tsv&format=text/tab-separated-values``,
``format=json-ld&format=application/ld+json,application/x-json+ld``); N3
sends ``format=n3`` with an Accept listing Turtle first."""

from __future__ import annotations

import io
import urllib.error
import warnings
from collections.abc import Iterator

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic
from sparql_fixtures import sparql_server
from SPARQLWrapper import CSV, GET, JSON, JSONLD, N3, POST, RDF, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from kg.config import Settings
from kg.release.directory import Release

BASE = "https://qatar-nato.example.org/"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SELECT = f"SELECT ?s ?label WHERE {{ ?s <{LABEL}> ?label }} ORDER BY ?s ?label LIMIT 5"
ASK_TRUE = f"ASK {{ ?s <{LABEL}> ?o }}"
ASK_FALSE = "ASK { ?s <http://example.org/no-such-property> ?o }"
CONSTRUCT = f"CONSTRUCT {{ ?s <{LABEL}> ?label }} WHERE {{ ?s <{LABEL}> ?label }} ORDER BY ?s ?label LIMIT 5"
DESCRIBE = f"DESCRIBE <{BASE}id/state/qat>"


@pytest.fixture(scope="module")
def server(release: Release, release_settings: Settings) -> Iterator[str]:
    with sparql_server(release, release_settings.with_(query_timeout=20.0), with_w3c=False) as (url, _executor):
        yield url


@pytest.fixture
def client(server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server, timeout=30) as c:
        yield c


def wrapper(server: str, query: str, fmt: str, method: str = GET) -> SPARQLWrapper:
    sw = SPARQLWrapper(f"{server}/sparql")
    sw.setQuery(query)
    sw.setReturnFormat(fmt)
    sw.setMethod(method)
    return sw


def expected_graph(client: httpx.Client, query: str) -> rdflib.Graph:
    r = client.get("/sparql", params={"query": query}, headers={"Accept": "application/n-triples"})
    assert r.status_code == 200, r.text
    g = rdflib.Graph().parse(data=r.content, format="nt")
    assert len(g) > 0
    return g


# --- SPARQLWrapper, every return format --------------------------------------------------------


@pytest.mark.parametrize("method", [GET, POST])
def test_sparqlwrapper_select_in_json_xml_csv_tsv(server: str, client: httpx.Client, method: str) -> None:
    reference = client.get("/sparql", params={"query": SELECT}, headers={"Accept": "application/sparql-results+json"}).json()
    expected = [(b["s"]["value"], b["label"]["value"]) for b in reference["results"]["bindings"]]
    assert len(expected) == 5

    rows = wrapper(server, SELECT, JSON, method).query().convert()["results"]["bindings"]
    assert [(b["s"]["value"], b["label"]["value"]) for b in rows] == expected

    dom = wrapper(server, SELECT, XML, method).query().convert()
    results = dom.getElementsByTagName("result")
    assert len(results) == 5
    assert [r.getElementsByTagName("uri")[0].firstChild.data for r in results] == [s for s, _ in expected]

    text = wrapper(server, SELECT, CSV, method).query().convert().decode("utf-8")
    assert text.splitlines()[0] == "s,label" and len(text.splitlines()) == 6

    answer = wrapper(server, SELECT, TSV, method).query()  # sends format=tsv&format=text/tab-separated-values
    assert answer.info()["content-type"] == "text/tab-separated-values; charset=utf-8"
    parsed = ox.parse_query_results(answer.convert(), format=ox.QueryResultsFormat.TSV)
    assert [(s["s"].value, s["label"].value) for s in parsed] == expected


@pytest.mark.parametrize("query, truth", [(ASK_TRUE, True), (ASK_FALSE, False)])
def test_sparqlwrapper_ask_in_json_xml_csv_tsv(server: str, query: str, truth: bool) -> None:
    assert wrapper(server, query, JSON).query().convert()["boolean"] is truth
    dom = wrapper(server, query, XML).query().convert()
    assert dom.getElementsByTagName("boolean")[0].firstChild.data == str(truth).lower()
    word = str(truth).lower()
    assert wrapper(server, query, CSV).query().convert() == f"_askResult\r\n{word}\r\n".encode()
    assert wrapper(server, query, TSV).query().convert() == f"?_askResult\n{word}\n".encode()


@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE], ids=["construct", "describe"])
@pytest.mark.parametrize("method", [GET, POST])
def test_sparqlwrapper_graphs_in_every_rdf_format(server: str, client: httpx.Client, query: str, method: str) -> None:
    expected = expected_graph(client, query)
    for fmt, media_type in ((TURTLE, "text/turtle"), (N3, "text/turtle"), (XML, "application/rdf+xml"),
                            (RDF, "application/rdf+xml"), (RDFXML, "application/rdf+xml"),
                            (JSONLD, "application/ld+json"), (JSON, "application/ld+json")):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # for RDF and JSON SPARQLWrapper warns that it sends Accept: */*
            answer = wrapper(server, query, fmt, method).query()
        assert answer.info()["content-type"] == f"{media_type}; charset=utf-8", fmt
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)  # no "Format requested was …, but … has been returned"
            warnings.simplefilter("ignore", DeprecationWarning)  # rdflib's, about SPARQLWrapper's ConjunctiveGraph
            converted = answer.convert()
        if isinstance(converted, bytes):  # Turtle and N3: SPARQLWrapper hands back the text
            got = rdflib.Graph().parse(data=converted, format="turtle")
        else:  # RDF/XML and JSON-LD: an rdflib graph (a ConjunctiveGraph for JSON-LD)
            got = rdflib.Graph()
            for s, p, o, *_ in converted.quads((None, None, None)) if hasattr(converted, "quads") else converted:
                got.add((s, p, o))
        assert isomorphic(got, expected), fmt


@pytest.mark.parametrize("query, fmt", [(SELECT, TURTLE), (SELECT, RDFXML), (SELECT, JSONLD), (ASK_TRUE, RDF),
                                        (CONSTRUCT, CSV), (CONSTRUCT, TSV)])
def test_sparqlwrapper_format_the_query_form_does_not_offer_is_406(server: str, query: str, fmt: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SPARQLWrapper itself warns that it sends Accept: */*
        with pytest.raises(urllib.error.HTTPError) as caught:
            wrapper(server, query, fmt).query()
    assert caught.value.code == 406


def test_sparqlwrapper_n3_for_a_select_falls_back_to_accept(server: str) -> None:
    """``n3`` names no format we know, so Accept (``*/*``) decides: JSON."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        answer = wrapper(server, SELECT, N3).query()
    assert answer.info()["content-type"] == "application/sparql-results+json; charset=utf-8"


# --- the format parameters on the wire ---------------------------------------------------------


def test_consistent_duplicate_format_values_are_accepted(client: httpx.Client) -> None:
    for params, expected in (
        ([("format", "tsv"), ("format", "text/tab-separated-values")], "text/tab-separated-values"),
        ([("format", "json"), ("output", "json"), ("results", "json")], "application/sparql-results+json"),
        ([("format", "csv"), ("format", "CSV"), ("format", "text/csv; charset=utf-8")], "text/csv"),
        ([("format", "xml"), ("format", "")], "application/sparql-results+xml"),  # SPARQLWrapper's empty second value
    ):
        r = client.get("/sparql", params=[("query", SELECT), *params], headers={"Accept": "text/html"})
        assert r.status_code == 200, (params, r.text)
        assert r.headers["content-type"] == f"{expected}; charset=utf-8", params


def test_output_and_results_parameters_pick_the_format_as_in_fuseki(client: httpx.Client) -> None:
    assert client.get("/sparql", params={"query": SELECT, "output": "csv"}).headers["content-type"].startswith("text/csv")
    assert client.get("/sparql", params={"query": CONSTRUCT, "results": "nt"}).headers["content-type"].startswith(
        "application/n-triples")


def test_conflicting_format_values_are_400(client: httpx.Client) -> None:
    r = client.get("/sparql", params=[("query", SELECT), ("format", "json"), ("format", "csv")])
    assert r.status_code == 400 and "different formats" in r.text
    r = client.get("/sparql", params=[("query", SELECT), ("output", "json"), ("output", "xml")])
    assert r.status_code == 400


def test_format_wins_over_output_and_results(client: httpx.Client) -> None:
    r = client.get("/sparql", params=[("query", SELECT), ("format", "json"), ("output", "xml"), ("results", "csv")])
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/sparql-results+json")
    r = client.get("/sparql", params=[("query", SELECT), ("output", "tsv"), ("results", "csv")])
    assert r.headers["content-type"].startswith("text/tab-separated-values")


def test_a_graph_format_list_in_one_value(client: httpx.Client) -> None:
    r = client.get("/sparql", params=[("query", CONSTRUCT), ("format", "json-ld"),
                                      ("format", "application/ld+json,application/x-json+ld")])
    assert r.status_code == 200 and r.headers["content-type"] == "application/ld+json; charset=utf-8"


def test_unknown_format_value_falls_back_to_accept(client: httpx.Client) -> None:
    n3_accept = "application/turtle,text/turtle,text/rdf+n3,application/n-triples,application/n3,text/n3"
    r = client.get("/sparql", params={"query": CONSTRUCT, "format": "n3"}, headers={"Accept": n3_accept})
    assert r.status_code == 200 and r.headers["content-type"] == "text/turtle; charset=utf-8"
    assert len(rdflib.Graph().parse(data=r.content, format="turtle")) == 5
    r = client.get("/sparql", params={"query": CONSTRUCT, "format": "n3"}, headers={"Accept": "application/rdf+xml"})
    assert r.headers["content-type"] == "application/rdf+xml; charset=utf-8"
    r = client.get("/sparql", params={"query": SELECT, "format": "no-such-format"}, headers={"Accept": "text/csv"})
    assert r.headers["content-type"] == "text/csv; charset=utf-8"


def test_a_known_format_the_form_does_not_offer_is_still_406(client: httpx.Client) -> None:
    r = client.get("/sparql", params={"query": SELECT, "format": "turtle"})
    assert r.status_code == 406 and "application/sparql-results+json" in r.text


# --- ASK in CSV and TSV --------------------------------------------------------------------------


@pytest.mark.parametrize("query, word", [(ASK_TRUE, "true"), (ASK_FALSE, "false")])
def test_ask_in_csv_and_tsv_is_jenas_one_cell_table(client: httpx.Client, query: str, word: str) -> None:
    c = client.get("/sparql", params={"query": query}, headers={"Accept": "text/csv"})
    assert c.status_code == 200 and c.headers["content-type"] == "text/csv; charset=utf-8"
    assert c.content == f"_askResult\r\n{word}\r\n".encode()
    t = client.get("/sparql", params={"query": query, "format": "tsv"})
    assert t.headers["content-type"] == "text/tab-separated-values; charset=utf-8"
    assert t.content == f"?_askResult\n{word}\n".encode()
    # a real CSV reader sees one column and one row
    import csv

    assert list(csv.reader(io.StringIO(c.text, newline=""))) == [["_askResult"], [word]]
    # and the TSV is a SPARQL TSV results table Oxigraph reads back as one binding of ?_askResult
    parsed = list(ox.parse_query_results(t.content, format=ox.QueryResultsFormat.TSV))
    assert [s["_askResult"] for s in parsed] == [ox.Literal(word, datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))]
