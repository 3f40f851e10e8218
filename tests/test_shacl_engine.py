"""The SPARQL engine (kg.validation.validate.validate_store) reports exactly what pyshacl reports.

Every field of every ``Violation`` is compared, as a multiset, between
``validate`` (pyshacl on an rdflib Dataset, the reference) and
``validate_store`` (the shapes compiled to SPARQL on a pyoxigraph Store
loaded as a release store: named graphs, default graph = their union):
on the real seeds, on every conforming and violating case of
tests/shape_cases.py (all together and each violating case alone), on the
value shapes targeted directly, and on literals Oxigraph canonicalises.
"""

from __future__ import annotations

import collections
import warnings
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, URIRef

from kg.curation.loader import load_corpus
from kg.errors import UnsupportedShape
from kg.rdf.mapping import map_corpus
from kg.release.build import to_oxigraph
from kg.validation.literals import Originals
from kg.validation.model import Hierarchy, ShapesModel
from kg.validation.sparql import Query
from kg.validation.validate import Report, Violation, as_dataset, validate, validate_store
from tests.shape_cases import BASE, CASES, PREFIXES, SETTINGS, VALUE_SHAPE_CASES, evidence, fact, ontology, shapes

DEFAULT = "urn:x-rdflib:default"


def release_store(quads: list[ox.Quad], default_only: list[ox.Quad] = ()) -> ox.Store:  # type: ignore[assignment]
    """As a release store: each quad in its named graph, and the default graph = the union (a set)."""
    store = ox.Store()
    store.extend(quads)
    store.extend(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in [*quads, *default_only])
    return store


@pytest.fixture(autouse=True, scope="module")
def _queries_parsed_once() -> Iterator[None]:
    """pyshacl, the reference, hands rdflib the text of each SHACL-SPARQL query
    on every run, and rdflib parses it again (most of a reference run on a small
    graph). Within this module each distinct text is parsed and translated once
    and the prepared query reused, as ``rdflib.plugins.sparql.prepareQuery``
    allows: the same algebra, evaluated afresh on each graph."""
    from rdflib.plugins.sparql import processor

    original = processor.SPARQLProcessor.query
    prepared: dict[tuple, object] = {}

    def query(self, strOrQuery, initBindings=None, initNs=None, base=None, DEBUG=False):  # type: ignore[no-untyped-def]
        if isinstance(strOrQuery, str):
            key = (strOrQuery, base, tuple(sorted((k, str(v)) for k, v in (initNs or {}).items())))
            if key not in prepared:
                prepared[key] = processor.translateQuery(processor.parseQuery(strOrQuery), base, initNs)
            strOrQuery = prepared[key]
        return original(self, strOrQuery, initBindings, initNs, base, DEBUG)

    patch = pytest.MonkeyPatch()
    patch.setattr(processor.SPARQLProcessor, "query", query)
    yield
    patch.undo()


@pytest.fixture(autouse=True, scope="module")
def _shapes_compiled_once() -> Iterator[None]:
    """The engine reads the shapes graph and compiles its queries on every run: once a
    build, where that costs about 0.15 s, but 170 times here, where it was a third of the
    module's time. Within this module each shapes graph is read once, and its queries are
    compiled once per class hierarchy (the ontology's and the data's ``rdfs:subClassOf``
    pairs): compiling is a function of those two alone, and every ``Query`` is frozen.
    Each case's data is still loaded and queried afresh."""
    from kg.validation import engine

    read_shapes, compile_model = engine.read_shapes, engine.compile_model
    models: dict[int, tuple[Graph, ShapesModel]] = {}  # the graph is kept, so its id is not reused
    compiled: dict[tuple[int, frozenset[tuple[str, str]]], list[Query]] = {}

    class Keyed(Hierarchy):
        def __init__(self, pairs: list[tuple[str, str]]) -> None:
            super().__init__(pairs)
            self.pairs = frozenset(pairs)

    def read(shapes_graph: Graph) -> ShapesModel:
        if id(shapes_graph) not in models:
            models[id(shapes_graph)] = (shapes_graph, read_shapes(shapes_graph))
        return models[id(shapes_graph)][1]

    def compile_once(model: ShapesModel, hierarchy: Keyed) -> list[Query]:
        key = (id(model), hierarchy.pairs)
        if key not in compiled:
            compiled[key] = compile_model(model, hierarchy)
        return list(compiled[key])

    patch = pytest.MonkeyPatch()
    patch.setattr(engine, "Hierarchy", Keyed)
    patch.setattr(engine, "read_shapes", read)
    patch.setattr(engine, "compile_model", compile_once)
    yield
    patch.undo()


