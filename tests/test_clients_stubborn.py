"""Clients that do things their own way, against a real server (issue 23, item 9):

* roqet (Debian's rasqal) sends ``Accept: application/sparql-results+xml``
  for every query: a CONSTRUCT/DESCRIBE gets RDF/XML (labelled as such), as
  Fuseki and Virtuoso answer, not 406;
* memento_client (PyPI 0.6.1) finds our Mementos: from a document's
  ``Link: rel="timegate"`` with its defaults, and through ``/timegate/{URI-R}``
  when given that prefix (it does not take an ``/id/`` IRI that is its own
  TimeGate, RFC 7089 pattern 1.1, as one: see docs/linked-data.md);
* an undeclared prefix is named, with its position and the line to add.

Skips, saying why, where roqet or memento_client is missing."""

from __future__ import annotations

import shutil
import subprocess
from datetime import datetime

import pytest
from conftest import SEEDS
from history_fixtures import TwoReleases, build_two
from ld_fixtures import ld_url  # noqa: F401  (fixture)
from live import get, serve_settings
from rdflib import Graph
from rdflib.compare import isomorphic

RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
QATAR = "https://qatar-nato.example.org/id/state/qat"
CONSTRUCT = f"CONSTRUCT {{ <{QATAR}> ?p ?o }} WHERE {{ <{QATAR}> ?p ?o }}"


def post(url: str, query: str, accept: str):  # type: ignore[no-untyped-def]
    import httpx

    return httpx.post(url + "/sparql", data={"query": query}, headers={"Accept": accept}, timeout=30)


@pytest.mark.parametrize("query", [CONSTRUCT, f"DESCRIBE <{QATAR}>"])
def test_a_graph_query_asking_only_for_a_results_format_gets_rdf_xml(ld_url: str, query: str) -> None:
    asked = post(ld_url, query, "application/sparql-results+xml")
    assert asked.status_code == 200, asked.text
    assert asked.headers["content-type"].startswith("application/rdf+xml")  # labelled as what it is
    turtle = post(ld_url, query, "text/turtle")
    assert len(Graph().parse(data=turtle.text, format="turtle")) > 5
    assert isomorphic(Graph().parse(data=asked.content, format="xml"), Graph().parse(data=turtle.text, format="turtle"))
    as_json = post(ld_url, query, "application/sparql-results+json")
    assert as_json.headers["content-type"].startswith("application/ld+json")
    assert isomorphic(Graph().parse(data=as_json.text, format="json-ld"), Graph().parse(data=turtle.text, format="turtle"))
    # a real RDF type still wins when the client offers one too; SELECT keeps its results format
    both = post(ld_url, query, "application/sparql-results+xml, text/turtle")  # a tie: the real type
    assert both.headers["content-type"].startswith("text/turtle")
    select = post(ld_url, "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "application/sparql-results+xml")
    assert select.headers["content-type"].startswith("application/sparql-results+xml")


def test_roqet_runs_construct_and_describe(ld_url: str) -> None:
    roqet = shutil.which("roqet")
    if roqet is None:
        pytest.skip("roqet not installed: apt-get install rasqal-utils")
    for query in (CONSTRUCT, f"DESCRIBE <{QATAR}>", "SELECT ?p WHERE { ?s ?p ?o } LIMIT 2"):
        run = subprocess.run([roqet, "-p", ld_url + "/sparql", "-e", query], capture_output=True, text=True, timeout=60)
        assert run.returncode == 0, run.stderr
        assert "Failed to fetch" not in run.stderr and "406" not in run.stderr, run.stderr


def test_an_undeclared_prefix_is_named_with_the_line_to_add(ld_url: str) -> None:
    query = "SELECT * WHERE {\n  ?s a ?type .\n  ?s rdf:type ?o }"
    r = post(ld_url, query, "application/sparql-results+json")
    assert r.status_code == 400
    assert r.text.strip() == f"400 syntax error: unknown prefix rdf: at 3:6 \u2014 add PREFIX rdf: <{RDF_NS}>"
    unknown = post(ld_url, "SELECT * WHERE { ?s nope:x ?o }", "application/sparql-results+json")
    assert "unknown prefix nope: at 1:21 \u2014 add PREFIX nope: <\u2026>" in unknown.text
    other = post(ld_url, "SELECT * WHERE { ?s ?p }", "application/sparql-results+json")
    assert other.status_code == 400 and "1:" in other.text and "unknown prefix" not in other.text  # the parser's message


# -- memento_client -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def history_site(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    two = build_two(tmp_path_factory.mktemp("clients-history"), SEEDS)
    with serve_settings(two.settings) as url:
        yield two, url


def test_memento_client_finds_the_past_state(history_site) -> None:  # type: ignore[no-untyped-def]
    memento_client = pytest.importorskip("memento_client", reason="memento_client not installed (pip install memento_client)")
    two, url = history_site
    two: TwoReleases
    early = datetime(2000, 1, 1)
    # its defaults, given a document: the document's Link names its TimeGate (an absolute URI, which it needs)
    info = memento_client.MementoClient().get_memento_info(url + "/doc/state/qat", early)
    assert info["timegate_uri"] == url + "/id/state/qat"
    assert info["mementos"]["closest"]["uri"] == [f"{url}/releases/{two.first.id}/doc/state/qat"]
    # an /id/ IRI with the prefix TimeGate, as one gives it an aggregator's
    client = memento_client.MementoClient(timegate_uri=url + "/timegate/")
    info = client.get_memento_info(url + "/id/state/qat", early)
    assert info["mementos"]["closest"]["uri"] == [f"{url}/releases/{two.first.id}/doc/state/qat"]
    info = client.get_memento_info(url + "/id/state/qat", datetime(9000, 1, 1))
    assert info["mementos"]["closest"]["uri"] == [f"{url}/releases/{two.second.id}/doc/state/qat"]
    memento = get(info["mementos"]["closest"]["uri"][0], headers={"Accept": "text/turtle"})
    assert memento.status_code == 200 and "State of Qatar" in memento.text


def test_the_prefix_timegate_takes_base_iris_and_refuses_others(history_site) -> None:  # type: ignore[no-untyped-def]
    two, url = history_site
    r = get(f"{url}/timegate/{QATAR}", headers={"Accept-Datetime": "Thu, 01 Jan 1970 00:00:00 GMT"}, follow_redirects=False)
    assert r.status_code == 302 and r.headers["location"] == f"/releases/{two.first.id}/doc/state/qat"
    assert "accept-datetime" in r.headers["vary"].lower() and 'rel="original timegate"' in r.headers["link"]
    latest = get(f"{url}/timegate/{url}/doc/state/qat.ttl", follow_redirects=False)
    assert latest.headers["location"] == f"/releases/{two.second.id}/doc/state/qat"
    assert get(f"{url}/timegate/https://example.com/id/state/qat", follow_redirects=False).status_code == 404
