"""The SPARQL 1.1 Service Description of ``/sparql``.

Spec: https://www.w3.org/TR/sparql11-service-description/ . Served for
``GET /sparql`` with no query, in every RDF format the endpoint offers. It
says what a client needs before its first query: the endpoint IRI, the
language, every result format, the default graph's size and each named graph
with its size (``void:triples``). ``sd:UnionDefaultGraph`` is *not* claimed:
the default graph is the RDF merge of the data graphs only — the ontology and
shapes graphs are named graphs outside it — so the claim would be false. Limits are documented in docs/sparql.md, not invented
as terms here.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from kg.rdf import formats as F
from kg.rdf.iris import Iris
from kg.release.directory import Release
from kg.store.base import Store

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
VOID = "http://rdfs.org/ns/void#"
DCT = "http://purl.org/dc/terms/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")

QUERIES = Path(__file__).resolve().parent.parent / "queries"

# W3C unique URIs for formats (https://www.w3.org/ns/formats/)
FORMAT_IRIS: dict[F.Format, str] = {
    F.RESULTS_JSON: FORMATS + "SPARQL_Results_JSON",
    F.RESULTS_XML: FORMATS + "SPARQL_Results_XML",
    F.RESULTS_CSV: FORMATS + "SPARQL_Results_CSV",
    F.RESULTS_TSV: FORMATS + "SPARQL_Results_TSV",
    F.TURTLE: FORMATS + "Turtle",
    F.NTRIPLES: FORMATS + "N-Triples",
    F.JSONLD: FORMATS + "JSON-LD",
    F.RDFXML: FORMATS + "RDF_XML",
    F.NQUADS: FORMATS + "N-Quads",
    F.TRIG: FORMATS + "TriG",
}

PREFIXES = {"sd": SD, "formats": FORMATS, "void": VOID, "dcterms": DCT}


def _query(name: str) -> str:
    return (QUERIES / f"{name}.rq").read_text(encoding="utf-8")


def graph_sizes(store: Store) -> tuple[int, list[tuple[str, int]]]:
    """(triples in the default graph, [(named graph IRI, triples)])."""
    default = store.query(_query("default_graph_size"))
    named = store.query(_query("service_graphs"))
    size = int(default.rows[0][0].value) if default.rows and default.rows[0][0] is not None else 0
    graphs = [(row[0].value, int(row[1].value)) for row in named.rows if isinstance(row[0], ox.NamedNode) and row[1] is not None]
    return size, graphs


def describe(endpoint: str, release: Release, store: Store) -> list[ox.Triple]:
    """The service description triples for the endpoint at ``endpoint`` (its absolute URL)."""
    n = ox.NamedNode
    service = n(endpoint)
    dataset = ox.BlankNode("dataset")
    default_graph = ox.BlankNode("defaultGraph")
    t: list[ox.Triple] = [
        ox.Triple(service, RDF_TYPE, n(SD + "Service")),
        ox.Triple(service, n(SD + "endpoint"), service),
        ox.Triple(service, n(SD + "supportedLanguage"), n(SD + "SPARQL11Query")),
        ox.Triple(service, n(SD + "defaultEntailmentRegime"), n("http://www.w3.org/ns/entailment/Simple")),
        ox.Triple(service, n(SD + "defaultDataset"), dataset),
        ox.Triple(dataset, RDF_TYPE, n(SD + "Dataset")),
        ox.Triple(dataset, n(DCT + "identifier"), ox.Literal(release.id)),
        # the release it serves, as /releases names it (kg.release.history_rdf)
        ox.Triple(dataset, n("http://www.w3.org/ns/dcat#version"), ox.Literal(release.id)),
        ox.Triple(dataset, n(DCT + "isVersionOf"), n(str(Iris(release.base_iri).dataset))),
        ox.Triple(dataset, n("http://www.w3.org/2000/01/rdf-schema#seeAlso"), n(str(Iris(release.base_iri).release(release.id)))),
        ox.Triple(dataset, n(SD + "defaultGraph"), default_graph),
        ox.Triple(default_graph, RDF_TYPE, n(SD + "Graph")),
    ]
    if release.meta.get("published"):
        t.append(ox.Triple(dataset, n(DCT + "issued"), ox.Literal(str(release.meta["published"]),
                                                                   datatype=n("http://www.w3.org/2001/XMLSchema#dateTime"))))
    t += [ox.Triple(service, n(SD + "resultFormat"), n(iri)) for iri in FORMAT_IRIS.values()]
    size, graphs = graph_sizes(store)
    t.append(ox.Triple(default_graph, n(VOID + "triples"), ox.Literal(str(size), datatype=XSD_INTEGER)))
    for i, (iri, triples) in enumerate(graphs):
        named, graph = ox.BlankNode(f"ng{i}"), ox.BlankNode(f"g{i}")
        t += [
            ox.Triple(dataset, n(SD + "namedGraph"), named),
            ox.Triple(named, RDF_TYPE, n(SD + "NamedGraph")),
            ox.Triple(named, n(SD + "name"), n(iri)),
            ox.Triple(named, n(SD + "graph"), graph),
            ox.Triple(graph, RDF_TYPE, n(SD + "Graph")),
            ox.Triple(graph, n(VOID + "triples"), ox.Literal(str(triples), datatype=XSD_INTEGER)),
        ]
    return t