def both(ds: Dataset, shapes_graph: Graph | None = None) -> tuple[Report, Report]:
    """(pyshacl's report, the engine's report) on the same data."""
    sg = shapes_graph if shapes_graph is not None else shapes()
    named = [q for q in ds.quads() if str(q[3]) != DEFAULT]
    loose = [(s, p, o, URIRef("urn:x-loose")) for s, p, o, g in ds.quads() if str(g) == DEFAULT]
    ox_named, ox_loose = to_oxigraph(named), to_oxigraph(loose)
    store = release_store(ox_named, ox_loose)
    originals = Originals().add(ox_named).add(ox_loose)
    return validate(ds, sg, ontology()), validate_store(store, sg, ontology(), originals=originals)


def trig(text: str) -> Dataset:
    ds = Dataset(default_union=True)
    ds.parse(data=text, format="trig")
    return ds


def key(v: Violation) -> tuple[str, ...]:
    return (v.focus, v.path or "", v.value or "", v.source_shape, v.constraint, v.severity, v.message,
            v.source_constraint or "")


def assert_same(reference: Report, engine: Report) -> None:
    ref, got = collections.Counter(map(key, reference.violations)), collections.Counter(map(key, engine.violations))
    assert got == ref, f"only pyshacl: {sorted((ref - got).elements())}\nonly engine: {sorted((got - ref).elements())}"
    assert engine.conforms == reference.conforms


def test_real_seeds_same_report() -> None:
    quads = map_corpus(load_corpus(SETTINGS.seeds_dir))
    ox_quads = to_oxigraph(quads)
    reference = validate(as_dataset(quads), shapes(), ontology())
    engine = validate_store(release_store(ox_quads), shapes(), ontology(), originals=Originals().add(ox_quads))
    assert_same(reference, engine)
    assert engine.conforms


def test_good_cases_same_report() -> None:
    reference, engine = both(trig(BASE + "\n".join(c.good for c in CASES)))
    assert_same(reference, engine)
    assert engine.conforms and not engine.violations


def test_bad_cases_together_same_report() -> None:
    reference, engine = both(trig(BASE + "\n".join(c.bad for c in CASES)))
    assert_same(reference, engine)
    assert len(engine.violations) >= len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_case_alone_same_report(case) -> None:  # type: ignore[no-untyped-def]
    reference, engine = both(trig(BASE + case.bad))
    assert_same(reference, engine)
    assert not engine.conforms


@pytest.mark.parametrize("shape,good,bad", VALUE_SHAPE_CASES, ids=[c[0] for c in VALUE_SHAPE_CASES])
def test_value_shapes_targeted_same_report(shape: str, good: str, bad: str) -> None:
    extended = Graph()
    extended += shapes()
    extended.parse(data=PREFIXES + f"qnsh:{shape} sh:targetNode {good} , {bad} .", format="turtle")
    reference, engine = both(trig(BASE), extended)
    assert_same(reference, engine)
    assert len(engine.violations) == 1


# Oxigraph stores "5"^^xsd:nonNegativeInteger as "5"^^xsd:integer and "07" as "7":
# the engine checks such literals as written (kg.validation.literals.Originals), as pyshacl does.
CANONICALISED = [
    ("integer-where-non-negative", fact("fact/a/z1").replace('"0"^^xsd:nonNegativeInteger', '"0"^^xsd:integer')),
    ("leading-zeros-accepted", fact("fact/a/z3").replace('"0"^^xsd:nonNegativeInteger', '"00"^^xsd:nonNegativeInteger')),
    ("leading-zeros-reported-as-written", fact("fact/a/z4").replace(
        '"0"^^xsd:nonNegativeInteger', '"007"^^xsd:nonNegativeInteger')),
]


@pytest.mark.parametrize("name,snippet", CANONICALISED, ids=[c[0] for c in CANONICALISED])
def test_canonicalised_integers_checked_as_written(name: str, snippet: str) -> None:
    reference, engine = both(trig(BASE + snippet))
    assert_same(reference, engine)
    if name != "leading-zeros-accepted":
        assert not engine.conforms


def test_negative_offset_core_results_same() -> None:
    """"-1"^^xsd:nonNegativeInteger: the same sh:datatype results. The SPARQL checks differ, by
    design: rdflib compares the ill-typed literal as if it were text and slices SUBSTR from the
    end for a start < 1; Oxigraph follows the SPARQL spec (docs/validation.md)."""
    for snippet in (fact("fact/a/z2").replace('"3"^^xsd:nonNegativeInteger', '"-1"^^xsd:nonNegativeInteger'),
                    fact("fact/a/z7").replace('"0"^^xsd:nonNegativeInteger', '"-1"^^xsd:nonNegativeInteger')):
        reference, engine = both(trig(BASE + snippet))
        core = Report(reference.conforms, reference.graph,
                      [v for v in reference.violations if not v.constraint.endswith("#SPARQLConstraintComponent")])
        assert_same(core, Report(engine.conforms, engine.graph,
                                 [v for v in engine.violations if not v.constraint.endswith("#SPARQLConstraintComponent")]))
        assert any(v.constraint.endswith("#DatatypeConstraintComponent") and v.value == "-1" for v in engine.violations)


