"""The W3C SPARQL 1.1 Protocol and Service Description tests, read from their
manifests (../shared/w3c) and run against a real server.

Adaptations, each deliberate:
- the graphs the tests name (data1–3.nt) are loaded as extra named graphs
  under their manifest labels; our own data stays the default graph;
- this endpoint is read-only, which the protocol allows: the seven update
  tests that expect 2xx (``UPDATE_EXPECTING_SUCCESS``) are run as refusal
  checks instead — the update request must get a 4xx — and their follow-up
  ASK (which checks the update's effect) is not run.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
import rdflib
from rdflib import RDF, Namespace
from sparql_fixtures import HAVE_W3C, W3C, needs_w3c, sparql_server

from kg.config import Settings
from kg.release.directory import Release

if not HAVE_W3C:
    pytest.skip(needs_w3c.kwargs["reason"], allow_module_level=True)

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")

UPDATE_EXPECTING_SUCCESS = {
    "update_dataset_default_graph", "update_dataset_default_graphs", "update_dataset_named_graphs",
    "update_dataset_full", "update_post_form", "update_post_direct", "update_base_uri",
}
FORMAT_TYPES = {
    "boolean": {"application/sparql-results+json", "application/sparql-results+xml"},
    "tabular": {"application/sparql-results+json", "application/sparql-results+xml", "text/csv", "text/tab-separated-values"},
    "RDF": {"text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json"},
}


@dataclass
class HttpRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: set[int]  # acceptable status classes: 2, 3, 4
    expected_format: str | None
    expected_boolean: bool | None


@dataclass
class ProtocolTest:
    name: str
    requests: list[HttpRequest]


def load_protocol_tests() -> list[ProtocolTest]:
    g = rdflib.Graph().parse(W3C / "sparql11-protocol" / "manifest.ttl", format="turtle")
    tests = []
    manifest = next(g.subjects(RDF.type, MF.Manifest))
    for entry in rdflib.collection.Collection(g, g.value(manifest, MF.entries)):
        if (entry, RDF.type, MF.ProtocolTest) not in g:
            continue
        action = g.value(entry, MF.action)
        reqs = []
        for req in rdflib.collection.Collection(g, g.value(action, HT.requests)):
            headers = {}
            hlist = g.value(req, HT.headers)
            if hlist is not None:
                for h in rdflib.collection.Collection(g, hlist):
                    headers[str(g.value(h, HT.fieldName))] = str(g.value(h, HT.fieldValue))
            body = None
            b = g.value(req, HT.body)
            if b is not None:
                encoding = str(g.value(b, CNT.characterEncoding) or "UTF-8")
                body = str(g.value(b, CNT.chars)).encode(encoding.lower())
            resp = g.value(req, HT.resp)
            statuses = {int(str(s).rsplit("StatusCode", 1)[1][0]) for s in g.objects(resp, MF.expectedStatus)}
            fmt = g.value(resp, MF.expectedFormat)
            boolean = g.value(resp, MF.expectedBoolean)
            reqs.append(HttpRequest(str(g.value(req, HT.methodName)), str(g.value(req, HT.absolutePath)), headers, body,
                                    statuses, str(fmt) if fmt is not None else None,
                                    boolean.toPython() if boolean is not None else None))
        tests.append(ProtocolTest(str(entry).rsplit("#", 1)[1], reqs))
    return tests


PROTOCOL_TESTS = load_protocol_tests()


def test_manifest_was_read_whole() -> None:
    assert len(PROTOCOL_TESTS) == 34
    assert {t.name for t in PROTOCOL_TESTS} >= UPDATE_EXPECTING_SUCCESS


@pytest.fixture(scope="module")
def server(release: Release, release_settings: Settings) -> Iterator[str]:
    with sparql_server(release, release_settings.with_(query_timeout=20.0)) as (url, _):
        yield url


def send(url: str, req: HttpRequest) -> httpx.Response:
    return httpx.request(req.method, url + req.path, headers=req.headers, content=req.body, timeout=30)


def boolean_of(r: httpx.Response) -> bool:
    media = r.headers["content-type"].split(";")[0]
    if media == "application/sparql-results+json":
        return r.json()["boolean"]
    from xml.etree import ElementTree as ET

    return ET.fromstring(r.content).find("{http://www.w3.org/2005/sparql-results#}boolean").text == "true"


@pytest.mark.parametrize("test", PROTOCOL_TESTS, ids=lambda t: t.name)
def test_protocol(server: str, test: ProtocolTest) -> None:
    if test.name in UPDATE_EXPECTING_SUCCESS:
        r = send(server, test.requests[0])
        assert 400 <= r.status_code < 500, f"read-only endpoint must refuse the update: {r.status_code} {r.text}"
        return
    for req in test.requests:
        r = send(server, req)
        assert r.status_code // 100 in req.statuses, f"{req.method} {req.path}: {r.status_code} {r.text}"
        if req.expected_format:
            assert r.headers["content-type"].split(";")[0] in FORMAT_TYPES[req.expected_format]
        if req.expected_boolean is not None:
            assert boolean_of(r) is req.expected_boolean


# --- service description (manifest: three tests, described in prose) --------------------------


def service_description_tests() -> list[str]:
    g = rdflib.Graph().parse(W3C / "sparql11-service-description" / "manifest.ttl", format="turtle")
    return sorted(str(s).rsplit("#", 1)[1] for s in g.subjects(RDF.type, MF.ServiceDescriptionTest))


@pytest.mark.parametrize("name", service_description_tests())
def test_service_description(server: str, name: str) -> None:
    r = httpx.get(f"{server}/sparql/", headers={"Accept": "text/turtle"}, timeout=30)
    assert r.status_code == 200
    g = rdflib.Graph().parse(data=r.text, format="turtle")  # "returns-rdf"
    endpoint = rdflib.URIRef(f"{server}/sparql/")
    if name == "has-endpoint-triple":
        assert (None, SD.endpoint, endpoint) in g
    elif name == "conforms-to-schema":
        service = g.value(None, SD.endpoint, endpoint)
        assert (service, RDF.type, SD.Service) in g
        assert set(g.objects(service, SD.supportedLanguage)) <= {SD.SPARQL10Query, SD.SPARQL11Query, SD.SPARQL11Update}
        dataset = g.value(service, SD.defaultDataset)
        assert (dataset, RDF.type, SD.Dataset) in g
        assert (g.value(dataset, SD.defaultGraph), RDF.type, SD.Graph) in g
        for named in g.objects(dataset, SD.namedGraph):
            assert (named, RDF.type, SD.NamedGraph) in g
            assert isinstance(g.value(named, SD.name), rdflib.URIRef)
        for fmt in g.objects(service, SD.resultFormat):
            assert str(fmt).startswith("http://www.w3.org/ns/formats/")
    else:
        assert name == "returns-rdf" and len(g) > 0
