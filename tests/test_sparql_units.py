"""Pure parts of the endpoint, table-driven: the keyword scan that guards
SERVICE, update detection, format choice, and result serializers round-tripped
through real parsers."""

from __future__ import annotations

import io

import pyoxigraph as ox
import pytest
from rdflib.query import Result

from kg.errors import BadQuery
from kg.rdf import formats as F
from kg.store.base import QueryResult
from kg.store.executor import is_update
from kg.store.lexer import nesting_depth, query_form, uses_service
from kg.web import results as R


@pytest.mark.parametrize(
    "query, expected",
    [
        ("SELECT * { SERVICE <http://x/> { ?s ?p ?o } }", True),
        ("select * { ?s ?p ?o .service <x> {} }", True),
        ("SELECT * { service silent <x> {} }", True),
        (r"SELECT * { \u0053ERVICE <http://x/> {} }", True),
        (r"SELECT * { \U00000053ERVICE <http://x/> {} }", True),
        ('SELECT * { ?s ?p "a" SERVICE <x> {} }', True),
        ('SELECT * { """a\n#""" SERVICE <x> {} }', True),
        ("SELECT * { FILTER(?a < 3 && ?b > 2) SERVICE <y> {} }", True),
        ("SELECT ?service { ?service a <http://x/SERVICE> }", False),
        ('SELECT * { ?s ?p "SERVICE" }  # SERVICE', False),
        ("PREFIX service: <http://x/> SELECT * { service:a service:SERVICE ?o }", False),
        ("SELECT * { ?s ?p ?o }", False),
    ],
)
def test_uses_service(query: str, expected: bool) -> None:
    assert uses_service(query) is expected


@pytest.mark.parametrize(
    "query, depth",
    [
        ("SELECT * { ?s ?p ?o }", 1),
        ("SELECT * { { ?s ?p ?o } FILTER((?o > 1)) }", 3),
        ('SELECT * { ?s ?p "{{{{((((" } # ((((', 1),
        ("SELECT * { ?s <http://x/(((> [ ?p ?o ] }", 2),
        ("ASK " + "{" * 2400 + "}" * 2400, 2400),
    ],
)
def test_nesting_depth(query: str, depth: int) -> None:
    assert nesting_depth(query) == depth


@pytest.mark.parametrize(
    "query, form",
    [
        ("PREFIX ex: <http://e/> SELECT * {}", "select"),
        ("ASK {}", "ask"),
        ("CONSTRUCT { ?s ?p ?o } WHERE { { SELECT * { ?s ?p ?o } } }", "graph"),
        ("describe <http://x>", "graph"),
        ("# SELECT\nASK {}", "ask"),
        ("nonsense", None),
    ],
)
def test_query_form(query: str, form: str | None) -> None:
    assert query_form(query) == form


@pytest.mark.parametrize(
    "text, expected",
    [
        ("INSERT DATA { <http://a> <http://b> <http://c> }", True),
        ("LOAD <http://example.org/x>", True),
        ("CLEAR ALL", True),
        ("", False),
        ("PREFIX ex: <http://e/>", False),
        ("SELECT * {}", False),
        ("CLEAR XYZ", False),
    ],
)
def test_is_update(text: str, expected: bool) -> None:
    assert is_update(text) is expected


@pytest.mark.parametrize(
    "kind, value, expected",
    [
        ("select", ["json"], F.RESULTS_JSON), ("select", ["srj"], F.RESULTS_JSON), ("select", ["tsv"], F.RESULTS_TSV),
        ("select", ["turtle"], F.TURTLE),  # named, not offered: the endpoint answers 406
        ("ask", ["csv"], F.RESULTS_CSV), ("graph", ["ttl"], F.TURTLE), ("graph", ["json"], F.JSONLD),
        ("graph", ["xml"], F.RDFXML), ("graph", ["nq"], F.NQUADS), ("graph", ["html"], F.HTML), ("select", ["bogus"], None),
        ("select", ["tsv", "text/tab-separated-values"], F.RESULTS_TSV), ("graph", ["n3"], None), ("select", ["xml", ""], F.RESULTS_XML),
        ("graph", ["json-ld", "application/ld+json,application/x-json+ld"], F.JSONLD), ("graph", ["x", "text/plain"], F.NTRIPLES),
        ("select", [], None),
    ],
)
def test_format_param(kind: str, value: list[str], expected: F.Format | None) -> None:
    assert R.format_param(value, kind) is expected


def test_format_params_naming_two_formats_are_a_bad_request() -> None:
    with pytest.raises(BadQuery):
        R.format_param(["json", "csv"], "select")


