"""Every SHACL shape, one conforming and one violating example (tests/shape_cases.py).

The good snippets together with ``BASE`` form one graph that must conform;
the bad snippets together form one graph in which each case must find a
result with its expected focus node, ``sh:sourceShape`` and ``sh:resultPath``.
Validating the two graphs once keeps the suite fast (pySHACL parses every
SPARQL query on each run); distinct IRIs keep the cases apart.
"""

from __future__ import annotations

import functools
import json

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import RDF

from kg.rdf.vocab import SH, prefixes
from kg.validation.validate import Report, Violation, as_dataset, validate
from tests.shape_cases import BASE, CASES, PREFIXES, SETTINGS, VALUE_SHAPE_CASES, Case, ontology, shapes

QNSH = "https://qatar-nato.example.org/shapes#"


def run(trig: str, shapes_graph: Graph | None = None) -> Report:
    ds = Dataset(default_union=True)
    ds.parse(data=trig, format="trig")
    return validate(ds, shapes_graph if shapes_graph is not None else shapes(), ontology())


_ALL = {**prefixes(), "fa": "https://qatar-nato.example.org/id/fact/a/", "ca": "https://qatar-nato.example.org/id/claim/a/"}


def expand(term: str) -> str:
    """A CURIE, ``<IRI>`` or ``(a | b)`` path, written as kg.validation.validate reports it."""
    if term.startswith("<") and term.endswith(">"):
        return term[1:-1]
    if term.startswith("("):
        return "(" + " | ".join(expand(t.strip()) for t in term[1:-1].split("|")) + ")"
    prefix, local = term.split(":", 1)
    return _ALL[prefix] + local


@functools.cache
def good_report() -> Report:
    return run(BASE + "\n".join(c.good for c in CASES))


@functools.cache
def bad_report() -> Report:
    return run(BASE + "\n".join(c.bad for c in CASES))


def test_base_world_conforms() -> None:
    report = run(BASE)
    assert report.conforms, report.to_text()


def test_good_examples_conform() -> None:
    report = good_report()
    assert report.conforms and not report.violations, report.to_text()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_good_example_is_exercised(case: Case) -> None:
    """The conforming example really contains the node the shape checks."""
    ds = Dataset(default_union=True)
    ds.parse(data=BASE + case.good, format="trig")
    focus = URIRef(expand(case.good_focus or case.focus))
    assert any(True for _ in ds.triples((focus, None, None))), f"{focus} absent from the good example"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_example_violates_its_shape(case: Case) -> None:
    focus = expand(case.focus)
    mine = [v for v in bad_report().violations if v.focus == focus]
    expected_shape = QNSH + case.shape
    expected_path = expand(case.path) if case.path else None
    hits = [v for v in mine if v.source_shape == expected_shape and v.path == expected_path]
    assert hits, f"expected {case.shape} at {case.path} on {case.focus}; got " + json.dumps(
        [(v.source_shape, v.path, v.message) for v in mine], ensure_ascii=False, indent=1)
    assert all(v.severity == "Violation" and v.message for v in hits)


def test_bad_examples_break_nothing_else() -> None:
    """Every result of the bad graph belongs to some case (its focus, or a node inside it)."""
    foci = {expand(c.focus).split("#", 1)[0] for c in CASES}
    stray = [v for v in bad_report().violations if v.focus.split("#", 1)[0] not in foci]
    assert not stray, Report(False, Graph(), stray).to_text()


def test_one_bad_case_alone_fails_the_same_way() -> None:
    """The batch is a shortcut: a case validated alone gives the same result."""
    case = next(c for c in CASES if c.id == "briefing-without-place")
    report = run(BASE + case.bad)
    assert not report.conforms
    assert {(v.focus, v.source_shape, v.path) for v in report.violations} == {
        (expand(case.focus), QNSH + "MeetingPlace", expand("sem:hasPlace"))}


@pytest.mark.parametrize("shape,good,bad", VALUE_SHAPE_CASES, ids=[c[0] for c in VALUE_SHAPE_CASES])
def test_value_shapes(shape: str, good: str, bad: str) -> None:
    """Shapes used inside sh:or / sh:qualifiedValueShape, targeted directly."""
    extended = Graph()
    extended += shapes()
    extra = Graph().parse(data=PREFIXES + f"qnsh:{shape} sh:targetNode {good} , {bad} .", format="turtle")
    extended += extra
    report = run(BASE, extended)
    hits = [v for v in report.violations if v.source_shape == QNSH + shape]
    assert len(hits) == 1, report.to_text()
    expected_focus = expand(bad) if bad.startswith("<") else bad.split('"')[1]  # an IRI, or a literal's lexical form
    assert hits[0].focus == expected_focus


def test_every_shape_is_tested() -> None:
    g = shapes()
    declared = {str(s)[len(QNSH):] for t in (SH.NodeShape, SH.PropertyShape) for s in g.subjects(RDF.type, t)
                if str(s).startswith(QNSH)}
    tested = {c.shape for c in CASES} | {v for c in CASES for v in c.via} | {s for s, _, _ in VALUE_SHAPE_CASES}
    assert declared - tested == set(), f"shapes without a test: {sorted(declared - tested)}"
    assert tested - declared == set(), f"tests of unknown shapes: {sorted(tested - declared)}"


def test_every_shape_is_named_labelled_and_explained() -> None:
    """No blank-node shapes; each has an English rdfs:label and sh:message."""
    from rdflib import BNode
    from rdflib.namespace import RDFS

    g = shapes()
    shape_nodes = {s for t in (SH.NodeShape, SH.PropertyShape) for s in g.subjects(RDF.type, t)}
    shape_nodes |= set(g.subjects(SH.path, None))
    for s in shape_nodes:
        assert not isinstance(s, BNode), f"blank-node shape: {g.cbd(s).serialize(format='turtle')}"
        assert any(lbl.language == "en" for lbl in g.objects(s, RDFS.label)), f"{s} has no English label"
        assert any(m.language == "en" for m in g.objects(s, SH.message)), f"{s} has no English message"
    for c in g.subjects(RDF.type, SH.SPARQLConstraint):
        assert not isinstance(c, BNode) and any(m.language == "en" for m in g.objects(c, SH.message)), c


def test_shapes_graph_metadata() -> None:
    from rdflib.namespace import DCTERMS, OWL, RDFS

    g = shapes()
    header = URIRef("https://qatar-nato.example.org/shapes")
    assert (header, RDF.type, OWL.Ontology) in g
    assert g.value(header, DCTERMS.title) is not None
    assert g.value(header, OWL.versionInfo) is not None
    assert (header, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")) in g
    assert (header, RDFS.seeAlso, URIRef("https://qatar-nato.example.org/ontology")) in g


def test_shipped_graph_conforms() -> None:
    from kg.curation.loader import load_corpus
    from kg.rdf.mapping import map_corpus

    quads = map_corpus(load_corpus(SETTINGS.seeds_dir))
    report = validate(as_dataset(quads), shapes(), ontology())
    assert report.conforms, report.to_text()


def test_report_text_names_shape_path_and_message() -> None:
    text = bad_report().to_text()
    assert "https://qatar-nato.example.org/id/event/v2" in text
    assert "qnsh:MeetingPlace" in text and "sem:hasPlace" in text
    assert "must have a place" in text


def test_violation_fields_are_plain_strings() -> None:
    v = bad_report().violations[0]
    assert isinstance(v, Violation)
    assert all(isinstance(getattr(v, f), (str, type(None))) for f in v.__dataclass_fields__)