def test_ill_formed_integer_reported_where_the_reference_crashes() -> None:
    """pyshacl raises on "three"^^xsd:nonNegativeInteger (rdflib cannot subtract it in
    QuoteMatchesArticle's SUBSTR); the engine reports the ill-formed literal."""
    ds = trig(BASE + fact("fact/a/z5").replace('"3"^^xsd:nonNegativeInteger', '"three"^^xsd:nonNegativeInteger'))
    named = to_oxigraph([q for q in ds.quads() if str(q[3]) != DEFAULT])
    loose = to_oxigraph([(s, p, o, URIRef("urn:x-loose")) for s, p, o, g in ds.quads() if str(g) == DEFAULT])
    report = validate_store(release_store(named, loose), shapes(), ontology(), originals=Originals().add(named + loose))
    assert [(v.source_shape.rsplit("#", 1)[1], v.value) for v in report.violations
            if v.constraint.endswith("#DatatypeConstraintComponent")] == [("PositionEnd", "three")]


def test_without_originals_integers_are_checked_by_value_and_it_says_so() -> None:
    ds = trig(BASE + fact("fact/a/z6").replace('"0"^^xsd:nonNegativeInteger', '"-1"^^xsd:nonNegativeInteger'))
    named = to_oxigraph([q for q in ds.quads() if str(q[3]) != DEFAULT])
    loose = to_oxigraph([(s, p, o, URIRef("urn:x-loose")) for s, p, o, g in ds.quads() if str(g) == DEFAULT])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report = validate_store(release_store(named, loose), shapes(), ontology())
    assert any("originals" in str(w.message) for w in caught)
    assert [v.value for v in report.violations if v.source_shape.endswith("#PositionStart")] == ["-1"]


def test_evidence_helper_still_builds_quotes() -> None:
    """The snippets above edit what ``evidence`` writes; fail loudly if it changes form."""
    assert '"0"^^xsd:nonNegativeInteger' in evidence("fact/a/x") and '"3"^^xsd:nonNegativeInteger' in evidence("fact/a/x")


UNSUPPORTED = {
    "sh:node": "qnsh:X a sh:NodeShape ; sh:targetClass qn:Article ; sh:node qnsh:XsdDate .",
    "sh:closed": "qnsh:X a sh:NodeShape ; sh:targetClass qn:Article ; sh:closed true .",
    "sh:xone": "qnsh:X a sh:NodeShape ; sh:targetClass qn:Article ; sh:xone ( qnsh:XsdDate qnsh:XsdGYear ) .",
    "nested sh:not": "qnsh:X a sh:PropertyShape ; sh:targetClass qn:Article ; sh:path qn:sha256 ; sh:not qnsh:XsdDate .",
    "custom target": "qnsh:X a sh:NodeShape ; sh:target [ a qnsh:MyTarget ] ; sh:datatype xsd:date .",
    "SPARQL ASK": 'qnsh:X a sh:NodeShape ; sh:targetClass qn:Article ; sh:sparql [ sh:ask "ASK {}" ; sh:select "SELECT $this WHERE {}" ] .',
    "sh:property without sh:path": "qnsh:X a sh:NodeShape ; sh:targetClass qn:Article ; sh:property [ sh:minCount 1 ] .",
}


@pytest.mark.parametrize("name", sorted(UNSUPPORTED))
def test_unsupported_component_raises(name: str) -> None:
    extended = Graph()
    extended += shapes()
    extended.parse(data=PREFIXES + UNSUPPORTED[name], format="turtle")
    ds = trig(BASE)
    store = release_store(to_oxigraph([(s, p, o, URIRef("urn:x-loose")) for s, p, o, _ in ds.quads()]))
    with pytest.raises(UnsupportedShape):
        validate_store(store, extended, ontology())


def test_deactivated_property_shape_reports_nothing_in_both() -> None:
    extended = Graph()
    extended += shapes()
    extended.parse(data=PREFIXES + "qnsh:MeetingPlace sh:deactivated true .", format="turtle")
    case = next(c for c in CASES if c.id == "briefing-without-place")
    reference, engine = both(trig(BASE + case.bad), extended)
    assert_same(reference, engine)
    assert not any(v.source_shape.endswith("#MeetingPlace") for v in engine.violations)