TERMS = [
    ox.NamedNode("https://qatar-nato.example.org/id/state/qat"),
    ox.Literal("قطر", language="ar"),
    ox.Literal("a \"quoted\", comma\ttab\nnewline"),
    ox.Literal("42", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
    ox.BlankNode("b0"),
]


@pytest.mark.parametrize("fmt, ox_format", [(F.RESULTS_JSON, ox.QueryResultsFormat.JSON),
                                            (F.RESULTS_XML, ox.QueryResultsFormat.XML),
                                            (F.RESULTS_TSV, ox.QueryResultsFormat.TSV)])
def test_select_serializers_round_trip(fmt: F.Format, ox_format: ox.QueryResultsFormat) -> None:
    result = QueryResult("select", variables=["x", "y"], rows=[(t, None) for t in TERMS])
    body = R.serialize(result, fmt)
    parsed = [s["x"] for s in ox.parse_query_results(body, format=ox_format)]
    assert [str(t) for t in parsed[:4]] == [str(t) for t in TERMS[:4]]
    assert isinstance(parsed[4], ox.BlankNode)
    assert len(list(Result.parse(io.BytesIO(body), format={"srj": "json", "srx": "xml", "tsv": "tsv"}[fmt.suffix]))) == 5


def test_csv_is_rfc4180_with_crlf() -> None:
    import csv

    body = R.serialize(QueryResult("select", variables=["x"], rows=[(t,) for t in TERMS]), F.RESULTS_CSV)
    assert b"\r\n" in body
    rows = list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))
    assert rows[0] == ["x"] and rows[3][0] == 'a "quoted", comma\ttab\nnewline' and rows[2][0] == "قطر"


@pytest.mark.parametrize("query", [
    "PREFIX f: <http://example.org/f/> SELECT (f:x(1) AS ?y) {}",
    "SELECT * WHERE { ?s ?p ?o FILTER(<http://example.org/f>(?o)) } LIMIT 1",
])
def test_unknown_custom_function_is_a_bad_query_not_a_bug(query: str) -> None:
    import pyoxigraph as ox

    from kg.store.backends import Request, run_request
    from kg.store.embedded import OxigraphStore

    tag, message = run_request(OxigraphStore(ox.Store()), Request(query, None, None, None, 10))
    assert tag == "engine" and "custom function" in str(message)


def test_a_store_that_is_down_is_a_502(settings) -> None:  # type: ignore[no-untyped-def]
    """A remote store that does not answer is neither the user's fault (4xx) nor our bug (500)."""
    import socket

    from kg.errors import StoreUnavailable
    from kg.store.executor import QueryExecutor
    from kg.store.remote import RemoteStore

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    executor = QueryExecutor.for_store(RemoteStore(f"http://127.0.0.1:{port}/sparql", timeout=2), settings)
    try:
        with pytest.raises(StoreUnavailable) as info:
            executor.query("ASK {}")
        assert info.value.http_status == 502
    finally:
        executor.close()


def test_strings_iris_and_comments_are_skipped_the_same_way_by_every_scan() -> None:
    """One definition (kg.store.lexer) behind the SERVICE refusal, the VALUES
    placement for Virtuoso and the vendor-function check."""
    from kg.store.bindings import inline_bindings
    from kg.store.lexer import blank_strings_and_comments
    from kg.store.remote import vendor_iris

    text = 'SELECT * # WHERE { SERVICE\n{ ?s <http://x/#WHERE> "WHERE { SERVICE" . ?s ?p \'\'\'bif:x\n\'\'\' }'
    assert not uses_service(text)
    bound = inline_bindings(text, {"s": ox.NamedNode("http://e/s")})
    assert bound.startswith('SELECT * # WHERE { SERVICE\n{ VALUES (?s) { (<http://e/s>) }\n ?s <http://x/#WHERE>')
    assert blank_strings_and_comments(text) == "SELECT *  \n{ ?s <http://x/#WHERE>   . ?s ?p   }"
    assert vendor_iris(text) == set()


def test_every_store_takes_the_whole_query_contract() -> None:
    """The executor calls ``Store.query`` with every argument of the contract
    (no sniffing of what a store accepts), so each store must take them all."""
    import inspect

    from kg.store.base import Store
    from kg.store.embedded import OxigraphStore
    from kg.store.executor import QueryExecutor
    from kg.store.remote import RemoteStore

    contract = inspect.signature(Store.query).parameters
    assert {"max_rows", "queue", "base_iri", "bindings"} <= set(contract)
    for cls in (OxigraphStore, RemoteStore, QueryExecutor):
        params = inspect.signature(cls.query).parameters
        for name, p in contract.items():
            assert name in params and params[name].default == p.default, (cls.__name__, name)


def test_the_embedded_store_caps_rows_itself() -> None:
    from kg.store.embedded import OxigraphStore

    store = ox.Store()
    for i in range(5):
        store.add(ox.Quad(ox.NamedNode(f"http://e/{i}"), ox.NamedNode("http://e/p"), ox.Literal(str(i))))
    result = OxigraphStore(store).query("SELECT * { ?s ?p ?o }", max_rows=3, queue=True)
    assert len(result.rows) == 3 and result.truncated
    whole = OxigraphStore(store).query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", max_rows=5)
    assert len(whole.triples) == 5 and not whole.truncated
