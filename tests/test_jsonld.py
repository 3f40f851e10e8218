"""kg.rdf.jsonld: compacted JSON-LD with one shared @context. Checked with a real
JSON-LD processor (pyld): what we write expands to the same RDF as the
N-Triples / N-Quads we started from (graphs compared by isomorphism with
rdflib), and compacting it again with the same context changes nothing (so
it already is in compacted form). Then the dump a real build writes."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
import rdflib
from pyld import jsonld as pyld
from rdflib.compare import isomorphic

from kg.rdf import jsonld
from kg.rdf.vocab import prefixes
from kg.release.directory import Release

BASE = "https://qatar-nato.example.org/"
P = prefixes(BASE)
XSD = "http://www.w3.org/2001/XMLSchema#"
N = ox.NamedNode


def nn(local: str) -> ox.NamedNode:
    return N(BASE + local)


TRICKY = [
    ox.Triple(nn("id/state/qat"), N(jsonld.RDF_TYPE), nn("ontology#State")),
    ox.Triple(nn("id/state/qat"), N(jsonld.RDF_TYPE), N("http://schema.org/Country")),
    ox.Triple(nn("id/state/qat"), N("http://www.w3.org/2000/01/rdf-schema#label"), ox.Literal("Qatar", language="en")),
    ox.Triple(nn("id/state/qat"), N("http://www.w3.org/2000/01/rdf-schema#label"), ox.Literal("قطر", language="ar")),
    ox.Triple(nn("id/state/qat"), nn("ontology#count"), ox.Literal("05", datatype=N(XSD + "integer"))),  # not canonical
    ox.Triple(nn("id/state/qat"), nn("ontology#size"), ox.Literal("5", datatype=N(XSD + "nonNegativeInteger"))),
    ox.Triple(nn("id/state/qat"), nn("ontology#flag"), ox.Literal("1", datatype=N(XSD + "boolean"))),
    ox.Triple(nn("id/state/qat"), nn("ontology#note"), ox.Literal('a "quoted", \\ back\nslash\ttab')),
    ox.Triple(nn("id/state/qat"), nn("ontology#odd"), N("http://example.org/no/prefix")),  # stays a full IRI
    ox.Triple(nn("id/state/qat"), nn("ontology#ns"), N("http://schema.org/")),  # the namespace itself: no empty local part
    ox.Triple(nn("id/state/qat"), nn("ontology#slashes"), N("http://schema.org//x")),  # local part "/x"
    ox.Triple(ox.BlankNode("b1"), N(jsonld.RDF_TYPE), ox.BlankNode("b2")),
    ox.Triple(ox.BlankNode("b1"), N(jsonld.RDF_TYPE), ox.Literal("not an IRI")),  # rdf:type with a literal: kept as a property
    ox.Triple(ox.BlankNode("b1"), nn("ontology#about"), nn("id/state/qat#part")),
]


def expand_to_rdf(document: bytes) -> str:
    """N-Quads from a real JSON-LD processor."""
    return pyld.to_rdf(json.loads(document), {"format": "application/n-quads"})


def graphs(nquads: str) -> dict[str, rdflib.Graph]:
    """Graph name → graph, for comparing datasets graph by graph."""
    ds = rdflib.Dataset()
    ds.parse(data=nquads, format="nquads")
    out: dict[str, rdflib.Graph] = {}
    for s, p, o, g in ds.quads((None, None, None, None)):
        out.setdefault(str(g) if g is not None else "", rdflib.Graph()).add((s, p, o))
    return out


def test_a_graph_expands_to_the_same_triples() -> None:
    document = jsonld.dumps(TRICKY, P)
    expected = rdflib.Graph().parse(data=ox.serialize(TRICKY, format=ox.RdfFormat.N_TRIPLES), format="nt")
    got = rdflib.Graph().parse(data=expand_to_rdf(document), format="nquads")
    assert len(got) == len(TRICKY) and isomorphic(got, expected)


def test_it_is_already_compacted() -> None:
    document = json.loads(jsonld.dumps(TRICKY, P))
    assert pyld.compact(document, {"@context": jsonld.context(P)}) == document
    assert document["@context"] == jsonld.context(P)
    qatar = next(n for n in document["@graph"] if n["@id"] == "state:qat")
    assert sorted(qatar["@type"]) == ["qn:State", "schema:Country"]
    assert qatar["qn:count"] == {"@value": "05", "@type": "xsd:integer"}  # lexical form kept, no JSON number
    assert qatar["qn:note"] == 'a "quoted", \\ back\nslash\ttab'
    assert qatar["qn:odd"] == {"@id": "http://example.org/no/prefix"}
    assert qatar["qn:ns"] == {"@id": "http://schema.org/"} and qatar["qn:slashes"] == {"@id": "schema:/x"}


def test_a_dataset_keeps_its_named_graphs() -> None:
    quads = [ox.Quad(t.subject, t.predicate, t.object, nn("id/fact/a/b")) for t in TRICKY[:6]]
    quads += [ox.Quad(t.subject, t.predicate, t.object, nn("graph/entities")) for t in TRICKY[2:4]]
    quads += [ox.Quad(t.subject, t.predicate, t.object) for t in TRICKY[6:]]  # the default graph
    document = jsonld.dumps(quads, P)
    got = graphs(expand_to_rdf(document))
    want = graphs(ox.serialize(quads, format=ox.RdfFormat.N_QUADS).decode())
    assert set(got) == set(want) and len(want) == 3
    for name in want:
        assert isomorphic(got[name], want[name]), name
    assert pyld.compact(json.loads(document), {"@context": jsonld.context(P)}) == json.loads(document)
    # and the other parsers the project's clients use read it too
    assert len(list(ox.parse(document, format=ox.RdfFormat.JSON_LD))) == len(quads)
    assert sum(1 for _ in rdflib.Dataset().parse(data=document, format="json-ld").quads()) == len(quads)


def test_equal_graphs_give_equal_bytes_whatever_the_order() -> None:
    assert jsonld.dumps(TRICKY, P) == jsonld.dumps(list(reversed(TRICKY)), P)


def test_unsorted_streams_stay_valid_json_ld() -> None:
    """The streaming writer may see a subject again later: a second node object, not a broken one."""
    out: list[bytes] = []

    class Sink:
        def write(self, data: bytes) -> int:
            out.append(data)
            return len(data)

    statements = [TRICKY[0], TRICKY[11], TRICKY[2], TRICKY[0]]
    jsonld.write(statements, Sink(), P)
    document = b"".join(out)
    got = rdflib.Graph().parse(data=expand_to_rdf(document), format="nquads")
    assert len(got) == 3


def test_an_iri_whose_scheme_is_a_prefix_is_refused() -> None:
    with pytest.raises(ValueError, match="scheme is a prefix"):
        jsonld.dumps([ox.Triple(nn("id/x"), nn("ontology#p"), N("time:12:00"))], P)


def test_context_is_every_prefix_that_can_be_one() -> None:
    ctx = jsonld.context(P)
    assert ctx["qn"] == BASE + "ontology#" and ctx["rdfs"] == "http://www.w3.org/2000/01/rdf-schema#"
    assert set(ctx) == set(P)  # every shipped namespace ends in / or #
    assert json.loads(jsonld.context_document(P)) == {"@context": ctx}


# --- the dump a real build writes -----------------------------------------------------------------


def test_dump_is_compacted_and_expands_to_the_nquads_dump(release: Release) -> None:
    text = release.file("dataset.jsonld").read_bytes()
    document = json.loads(text)
    assert document["@context"] == jsonld.context(prefixes(release.base_iri))
    assert b'"rdfs:label"' in text and b'"http://www.w3.org/2000/01/rdf-schema#label"' not in text
    got = graphs(expand_to_rdf(text))
    want = graphs(release.file("dataset.nq").read_text(encoding="utf-8"))
    assert set(got) == set(want)
    for name in want:
        assert isomorphic(got[name], want[name]), name
